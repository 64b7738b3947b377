import { PageTitle } from '../components/Notices';

export function NotFoundPage() {
  return (
    <section className="page">
      <PageTitle title="Not found">Page not found</PageTitle>
      <p>There is no page at this address.</p>
    </section>
  );
}

/** Shown when the role in the chosen clinic does not include the page (the API would refuse too). */
export function NotAllowedPage() {
  return (
    <section className="page">
      <PageTitle title="Not available">Not available for your role</PageTitle>
      <p>Your role in this clinic does not include this page.</p>
    </section>
  );
}
