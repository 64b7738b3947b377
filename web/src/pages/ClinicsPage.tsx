import { useState } from 'react';
import { AllClinicsDocument, CreateClinicDocument } from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { chooseClinic, refreshClinics } from '../app/session';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../components/Notices';
import { formatDate } from '../lib/format';

/**
 * The network's clinics, for network administrators: every clinic with its state, and a new one.
 * A new clinic starts empty: choose it in the header, then add its users, sources and models.
 */
export function ClinicsPage() {
  const clinics = useQuery(AllClinicsDocument, {});
  const create = useMutation(CreateClinicDocument);
  const [message, setMessage] = useState<string | undefined>();
  return (
    <section className="page">
      <PageTitle title="Clinics">Clinics of the network</PageTitle>
      <ErrorNotice error={clinics.error} />
      <StatusNotice message={message} />
      <form
        className="card form form--inline"
        aria-label="New clinic"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const result = await create.run({
            input: { code: String(f.get('code')).trim(), name: String(f.get('name')).trim() },
          });
          if (!result) return;
          form.reset();
          setMessage(
            `${result.createClinic.name} is created. Choose it in the header to add its administrator, users and import sources.`,
          );
          clinics.reload();
          await refreshClinics();
        }}
      >
        <h2>New clinic</h2>
        <label>
          Code (short, unique; used by the command line)
          <input name="code" type="text" required autoComplete="off" placeholder="lyon" />
        </label>
        <label>
          Name
          <input name="name" type="text" required autoComplete="off" placeholder="Lyon IVF Centre" />
        </label>
        <button type="submit" className="button button--primary" disabled={create.running}>
          Create clinic
        </button>
        <ErrorNotice error={create.error} />
      </form>
      {clinics.loading && !clinics.data && <Loading what="clinics" />}
      {clinics.data && (
        <table className="table" data-testid="clinics-table">
          <caption className="visually-hidden">Every clinic of the network</caption>
          <thead>
            <tr>
              <th scope="col">Clinic</th>
              <th scope="col">Code</th>
              <th scope="col">Created</th>
              <th scope="col">Scoring</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {clinics.data.clinics.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.name}</th>
                <td className="mono">{c.code}</td>
                <td className="nowrap">{formatDate(c.createdAt)}</td>
                <td>
                  {c.scoringSuspension ? (
                    <span className="tag tag--danger">suspended</span>
                  ) : (
                    <span className="tag tag--ok">running</span>
                  )}
                </td>
                <td>
                  <button type="button" className="button button--quiet" onClick={() => chooseClinic(c.id)}>
                    Work in this clinic
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
