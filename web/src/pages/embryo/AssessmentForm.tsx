import { useState } from 'react';
import { RecordAssessmentDocument, type AssessmentDecision, type AssessmentFieldsFragment } from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ErrorNotice } from '../../components/Notices';
import { formatDateTime } from '../../lib/format';

const DECISIONS: Array<[AssessmentDecision, string]> = [
  ['TRANSFER', 'Transfer'],
  ['FREEZE', 'Freeze'],
  ['DISCARD', 'Discard'],
  ['KEEP_IN_CULTURE', 'Keep in culture'],
];
const LABEL = Object.fromEntries(DECISIONS) as Record<AssessmentDecision, string>;

/**
 * The embryologist's own assessment (grade and decision), recorded before or beside the model's
 * score; a decision against the model's ranking needs a reason (the server says so and keeps it).
 * After saving, `onSaved` reloads the page data: in an "assessment first" clinic the score appears.
 */
export function AssessmentForm(props: {
  embryoId: string;
  assessment: AssessmentFieldsFragment | null;
  editable: boolean;
  onSaved: () => void;
}) {
  const [grade, setGrade] = useState('');
  const [decision, setDecision] = useState<AssessmentDecision>('FREEZE');
  const [reason, setReason] = useState('');
  const mutation = useMutation(RecordAssessmentDocument);
  const a = props.assessment;
  return (
    <section className="card" aria-labelledby="assessment-title" data-testid="assessment">
      <h2 id="assessment-title">Assessment</h2>
      {a ? (
        <p data-testid="assessment-current">
          Grade {a.grade} · {LABEL[a.decision]}
          {a.modelRank !== null && a.modelRank !== undefined && (
            <span className="muted">
              {' '}
              · model rank {a.modelRank} of {a.modelRankOf}
            </span>
          )}
          {a.againstModel && <span className="tag tag--warn">against the model: {a.reason}</span>}
          <span className="muted"> · {formatDateTime(a.createdAt)}</span>
        </p>
      ) : (
        <p className="muted">Not assessed yet.</p>
      )}
      {props.editable && (
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            const result = await mutation.run({
              input: { embryoId: props.embryoId, grade, decision, reason: reason.trim() || null },
            });
            if (result) props.onSaved();
          }}
        >
          <label>
            Grade
            <input value={grade} onChange={(e) => setGrade(e.target.value)} maxLength={40} required />
          </label>
          <label>
            Decision
            <select
              value={decision}
              onChange={(e) => setDecision(e.target.value as AssessmentDecision)}
              data-testid="assessment-decision"
            >
              {DECISIONS.map(([d, text]) => (
                <option key={d} value={d}>
                  {text}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reason (required when the decision goes against the model&apos;s ranking)
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} rows={2} />
          </label>
          <button type="submit" className="button button--primary" disabled={mutation.running || !grade.trim()}>
            Record assessment
          </button>
        </form>
      )}
      <ErrorNotice error={mutation.error} />
    </section>
  );
}
