// Small pieces shared by the device, user and settings pages: hunting-query loading, the
// not-available state and the action-center merge.
import type { ReactNode } from 'react';
import { ApiError, api, type ODataList } from '../../api/client';
import { runHunt } from '../../api/hunt';
import { useLoad, type Loaded } from '../../api/useApi';
import type { HuntingResult, MachineAction, ResponseAction } from '../../api/types';
import { DataTable, type Column } from '../../components/DataTable';
import { Pager } from '../../components/Pager';
import { Empty, ErrorState, Loading } from '../../components/States';
import type { TabSpec } from '../../components/Tabs';

// ---------------------------------------------------------------- hunting

// Runs a hunting query for a view; a new query cancels the one in flight. null: nothing to run.
export function useHunt(query: string | null): Loaded<HuntingResult> {
  return useLoad<HuntingResult>(query, (signal) => runHunt(query!, signal));
}

export function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- errors

export function isNotFound(error: Error | undefined): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501);
}

// What a view shows when the server does not have the route yet (older server).
export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-empty ent-notavailable" role="status">
      <strong>{what}: not available on this server.</strong>
      <div className="small">The server answered 404 for this feature: it needs a newer `vigil serve`.</div>
    </div>
  );
}

// ---------------------------------------------------------------- response actions

// Action-center entry time (microseconds since the epoch) as ISO-8601.
export function microsToIso(us: number | null | undefined): string | null {
  if (!us) return null;
  const d = new Date(Math.floor(us / 1000));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// Pending and history lists of the action center, one entry per action id.
export async function loadActionCenter(signal?: AbortSignal): Promise<ResponseAction[]> {
  const [pending, history] = await Promise.all([
    api.get<ODataList<ResponseAction>>('/api/actioncenter/pending', signal),
    api.get<ODataList<ResponseAction>>('/api/actioncenter/history', signal),
  ]);
  const byId = new Map<number, ResponseAction>();
  for (const entry of [...(history?.value ?? []), ...(pending?.value ?? [])]) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => b.createdUs - a.createdUs);
}

// One row of an entity's "Actions" tab: a machine action, an action-center entry, or both
// (the two lists share ids).
export interface ActionRow {
  id: string;
  type: string;
  status: string;
  approval: string;
  requestor: string;
  comment: string;
  target: string;
  created: string | null;
  updated: string | null;
  incidentId: number | null;
}

function describeTarget(target: Record<string, string> | undefined): string {
  if (!target) return '';
  const kind = target.entityType ?? '';
  const what =
    target.accountName ??
    target.userPrincipalName ??
    target.accountUpn ??
    target.filePath ??
    target.sha256 ??
    target.url ??
    target.deviceName ??
    target.deviceId ??
    '';
  return kind && what ? `${kind}: ${what}` : kind || what;
}

export function mergeActions(machineActions: MachineAction[], center: ResponseAction[]): ActionRow[] {
  const rows = new Map<string, ActionRow>();
  for (const a of machineActions) {
    rows.set(String(a.id), {
      id: String(a.id),
      type: a.type,
      status: a.status,
      approval: '',
      requestor: a.requestor,
      comment: a.requestorComment ?? '',
      target: a.computerDnsName ? `Machine: ${a.computerDnsName}` : '',
      created: a.creationDateTimeUtc,
      updated: a.lastUpdateDateTimeUtc,
      incidentId: null,
    });
  }
  for (const e of center) {
    const id = String(e.id);
    const known = rows.get(id);
    rows.set(id, {
      id,
      type: e.type || known?.type || '',
      status: e.status || known?.status || '',
      approval: e.approval ?? '',
      requestor: e.requestor || known?.requestor || '',
      comment: [e.reason, e.resultMessage].filter(Boolean).join(' — ') || known?.comment || '',
      target: describeTarget(e.target) || known?.target || '',
      created: microsToIso(e.createdUs) ?? known?.created ?? null,
      updated: microsToIso(e.updatedUs) ?? known?.updated ?? null,
      incidentId: e.incidentId || null,
    });
  }
  return [...rows.values()].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''));
}

// ---------------------------------------------------------------- device and user tabs

export const ENTITY_TABS = ['timeline', 'alerts', 'incidents', 'actions'];

const counted = (label: string, count: number | undefined) => (count !== undefined ? `${label} (${count})` : label);

// The tabs of a device or a user page, with the counts once they are known.
export function entityTabs(alerts: number | undefined, actions?: number): TabSpec[] {
  return [
    { id: 'timeline', label: 'Timeline' },
    { id: 'alerts', label: counted('Alerts', alerts) },
    { id: 'incidents', label: 'Incidents' },
    { id: 'actions', label: counted('Actions', actions) },
  ];
}

// ---------------------------------------------------------------- hunted timelines

// A time-range choice for a timeline; changing it goes back to the first page.
export function WindowSelect({
  windows,
  value,
  onChange,
}: {
  windows: readonly { id: string; label: string }[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <label>
      Time range
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {windows.map((w) => (
          <option key={w.id} value={w.id}>
            {w.label}
          </option>
        ))}
      </select>
    </label>
  );
}

// A page of events read with a hunting query (one row more than the page tells whether there
// is a next page) and their count, under the view's filters and the query text.
export function HuntedTable<T>({
  filters,
  query,
  countQuery,
  page,
  pageSize,
  onPage,
  columns,
  rowKey,
  label,
  emptyText,
}: {
  filters: ReactNode;
  query: string;
  countQuery: string | null;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  label: string;
  emptyText: string;
}) {
  const rowsLoaded = useHunt(query);
  const countLoaded = useHunt(countQuery);
  const all = (rowsLoaded.data?.Results ?? []) as unknown as T[];
  const rows = all.slice(0, pageSize);
  const total = countLoaded.data?.Results?.[0] ? Number(countLoaded.data.Results[0].Count) : undefined;
  return (
    <div>
      <div className="filters">
        {filters}
        <details className="ent-query small">
          <summary>Query</summary>
          <pre>{query}</pre>
        </details>
      </div>
      {rowsLoaded.error ? (
        <ErrorState error={rowsLoaded.error} onRetry={rowsLoaded.reload} />
      ) : !rowsLoaded.data ? (
        <Loading what="Running the timeline query" />
      ) : rows.length === 0 ? (
        <Empty>{emptyText}</Empty>
      ) : (
        <div className={rowsLoaded.loading ? 'ent-stale' : undefined} aria-busy={rowsLoaded.loading}>
          <DataTable rows={rows} columns={columns} rowKey={rowKey} label={label} />
          <Pager
            page={page}
            pageSize={pageSize}
            shown={rows.length}
            total={total}
            hasNext={all.length > pageSize}
            onPage={onPage}
            busy={rowsLoaded.loading}
          />
        </div>
      )}
    </div>
  );
}
