import { ActivationCheckDocument, SetAcceptanceCriteriaDocument } from '../../api/generated';
import { useMutation, useQuery } from '../../api/use-query';
import { ErrorNotice, Loading } from '../../components/Notices';
import { AcceptanceSummary } from './AcceptanceSummary';

/**
 * The acceptance criteria of a model enabled in the clinic (usually in shadow mode): what it must
 * show on the clinic's own outcomes before activation, and how it does now. Recording them is audited.
 */
export function AcceptanceCard(props: {
  clinicId: string;
  model: { id: string; name: string; version: string };
  onClose(): void;
}) {
  const variables = { clinicId: props.clinicId, modelId: props.model.id };
  const check = useQuery(ActivationCheckDocument, variables);
  const save = useMutation(SetAcceptanceCriteriaDocument);
  const criteria = check.data?.activationCheck.criteria;
  const number = (v: FormDataEntryValue | null) => (v === null || String(v).trim() === '' ? null : Number(v));

  return (
    <div className="card" data-testid="acceptance-card">
      <h2>
        Acceptance criteria of {props.model.name} {props.model.version}
      </h2>
      <ErrorNotice error={check.error} />
      {check.loading && !check.data && <Loading what="the comparison" />}
      {check.data && <AcceptanceSummary comparison={check.data.activationCheck} />}
      {check.data && (
        <form
          key={criteria?.setAt ?? 'none'}
          className="form form--grid"
          aria-label="Acceptance criteria"
          onSubmit={async (e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const done = await save.run({
              ...variables,
              criteria: {
                minDay3RocAuc: Number(f.get('minDay3RocAuc')),
                minOutcomes: Number(f.get('minOutcomes')),
                maxDropVsActive: number(f.get('maxDropVsActive')),
              },
            });
            if (done) check.reload();
          }}
        >
          <label>
            Day-3 ROC AUC at least
            <input
              name="minDay3RocAuc"
              type="number"
              min={0}
              max={1}
              step={0.01}
              required
              defaultValue={criteria?.minDay3RocAuc ?? 0.8}
            />
          </label>
          <label>
            On at least this many local outcomes
            <input name="minOutcomes" type="number" min={1} step={1} required defaultValue={criteria?.minOutcomes ?? 50} />
          </label>
          <label>
            At most this far below the active model (empty: no comparison)
            <input
              name="maxDropVsActive"
              type="number"
              min={0}
              max={1}
              step={0.01}
              defaultValue={criteria?.maxDropVsActive ?? ''}
            />
          </label>
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={save.running}>
              Record criteria
            </button>
            <button type="button" className="button" onClick={props.onClose}>
              Close
            </button>
          </div>
          <ErrorNotice error={save.error} />
        </form>
      )}
    </div>
  );
}
