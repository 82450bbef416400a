// Alert vocabulary and the queue's OData query. The classification/determination pairs follow
// the server's rule (a determination must fit its classification, NotAvailable fits any).
import { odataString, withQuery } from '../../api/client';

export const ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const;
export const DETECTION_SOURCES = ['Sigma', 'customDetection', 'Correlation', 'customTi'] as const;
export { ALERT_CATEGORIES as CATEGORIES, ALERT_DETERMINATIONS as DETERMINATIONS, CLASSIFICATIONS, SEVERITIES } from '../../api/triage';

// Human labels for the enum spellings.
const LABELS: Record<string, string> = {
  InProgress: 'In progress',
  TruePositive: 'True positive',
  InformationalExpectedActivity: 'Informational, expected activity',
  FalsePositive: 'False positive',
  NotAvailable: 'Not available',
  MultiStagedAttack: 'Multi-staged attack',
  MaliciousUserActivity: 'Malicious user activity',
  CompromisedAccount: 'Compromised account',
  UnwantedSoftware: 'Unwanted software',
  Apt: 'APT',
  SecurityTesting: 'Security testing',
  LineOfBusinessApplication: 'Line-of-business application',
  ConfirmedActivity: 'Confirmed activity',
  SecurityPersonnel: 'Security personnel',
  InsufficientData: 'Insufficient data',
  customDetection: 'Custom detection',
  customTi: 'Custom indicator',
};

export function label(value: string | null | undefined): string {
  if (!value) return '';
  if (LABELS[value]) return LABELS[value];
  // CredentialAccess -> Credential access
  return value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/ ([A-Z])(?=[a-z])/g, (m) => m.toLowerCase());
}

export type TimeRange = '' | '24h' | '7d' | '30d' | '180d' | 'custom';

export interface AlertFilters {
  status: string;
  severity: string;
  source: string;
  category: string;
  // '' anyone, '@me' the signed-in user, '@none' unassigned, otherwise a name
  assigned: string;
  range: TimeRange;
  from: string; // datetime-local, for range 'custom'
  to: string;
  search: string;
}

export const EMPTY_FILTERS: AlertFilters = {
  status: '',
  severity: '',
  source: '',
  category: '',
  assigned: '',
  range: '30d',
  from: '',
  to: '',
  search: '',
};

const RANGE_HOURS: Record<string, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30, '180d': 24 * 180 };

// "2026-11-24T08:00" in the local zone -> "2026-11-24T07:00:00Z" (null when empty or invalid).
export function localToUtcIso(local: string): string | null {
  if (!local) return null;
  const date = new Date(local);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function buildAlertFilter(filters: AlertFilters, me: string | undefined, now: Date = new Date()): string {
  const parts: string[] = [];
  if (filters.status) parts.push(`status eq ${odataString(filters.status)}`);
  if (filters.severity) parts.push(`severity eq ${odataString(filters.severity)}`);
  if (filters.source) parts.push(`detectionSource eq ${odataString(filters.source)}`);
  if (filters.category) parts.push(`category eq ${odataString(filters.category)}`);
  if (filters.assigned === '@none') parts.push('assignedTo eq null');
  else if (filters.assigned === '@me') {
    if (me) parts.push(`assignedTo eq ${odataString(me)}`);
  } else if (filters.assigned) parts.push(`assignedTo eq ${odataString(filters.assigned)}`);
  if (filters.range && filters.range !== 'custom') {
    const since = new Date(now.getTime() - RANGE_HOURS[filters.range] * 3600_000);
    parts.push(`alertCreationTime ge ${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  } else if (filters.range === 'custom') {
    const from = localToUtcIso(filters.from);
    const to = localToUtcIso(filters.to);
    if (from) parts.push(`alertCreationTime ge ${from}`);
    if (to) parts.push(`alertCreationTime lt ${to}`);
  }
  const search = filters.search.trim();
  if (search) parts.push(`contains(title,${odataString(search)})`);
  return parts.join(' and ');
}

// Columns the server sorts by (severity is a string there, so it would sort alphabetically).
export const SORT_FIELDS: Record<string, string> = {
  title: 'title',
  status: 'status',
  category: 'category',
  source: 'detectionSource',
  device: 'computerDnsName',
  created: 'alertCreationTime',
};

export function alertsPath(
  filters: AlertFilters,
  me: string | undefined,
  sort: { key: string; descending: boolean },
  page: number,
  pageSize: number,
  now?: Date,
): string {
  const field = SORT_FIELDS[sort.key] ?? 'alertCreationTime';
  const order = `${field} ${sort.descending ? 'desc' : 'asc'}`;
  return withQuery('/api/alerts', {
    $filter: buildAlertFilter(filters, me, now) || undefined,
    $orderby: field === 'alertCreationTime' ? order : `${order},alertCreationTime desc`,
    $top: pageSize,
    $skip: page * pageSize || undefined,
    $count: 'true',
  });
}

// "CONTOSO\adm-mchen" from an alert's relatedUser.
export function userLabel(user: { userName: string; domainName: string | null } | null | undefined): string {
  if (!user?.userName) return '';
  return user.domainName ? `${user.domainName}\\${user.userName}` : user.userName;
}

// https://attack.mitre.org/techniques/T1566/001/ for T1566.001
export function mitreUrl(technique: string): string | null {
  const m = /^T(\d{4})(?:\.(\d{3}))?$/.exec(technique.trim());
  if (!m) return null;
  return `https://attack.mitre.org/techniques/T${m[1]}/${m[2] ? `${m[2]}/` : ''}`;
}
