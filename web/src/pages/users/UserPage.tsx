// One account (/users/<UPN or DOMAIN\name>): identity facts, and tabs for its timeline
// (identity/device logons, cloud-app activity, mail), alerts, incidents and actions.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { withQuery, odataString, api, type ODataList } from '../../api/client';
import type { Alert } from '../../api/types';
import { SeverityBadge, StatusBadge, DomainBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { ActionsTable } from '../devices/ActionsTable';
import { TabPanel, Tabs, useTab } from '../../components/Tabs';
import { ENTITY_TABS, entityTabs, HuntedTable, WindowSelect, loadActionCenter, mergeActions, useHunt, type ActionRow } from '../devices/common';
import { severityRank } from '../../api/triage';
import { IncidentsOfAlerts } from '../devices/DevicePage';
import { EnabledText } from './UsersPage';
import {
  USER_TIMELINE_PAGE_SIZE,
  USER_TIMELINE_WINDOWS,
  actionsForUser,
  identityFrom,
  userAlertsQuery,
  userLookupQuery,
  userTimelineCountQuery,
  userTimelineQuery,
  type UserIdentity,
  type UserRow,
} from './userModel';
import '../devices/devices.css';


interface AlertHit {
  Timestamp: string;
  AlertId: string;
  Title: string;
  Severity: string;
  Category: string;
  ServiceSource: string;
  DetectionSource: string;
}

// Status and incident of alerts, from GET /api/alerts?$filter=id in (...), in chunks.
function useAlertDetails(ids: string[] | undefined): { data?: Map<string, Alert>; error?: Error; reload: () => void } {
  const [data, setData] = useState<Map<string, Alert> | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const key = ids?.join(',');
  useEffect(() => {
    if (ids === undefined) return;
    const controller = new AbortController();
    setError(undefined);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += 40) chunks.push(ids.slice(i, i + 40));
    Promise.all(
      chunks.map((chunk) =>
        api.get<ODataList<Alert>>(
          withQuery('/api/alerts', { $filter: `id in (${chunk.map(odataString).join(',')})`, $top: chunk.length }),
          controller.signal,
        ),
      ),
    )
      .then((answers) => {
        const map = new Map<string, Alert>();
        for (const answer of answers) for (const alert of answer.value) map.set(alert.id, alert);
        setData(map);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, generation]);
  return { data, error, reload: () => setGeneration((g) => g + 1) };
}

export default function UserPage() {
  const { id: rawKey = '' } = useParams();
  const key = rawKey; // react-router has decoded the path segment
  const lookup = useHunt(userLookupQuery(key));
  const [tab, setTab] = useTab(ENTITY_TABS, 'timeline');

  const identity = useMemo<UserIdentity | null>(
    () => (lookup.data ? identityFrom(key, lookup.data.Results as unknown as UserRow[]) : null),
    [lookup.data, key],
  );
  const row = (lookup.data?.Results?.[0] as unknown as UserRow | undefined) ?? undefined;

  const alertsLoaded = useHunt(identity ? userAlertsQuery(identity) : null);
  const hits = identity && !userAlertsQuery(identity) ? [] : ((alertsLoaded.data?.Results as unknown as AlertHit[] | undefined) ?? undefined);
  const details = useAlertDetails(hits?.map((h) => h.AlertId));

  if (lookup.error) {
    return (
      <div className="ent-page">
        <PageHeader title={key} />
        <ErrorState error={lookup.error} onRetry={lookup.reload} />
      </div>
    );
  }
  if (!identity) return <Loading what="Looking up the account" />;

  const title = identity.displayName || identity.name || identity.upn || key;
  const known = (lookup.data?.Results?.length ?? 0) > 0;

  return (
    <div className="ent-page">
      <nav className="ent-crumbs small" aria-label="Breadcrumb">
        <Link to="/users">Users</Link> <span aria-hidden="true">›</span> <span>{key}</span>
      </nav>
      <PageHeader title={title}>
        {row && row.Alerts > 0 && (
          <span className="badge sev sev-medium">
            {row.Alerts} {row.Alerts === 1 ? 'alert' : 'alerts'}
          </span>
        )}
        {row && row.IsAccountEnabled !== null && row.IsAccountEnabled !== undefined && <EnabledText value={row.IsAccountEnabled} />}
      </PageHeader>
      {!known && (
        <p className="muted" role="status">
          This account is not in IdentityInfo and no alert names it; showing what the event tables have for “{key}”.
        </p>
      )}
      <div className="ent-layout">
        <section className="panel ent-facts" aria-label="Identity facts">
          <h2>Identity</h2>
          <dl className="facts">
            <dt>Display name</dt>
            <dd>{identity.displayName || '—'}</dd>
            <dt>UPN</dt>
            <dd>{identity.upn || '—'}</dd>
            <dt>Account</dt>
            <dd>{identity.domain ? `${identity.domain}\\${identity.name}` : identity.name || '—'}</dd>
            <dt>SID</dt>
            <dd className="mono small">{identity.sid || '—'}</dd>
            <dt>Object ID</dt>
            <dd className="mono small">{identity.objectId || '—'}</dd>
            <dt>Department</dt>
            <dd>{row?.Department || '—'}</dd>
            <dt>Job title</dt>
            <dd>{row?.JobTitle || '—'}</dd>
            <dt>Status</dt>
            <dd>
              <EnabledText value={row?.IsAccountEnabled} />
            </dd>
            <dt>Last alert</dt>
            <dd>{row?.LastAlert ? <Time value={row.LastAlert} /> : '—'}</dd>
          </dl>
        </section>
        <section className="ent-main" aria-label="Account activity">
          <Tabs
            idPrefix="user"
            label="User views"
            active={tab}
            onChange={setTab}
            tabs={entityTabs(hits?.length)}
          />
          <TabPanel idPrefix="user" active={tab}>
            {tab === 'timeline' && <UserTimeline identity={identity} />}
            {tab === 'alerts' &&
              (alertsLoaded.error ? (
                <ErrorState error={alertsLoaded.error} onRetry={alertsLoaded.reload} />
              ) : !hits ? (
                <Loading what="Finding the account's alerts" />
              ) : hits.length === 0 ? (
                <Empty>No alert names this account.</Empty>
              ) : (
                <UserAlerts hits={hits} details={details.data} detailsError={details.error} />
              ))}
            {tab === 'incidents' &&
              (alertsLoaded.error ? (
                <ErrorState error={alertsLoaded.error} onRetry={alertsLoaded.reload} />
              ) : details.error ? (
                <ErrorState error={details.error} onRetry={details.reload} />
              ) : !hits || (hits.length > 0 && !details.data) ? (
                <Loading what="Finding the incidents" />
              ) : hits.length === 0 ? (
                <Empty>No alert names this account, so it is in no incident.</Empty>
              ) : (
                <IncidentsOfAlerts alerts={[...details.data!.values()]} />
              ))}
            {tab === 'actions' && <UserActions identity={identity} />}
          </TabPanel>
        </section>
      </div>
    </div>
  );
}

// ------------------------------------------------------------------ timeline

interface UserEvent {
  Row: number;
  Timestamp: string;
  Source: string;
  ActionType: string;
  Detail: string;
  Device: string;
  IP: string;
}

const SOURCE_LABEL: Record<string, string> = {
  IdentityLogonEvents: 'Identity logon',
  DeviceLogonEvents: 'Device logon',
  CloudAppEvents: 'Cloud app',
  EmailEvents: 'Email',
};

const eventColumns: Column<UserEvent>[] = [
  { key: 'time', header: 'Time', render: (e) => <span className="ent-nowrap"><Time value={e.Timestamp} /></span> },
  { key: 'source', header: 'Source', render: (e) => <span className="small ent-nowrap">{SOURCE_LABEL[e.Source] ?? e.Source}</span> },
  { key: 'action', header: 'Action', render: (e) => e.ActionType },
  { key: 'detail', header: 'Details', render: (e) => <span className="ent-wrap">{e.Detail}</span> },
  { key: 'device', header: 'Device', render: (e) => e.Device || <span className="muted">—</span> },
  { key: 'ip', header: 'IP address', render: (e) => (e.IP ? <span className="mono small">{e.IP}</span> : <span className="muted">—</span>) },
];

function UserTimeline({ identity }: { identity: UserIdentity }) {
  const [window, setWindow] = useState('7d');
  const [page, setPage] = useState(0);
  const query = userTimelineQuery(identity, window, page);
  if (!query) return <Empty>Nothing identifies this account in the event tables (no UPN, name, SID or object ID).</Empty>;
  return (
    <HuntedTable
      filters={
        <>
          <WindowSelect
            windows={USER_TIMELINE_WINDOWS}
            value={window}
            onChange={(w) => {
              setWindow(w);
              setPage(0);
            }}
          />
          <span className="muted small ent-hint">IdentityLogonEvents, DeviceLogonEvents, CloudAppEvents and EmailEvents of this account.</span>
        </>
      }
      query={query}
      countQuery={userTimelineCountQuery(identity, window)}
      page={page}
      pageSize={USER_TIMELINE_PAGE_SIZE}
      onPage={setPage}
      columns={eventColumns}
      rowKey={(e) => String(e.Row)}
      label="User timeline"
      emptyText="No activity of this account in this time range."
    />
  );
}

// ------------------------------------------------------------------ alerts

function UserAlerts({ hits, details, detailsError }: { hits: AlertHit[]; details?: Map<string, Alert>; detailsError?: Error }) {
  const navigate = useNavigate();
  const columns = useMemo<Column<AlertHit>[]>(
    () => [
      { key: 'time', header: 'Time', render: (h) => <span className="ent-nowrap"><Time value={h.Timestamp} /></span>, sortValue: (h) => h.Timestamp },
      { key: 'title', header: 'Alert', render: (h) => <Link to={`/alerts/${encodeURIComponent(h.AlertId)}`}>{h.Title}</Link>, sortValue: (h) => h.Title },
      { key: 'severity', header: 'Severity', render: (h) => <SeverityBadge severity={h.Severity} />, sortValue: (h) => severityRank(h.Severity) },
      {
        key: 'status',
        header: 'Status',
        render: (h) => (details?.get(h.AlertId) ? <StatusBadge status={details.get(h.AlertId)!.status} /> : <span className="muted">—</span>),
      },
      { key: 'category', header: 'Category', render: (h) => h.Category, sortValue: (h) => h.Category },
      { key: 'domain', header: 'Source', render: (h) => (h.ServiceSource ? <DomainBadge domain={h.ServiceSource} /> : null) },
      {
        key: 'incident',
        header: 'Incident',
        render: (h) => {
          const incident = details?.get(h.AlertId)?.incidentId;
          return incident ? <Link to={`/incidents/${incident}`}>#{incident}</Link> : <span className="muted">—</span>;
        },
      },
    ],
    [details],
  );
  return (
    <>
      {detailsError && <p className="muted small">Alert status could not be loaded: {detailsError.message}</p>}
      <DataTable
        rows={hits}
        columns={columns}
        rowKey={(h) => h.AlertId}
        onOpen={(h) => navigate(`/alerts/${encodeURIComponent(h.AlertId)}`)}
        label="Alerts of this account"
      />
    </>
  );
}

// ------------------------------------------------------------------ actions

function UserActions({ identity }: { identity: UserIdentity }) {
  const [rows, setRows] = useState<ActionRow[] | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    loadActionCenter(controller.signal)
      .then((entries) => setRows(mergeActions([], actionsForUser(entries, identity))))
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e);
      });
    return () => controller.abort();
  }, [identity, generation]);
  if (error) return <ErrorState error={error} onRetry={() => setGeneration((g) => g + 1)} />;
  if (!rows) return <Loading what="Loading actions" />;
  return <ActionsTable rows={rows} label="Actions on this account" emptyText="No response actions target this account." />;
}
