import { useState } from 'react';
import {
  CreateImportSourceDocument,
  ImportSettingsDocument,
  RemoveImportSourceDocument,
  ScanImportSourceDocument,
  SetImportSourcePausedDocument,
  UpdateImportSourceDocument,
  type ImportSourceFieldsFragment,
} from '../../api/generated';
import { useMutation, useQuery } from '../../api/use-query';
import { useClinic } from '../../app/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../../components/Notices';
import { formatDateTime } from '../../lib/format';
import { DeviceCredentials } from './DeviceCredentials';
import { KIND_LABEL, SourceForm } from './SourceForm';
import { SourceHealth, SourceLastRun } from './SourceStatus';

type Source = ImportSourceFieldsFragment;

/**
 * How images reach the clinic without anyone typing an import command: folders on the server that
 * the scheduler scans (new files only, re-sending is harmless), and devices that push DICOM.
 */
export function ImportPage() {
  const { clinic } = useClinic();
  const clinicId = clinic?.id ?? '';
  const settings = useQuery(ImportSettingsDocument, { clinicId }, { skip: !clinic });
  const create = useMutation(CreateImportSourceDocument);
  const update = useMutation(UpdateImportSourceDocument);
  const pause = useMutation(SetImportSourcePausedDocument);
  const remove = useMutation(RemoveImportSourceDocument);
  const scan = useMutation(ScanImportSourceDocument);
  const [editing, setEditing] = useState<Source | undefined>();
  const [removing, setRemoving] = useState<Source | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const done = (text: string) => {
    setMessage(text);
    settings.reload();
  };

  return (
    <section className="page">
      <PageTitle title="Import">Import into {clinic?.name}</PageTitle>
      <p className="muted">
        Each source is a folder on the server, scanned on its schedule; only files not seen before are imported, and a
        file still being written waits for the next scan. Every item of a scan is reported with its reason.
      </p>
      <ErrorNotice error={settings.error ?? pause.error ?? remove.error ?? scan.error} />
      <StatusNotice message={message} />
      <details className="card">
        <summary>Add a source</summary>
        <SourceForm
          submitLabel="Add source"
          running={create.running}
          error={create.error}
          onSubmit={async (f) => {
            const result = await create.run({ input: { clinicId, ...f } });
            if (result) done(`${result.createImportSource.name} is added; its first scan runs on its schedule.`);
            return result !== undefined;
          }}
        />
      </details>
      {editing && (
        <div className="card">
          <h2>Edit {editing.name}</h2>
          <SourceForm
            key={editing.id}
            source={editing}
            submitLabel="Save"
            running={update.running}
            error={update.error}
            onCancel={() => setEditing(undefined)}
            onSubmit={async ({ name, path, schedule, scoreAfterImport }) => {
              const result = await update.run({ id: editing.id, input: { name, path, schedule, scoreAfterImport } });
              if (result) {
                setEditing(undefined);
                done(`${result.updateImportSource.name} is saved.`);
              }
              return result !== undefined;
            }}
          />
        </div>
      )}
      {settings.loading && !settings.data && <Loading what="import sources" />}
      {settings.data && (
        <>
          {settings.data.importSources.length === 0 ? (
            <p data-testid="no-sources">
              No import source yet: frames arrive through the command line, or from devices pushing DICOM (below).
            </p>
          ) : (
            <table className="table" data-testid="sources-table">
              <caption className="visually-hidden">Import sources of {clinic?.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Health</th>
                  <th scope="col">Last scan</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {settings.data.importSources.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">
                      {s.name} {s.paused && <span className="tag tag--warn">paused</span>}
                      <div className="muted small">{KIND_LABEL[s.kind]}</div>
                      <div className="muted small mono">{s.path}</div>
                    </th>
                    <td>
                      <code>{s.schedule}</code>
                      <div className="muted small">{s.scoreAfterImport ? 'scores after import' : 'no scoring'}</div>
                    </td>
                    <td>
                      <SourceHealth source={s} />
                    </td>
                    <td>
                      <SourceLastRun source={s} />
                    </td>
                    <td>
                      <div className="actions">
                        {!s.paused && (
                          <button
                            type="button"
                            className="button"
                            disabled={scan.running}
                            onClick={async () => {
                              if (await scan.run({ id: s.id }))
                                done(
                                  `A scan of ${s.name} is queued; reload the page to see its report once it is done.`,
                                );
                            }}
                          >
                            Scan now
                          </button>
                        )}
                        <button
                          type="button"
                          className="button"
                          disabled={pause.running}
                          onClick={async () => {
                            if (await pause.run({ id: s.id, paused: !s.paused }))
                              done(s.paused ? `${s.name} is scanned again.` : `${s.name} is paused: no scans.`);
                          }}
                        >
                          {s.paused ? 'Resume' : 'Pause'}
                        </button>
                        <button type="button" className="button button--quiet" onClick={() => setEditing(s)}>
                          Edit
                        </button>
                        <button type="button" className="button button--quiet" onClick={() => setRemoving(s)}>
                          Remove…
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <DeviceCredentials
            clinicId={clinicId}
            credentials={settings.data.deviceCredentials}
            onChanged={settings.reload}
          />
        </>
      )}
      <ConfirmDialog
        open={removing !== undefined}
        title="Remove the source?"
        confirmLabel="Remove"
        danger
        onCancel={() => setRemoving(undefined)}
        onConfirm={async () => {
          const s = removing!;
          setRemoving(undefined);
          if (editing?.id === s.id) setEditing(undefined);
          if (await remove.run({ id: s.id })) done(`${s.name} is removed; what it imported stays.`);
        }}
      >
        <p>
          {removing?.name} ({removing?.path}) is no longer scanned. The patients, embryos and frames it imported stay,
          and so do the reports of its scans (since {formatDateTime(removing?.createdAt)}).
        </p>
      </ConfirmDialog>
    </section>
  );
}
