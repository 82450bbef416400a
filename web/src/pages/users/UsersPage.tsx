// Accounts: the directory (IdentityInfo) joined with the accounts seen as alert evidence, with
// their alert counts. One hunting query; the search narrows it on the server.
import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { DataTable, type Column } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { useHunt } from '../devices/common';
import { USERS_LIMIT, userKey, userPath, usersListQuery, type UserRow } from './userModel';
import '../devices/devices.css';
import { SearchField } from '../../components/SelectField';

export function EnabledText({ value }: { value: boolean | null | undefined }) {
  if (value === true) return <span className="ent-health-active">Enabled</span>;
  if (value === false) return <span className="ent-flag">Disabled</span>;
  return <span className="muted">Unknown</span>;
}

export default function UsersPage() {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [onlyAlerts, setOnlyAlerts] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(text), 350);
    return () => clearTimeout(timer);
  }, [text]);

  const loaded = useHunt(usersListQuery(search));
  const all = (loaded.data?.Results ?? []) as unknown as UserRow[];
  const rows = onlyAlerts ? all.filter((r) => r.Alerts > 0) : all;

  const columns = useMemo<Column<UserRow>[]>(
    () => [
      {
        key: 'name',
        header: 'Account',
        render: (r) => (
          <span>
            <span className="ent-strong">{r.AccountDisplayName || r.AccountName}</span>
            <br />
            <span className="muted small">{r.AccountUpn || (r.AccountDomain ? `${r.AccountDomain}\\${r.AccountName}` : r.AccountName)}</span>
          </span>
        ),
        sortValue: (r) => (r.AccountDisplayName || r.AccountName || '').toLowerCase(),
      },
      { key: 'domain', header: 'Domain', render: (r) => r.AccountDomain || <span className="muted">—</span>, sortValue: (r) => r.AccountDomain },
      { key: 'department', header: 'Department', render: (r) => r.Department || <span className="muted">—</span>, sortValue: (r) => r.Department },
      { key: 'title', header: 'Job title', render: (r) => r.JobTitle || <span className="muted">—</span>, sortValue: (r) => r.JobTitle },
      { key: 'enabled', header: 'State', render: (r) => <EnabledText value={r.IsAccountEnabled} />, sortValue: (r) => String(r.IsAccountEnabled) },
      {
        key: 'alerts',
        header: 'Alerts',
        render: (r) => (r.Alerts > 0 ? <span className="badge sev sev-medium">{r.Alerts}</span> : <span className="muted">0</span>),
        sortValue: (r) => r.Alerts,
      },
      {
        key: 'lastAlert',
        header: 'Last alert',
        render: (r) => (r.LastAlert ? <span className="ent-nowrap"><Time value={r.LastAlert} /></span> : <span className="muted">—</span>),
        sortValue: (r) => r.LastAlert,
      },
    ],
    [],
  );

  return (
    <div className="ent-page">
      <PageHeader title="Users">
        {loaded.data && <span className="muted">{rows.length.toLocaleString()} accounts</span>}
        <button type="button" className="btn" onClick={loaded.reload}>
          Refresh
        </button>
      </PageHeader>
      <div className="filters" role="search" aria-label="User filters">
        <SearchField
          label="Search accounts"
          value={text}
          placeholder="name, UPN or display name"
          onChange={setText}
          onEnter={() => setSearch(text)}
        />
        <label className="ent-check">
          <input type="checkbox" checked={onlyAlerts} onChange={(e) => setOnlyAlerts(e.target.checked)} />
          Only accounts with alerts
        </label>
        <span className="muted small ent-hint">From IdentityInfo and the user evidence of alerts.</span>
      </div>
      {loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !loaded.data ? (
        <Loading what="Loading accounts" />
      ) : rows.length === 0 ? (
        <Empty>{search || onlyAlerts ? 'No account matches.' : 'No accounts yet: IdentityInfo is empty and no alert names a user.'}</Empty>
      ) : (
        <div className={loaded.loading ? 'ent-stale' : undefined} aria-busy={loaded.loading}>
          <DataTable
            rows={rows}
            columns={columns}
            rowKey={(r) => userKey(r)}
            onOpen={(r) => navigate(userPath(userKey(r)))}
            label="Users"
          />
          {all.length >= USERS_LIMIT && (
            <p className="muted small">Showing the first {USERS_LIMIT} accounts: search to narrow the list.</p>
          )}
        </div>
      )}
    </div>
  );
}
