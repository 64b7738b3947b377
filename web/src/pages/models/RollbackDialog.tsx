import { useState } from 'react';
import { RollbackModelDocument } from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/Notices';

/** Makes the model used before the current one active again, with a reason (audited by the server). */
export function RollbackDialog(props: {
  open: boolean;
  clinic: { id: string; name: string };
  activeName: string;
  onDone(message: string): void;
  onCancel(): void;
}) {
  const rollback = useMutation(RollbackModelDocument);
  const [reason, setReason] = useState('');
  const close = () => {
    setReason('');
    rollback.clearError();
  };
  return (
    <ConfirmDialog
      open={props.open}
      title="Roll back to the previous model?"
      confirmLabel="Roll back"
      danger
      confirmDisabled={reason.trim() === '' || rollback.running}
      onCancel={() => (close(), props.onCancel())}
      onConfirm={async () => {
        if (await rollback.run({ clinicId: props.clinic.id, reason: reason.trim() })) {
          close();
          props.onDone(`${props.clinic.name} is back on the model it used before ${props.activeName}.`);
        }
      }}
    >
      <p>
        {props.activeName} stops being the active model of {props.clinic.name}; the model that was active before it
        becomes active again, without an acceptance check (it was in clinical use).
      </p>
      <ErrorNotice error={rollback.error} />
      <div className="form">
        <label>
          Reason (kept in the audit log)
          <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
      </div>
    </ConfirmDialog>
  );
}
