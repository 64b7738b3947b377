import { useEffect, useMemo, useState } from 'react';
import { EmbryoViewDocument, ModelsDocument } from '../api/generated';
import { useQuery } from '../api/use-query';
import { can } from '../app/permissions';
import { Link } from '../app/router';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { ProvenanceBanner } from '../components/ProvenanceBanner';
import { OUTCOME_LABEL } from '../lib/format';
import { FrameImageCache } from '../lib/frame-images';
import { OutcomeForm } from './embryo/OutcomeForm';
import { TimeLapseViewer } from './embryo/TimeLapseViewer';
import { AssessmentForm } from './embryo/AssessmentForm';
import { TrajectoryPanel } from './embryo/TrajectoryPanel';
import { nearestFrame, useFrames } from './embryo/use-frames';

/** One embryo: the time-lapse viewer, its trajectory, its phases and its outcome. */
export function EmbryoPage({ id }: { id: string }) {
  const [modelId, setModelId] = useState<string | undefined>();
  const view = useQuery(EmbryoViewDocument, { id, modelId });
  const embryo = view.data?.embryo;
  const role = embryo?.cycle.clinic.myRole;
  const [plane, setPlane] = useState<number | undefined>();
  const { planes, frames, error: framesError } = useFrames(id, plane);
  const [index, setIndex] = useState(0);
  const images = useMemo(() => new FrameImageCache(), [id]);
  useEffect(() => () => images.dispose(), [images]);

  // the in-focus plane (0 µm) first, else the middle one
  useEffect(() => {
    if (plane === undefined && planes.length) setPlane(planes.includes(0) ? 0 : planes[Math.floor(planes.length / 2)]);
  }, [planes, plane]);

  // switching planes keeps the time on screen
  const [pendingHpi, setPendingHpi] = useState<number | undefined>();
  useEffect(() => {
    if (frames.length && pendingHpi !== undefined) {
      setIndex(nearestFrame(frames, pendingHpi));
      setPendingHpi(undefined);
    } else if (frames.length && index >= frames.length) setIndex(frames.length - 1);
  }, [frames, pendingHpi, index]);

  const changePlane = (next: number) => {
    setPendingHpi(frames[index]?.hoursPostInsemination);
    setPlane(next);
  };

  if (view.loading && !embryo) return <Loading what="the embryo" />;
  if (!embryo) return <ErrorNotice error={view.error} />;
  const trajectory = embryo.trajectory;

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/lab">Lab</Link> › <Link to={`/lab/cycles/${embryo.cycle.id}`}>cycle {embryo.cycle.externalId}</Link>{' '}
        › embryo
      </p>
      <PageTitle title={`Embryo ${embryo.label}`}>
        Embryo {embryo.label} <span className="muted">{embryo.externalId}</span>
      </PageTitle>
      <p className="facts">
        <span>
          Patient: {embryo.cycle.patient?.displayName ?? '—'}{' '}
          <span className="muted">(MRN {embryo.cycle.patient?.mrn ?? '—'})</span>
        </span>
        <span>Outcome: {OUTCOME_LABEL[embryo.outcome]}</span>
        {embryo.cultureEndedHpi !== null && embryo.cultureEndedHpi !== undefined && (
          <span>Culture ended at {embryo.cultureEndedHpi.toFixed(1)} h</span>
        )}
      </p>
      {trajectory && <ProvenanceBanner models={[trajectory.model]} warning={trajectory.warning} />}
      {can(role, 'viewShadowModels') && (
        <ModelChoice clinicId={embryo.cycle.clinic.id} modelId={modelId} onChange={setModelId} />
      )}
      <ErrorNotice error={framesError} />
      <div className="embryo-grid">
        <TimeLapseViewer
          embryoLabel={embryo.label}
          frames={frames}
          planes={planes}
          plane={plane}
          onPlaneChange={changePlane}
          index={index}
          onIndexChange={setIndex}
          phases={embryo.phases}
          images={images}
        />
        <div className="embryo-grid__side">
          {trajectory ? (
            <TrajectoryPanel
              trajectory={trajectory}
              phases={embryo.phases}
              frames={frames}
              currentHpi={frames[index]?.hoursPostInsemination}
              onSeek={(hpi) => frames.length && setIndex(nearestFrame(frames, hpi))}
            />
          ) : (
            <section className="card">
              <h2>Trajectory</h2>
              {embryo.scoreWithheld ? (
                <p data-testid="score-withheld">Not shown: {embryo.scoreWithheld}.</p>
              ) : (
                <p>The clinic has no active model, so there is no trajectory.</p>
              )}
            </section>
          )}
          <AssessmentForm
            embryoId={embryo.id}
            assessment={embryo.assessment ?? null}
            editable={can(role, 'recordAssessment')}
            onSaved={view.reload}
          />
          <OutcomeForm
            embryoId={embryo.id}
            outcome={embryo.outcome}
            recordedAt={embryo.outcomeRecordedAt}
            editable={can(role, 'recordOutcome')}
          />
          <section className="card" aria-labelledby="phases-title">
            <h2 id="phases-title">Phases</h2>
            {embryo.phases.length === 0 ? (
              <p className="muted">No morphokinetic annotations.</p>
            ) : (
              <table className="table table--compact">
                <thead>
                  <tr>
                    <th scope="col">Phase</th>
                    <th scope="col" className="num">
                      Start
                    </th>
                    <th scope="col" className="num">
                      End
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {embryo.phases.map((p) => (
                    <tr key={p.phase}>
                      <th scope="row">{p.phase}</th>
                      <td className="num">{p.startHpi?.toFixed(1) ?? '—'} h</td>
                      <td className="num">{p.endHpi?.toFixed(1) ?? '—'} h</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      </div>
    </section>
  );
}

/** Administrators may look at a shadow model's trajectory next to the active one's. */
function ModelChoice({
  clinicId,
  modelId,
  onChange,
}: {
  clinicId: string;
  modelId: string | undefined;
  onChange(id: string | undefined): void;
}) {
  const { data } = useQuery(ModelsDocument, {});
  const enabled = (data?.models ?? []).flatMap((m) => {
    const row = m.clinics.find((c) => c.clinicId === clinicId && (c.active || c.shadow));
    return row ? [{ id: m.id, label: `${m.name} ${m.version}${row.active ? ' (active)' : ' (shadow)'}` }] : [];
  });
  if (enabled.length < 2) return null;
  return (
    <label className="inline-field">
      Trajectory of model
      <select value={modelId ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">the clinic's active model</option>
        {enabled.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
      </select>
    </label>
  );
}
