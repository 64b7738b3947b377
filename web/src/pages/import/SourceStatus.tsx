import type { ImportSourceFieldsFragment } from '../../api/generated';
import { formatDateTime } from '../../lib/format';

const RUN_TAG: Record<string, string> = {
  SUCCEEDED: 'tag--ok',
  PARTIAL: 'tag--warn',
  FAILED: 'tag--danger',
  RUNNING: 'tag--neutral',
  QUEUED: 'tag--neutral',
};

/** Healthy, or failing since the last success, with the last error in the server's words. */
export function SourceHealth({ source }: { source: ImportSourceFieldsFragment }) {
  const h = source.health;
  return (
    <div data-testid="source-health">
      {h.healthy ? (
        <span className="tag tag--ok">healthy</span>
      ) : (
        <span className="tag tag--danger">
          failing{h.consecutiveFailures > 1 ? ` (${h.consecutiveFailures} scans)` : ''}
        </span>
      )}
      <div className="muted small">
        checked {h.lastCheckedAt ? formatDateTime(h.lastCheckedAt) : 'never'}
        {h.lastSuccessAt && !h.healthy ? `; last success ${formatDateTime(h.lastSuccessAt)}` : ''}
      </div>
      {h.lastError && <div className="small detail">{h.lastError}</div>}
    </div>
  );
}

/** The newest scan's counts, and its items that were not stored, each with its reason. */
export function SourceLastRun({ source }: { source: ImportSourceFieldsFragment }) {
  const run = source.lastRuns[0];
  if (!run) return <span className="muted">no scan yet</span>;
  const notStored = run.items.filter((i) => i.status === 'failed' || i.status === 'skipped');
  // items are absolute paths; inside the source's folder is what the administrator looks for
  const inFolder = (item: string) => (item.startsWith(`${source.path}/`) ? item.slice(source.path.length + 1) : item);
  return (
    <div data-testid="source-last-run">
      <span className={`tag ${RUN_TAG[run.status] ?? 'tag--neutral'}`}>{run.status.toLowerCase()}</span>
      <span className="nowrap">{formatDateTime(run.startedAt)}</span>
      <div className="small">
        {run.stored} stored · {run.alreadyStored} already stored · {run.skipped} skipped · {run.failed} failed
      </div>
      {notStored.length > 0 && (
        <details>
          <summary className="small">{notStored.length} not stored: why</summary>
          <ul className="small">
            {notStored.map((i) => (
              <li key={i.id}>
                <span className="mono" title={i.item}>
                  {inFolder(i.item)}
                </span>
                : {i.reason ?? i.status}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
