import { useState } from 'react';
import {
  ClinicSafetyDocument,
  ResumeScoringDocument,
  SetAssessmentFirstDocument,
  SuspendScoringDocument,
} from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { useClinic } from '../app/session';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../components/Notices';
import { formatDateTime } from '../lib/format';

/**
 * The clinic's safety switches, for its administrators: the kill switch (no scoring and no score
 * shown anywhere until resumed) and "assessment first" (scores hidden from embryologists and
 * clinicians until an embryologist assessed the embryo). Both are audited by the server, with the
 * reason the administrator gives here.
 */
export function SafetyPage() {
  const { clinic } = useClinic();
  const clinicId = clinic?.id ?? '';
  const safety = useQuery(ClinicSafetyDocument, { clinicId }, { skip: !clinic });
  const suspend = useMutation(SuspendScoringDocument);
  const resume = useMutation(ResumeScoringDocument);
  const assessmentFirst = useMutation(SetAssessmentFirstDocument);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<'suspend' | 'resume' | 'assessment-first' | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  const data = safety.data;
  const suspension = data?.clinic.scoringSuspension;
  const suspendedBy = suspension?.by
    ? (data?.clinicMembers.find((m) => m.id === suspension.by)?.email ?? 'an administrator')
    : undefined;

  const confirm = async () => {
    const what = confirming;
    setConfirming(undefined);
    if (!data || !what) return;
    if (what === 'assessment-first') {
      const enabled = !data.clinic.assessmentFirst;
      if (await assessmentFirst.run({ clinicId, enabled }))
        setMessage(
          enabled
            ? 'Assessment first is on: embryologists and clinicians see a score only once the embryo is assessed.'
            : 'Assessment first is off: scores are shown as soon as they are computed.',
        );
    } else {
      const run = what === 'suspend' ? suspend : resume;
      if (await run.run({ clinicId, reason: reason.trim() })) {
        setReason('');
        setMessage(
          what === 'suspend'
            ? `Scoring is suspended in ${data.clinic.name}: no embryo is scored and no score is shown until you resume.`
            : `Scoring is resumed in ${data.clinic.name}: scores are shown again and the next run scores as usual.`,
        );
      }
    }
    safety.reload();
  };

  return (
    <section className="page">
      <PageTitle title="Safety">Safety of {clinic?.name}</PageTitle>
      <ErrorNotice error={safety.error ?? suspend.error ?? resume.error ?? assessmentFirst.error} />
      <StatusNotice message={message} />
      {safety.loading && !data && <Loading what="the clinic's settings" />}
      {data && (
        <>
          <div className="card" data-testid="kill-switch">
            <h2>Kill switch</h2>
            {suspension ? (
              <p className="notice notice--error" data-testid="suspension">
                <strong>Scoring is suspended</strong> since {formatDateTime(suspension.since)} by {suspendedBy}:{' '}
                {suspension.reason}. No embryo is scored and no score is shown to anyone.
              </p>
            ) : (
              <p data-testid="suspension">Scoring runs normally.</p>
            )}
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
                setConfirming(suspension ? 'resume' : 'suspend');
              }}
            >
              <label>
                Reason (kept in the audit log)
                <textarea
                  name="reason"
                  required
                  rows={2}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  placeholder={
                    suspension ? 'e.g. drift explained, model re-validated' : 'e.g. drift alarm on day-3 AUC'
                  }
                />
              </label>
              <div className="actions">
                <button
                  type="submit"
                  className={`button ${suspension ? 'button--primary' : 'button--danger'}`}
                  disabled={suspend.running || resume.running || reason.trim() === ''}
                >
                  {suspension ? 'Resume scoring…' : 'Suspend scoring…'}
                </button>
              </div>
            </form>
          </div>
          <div className="card" data-testid="assessment-first">
            <h2>Assessment first</h2>
            <p>
              {data.clinic.assessmentFirst
                ? 'On: embryologists and clinicians see an embryo’s score only after an embryologist recorded an assessment of it.'
                : 'Off: embryologists and clinicians see scores as soon as they are computed.'}{' '}
              Administrators always see them.
            </p>
            <button
              type="button"
              className="button"
              disabled={assessmentFirst.running}
              onClick={() => setConfirming('assessment-first')}
            >
              {data.clinic.assessmentFirst ? 'Turn assessment first off…' : 'Turn assessment first on…'}
            </button>
          </div>
        </>
      )}
      <ConfirmDialog
        open={confirming !== undefined}
        title={
          confirming === 'suspend'
            ? 'Suspend scoring?'
            : confirming === 'resume'
              ? 'Resume scoring?'
              : data?.clinic.assessmentFirst
                ? 'Turn assessment first off?'
                : 'Turn assessment first on?'
        }
        confirmLabel={
          confirming === 'suspend'
            ? 'Suspend scoring'
            : confirming === 'resume'
              ? 'Resume scoring'
              : data?.clinic.assessmentFirst
                ? 'Turn off'
                : 'Turn on'
        }
        danger={confirming === 'suspend'}
        onConfirm={confirm}
        onCancel={() => setConfirming(undefined)}
      >
        <p>
          {confirming === 'suspend'
            ? `Every score of ${clinic?.name} is hidden from everyone at once, and no embryo is scored until an administrator resumes.`
            : confirming === 'resume'
              ? `Scores of ${clinic?.name} are shown again, and scoring runs as scheduled.`
              : data?.clinic.assessmentFirst
                ? 'Embryologists and clinicians will see scores before they assess an embryo.'
                : 'Embryologists and clinicians will see an embryo’s score only after it has been assessed.'}
        </p>
        {confirming !== 'assessment-first' && <p className="muted">Reason: {reason.trim()}</p>}
      </ConfirmDialog>
    </section>
  );
}
