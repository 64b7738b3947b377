import { ModelMonitoringDocument } from '../api/generated';
import { useQuery } from '../api/use-query';
import { Link } from '../app/router';
import { useClinic } from '../app/session';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { ProvenanceBanner, ProvenanceTag } from '../components/ProvenanceBanner';
import { formatDateTime, metric } from '../lib/format';

const METRIC_LABEL: Record<string, string> = { day3RocAuc: 'day-3 ROC AUC', brier: 'Brier score', psi: 'PSI' };

/**
 * The nightly monitoring series of one model in the clinic, newest first: discrimination on the
 * outcomes recorded so far, calibration (Brier) and drift of the scores (PSI against activation),
 * with the alerts each check raised.
 */
export function ModelMonitoringPage({ id }: { id: string }) {
  const { clinic } = useClinic();
  const { data, error, loading } = useQuery(
    ModelMonitoringDocument,
    { clinicId: clinic?.id ?? '', modelId: id },
    { skip: !clinic },
  );
  const model = data?.model;
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/models">Models</Link> › monitoring
      </p>
      <PageTitle title="Model monitoring">Monitoring {model ? `· ${model.name} ${model.version}` : ''}</PageTitle>
      <ErrorNotice error={error} />
      {loading && <Loading what="the monitoring series" />}
      {data && model && (
        <>
          <ProvenanceBanner models={[model]} warning={model.warning} />
          <p className="facts">
            <ProvenanceTag model={model} />
            <span>{model.variant}</span>
            <span>
              <Link to={`/models/${model.id}/evaluation`}>Evaluation</Link>
            </span>
          </p>
          {data.modelMonitoring.length === 0 ? (
            <p data-testid="no-monitoring">
              No check yet: the monitoring job checks active and shadow models every night once they have scores.
            </p>
          ) : (
            <table className="table" data-testid="monitoring-table">
              <caption className="visually-hidden">Monitoring checks, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Checked</th>
                  <th scope="col">Role</th>
                  <th scope="col" className="num">
                    Scores
                  </th>
                  <th scope="col" className="num">
                    Outcomes
                  </th>
                  <th scope="col" className="num">
                    AUC day 3
                  </th>
                  <th scope="col" className="num">
                    AUC day 4
                  </th>
                  <th scope="col" className="num">
                    AUC day 5
                  </th>
                  <th scope="col" className="num">
                    Brier
                  </th>
                  <th scope="col" className="num">
                    PSI
                  </th>
                  <th scope="col">Alerts</th>
                </tr>
              </thead>
              <tbody>
                {data.modelMonitoring.map((p) => (
                  <tr key={p.id}>
                    <th scope="row" className="nowrap">
                      {formatDateTime(p.checkedAt)}
                    </th>
                    <td>{p.role}</td>
                    <td className="num">{p.scores}</td>
                    <td className="num">{p.outcomes}</td>
                    <td className="num">{metric(p.rocAucDay3)}</td>
                    <td className="num">{metric(p.rocAucDay4)}</td>
                    <td className="num">{metric(p.rocAucDay5)}</td>
                    <td className="num">{metric(p.brier)}</td>
                    <td className="num">{metric(p.psi)}</td>
                    <td>
                      {p.alerts.length === 0
                        ? '—'
                        : p.alerts.map((a) => (
                            <span key={a.metric} className="tag tag--danger">
                              {METRIC_LABEL[a.metric] ?? a.metric} {metric(a.value)} (limit {metric(a.threshold)})
                            </span>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
