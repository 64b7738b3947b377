import { useEffect, useId, useRef } from 'react';

/**
 * A modal confirmation (native <dialog>: focus moves into it, Escape cancels, the page behind is
 * inert). The confirm button says what will happen.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
  danger?: boolean;
  /** The confirm button waits (e.g. for a reason to be written). */
  confirmDisabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // Several dialogs can share a page: each needs its own title id for its accessible name.
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => (e.preventDefault(), props.onCancel())}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div className="dialog__body">{props.children}</div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${props.danger ? 'button--danger' : 'button--primary'}`}
          onClick={props.onConfirm}
          disabled={props.confirmDisabled}
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
