import { useState } from 'react';
import {
  ActiveCyclesDocument,
  ImportRunsDocument,
  RequestCycleScoringDocument,
  ScoringRunsDocument,
} from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { can } from '../app/permissions';
import { useClinic } from '../app/session';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { formatDateTime } from '../lib/format';

/** Scoring and import runs of the clinic with their per-item reports; request scoring of a cycle. */
export function RunsPage() {
  const { clinic, role } = useClinic();
  const clinicId = clinic?.id ?? '';
  const scoringRuns = useQuery(ScoringRunsDocument, { clinicId }, { skip: !clinic });
  const importRuns = useQuery(ImportRunsDocument, { clinicId }, { skip: !clinic });

  return (
    <section className="page">
      <PageTitle title="Runs">Runs</PageTitle>
      {can(role, 'requestScoring') && <RequestScoring clinicId={clinicId} onQueued={scoringRuns.reload} />}
      <section className="card" aria-labelledby="scoring-runs-title">
        <h2 id="scoring-runs-title">Scoring runs</h2>
        <ErrorNotice error={scoringRuns.error} />
        {scoringRuns.loading && !scoringRuns.data && <Loading what="scoring runs" />}
        {scoringRuns.data && (
          <table className="table table--compact" data-testid="scoring-runs">
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Trigger</th>
                <th scope="col">Scope</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Scored
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Predictions
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Provider</th>
                <th scope="col">Report</th>
              </tr>
            </thead>
            <tbody>
              {scoringRuns.data.scoringRuns.edges.map(({ node: r }) => (
                <tr key={r.id}>
                  <td>{formatDateTime(r.createdAt)}</td>
                  <td>{r.trigger}</td>
                  <td>{describeScope(r.scope)}</td>
                  <td>
                    <span className={`tag tag--${statusTone(r.status)}`}>{r.status.toLowerCase()}</span>
                  </td>
                  <td className="num">{r.embryosScored}</td>
                  <td className="num">{r.embryosFailed}</td>
                  <td className="num">{r.predictionsWritten}</td>
                  <td className="num">{r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
                  <td>{r.executionProvider ?? '—'}</td>
                  <td>
                    {r.error && <p className="notice notice--error small">{r.error}</p>}
                    <details>
                      <summary>Details</summary>
                      <pre className="small">{JSON.stringify(r.details, null, 2)}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="import-runs-title">
        <h2 id="import-runs-title">Import runs</h2>
        <ErrorNotice error={importRuns.error} />
        {importRuns.loading && !importRuns.data && <Loading what="import runs" />}
        {importRuns.data && importRuns.data.importRuns.edges.length === 0 && <p>No imports yet.</p>}
        {importRuns.data?.importRuns.edges.map(({ node: r }) => {
          const problems = r.items.filter((i) => i.status === 'failed' || i.status === 'skipped');
          return (
            <article key={r.id} className="run" data-testid="import-run">
              <h3>
                {r.kind.toLowerCase()} import <span className="muted">{formatDateTime(r.startedAt)}</span>{' '}
                <span className={`tag tag--${statusTone(r.status)}`}>{r.status.toLowerCase()}</span>
              </h3>
              <p className="mono small">{r.source}</p>
              <p>
                {r.stored} stored · {r.alreadyStored} already stored · {r.skipped} skipped · {r.failed} failed
              </p>
              <details open={problems.length > 0 && problems.length <= 20}>
                <summary>
                  Per-item report ({r.items.length} items
                  {problems.length ? `, ${problems.length} skipped or failed` : ''})
                </summary>
                <table className="table table--compact">
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col">Status</th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...problems, ...r.items.filter((i) => !problems.includes(i))].map((i) => (
                      <tr key={i.id}>
                        <td className="mono small">{i.item}</td>
                        <td>{i.status}</td>
                        <td>{i.reason ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </article>
          );
        })}
      </section>
    </section>
  );
}

function RequestScoring({ clinicId, onQueued }: { clinicId: string; onQueued(): void }) {
  const cycles = useQuery(ActiveCyclesDocument, { clinicId });
  const request = useMutation(RequestCycleScoringDocument);
  const [queued, setQueued] = useState<string | undefined>();
  return (
    <form
      className="card form form--inline"
      onSubmit={async (e) => {
        e.preventDefault();
        const cycleId = String(new FormData(e.currentTarget).get('cycle'));
        const result = await request.run({ cycleId });
        if (result) {
          setQueued(`Scoring run ${result.requestScoring.status.toLowerCase()}.`);
          onQueued();
        }
      }}
    >
      <h2>Request scoring</h2>
      <label>
        Cycle
        <select name="cycle" required>
          {cycles.data?.cycles.edges.map(({ node: c }) => (
            <option key={c.id} value={c.id}>
              {c.externalId} · {c.patient?.displayName ?? c.patient?.mrn ?? 'unassigned'}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button button--primary" disabled={request.running || !cycles.data}>
        Request scoring
      </button>
      {queued && <span role="status">{queued}</span>}
      <ErrorNotice error={request.error} />
    </form>
  );
}

function describeScope(scope: Record<string, unknown>): string {
  if (typeof scope.cycleId === 'string') return 'one cycle';
  if (Array.isArray(scope.embryoIds)) return `${scope.embryoIds.length} embryos`;
  return 'whole clinic';
}

function statusTone(status: string): string {
  return status === 'SUCCEEDED' ? 'ok' : status === 'FAILED' ? 'danger' : status === 'PARTIAL' ? 'warn' : 'neutral';
}
