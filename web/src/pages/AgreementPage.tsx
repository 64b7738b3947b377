import { AssessmentAgreementDocument, type AgreementFiguresFieldsFragment } from '../api/generated';
import { useQuery } from '../api/use-query';
import { useClinic } from '../app/session';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { percent } from '../lib/format';

/** "12 of 20 (60.0 %)", or "—" when there is nothing to count. */
const share = (part: number, whole: number, rate: number | null) =>
  whole === 0 ? '—' : `${part} of ${whole} (${percent(rate)})`;

function FiguresRow({ who, f }: { who: React.ReactNode; f: AgreementFiguresFieldsFragment }) {
  return (
    <tr>
      <th scope="row">{who}</th>
      <td className="num">{f.assessed}</td>
      <td className="num">{f.withModelScore}</td>
      <td className="num">{f.againstModel}</td>
      <td className="num">{percent(f.followedModelRate)}</td>
      <td className="num">{f.withOutcome}</td>
      <td className="num">{share(f.embryologistCorrect, f.embryologistCalls, f.embryologistAccuracy)}</td>
      <td className="num">{share(f.modelCorrect, f.modelCalls, f.modelAccuracy)}</td>
    </tr>
  );
}

/**
 * How the embryologists' recorded decisions related to the model, for the clinic and for each
 * embryologist: how often a decision followed the model's score, and, once outcomes are known,
 * how often the embryologist's call and the model's call (probability ≥ 0.5) were right.
 */
export function AgreementPage() {
  const { clinic } = useClinic();
  const { data, error, loading } = useQuery(
    AssessmentAgreementDocument,
    { clinicId: clinic?.id ?? '' },
    { skip: !clinic },
  );
  const report = data?.assessmentAgreement;
  return (
    <section className="page">
      <PageTitle title="Agreement">Decisions and the model in {clinic?.name}</PageTitle>
      <p className="muted">
        A decision goes against the model when it transfers an embryo the model did not rank first, or discards the one
        it ranked first; each was recorded with its reason. Once outcomes are known, the embryologist&apos;s call
        (transfer or freeze: a blastocyst; discard: not) and the model&apos;s (probability of at least 50 %) are each
        right or wrong.
      </p>
      <ErrorNotice error={error} />
      {loading && <Loading what="the agreement figures" />}
      {report && (
        <table className="table" data-testid="agreement-table">
          <caption className="visually-hidden">Agreement of decisions with the model, clinic and embryologists</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col" className="num">
                Assessed
              </th>
              <th scope="col" className="num">
                With a model score
              </th>
              <th scope="col" className="num">
                Against the model
              </th>
              <th scope="col" className="num">
                Followed the model
              </th>
              <th scope="col" className="num">
                With an outcome
              </th>
              <th scope="col" className="num">
                Embryologist right
              </th>
              <th scope="col" className="num">
                Model right
              </th>
            </tr>
          </thead>
          <tbody>
            <FiguresRow who={<strong>The whole clinic</strong>} f={report.clinic} />
            {report.assessors.map((a) => (
              <FiguresRow key={a.userId ?? a.email ?? 'deleted'} who={a.email ?? 'a deleted user'} f={a.figures} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
