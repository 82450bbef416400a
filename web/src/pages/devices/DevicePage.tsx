// One device: facts, response actions (responder), and tabs for its timeline (hunting over the
// device tables), alerts, incidents and actions.
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, withQuery, type ODataList } from '../../api/client';
import type { Alert, Incident, Machine, MachineAction, ResponseAction } from '../../api/types';
import { useApi } from '../../api/useApi';
import { useSession } from '../../auth/session';
import { SeverityBadge, StatusBadge } from '../../components/Badges';
import { DataTable, type Column } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, Loadable, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { ActionsTable } from './ActionsTable';
import { CommentDialog } from '../../components/Dialog';
import { useSubmit } from '../../components/useSubmit';
import { TabPanel, Tabs, useTab } from '../../components/Tabs';
import { severityRank } from '../../api/triage';
import { ENTITY_TABS, entityTabs, HuntedTable, WindowSelect, loadActionCenter, mergeActions, str, type ActionRow } from './common';
import {
  RESPONSE_ACTIONS,
  TIMELINE_PAGE_SIZE,
  TIMELINE_TABLES,
  TIMELINE_WINDOWS,
  actionsForDevice,
  containmentState,
  deviceTimelineCountQuery,
  deviceTimelineQuery,
  machineActionsPath,
  type ContainmentState,
  type ResponseActionSpec,
} from './deviceModel';
import { HealthText, RiskBadge, ipList } from './DevicesPage';
import { ResponseDialog } from './ResponseDialog';
import './devices.css';


function stateText(state: ContainmentState, on: string, off: string): string {
  switch (state) {
    case 'on':
      return on;
    case 'pending-on':
      return `${on} (pending)`;
    case 'pending-off':
      return `${off} (release pending)`;
    default:
      return off;
  }
}

export default function DevicePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { can } = useSession();
  const machine = useApi<Machine>(`/api/machines/${encodeURIComponent(id)}`);
  const alerts = useApi<ODataList<Alert>>(`/api/machines/${encodeURIComponent(id)}/alerts`);
  const actions = useApi<ODataList<MachineAction>>(machineActionsPath(id));
  const [tab, setTab] = useTab(ENTITY_TABS, 'timeline');
  const [dialog, setDialog] = useState<ResponseActionSpec | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionsGeneration, setActionsGeneration] = useState(0);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  if (machine.error) {
    return (
      <div className="ent-page">
        <PageHeader title="Device" />
        <ErrorState error={machine.error} onRetry={machine.reload} />
        <p>
          <Link to="/devices">Back to devices</Link>
        </p>
      </div>
    );
  }
  if (!machine.data) return <Loading what="Loading the device" />;
  const m = machine.data;
  const machineActions = actions.data?.value ?? [];
  const isolation = containmentState(machineActions, 'Isolate', 'Unisolate');
  const restriction = containmentState(machineActions, 'RestrictCodeExecution', 'UnrestrictCodeExecution');
  const responder = can('responder');
  const alertList = alerts.data?.value ?? [];

  const open = (key: keyof typeof RESPONSE_ACTIONS) => setDialog(RESPONSE_ACTIONS[key]);

  return (
    <div className="ent-page">
      <nav className="ent-crumbs small" aria-label="Breadcrumb">
        <Link to="/devices">Devices</Link> <span aria-hidden="true">›</span> <span>{m.computerDnsName}</span>
      </nav>
      <PageHeader title={m.computerDnsName || m.id}>
        <RiskBadge risk={m.riskScore} />
        {isolation !== 'off' && <span className="badge ent-flag">{stateText(isolation, 'Isolated', 'Not isolated')}</span>}
        {restriction !== 'off' && (
          <span className="badge ent-flag">{stateText(restriction, 'App execution restricted', 'Unrestricted')}</span>
        )}
      </PageHeader>

      <div className="ent-actionbar" role="toolbar" aria-label="Response actions">
        {responder ? (
          <>
            {isolation !== 'on' && (
              <button type="button" className="btn" onClick={() => open('isolate')}>
                Isolate device
              </button>
            )}
            {(isolation === 'on' || isolation === 'pending-on') && (
              <button type="button" className="btn" onClick={() => open('unisolate')}>
                Release from isolation
              </button>
            )}
            <button type="button" className="btn" onClick={() => open('scan')}>
              Run antivirus scan
            </button>
            <button type="button" className="btn" onClick={() => open('collect')}>
              Collect investigation package
            </button>
            {restriction !== 'on' && (
              <button type="button" className="btn" onClick={() => open('restrict')}>
                Restrict app execution
              </button>
            )}
            {(restriction === 'on' || restriction === 'pending-on') && (
              <button type="button" className="btn" onClick={() => open('unrestrict')}>
                Remove app restriction
              </button>
            )}
          </>
        ) : (
          <span className="muted small">Response actions need the responder role.</span>
        )}
      </div>

      <div className="ent-layout">
        <section className="panel ent-facts" aria-label="Device facts">
          <h2>Device</h2>
          <dl className="facts">
            <dt>Device ID</dt>
            <dd className="mono small">{m.id}</dd>
            <dt>OS</dt>
            <dd>
              {m.osPlatform}
              {m.osBuild ? ` build ${m.osBuild}` : ''}
              {str((m as unknown as Record<string, unknown>).osArchitecture) &&
                `, ${str((m as unknown as Record<string, unknown>).osArchitecture)}`}
            </dd>
            <dt>Sensor version</dt>
            <dd>{m.version || '—'}</dd>
            <dt>Health</dt>
            <dd>
              <HealthText health={m.healthStatus} />
            </dd>
            <dt>Risk</dt>
            <dd>
              <RiskBadge risk={m.riskScore} />
            </dd>
            <dt>Exposure</dt>
            <dd>{m.exposureLevel || '—'}</dd>
            <dt>Device value</dt>
            <dd>{str((m as unknown as Record<string, unknown>).deviceValue) || '—'}</dd>
            <dt>Device group</dt>
            <dd>{m.rbacGroupName || 'Ungrouped'}</dd>
            <dt>Tags</dt>
            <dd>{m.machineTags?.length ? m.machineTags.join(', ') : <span className="muted">none</span>}</dd>
            <dt>IP addresses</dt>
            <dd className="mono small">{ipList(m).join(', ') || '—'}</dd>
            <dt>First seen</dt>
            <dd>
              <Time value={m.firstSeen} />
            </dd>
            <dt>Last seen</dt>
            <dd>
              <Time value={m.lastSeen} /> <span className="muted small">(<Time value={m.lastSeen} relative />)</span>
            </dd>
            <dt>Isolation</dt>
            <dd>{stateText(isolation, 'Isolated', 'Not isolated')}</dd>
            <dt>App execution</dt>
            <dd>{stateText(restriction, 'Restricted', 'Not restricted')}</dd>
          </dl>
        </section>

        <section className="ent-main" aria-label="Device activity">
          <Tabs
            idPrefix="device"
            label="Device views"
            active={tab}
            onChange={setTab}
            tabs={entityTabs(alerts.data ? alertList.length : undefined, actions.data ? machineActions.length : undefined)}
          />
          <TabPanel idPrefix="device" active={tab}>
            {tab === 'timeline' && <DeviceTimeline deviceId={m.id} />}
            {tab === 'alerts' && (
              <Loadable loaded={alerts} what="Loading alerts" empty={(d) => (d.value.length ? null : 'No alerts on this device.')}>
                {(d) => <AlertsTable alerts={d.value} onOpen={(a) => navigate(`/alerts/${encodeURIComponent(a.id)}`)} />}
              </Loadable>
            )}
            {tab === 'incidents' &&
              (alerts.error ? (
                <ErrorState error={alerts.error} onRetry={alerts.reload} />
              ) : !alerts.data ? (
                <Loading what="Loading alerts" />
              ) : (
                <IncidentsOfAlerts alerts={alertList} />
              ))}
            {tab === 'actions' && (
              <DeviceActions machine={m} machineActions={actions} generation={actionsGeneration} />
            )}
          </TabPanel>
        </section>
      </div>

      {dialog && (
        <ResponseDialog
          spec={dialog}
          machineId={m.id}
          machineName={m.computerDnsName}
          onClose={() => setDialog(null)}
          onDone={(action) => {
            setDialog(null);
            setNotice(`${dialog.label}: requested (action ${action.id}, ${action.status}).`);
            actions.reload();
            setActionsGeneration((g) => g + 1);
          }}
        />
      )}
      {notice && (
        <div className="toast" role="status">
          {notice}
        </div>
      )}
    </div>
  );
}

// ------------------------------------------------------------------ timeline

interface TimelineRow {
  Row: number;
  Timestamp: string;
  Table: string;
  ActionType: string;
  FileName: string | null;
  ProcessCommandLine: string | null;
  RemoteIP: string | null;
  RemoteUrl: string | null;
  AccountName: string | null;
  ReportId: unknown;
}

const timelineColumns: Column<TimelineRow>[] = [
  { key: 'time', header: 'Time', render: (r) => <span className="ent-nowrap"><Time value={r.Timestamp} /></span> },
  { key: 'table', header: 'Source', render: (r) => <span className="small" title={r.Table}>{r.Table.replace(/^Device/, '').replace(/Events$/, '') || 'Event'}</span> },
  { key: 'action', header: 'Action', render: (r) => r.ActionType },
  { key: 'file', header: 'File', render: (r) => r.FileName || <span className="muted">—</span> },
  {
    key: 'cmd',
    header: 'Command line',
    render: (r) =>
      r.ProcessCommandLine ? (
        <code className="ent-cmd" title={r.ProcessCommandLine}>
          {r.ProcessCommandLine}
        </code>
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    key: 'remote',
    header: 'Remote',
    render: (r) =>
      r.RemoteIP || r.RemoteUrl ? (
        <span className="small ent-wrap">{[r.RemoteUrl, r.RemoteIP].filter(Boolean).join(' · ')}</span>
      ) : (
        <span className="muted">—</span>
      ),
  },
  { key: 'account', header: 'Account', render: (r) => r.AccountName || <span className="muted">—</span> },
];

function DeviceTimeline({ deviceId }: { deviceId: string }) {
  const [window, setWindow] = useState('7d');
  const [table, setTable] = useState('');
  const [page, setPage] = useState(0);
  return (
    <HuntedTable
      filters={
        <>
          <WindowSelect
            windows={TIMELINE_WINDOWS}
            value={window}
            onChange={(w) => {
              setWindow(w);
              setPage(0);
            }}
          />
          <label>
            Event table
            <select
              value={table}
              onChange={(e) => {
                setTable(e.target.value);
                setPage(0);
              }}
            >
              <option value="">All device tables</option>
              {TIMELINE_TABLES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
        </>
      }
      query={deviceTimelineQuery(deviceId, window, table, page)}
      countQuery={deviceTimelineCountQuery(deviceId, window, table)}
      page={page}
      pageSize={TIMELINE_PAGE_SIZE}
      onPage={setPage}
      columns={timelineColumns}
      rowKey={(r) => `${r.Row}`}
      label="Device timeline"
      emptyText="No events from this device in this time range."
    />
  );
}

// ------------------------------------------------------------------ alerts and incidents

export function AlertsTable({ alerts, onOpen }: { alerts: Alert[]; onOpen: (a: Alert) => void }) {
  const columns = useMemo<Column<Alert>[]>(
    () => [
      { key: 'time', header: 'Created', render: (a) => <span className="ent-nowrap"><Time value={a.alertCreationTime} /></span>, sortValue: (a) => a.alertCreationTime },
      {
        key: 'title',
        header: 'Alert',
        render: (a) => <Link to={`/alerts/${encodeURIComponent(a.id)}`}>{a.title}</Link>,
        sortValue: (a) => a.title,
      },
      { key: 'severity', header: 'Severity', render: (a) => <SeverityBadge severity={a.severity} />, sortValue: (a) => severityRank(a.severity) },
      { key: 'status', header: 'Status', render: (a) => <StatusBadge status={a.status} />, sortValue: (a) => a.status },
      { key: 'category', header: 'Category', render: (a) => a.category, sortValue: (a) => a.category },
      { key: 'source', header: 'Detection source', render: (a) => a.detectionSource },
      {
        key: 'incident',
        header: 'Incident',
        render: (a) => (a.incidentId ? <Link to={`/incidents/${a.incidentId}`}>#{a.incidentId}</Link> : <span className="muted">—</span>),
        sortValue: (a) => a.incidentId ?? -1,
      },
    ],
    [],
  );
  return <DataTable rows={alerts} columns={columns} rowKey={(a) => a.id} onOpen={onOpen} label="Alerts" />;
}

// The incidents the given alerts belong to (GET /api/incidents?$filter=incidentId in (...)).
export function IncidentsOfAlerts({ alerts }: { alerts: { incidentId: number | null }[] }) {
  const navigate = useNavigate();
  const ids = [...new Set(alerts.map((a) => a.incidentId).filter((v): v is number => typeof v === 'number' && v > 0))].sort(
    (a, b) => a - b,
  );
  const path = ids.length
    ? withQuery('/api/incidents', { $filter: `incidentId in (${ids.join(',')})`, $orderby: 'lastUpdateTime desc' })
    : null;
  const loaded = useApi<ODataList<Incident>>(path);
  const columns = useMemo<Column<Incident>[]>(
    () => [
      {
        key: 'name',
        header: 'Incident',
        render: (i) => (
          <Link to={`/incidents/${i.incidentId}`}>
            #{i.incidentId} {i.incidentName}
          </Link>
        ),
        sortValue: (i) => i.incidentId,
      },
      { key: 'severity', header: 'Severity', render: (i) => <SeverityBadge severity={i.severity} />, sortValue: (i) => severityRank(i.severity) },
      { key: 'status', header: 'Status', render: (i) => <StatusBadge status={i.status} />, sortValue: (i) => i.status },
      { key: 'assigned', header: 'Assigned to', render: (i) => i.assignedTo || <span className="muted">Unassigned</span> },
      {
        key: 'alerts',
        header: 'Alerts here',
        render: (i) => alerts.filter((a) => a.incidentId === i.incidentId).length,
      },
      { key: 'updated', header: 'Last update', render: (i) => <span className="ent-nowrap"><Time value={i.lastUpdateTime} /></span>, sortValue: (i) => i.lastUpdateTime },
    ],
    [alerts],
  );
  if (!path) return <Empty>None of these alerts is part of an incident.</Empty>;
  return (
    <Loadable loaded={loaded} what="Loading incidents" empty={(d) => (d.value.length ? null : 'The incidents could not be found.')}>
      {(d) => (
        <DataTable
          rows={d.value}
          columns={columns}
          rowKey={(i) => String(i.incidentId)}
          onOpen={(i) => navigate(`/incidents/${i.incidentId}`)}
          label="Incidents"
        />
      )}
    </Loadable>
  );
}

// ------------------------------------------------------------------ actions

function DeviceActions({
  machine,
  machineActions,
  generation,
}: {
  machine: Machine;
  machineActions: { data?: ODataList<MachineAction>; error?: Error; reload: () => void };
  generation: number;
}) {
  const [center, setCenter] = useState<ResponseAction[] | undefined>(undefined);
  const [centerError, setCenterError] = useState<Error | undefined>(undefined);
  const [retry, setRetry] = useState(0);
  const { can } = useSession();
  const [cancelling, setCancelling] = useState<ActionRow | null>(null);
  const cancelSubmit = useSubmit();
  const cancel = (row: ActionRow, comment: string) =>
    cancelSubmit.run(async () => {
      await api.post(`/api/machineactions/${encodeURIComponent(row.id)}/cancel`, { Comment: comment });
      setCancelling(null);
      machineActions.reload();
      setRetry((r) => r + 1);
    });
  useEffect(() => {
    const controller = new AbortController();
    setCenterError(undefined);
    loadActionCenter(controller.signal)
      .then((entries) => setCenter(actionsForDevice(entries, machine)))
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setCenterError(e);
      });
    return () => controller.abort();
  }, [machine, generation, retry]);

  if (machineActions.error) return <ErrorState error={machineActions.error} onRetry={machineActions.reload} />;
  if (!machineActions.data || (center === undefined && !centerError)) return <Loading what="Loading actions" />;
  const rows = mergeActions(machineActions.data.value, center ?? []);
  return (
    <>
      {centerError && (
        <p className="muted small" role="status">
          Action-center entries could not be loaded ({centerError.message}); showing machine actions only.{' '}
          <button type="button" className="btn btn-small" onClick={() => setRetry((r) => r + 1)}>
            Retry
          </button>
        </p>
      )}
      <ActionsTable
        rows={rows}
        label="Device actions"
        emptyText="No response actions for this device yet."
        onCancel={can('responder') ? (row) => setCancelling(row) : undefined}
      />
      {cancelling && (
        <CommentDialog
          title={`Cancel ${cancelling.type}`}
          message="The action is withdrawn before a connector carries it out."
          confirm="Cancel action"
          dismiss="Keep it"
          danger
          commentLabel="Reason"
          requireComment
          busy={cancelSubmit.busy}
          error={cancelSubmit.error}
          onConfirm={(comment) => void cancel(cancelling, comment)}
          onClose={() => setCancelling(null)}
        />
      )}
    </>
  );
}
