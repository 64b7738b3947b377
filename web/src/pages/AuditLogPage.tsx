import { useMemo, useState } from 'react';
import { AuditEventsDocument, ClinicMembersDocument, type AuditEventsQuery } from '../api/generated';
import { execute } from '../api/client';
import { useQuery } from '../api/use-query';
import { can } from '../app/permissions';
import { useClinic } from '../app/session';
import { ErrorNotice, Loading, PageTitle } from '../components/Notices';
import { formatDateTime } from '../lib/format';

type AuditEvent = AuditEventsQuery['auditEvents']['edges'][number]['node'];
const DAY_MS = 86_400_000;

const toLocalInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * The clinic's audit log (ADMIN, AUDITOR) in a time window, oldest first as the API lists it; the
 * action, user and text filters narrow the events loaded so far.
 */
export function AuditLogPage() {
  const { clinic, role } = useClinic();
  const clinicId = clinic?.id ?? '';
  const [period, setPeriod] = useState(() => ({
    from: new Date(Date.now() - DAY_MS).toISOString(),
    to: undefined as string | undefined,
  }));
  const first = useQuery(
    AuditEventsDocument,
    { clinicId, from: period.from, to: period.to ?? null, after: null },
    { skip: !clinic },
  );
  const [more, setMore] = useState<{ key: string; events: AuditEvent[]; after?: string | null }>({
    key: '',
    events: [],
  });
  const [loadError, setLoadError] = useState<unknown>();
  const [filters, setFilters] = useState({ action: '', user: '', text: '' });
  // e-mails for user ids, where the caller may list the clinic's users (administrators)
  const members = useQuery(ClinicMembersDocument, { clinicId }, { skip: !clinic || !can(role, 'manageUsers') });
  const emailOf = useMemo(
    () => new Map((members.data?.clinicMembers ?? []).map((m) => [m.id, m.email])),
    [members.data],
  );

  const key = JSON.stringify(period);
  const loaded = [
    ...(first.data?.auditEvents.edges.map((e) => e.node) ?? []),
    ...(more.key === key ? more.events : []),
  ];
  const nextCursor =
    more.key === key && more.after !== undefined
      ? more.after
      : first.data?.auditEvents.pageInfo.hasNextPage
        ? first.data.auditEvents.pageInfo.endCursor
        : null;
  const actions = [...new Set(loaded.map((e) => e.action))].sort();
  const user = (id: string | null | undefined) => (id ? (emailOf.get(id) ?? id) : 'system');
  const shown = loaded.filter(
    (e) =>
      (!filters.action || e.action === filters.action) &&
      (!filters.user || user(e.userId).toLowerCase().includes(filters.user.toLowerCase())) &&
      (!filters.text ||
        `${e.entity} ${e.entityId ?? ''} ${e.requestId ?? ''} ${JSON.stringify(e.detail)}`
          .toLowerCase()
          .includes(filters.text.toLowerCase())),
  );

  const loadMore = async () => {
    try {
      const d = await execute(AuditEventsDocument, {
        clinicId,
        from: period.from,
        to: period.to ?? null,
        after: nextCursor,
      });
      setMore({
        key,
        events: [...(more.key === key ? more.events : []), ...d.auditEvents.edges.map((e) => e.node)],
        after: d.auditEvents.pageInfo.hasNextPage ? d.auditEvents.pageInfo.endCursor : null,
      });
    } catch (error) {
      setLoadError(error);
    }
  };

  return (
    <section className="page">
      <PageTitle title="Audit log">Audit log of {clinic?.name}</PageTitle>
      <form
        className="form form--inline"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const from = String(f.get('from') || '');
          const to = String(f.get('to') || '');
          setPeriod({
            from: new Date(from || Date.now() - DAY_MS).toISOString(),
            to: to ? new Date(to).toISOString() : undefined,
          });
        }}
      >
        <label>
          From
          <input type="datetime-local" name="from" defaultValue={toLocalInput(new Date(period.from))} />
        </label>
        <label>
          Before
          <input type="datetime-local" name="to" />
        </label>
        <button type="submit" className="button">
          Load
        </button>
      </form>
      <fieldset className="form form--inline filters">
        <legend>Filter the loaded events</legend>
        <label>
          Action
          <select
            value={filters.action}
            onChange={(e) => setFilters({ ...filters, action: e.target.value })}
            data-testid="audit-action-filter"
          >
            <option value="">all</option>
            {actions.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          User
          <input
            type="search"
            value={filters.user}
            onChange={(e) => setFilters({ ...filters, user: e.target.value })}
          />
        </label>
        <label>
          Record, request or detail
          <input
            type="search"
            value={filters.text}
            onChange={(e) => setFilters({ ...filters, text: e.target.value })}
          />
        </label>
      </fieldset>
      <ErrorNotice error={first.error ?? loadError} />
      {first.loading && <Loading what="the audit log" />}
      {first.data && (
        <>
          <p className="muted" role="status">
            {shown.length} of {loaded.length} loaded events shown (oldest first).
          </p>
          <table className="table table--compact" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Record</th>
                <th scope="col">Detail</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td className="mono">{e.action}</td>
                  <td>{user(e.userId)}</td>
                  <td>
                    {e.entity}
                    {e.entityId && <span className="muted mono small"> {e.entityId}</span>}
                  </td>
                  <td className="mono small detail">{JSON.stringify(e.detail)}</td>
                  <td className="mono small">{e.requestId}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {nextCursor && (
            <button type="button" className="button" onClick={loadMore}>
              Load 100 more
            </button>
          )}
        </>
      )}
    </section>
  );
}
