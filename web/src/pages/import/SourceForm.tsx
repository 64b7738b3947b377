import type { FormEvent } from 'react';
import type { ImportKind, ImportSourceFieldsFragment } from '../../api/generated';
import { ErrorNotice } from '../../components/Notices';

export const KIND_LABEL: Record<ImportKind, string> = {
  FOLDER: 'EmbryoScope folder export',
  PDB: 'EmbryoScope .pdb slide files',
  DICOM: 'DICOM drop folder',
  CYCLES: 'Cycle sheets (CSV)',
};

export interface SourceFields {
  name: string;
  kind: ImportKind;
  path: string;
  schedule: string;
  scoreAfterImport: boolean;
}

/**
 * The fields of an import source, for a new one or an edit (the kind of an existing source does
 * not change: its files would mean something else). The server checks the folder (inside
 * IMPORT_ROOTS, symlinks resolved) and the cron expression, and its message is shown as it is.
 */
export function SourceForm(props: {
  source?: ImportSourceFieldsFragment;
  submitLabel: string;
  running: boolean;
  error: unknown;
  onSubmit(fields: SourceFields): Promise<boolean>;
  onCancel?(): void;
}) {
  const { source } = props;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const ok = await props.onSubmit({
      name: String(f.get('name')).trim(),
      kind: (f.get('kind') as ImportKind | null) ?? source!.kind,
      path: String(f.get('path')).trim(),
      schedule: String(f.get('schedule')).trim(),
      scoreAfterImport: f.get('scoreAfterImport') === 'on',
    });
    if (ok && !source) form.reset();
  };
  return (
    <form
      className="form form--grid"
      onSubmit={submit}
      aria-label={source ? `Edit ${source.name}` : 'New import source'}
    >
      <label>
        Name
        <input name="name" type="text" required defaultValue={source?.name} autoComplete="off" />
      </label>
      {!source && (
        <label>
          Kind
          <select name="kind" defaultValue="FOLDER">
            {Object.entries(KIND_LABEL).map(([kind, label]) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Folder on the server (absolute, inside the configured import roots)
        <input name="path" type="text" required defaultValue={source?.path} autoComplete="off" className="mono" />
      </label>
      <label>
        Schedule (five-field cron, server time)
        <input
          name="schedule"
          type="text"
          required
          defaultValue={source?.schedule ?? '*/5 * * * *'}
          autoComplete="off"
          className="mono"
        />
      </label>
      <label className="checkbox">
        <input name="scoreAfterImport" type="checkbox" defaultChecked={source?.scoreAfterImport ?? true} />
        Score the embryos that an import gave new frames
      </label>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={props.running}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" className="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      <ErrorNotice error={props.error} />
    </form>
  );
}
