import type { AcceptanceComparisonFieldsFragment } from '../../api/generated';
import { formatDateTime, metric } from '../../lib/format';

const auc = (v: number | null | undefined) => metric(v, 'n/a');

/**
 * What a candidate model must show before it may become active (the clinic's recorded acceptance
 * criteria), how it does on the clinic's own outcomes against the active model, and what is unmet.
 */
export function AcceptanceSummary({ comparison }: { comparison: AcceptanceComparisonFieldsFragment }) {
  const { criteria, candidate, active } = comparison;
  return (
    <div data-testid="acceptance-summary">
      {criteria ? (
        <p>
          Criteria (set {formatDateTime(criteria.setAt)}): day-3 ROC AUC at least {auc(criteria.minDay3RocAuc)} on at
          least {criteria.minOutcomes} local outcomes
          {criteria.maxDropVsActive !== null && criteria.maxDropVsActive !== undefined
            ? `, and at most ${auc(criteria.maxDropVsActive)} below the active model`
            : ''}
          .
        </p>
      ) : (
        <p>No acceptance criteria recorded: activation is not checked against local outcomes.</p>
      )}
      <p className="facts">
        <span>
          This model: day-3 ROC AUC {auc(candidate.day3RocAuc)} on {candidate.outcomes} outcomes
        </span>
        {active && (
          <span>
            Active model: {auc(active.day3RocAuc)} on {active.outcomes} outcomes
          </span>
        )}
      </p>
      {criteria &&
        (comparison.met ? (
          <p>
            <span className="tag tag--ok">criteria met</span>
          </p>
        ) : (
          <>
            <p>
              <span className="tag tag--danger">criteria not met</span>
            </p>
            <ul data-testid="acceptance-unmet">
              {comparison.unmet.map((u) => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          </>
        ))}
    </div>
  );
}
