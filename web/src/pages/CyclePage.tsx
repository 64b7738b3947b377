import { useEffect, useState } from 'react';
import { CycleViewDocument, RequestCycleScoringDocument } from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { can } from '../app/permissions';
import { Link } from '../app/router';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { ProvenanceBanner, ProvenanceTag } from '../components/ProvenanceBanner';
import { Sparkline } from '../components/Sparkline';
import { CycleStatusControl } from './cycle/CycleStatusControl';
import { dayOfCulture, formatDateTime, OUTCOME_LABEL, percent } from '../lib/format';

/** One cycle's embryos, ranked by the latest score of the clinic's active model (the API's `ranking`, with its label). */
export function CyclePage({ id }: { id: string }) {
  const { data, error, loading, reload } = useQuery(CycleViewDocument, { id });
  const scoring = useMutation(RequestCycleScoringDocument);
  const [queued, setQueued] = useState<string | undefined>();
  const cycle = data?.cycle;

  useEffect(() => {
    // the moment the ranking is on screen and clickable (bench/web-lab.ts reads it)
    if (cycle) performance.mark('lab-cycle-ready');
  }, [cycle]);

  if (loading) return <Loading what="the cycle" />;
  if (!cycle) return <ErrorNotice error={error} />;
  const { ranking } = cycle;
  const models = ranking.entries.flatMap((e) => (e.embryo.trajectory ? [e.embryo.trajectory.model] : []));
  const warning =
    ranking.warning ?? ranking.entries.find((e) => e.embryo.trajectory?.warning)?.embryo.trajectory?.warning;
  const day = dayOfCulture(cycle.inseminationAt);
  // one model for the whole cycle (the usual case) is named once, above the table
  const modelIds = new Set(models.map((m) => m.id));
  const sharedModel = modelIds.size === 1 ? models[0] : undefined;
  // why scores are not shown (kill switch, assessment first), each reason once, above the table
  const withheldReasons = [...new Set(ranking.entries.flatMap((e) => (e.withheld ? [e.withheld] : [])))];

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/lab">Lab</Link> › cycle
      </p>
      <PageTitle title={`Cycle ${cycle.externalId}`}>Cycle {cycle.externalId}</PageTitle>
      <p className="facts">
        <span>
          Patient: {cycle.patient?.displayName ?? '—'} <span className="muted">(MRN {cycle.patient?.mrn ?? '—'})</span>
        </span>
        <span>Inseminated {formatDateTime(cycle.inseminationAt)}</span>
        <span>{day}</span>
        <span>{cycle.method ?? ''}</span>
        <span data-testid="cycle-status">Status: {cycle.status.toLowerCase()}</span>
      </p>
      {can(cycle.clinic.myRole, 'manageCycles') && (
        <div className="actions">
          <CycleStatusControl cycle={cycle} onChanged={reload} />
        </div>
      )}
      <ProvenanceBanner models={models} warning={warning} />
      {can(cycle.clinic.myRole, 'requestScoring') && (
        <p>
          <button
            type="button"
            className="button"
            disabled={scoring.running}
            onClick={async () => setQueued((await scoring.run({ cycleId: cycle.id }))?.requestScoring.status)}
          >
            Request scoring of this cycle
          </button>{' '}
          <Link to="/runs">See runs</Link>
          {queued && <span role="status"> Scoring run {queued.toLowerCase()}.</span>}
        </p>
      )}
      <ErrorNotice error={scoring.error} />
      {sharedModel && (
        <p className="facts">
          <span>
            Model: {sharedModel.name} <span className="muted">{sharedModel.version}</span> ({sharedModel.variant})
          </span>
          <ProvenanceTag model={sharedModel} />
        </p>
      )}
      {withheldReasons.map((reason) => (
        <p key={reason} className="notice notice--warn" data-testid="scores-withheld">
          Scores not shown: {reason}.
        </p>
      ))}
      <table className="table ranked" data-testid="ranked-embryos">
        <caption>
          Embryos ranked by latest probability of blastocyst formation (highest first; unscored last)
          {ranking.label ? ` — ${ranking.label}` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Rank
            </th>
            <th scope="col">Embryo</th>
            <th scope="col" className="num">
              Latest probability
            </th>
            <th scope="col">Trajectory (day 0–7)</th>
            <th scope="col" className="num">
              Imputed segments
            </th>
            <th scope="col">Outcome</th>
            {!sharedModel && <th scope="col">Model</th>}
          </tr>
        </thead>
        <tbody>
          {ranking.entries.map(({ embryo: e, rank, score, withheld }) => {
            const points = e.trajectory?.points ?? [];
            const imputed = points.filter((p) => p.imputed).length;
            return (
              <tr key={e.id} data-embryo-id={e.id}>
                <td className="num">{rank ?? '–'}</td>
                <th scope="row" className="nowrap">
                  <Link to={`/embryos/${e.id}`}>{e.label}</Link> <span className="muted small">{e.externalId}</span>
                </th>
                <td className="num probability" title={score?.label ?? withheld ?? undefined}>
                  <span data-testid="latest-probability">
                    {score ? percent(score.value) : withheld ? 'not shown' : '—'}
                  </span>
                  {score?.warning && (
                    <>
                      {' '}
                      <span className="tag tag--danger" data-testid="score-label" title={score.label}>
                        {score.provenance}
                      </span>
                    </>
                  )}
                </td>
                <td>
                  <Sparkline points={points} />
                </td>
                <td className="num">
                  {imputed > 0 ? (
                    <span
                      className="tag tag--warn"
                      title="Segments without frames of their own reuse a neighbour's frames"
                    >
                      {imputed} imputed
                    </span>
                  ) : (
                    '0'
                  )}
                </td>
                <td className="nowrap">{OUTCOME_LABEL[e.outcome]}</td>
                {!sharedModel && (
                  <td>
                    {e.trajectory ? (
                      <>
                        {e.trajectory.model.name} <span className="muted">{e.trajectory.model.version}</span>{' '}
                        <ProvenanceTag model={e.trajectory.model} />
                      </>
                    ) : (
                      <span className="muted">not scored</span>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
