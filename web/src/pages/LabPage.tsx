import { ActiveCyclesDocument } from '../api/generated';
import { useQuery } from '../api/use-query';
import { Link } from '../app/router';
import { useClinic } from '../app/session';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { dayOfCulture, formatDateTime } from '../lib/format';

/** The clinic's active cycles: patient, day of culture, embryo count. */
export function LabPage() {
  const { clinic } = useClinic();
  const { data, error, loading } = useQuery(ActiveCyclesDocument, { clinicId: clinic?.id ?? '' }, { skip: !clinic });
  // the clinic's "unassigned" cycle (embryos waiting for a cycle sheet) only when it holds embryos
  const cycles = (data?.cycles.edges.map((e) => e.node) ?? []).filter((c) => c.patient || c.embryos.length > 0);
  return (
    <section className="page">
      <PageTitle title="Lab">Lab · active cycles</PageTitle>
      <ErrorNotice error={error} />
      {loading && <Loading what="cycles" />}
      {data && cycles.length === 0 && <p>No active cycles in {clinic?.name}.</p>}
      {cycles.length > 0 && (
        <table className="table" data-testid="active-cycles">
          <caption className="visually-hidden">Active cycles of {clinic?.name}</caption>
          <thead>
            <tr>
              <th scope="col">Cycle</th>
              <th scope="col">Patient</th>
              <th scope="col">Method</th>
              <th scope="col">Inseminated</th>
              <th scope="col" className="num">
                Day of culture
              </th>
              <th scope="col" className="num">
                Embryos
              </th>
            </tr>
          </thead>
          <tbody>
            {cycles.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`/lab/cycles/${c.id}`}>{c.externalId}</Link>
                </th>
                <td>
                  {c.patient ? (
                    <>
                      {c.patient.displayName ?? '—'} <span className="muted">MRN {c.patient.mrn}</span>
                    </>
                  ) : (
                    <span className="muted">unassigned embryos</span>
                  )}
                </td>
                <td>{c.method ?? '—'}</td>
                <td>{formatDateTime(c.inseminationAt)}</td>
                <td className="num">{dayOfCulture(c.inseminationAt)}</td>
                <td className="num">{c.embryos.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data?.cycles.pageInfo.hasNextPage && <p className="muted">Showing the 50 newest active cycles.</p>}
    </section>
  );
}
