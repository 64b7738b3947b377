import { useState } from 'react';
import { ModelsDocument, SetModelShadowDocument, type ModelsQuery } from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { Link } from '../app/router';
import { useClinic } from '../app/session';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../components/Notices';
import { ProvenanceTag } from '../components/ProvenanceBanner';
import { bytes, formatDate } from '../lib/format';
import { AcceptanceCard } from './models/AcceptanceCard';
import { ActivationDialog } from './models/ActivationDialog';
import { RegisterModelForm } from './models/RegisterModelForm';
import { RollbackDialog } from './models/RollbackDialog';

type Model = ModelsQuery['models'][number];
type Pending = { kind: 'shadow-on' | 'shadow-off'; model: Model };

/**
 * Registered model versions with provenance and their use in this clinic: register a file, activate
 * (checked against the model's acceptance criteria) and shadow with confirmation, acceptance
 * criteria, roll back.
 */
export function ModelsPage() {
  const { clinic } = useClinic();
  const models = useQuery(ModelsDocument, {});
  const shadow = useMutation(SetModelShadowDocument);
  const [pending, setPending] = useState<Pending | undefined>();
  const [activating, setActivating] = useState<Model | undefined>();
  const [accepting, setAccepting] = useState<Model | undefined>();
  const [rollingBack, setRollingBack] = useState(false);
  const [done, setDone] = useState<string | undefined>();

  if (!clinic) return null;
  const rowOf = (m: Model) => m.clinics.find((c) => c.clinicId === clinic.id);
  const active = models.data?.models.find((m) => rowOf(m)?.active);
  const changed = (message: string) => {
    setActivating(undefined);
    setRollingBack(false);
    setDone(message);
    models.reload();
  };
  const confirm = async () => {
    if (!pending) return;
    const { kind, model } = pending;
    setPending(undefined);
    const ok = await shadow.run({ clinicId: clinic.id, modelId: model.id, shadow: kind === 'shadow-on' });
    if (ok)
      changed(`${model.name} ${model.version}: ${kind === 'shadow-on' ? 'scored in shadow mode' : 'shadow mode off'}.`);
  };

  return (
    <section className="page">
      <PageTitle title="Models">Models</PageTitle>
      <p className="muted">
        The active model's probabilities are what {clinic.name} sees; shadow models are scored silently and visible to
        administrators only.
      </p>
      <ErrorNotice error={models.error ?? shadow.error} />
      <StatusNotice message={done} />
      <RegisterModelForm onRegistered={changed} />
      {active && (
        <p>
          <button type="button" className="button" onClick={() => setRollingBack(true)}>
            Roll back to the previous model…
          </button>
        </p>
      )}
      {accepting && (
        <AcceptanceCard
          key={accepting.id}
          clinicId={clinic.id}
          model={accepting}
          onClose={() => setAccepting(undefined)}
        />
      )}
      {models.loading && !models.data && <Loading what="models" />}
      {models.data && (
        <table className="table" data-testid="models-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Provenance</th>
              <th scope="col">Variant</th>
              <th scope="col">Planes (µm)</th>
              <th scope="col" className="num">
                Input
              </th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Registered</th>
              <th scope="col">In {clinic.code}</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {models.data.models.map((m) => {
              const row = rowOf(m);
              return (
                <tr key={m.id}>
                  <th scope="row">
                    {m.name} <span className="muted">{m.version}</span>
                    <div className="muted small mono" title="sha256">
                      {m.sha256.slice(0, 12)}…
                    </div>
                  </th>
                  <td>
                    <ProvenanceTag model={m} />
                  </td>
                  <td>{m.variant}</td>
                  <td>{m.planes.join(', ')}</td>
                  <td className="num nowrap">{m.inputSize} px</td>
                  <td className="num nowrap">{bytes(m.sizeBytes)}</td>
                  <td className="nowrap">{formatDate(m.createdAt)}</td>
                  <td>{row?.active ? <strong>active</strong> : row?.shadow ? 'shadow' : '—'}</td>
                  <td>
                    <div className="actions">
                      {!row?.active && (
                        <button type="button" className="button" onClick={() => setActivating(m)}>
                          Activate…
                        </button>
                      )}
                      {!row?.active && (
                        <button
                          type="button"
                          className="button"
                          onClick={() => setPending({ kind: row?.shadow ? 'shadow-off' : 'shadow-on', model: m })}
                        >
                          {row?.shadow ? 'Stop shadow…' : 'Shadow…'}
                        </button>
                      )}
                      {row && !row.active && (
                        <button type="button" className="button button--quiet" onClick={() => setAccepting(m)}>
                          Acceptance…
                        </button>
                      )}
                      <Link to={`/models/${m.id}/evaluation`}>Evaluation</Link>
                      {row && <Link to={`/models/${m.id}/monitoring`}>Monitoring</Link>}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={pending !== undefined}
        title={pending?.kind === 'shadow-on' ? 'Score this model in shadow mode?' : 'Stop shadow mode?'}
        confirmLabel={pending?.kind === 'shadow-on' ? 'Start shadow mode' : 'Stop shadow mode'}
        onConfirm={confirm}
        onCancel={() => setPending(undefined)}
      >
        {pending && (
          <p>
            {pending.model.name} {pending.model.version} (
            {pending.model.trained ? 'trained' : 'untrained: its numbers mean nothing clinically'}){' '}
            {pending.kind === 'shadow-on'
              ? `will be scored nightly for ${clinic.name}; only administrators see its numbers.`
              : `will no longer be scored for ${clinic.name}.`}
          </p>
        )}
      </ConfirmDialog>
      <ActivationDialog clinic={clinic} model={activating} onDone={changed} onCancel={() => setActivating(undefined)} />
      <RollbackDialog
        open={rollingBack}
        clinic={clinic}
        activeName={active ? `${active.name} ${active.version}` : 'the active model'}
        onDone={changed}
        onCancel={() => setRollingBack(false)}
      />
    </section>
  );
}
