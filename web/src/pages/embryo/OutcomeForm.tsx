import { useState } from 'react';
import { RecordOutcomeDocument, type Outcome } from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ErrorNotice } from '../../components/Notices';
import { formatDateTime, OUTCOME_LABEL } from '../../lib/format';

const OUTCOMES: Outcome[] = ['BLASTOCYST', 'NOT_BLASTOCYST', 'UNKNOWN'];

/** Records the embryo's outcome (audited by the server); read-only for roles that may not. */
export function OutcomeForm(props: {
  embryoId: string;
  outcome: Outcome;
  recordedAt: string | null | undefined;
  editable: boolean;
}) {
  const [current, setCurrent] = useState({ outcome: props.outcome, recordedAt: props.recordedAt });
  const [choice, setChoice] = useState<Outcome>(props.outcome);
  const [saved, setSaved] = useState(false);
  const mutation = useMutation(RecordOutcomeDocument);
  return (
    <section className="card" aria-labelledby="outcome-title">
      <h2 id="outcome-title">Outcome</h2>
      <p data-testid="outcome-current">
        {OUTCOME_LABEL[current.outcome]}
        {current.recordedAt && <span className="muted"> · recorded {formatDateTime(current.recordedAt)}</span>}
      </p>
      {props.editable && (
        <form
          className="form form--inline"
          onSubmit={async (e) => {
            e.preventDefault();
            setSaved(false);
            const result = await mutation.run({ embryoId: props.embryoId, outcome: choice });
            if (result) {
              setCurrent({ outcome: result.recordOutcome.outcome, recordedAt: result.recordOutcome.outcomeRecordedAt });
              setSaved(true);
            }
          }}
        >
          <label>
            Record outcome
            <select value={choice} onChange={(e) => setChoice(e.target.value as Outcome)} data-testid="outcome-select">
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {OUTCOME_LABEL[o]}
                </option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            className="button button--primary"
            disabled={mutation.running || choice === current.outcome}
          >
            Save outcome
          </button>
          {saved && <span role="status">Saved.</span>}
        </form>
      )}
      <ErrorNotice error={mutation.error} />
    </section>
  );
}
