// Incident queue model: the filters the analyst picks, how they become an OData request, and
// the vocabularies (status, severity, classification/determination, domain) the pages offer.
import { odataString, withQuery } from '../../api/client';
import { INCIDENT_DETERMINATIONS, SEVERITIES, severityRank } from '../../api/triage';
import type { Incident } from '../../api/types';

export { CLASSIFICATIONS, SEVERITIES, severityRank } from '../../api/triage';

export const STATUSES = ['Active', 'InProgress', 'Resolved', 'Redirected'] as const;
// Status values an analyst may set (Redirected is set by merges only).
export const SETTABLE_STATUSES = ['Active', 'InProgress', 'Resolved'] as const;
export const DEFAULT_STATUSES = ['Active', 'InProgress', 'Resolved'];
export const DOMAINS = ['Endpoint', 'Identity', 'Email', 'CloudApps'] as const;
export const PAGE_SIZES = [25, 50, 100] as const;
// The server caps $top at 100; the domain filter (applied in the browser) reads at most this
// many matching incidents.
export const SERVER_PAGE_MAX = 100;
export const DOMAIN_SCAN_LIMIT = 1000;

export const RANGES = [
  { value: '24h', label: 'Last 24 hours', hours: 24 },
  { value: '7d', label: 'Last 7 days', hours: 24 * 7 },
  { value: '30d', label: 'Last 30 days', hours: 24 * 30 },
  { value: 'all', label: 'Any time', hours: 0 },
] as const;
export type Range = (typeof RANGES)[number]['value'];

export const CLASSIFICATION_LABELS: Record<string, string> = {
  Unknown: 'Not set',
  TruePositive: 'True positive',
  InformationalExpectedActivity: 'Informational, expected activity',
  FalsePositive: 'False positive',
};

export const DETERMINATIONS = INCIDENT_DETERMINATIONS;

// The server's PATCH /api/incidents/{id} accepts a determination other than NotAvailable only
// with classification TruePositive (vigil/incidents/incident_update.cpp), so the incident pages
// offer the others' determinations only once that rule is lifted (set this to false then).
export const INCIDENT_DETERMINATION_NEEDS_TRUE_POSITIVE = true;

export function incidentDeterminations(classification: string): string[] {
  if (INCIDENT_DETERMINATION_NEEDS_TRUE_POSITIVE && classification !== 'TruePositive') return ['NotAvailable'];
  return DETERMINATIONS[classification] ?? ['NotAvailable'];
}

// "MultiStagedAttack" -> "Multi staged attack"
export function humanize(value: string | null | undefined): string {
  if (!value) return '';
  if (CLASSIFICATION_LABELS[value]) return CLASSIFICATION_LABELS[value];
  const words = value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return words.charAt(0) + words.slice(1).toLowerCase();
}

// Domains (alert service sources) of an incident, the four known ones first.
export function incidentDomains(incident: Pick<Incident, 'alerts'>): string[] {
  const found = new Set<string>();
  for (const alert of incident.alerts ?? []) if (alert.serviceSource) found.add(alert.serviceSource);
  return sortDomains([...found]);
}

export function sortDomains(domains: string[]): string[] {
  const order = (d: string) => {
    const i = (DOMAINS as readonly string[]).indexOf(d);
    return i < 0 ? DOMAINS.length : i;
  };
  return [...domains].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

export interface QueueFilters {
  statuses: string[];
  severities: string[];
  assignee: string; // '' any, 'unassigned', or text contained in assignedTo
  domains: string[];
  range: Range;
}

export type SortKey = 'lastUpdateTime' | 'severity' | 'incidentId' | 'alerts';
export interface QueueSort {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTERS: QueueFilters = {
  statuses: DEFAULT_STATUSES,
  severities: [],
  assignee: '',
  domains: [],
  range: 'all',
};
export const DEFAULT_SORT: QueueSort = { key: 'lastUpdateTime', descending: true };

function inList(field: string, values: string[]): string {
  return values.length === 1
    ? `${field} eq ${odataString(values[0])}`
    : `${field} in (${values.map(odataString).join(',')})`;
}

// The $filter for the server-side part of the filters ('' when nothing narrows the list).
export function buildFilter(filters: QueueFilters, now: Date = new Date()): string {
  const clauses: string[] = [];
  if (filters.statuses.length > 0 && filters.statuses.length < STATUSES.length) {
    clauses.push(inList('status', filters.statuses));
  }
  if (filters.severities.length > 0 && filters.severities.length < SEVERITIES.length) {
    clauses.push(inList('severity', filters.severities));
  }
  const assignee = filters.assignee.trim();
  if (assignee.toLowerCase() === 'unassigned') clauses.push('assignedTo eq null');
  else if (assignee) clauses.push(`contains(assignedTo,${odataString(assignee)})`);
  const range = RANGES.find((r) => r.value === filters.range);
  if (range && range.hours > 0) {
    const since = new Date(now.getTime() - range.hours * 3600_000);
    clauses.push(`lastUpdateTime gt ${since.toISOString()}`);
  }
  return clauses.join(' and ');
}

// Sorting by severity (the server orders its names alphabetically) or by the alert count (not
// a server field), and the domain filter (alerts' service sources), are done in the browser over
// all matching incidents, read in pages of 100 up to DOMAIN_SCAN_LIMIT.
export function needsBrowserSide(filters: QueueFilters, sort: QueueSort): boolean {
  return filters.domains.length > 0 || sort.key === 'severity' || sort.key === 'alerts';
}

export function buildOrderBy(sort: QueueSort): string {
  const direction = sort.descending ? 'desc' : 'asc';
  if (sort.key === 'incidentId') return `incidentId ${direction}`;
  if (sort.key === 'lastUpdateTime') return `lastUpdateTime ${direction}`;
  return 'lastUpdateTime desc';
}

export function buildQueuePath(
  filters: QueueFilters,
  sort: QueueSort,
  skip: number,
  top: number,
  now: Date = new Date(),
): string {
  return withQuery('/api/incidents', {
    $filter: buildFilter(filters, now),
    $orderby: buildOrderBy(sort),
    $top: top,
    $skip: skip > 0 ? skip : undefined,
    $count: 'true',
    $expand: 'alerts',
  });
}

// Ordering applied in the browser: severity by rank (not by name) and the alert count.
export function sortRows(rows: Incident[], sort: QueueSort): Incident[] {
  if (sort.key !== 'severity' && sort.key !== 'alerts') return rows;
  const sign = sort.descending ? -1 : 1;
  const value = (i: Incident) => (sort.key === 'alerts' ? (i.alerts?.length ?? 0) : severityRank(i.severity));
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => (value(a.row) - value(b.row)) * sign || a.index - b.index)
    .map((x) => x.row);
}

export function matchesDomains(incident: Incident, domains: string[]): boolean {
  if (domains.length === 0) return true;
  const mine = incidentDomains(incident);
  return domains.some((d) => mine.includes(d));
}

// Filters <-> URL search parameters, so a reload or Back keeps the queue as it was.
export function filtersFromParams(params: URLSearchParams): QueueFilters {
  const list = (name: string, fallback: string[]) => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    return raw === '' ? [] : raw.split(',');
  };
  const range = params.get('range');
  return {
    statuses: list('status', DEFAULT_STATUSES),
    severities: list('severity', []),
    assignee: params.get('assignee') ?? '',
    domains: list('domain', []),
    range: RANGES.some((r) => r.value === range) ? (range as Range) : 'all',
  };
}

export function sortFromParams(params: URLSearchParams): QueueSort {
  const raw = params.get('sort');
  if (!raw) return DEFAULT_SORT;
  const [key, dir] = raw.split(':');
  const keys: SortKey[] = ['lastUpdateTime', 'severity', 'incidentId', 'alerts'];
  if (!keys.includes(key as SortKey)) return DEFAULT_SORT;
  return { key: key as SortKey, descending: dir !== 'asc' };
}

export function queueParams(filters: QueueFilters, sort: QueueSort, page: number, pageSize: number): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.statuses.join(',') !== DEFAULT_STATUSES.join(',')) params.set('status', filters.statuses.join(','));
  if (filters.severities.length) params.set('severity', filters.severities.join(','));
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.domains.length) params.set('domain', filters.domains.join(','));
  if (filters.range !== 'all') params.set('range', filters.range);
  if (sort.key !== DEFAULT_SORT.key || sort.descending !== DEFAULT_SORT.descending) {
    params.set('sort', `${sort.key}:${sort.descending ? 'desc' : 'asc'}`);
  }
  if (page > 0) params.set('page', String(page + 1));
  if (pageSize !== 25) params.set('size', String(pageSize));
  return params;
}
