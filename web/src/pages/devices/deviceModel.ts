// Requests and queries of the device pages, kept apart from the components so the tests can
// check exactly what is sent.
import { odataString, withQuery } from '../../api/client';
import { kqlString } from '../../api/hunt';
import type { MachineAction, ResponseAction, Machine } from '../../api/types';

export const RISK_LEVELS = ['High', 'Medium', 'Low', 'Informational', 'None'];
export const HEALTH_STATES = ['Active', 'Inactive', 'ImpairedCommunication', 'NoSensorData'];
export const DEVICE_PAGE_SIZE = 50;

export interface DeviceFilters {
  text: string;
  risk: string;
  health: string;
  orderBy: string; // field
  descending: boolean;
  page: number;
}

export const DEFAULT_DEVICE_FILTERS: DeviceFilters = {
  text: '',
  risk: '',
  health: '',
  orderBy: 'lastSeen',
  descending: true,
  page: 0,
};

// GET /api/machines with $filter/$orderby/$top/$skip/$count for the list's filters.
export function machinesPath(filters: DeviceFilters): string {
  const clauses: string[] = [];
  const text = filters.text.trim();
  if (text) clauses.push(`contains(computerDnsName,${odataString(text)})`);
  if (filters.risk) clauses.push(`riskScore eq ${odataString(filters.risk)}`);
  if (filters.health) clauses.push(`healthStatus eq ${odataString(filters.health)}`);
  return withQuery('/api/machines', {
    $filter: clauses.join(' and ') || undefined,
    $orderby: `${filters.orderBy} ${filters.descending ? 'desc' : 'asc'}`,
    $top: DEVICE_PAGE_SIZE,
    $skip: filters.page * DEVICE_PAGE_SIZE || undefined,
    $count: 'true',
  });
}

// ------------------------------------------------------------------ timeline

export const TIMELINE_TABLES = [
  'DeviceProcessEvents',
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceRegistryEvents',
  'DeviceLogonEvents',
  'DeviceEvents',
];
export const TIMELINE_WINDOWS: { id: string; label: string }[] = [
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
];
export const TIMELINE_PAGE_SIZE = 50;
const OPTIONAL_COLUMNS = ['FileName', 'ProcessCommandLine', 'RemoteIP', 'RemoteUrl', 'AccountName'];

function timelineBase(deviceId: string, window: string, table: string): string {
  const tables = table && TIMELINE_TABLES.includes(table) ? [table] : TIMELINE_TABLES;
  const span = TIMELINE_WINDOWS.some((w) => w.id === window) ? window : '7d';
  return [
    `union withsource=Table ${tables.join(', ')}`,
    `| where DeviceId == ${kqlString(deviceId)} and Timestamp > ago(${span})`,
  ].join('\n');
}

// One page of the device timeline (one row more than a page: tells whether there is a next).
export function deviceTimelineQuery(deviceId: string, window: string, table: string, page: number): string {
  const first = page * TIMELINE_PAGE_SIZE + 1;
  const last = first + TIMELINE_PAGE_SIZE; // inclusive: one extra row
  return [
    timelineBase(deviceId, window, table),
    // column_ifexists: one table alone may lack some of the columns the union has.
    `| project Timestamp, Table, ActionType, ${OPTIONAL_COLUMNS.map((c) => `${c} = column_ifexists("${c}", "")`).join(', ')}, ReportId`,
    '| sort by Timestamp desc, ReportId desc',
    '| extend Row = row_number()',
    `| where Row between (${first} .. ${last})`,
  ].join('\n');
}

export function deviceTimelineCountQuery(deviceId: string, window: string, table: string): string {
  return `${timelineBase(deviceId, window, table)}\n| count`;
}

// ------------------------------------------------------------------ response actions

export interface ResponseActionSpec {
  id: string;
  label: string;
  path: string; // POST /api/machines/{id}/<path>
  description: string;
  // Extra body member with its choices (IsolationType, ScanType).
  option?: { key: string; label: string; choices: string[] };
}

export const RESPONSE_ACTIONS: Record<string, ResponseActionSpec> = {
  isolate: {
    id: 'isolate',
    label: 'Isolate device',
    path: 'isolate',
    description:
      'Cuts the device off the network except for the Vigil sensor. Full isolation blocks everything else; selective keeps Outlook, Teams and Skype working.',
    option: { key: 'IsolationType', label: 'Isolation type', choices: ['Full', 'Selective'] },
  },
  unisolate: {
    id: 'unisolate',
    label: 'Release from isolation',
    path: 'unisolate',
    description: 'Gives the device its network connectivity back.',
  },
  scan: {
    id: 'scan',
    label: 'Run antivirus scan',
    path: 'runAntiVirusScan',
    description: 'Starts an antivirus scan on the device; detections show up as alerts.',
    option: { key: 'ScanType', label: 'Scan type', choices: ['Quick', 'Full'] },
  },
  collect: {
    id: 'collect',
    label: 'Collect investigation package',
    path: 'collectInvestigationPackage',
    description: 'Collects forensic data (processes, autoruns, network connections, logs) from the device.',
  },
  restrict: {
    id: 'restrict',
    label: 'Restrict app execution',
    path: 'restrictCodeExecution',
    description: 'Lets only applications signed by a trusted publisher run on the device.',
  },
  unrestrict: {
    id: 'unrestrict',
    label: 'Remove app restriction',
    path: 'unrestrictCodeExecution',
    description: 'Lets every application run on the device again.',
  },
};

export function responseActionBody(spec: ResponseActionSpec, comment: string, option?: string): Record<string, string> {
  const body: Record<string, string> = { Comment: comment.trim() };
  if (spec.option && option) body[spec.option.key] = option;
  return body;
}

export type ContainmentState = 'on' | 'off' | 'pending-on' | 'pending-off';

// Whether the device is isolated / restricted, from the latest of its machine actions of that
// pair (failed and cancelled ones change nothing).
export function containmentState(actions: MachineAction[], onType: string, offType: string): ContainmentState {
  const relevant = actions
    .filter((a) => [onType, offType].some((t) => t.toLowerCase() === a.type.toLowerCase()))
    .filter((a) => !/^(failed|cancel|rejected|timeout)/i.test(a.status))
    .sort((a, b) => b.creationDateTimeUtc.localeCompare(a.creationDateTimeUtc));
  const latest = relevant[0];
  if (!latest) return 'off';
  const on = latest.type.toLowerCase() === onType.toLowerCase();
  const done = /^(succeeded|completed)$/i.test(latest.status);
  if (on) return done ? 'on' : 'pending-on';
  return done ? 'off' : 'pending-off';
}

// Action-center entries about this device (by id or DNS name).
export function actionsForDevice(entries: ResponseAction[], machine: Pick<Machine, 'id' | 'computerDnsName'>): ResponseAction[] {
  const name = machine.computerDnsName?.toLowerCase();
  return entries.filter((e) => {
    const t = e.target ?? {};
    if (t.deviceId && t.deviceId === machine.id) return true;
    return !!name && !!t.deviceName && t.deviceName.toLowerCase() === name;
  });
}

export function machineActionsPath(machineId: string): string {
  return withQuery('/api/machineactions', { $filter: `machineId eq ${odataString(machineId)}` });
}
