import { useState } from 'react';
import { SetCycleStatusDocument, type CycleStatus } from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/Notices';

const CHANGES: Record<CycleStatus, { to: CycleStatus; label: string; effect: string }[]> = {
  ACTIVE: [
    {
      to: 'COMPLETED',
      label: 'Mark completed',
      effect: 'leaves the lab’s active cycles and is no longer scored; its records and scores stay',
    },
    {
      to: 'CANCELLED',
      label: 'Cancel cycle',
      effect: 'leaves the lab’s active cycles and is no longer scored; its records and scores stay',
    },
  ],
  COMPLETED: [{ to: 'ACTIVE', label: 'Reopen', effect: 'is an active cycle again: shown in the lab and scored' }],
  CANCELLED: [{ to: 'ACTIVE', label: 'Reopen', effect: 'is an active cycle again: shown in the lab and scored' }],
};

/** A clinic ADMIN's change of a cycle's status, each after confirmation (audited by the server). */
export function CycleStatusControl(props: {
  cycle: { id: string; externalId: string; status: CycleStatus };
  onChanged(): void;
}) {
  const mutation = useMutation(SetCycleStatusDocument);
  const [pending, setPending] = useState<(typeof CHANGES)[CycleStatus][number] | undefined>();
  return (
    <>
      {CHANGES[props.cycle.status].map((change) => (
        <button key={change.to} type="button" className="button" onClick={() => setPending(change)}>
          {change.label}…
        </button>
      ))}
      <ErrorNotice error={mutation.error} />
      <ConfirmDialog
        open={pending !== undefined}
        title={`${pending?.label ?? ''}?`}
        confirmLabel={pending?.label ?? ''}
        danger={pending?.to === 'CANCELLED'}
        onCancel={() => setPending(undefined)}
        onConfirm={async () => {
          const change = pending!;
          setPending(undefined);
          if (await mutation.run({ id: props.cycle.id, status: change.to })) props.onChanged();
        }}
      >
        <p>
          Cycle {props.cycle.externalId} {pending?.effect}.
        </p>
      </ConfirmDialog>
    </>
  );
}
