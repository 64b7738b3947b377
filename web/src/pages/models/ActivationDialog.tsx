import { useState } from 'react';
import { ActivateModelDocument, ActivationCheckDocument, type ModelsQuery } from '../../api/generated';
import { useMutation, useQuery } from '../../api/use-query';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, Loading } from '../../components/Notices';
import { AcceptanceSummary } from './AcceptanceSummary';

type Model = ModelsQuery['models'][number];

/**
 * Activation with confirmation. A model already enabled in the clinic (shadow) is checked against
 * its acceptance criteria first; while they are unmet the server refuses unless an override reason
 * is given, so the dialog asks for one and says it is audited.
 */
export function ActivationDialog(props: {
  clinic: { id: string; name: string };
  model: Model | undefined;
  onDone(message: string): void;
  onCancel(): void;
}) {
  const { clinic, model } = props;
  const enabled = model?.clinics.some((c) => c.clinicId === clinic.id) ?? false;
  const check = useQuery(
    ActivationCheckDocument,
    { clinicId: clinic.id, modelId: model?.id ?? '' },
    { skip: !model || !enabled },
  );
  const activate = useMutation(ActivateModelDocument);
  const [override, setOverride] = useState('');
  const comparison = check.data?.activationCheck;
  const unmet = comparison !== undefined && !comparison.met;

  const close = () => {
    setOverride('');
    activate.clearError();
  };
  return (
    <ConfirmDialog
      open={model !== undefined}
      title="Activate this model?"
      confirmLabel={unmet ? 'Activate anyway' : 'Activate'}
      confirmDisabled={(enabled && check.loading) || activate.running || (unmet && override.trim() === '')}
      danger
      onCancel={() => (close(), props.onCancel())}
      onConfirm={async () => {
        if (!model) return;
        const done = await activate.run({
          clinicId: clinic.id,
          modelId: model.id,
          overrideReason: unmet ? override.trim() : null,
        });
        if (done) {
          close();
          props.onDone(`${model.name} ${model.version}: now the active model${unmet ? ' (criteria overridden)' : ''}.`);
        }
      }}
    >
      {model && (
        <>
          <p>
            {model.name} {model.version} ({model.trained ? 'trained' : 'untrained: its numbers mean nothing clinically'})
            becomes the one active model of {clinic.name}; the current active model is deactivated and everyone in the
            clinic sees this model&apos;s probabilities.
          </p>
          {check.loading && <Loading what="the acceptance check" />}
          <ErrorNotice error={check.error ?? activate.error} />
          {comparison && <AcceptanceSummary comparison={comparison} />}
          {unmet && (
            <div className="form">
              <label>
                Reason to activate although the criteria are not met (kept in the audit log)
                <textarea rows={2} value={override} onChange={(e) => setOverride(e.target.value)} />
              </label>
            </div>
          )}
        </>
      )}
    </ConfirmDialog>
  );
}
