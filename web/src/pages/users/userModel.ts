// Hunting queries behind the user pages. Accounts come from IdentityInfo (directory) and from
// user evidence of alerts (AlertEvidence, EntityType == "User"); evidence rows name an account
// by sAMAccountName, UPN or SID, in any case and with "CONTOSO" or "CONTOSO.COM" as domain, so
// both sides are matched on the lower-cased account name. Every user-typed value goes into the
// query through kqlString.
import { kqlString } from '../../api/hunt';
import type { ResponseAction } from '../../api/types';

export interface UserRow {
  AccountUpn: string;
  AccountName: string;
  AccountDomain: string;
  AccountSid: string;
  AccountDisplayName: string;
  Department: string;
  JobTitle: string;
  IsAccountEnabled: boolean | null;
  Alerts: number;
  LastAlert: string | null;
  AccountObjectId: string;
}

// What identifies one account in the event tables; empty strings are unknown parts.
export interface UserIdentity {
  upn: string;
  name: string;
  domain: string;
  sid: string;
  objectId: string;
  displayName: string;
}

const ACCOUNTS = `let Evidence = AlertEvidence
| where EntityType == "User"
| extend Name = tolower(iff(isnotempty(AccountName), AccountName, tostring(split(AccountUpn, "@")[0])))
| where isnotempty(Name)
| summarize Alerts = dcount(AlertId), EvidenceName = take_anyif(AccountName, isnotempty(AccountName)),
    EvidenceUpn = take_anyif(AccountUpn, isnotempty(AccountUpn)), EvidenceDomain = take_anyif(AccountDomain, isnotempty(AccountDomain)),
    EvidenceSid = take_anyif(AccountSid, isnotempty(AccountSid)), LastAlert = max(Timestamp) by Name;
IdentityInfo
| summarize arg_max(Timestamp, *) by AccountUpn
| extend Name = tolower(AccountName)
| join kind=fullouter Evidence on Name
| project AccountUpn = coalesce(AccountUpn, EvidenceUpn),
    AccountName = coalesce(AccountName, EvidenceName, Name1),
    AccountDomain = coalesce(AccountDomain, EvidenceDomain),
    AccountSid = coalesce(OnPremSid, EvidenceSid),
    AccountDisplayName, Department, JobTitle, IsAccountEnabled,
    Alerts = coalesce(Alerts, 0), LastAlert, AccountObjectId`;

export const USERS_LIMIT = 500;

// The account list, optionally narrowed by a search over name, UPN and display name.
export function usersListQuery(search: string): string {
  const lines = [ACCOUNTS];
  const text = search.trim();
  if (text) {
    const s = kqlString(text);
    lines.push(`| where AccountName contains ${s} or AccountUpn contains ${s} or AccountDisplayName contains ${s}`);
  }
  lines.push('| sort by Alerts desc, AccountName asc', `| take ${USERS_LIMIT}`);
  return lines.join('\n');
}

// The key of a user page: the UPN when known, else DOMAIN\name, else the name.
export function userKey(row: Pick<UserRow, 'AccountUpn' | 'AccountName' | 'AccountDomain'>): string {
  if (row.AccountUpn) return row.AccountUpn;
  if (row.AccountDomain) return `${row.AccountDomain}\\${row.AccountName}`;
  return row.AccountName;
}

export function userPath(key: string): string {
  return `/users/${encodeURIComponent(key)}`;
}

export function parseUserKey(key: string): { upn: string; domain: string; name: string } {
  const k = key.trim();
  const slash = k.indexOf('\\');
  if (slash >= 0) return { upn: '', domain: k.slice(0, slash), name: k.slice(slash + 1) };
  if (k.includes('@')) return { upn: k, domain: '', name: '' };
  return { upn: '', domain: '', name: k };
}

// The account row of a user page's key.
export function userLookupQuery(key: string): string {
  const parsed = parseUserKey(key);
  const where = parsed.upn
    ? `| where AccountUpn =~ ${kqlString(parsed.upn)}`
    : `| where AccountName =~ ${kqlString(parsed.name)}`;
  return [ACCOUNTS, where, '| take 20'].join('\n');
}

// The identity of a key, completed with the account row when the lookup found one. With a
// DOMAIN\name key, a row of the same domain (or its DNS form) is preferred.
export function identityFrom(key: string, rows: UserRow[]): UserIdentity {
  const parsed = parseUserKey(key);
  const domainOf = (d: string) => d.toLowerCase().split('.')[0];
  const row =
    rows.find((r) => parsed.domain && domainOf(r.AccountDomain ?? '') === domainOf(parsed.domain)) ?? rows[0];
  const upn = row?.AccountUpn || parsed.upn;
  return {
    upn,
    name: row?.AccountName || parsed.name || (upn.includes('@') ? upn.split('@')[0] : ''),
    domain: row?.AccountDomain || parsed.domain,
    sid: row?.AccountSid || '',
    objectId: row?.AccountObjectId || '',
    displayName: row?.AccountDisplayName || '',
  };
}

function any(conditions: (string | null)[]): string | null {
  const kept = conditions.filter((c): c is string => c !== null);
  return kept.length ? `(${kept.join(' or ')})` : null;
}
const eqi = (column: string, value: string) => (value ? `${column} =~ ${kqlString(value)}` : null);
const eq = (column: string, value: string) => (value ? `${column} == ${kqlString(value)}` : null);

// Per table: the condition that an event belongs to the account (null: the identity has nothing
// that table can be matched on, so it is left out).
export function accountConditions(id: UserIdentity): Record<string, string | null> {
  return {
    IdentityLogonEvents: any([eqi('AccountUpn', id.upn), eqi('AccountName', id.name), eq('AccountSid', id.sid), eq('AccountObjectId', id.objectId)]),
    DeviceLogonEvents: any([eqi('AccountName', id.name), eq('AccountSid', id.sid)]),
    CloudAppEvents: any([eq('AccountObjectId', id.objectId), eqi('AccountId', id.objectId), eqi('AccountId', id.upn)]),
    EmailEvents: any([eqi('RecipientEmailAddress', id.upn), eqi('SenderFromAddress', id.upn), eq('RecipientObjectId', id.objectId)]),
    AlertEvidence: any([eqi('AccountUpn', id.upn), eqi('AccountName', id.name), eq('AccountSid', id.sid), eq('AccountObjectId', id.objectId)]),
  };
}

export const USER_TIMELINE_WINDOWS = [
  { id: '24h', label: 'Last 24 hours' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
];
export const USER_TIMELINE_PAGE_SIZE = 50;

const TIMELINE_PROJECTIONS: Record<string, string> = {
  IdentityLogonEvents:
    'project Timestamp, Source = "IdentityLogonEvents", ActionType, Detail = strcat(Application, " · ", LogonType, " · ", Protocol, iff(isnotempty(FailureReason), strcat(" · ", FailureReason), "")), Device = DeviceName, IP = IPAddress',
  DeviceLogonEvents:
    'project Timestamp, Source = "DeviceLogonEvents", ActionType, Detail = strcat(LogonType, " · ", Protocol, iff(isnotempty(FailureReason), strcat(" · ", FailureReason), "")), Device = DeviceName, IP = RemoteIP',
  CloudAppEvents:
    'project Timestamp, Source = "CloudAppEvents", ActionType, Detail = strcat(Application, " · ", ObjectName), Device = "", IP = IPAddress',
  EmailEvents:
    'project Timestamp, Source = "EmailEvents", ActionType = strcat(EmailDirection, " mail ", DeliveryAction), Detail = strcat(Subject, " — from ", SenderFromAddress, " to ", RecipientEmailAddress), Device = "", IP = SenderIPv4',
};

// forCount: only Timestamp is kept (the engine crashes on `extend X = f(col) | count`, where the
// computed columns are not used afterwards; see the report of 2026-11-24).
function timelineUnion(id: UserIdentity, window: string, forCount = false): string | null {
  const span = USER_TIMELINE_WINDOWS.some((w) => w.id === window) ? window : '7d';
  const conditions = accountConditions(id);
  const parts = Object.keys(TIMELINE_PROJECTIONS)
    .filter((table) => conditions[table])
    .map(
      (table) =>
        `(${table} | where Timestamp > ago(${span}) and ${conditions[table]} | ${forCount ? 'project Timestamp' : TIMELINE_PROJECTIONS[table]})`,
    );
  if (!parts.length) return null;
  return `union\n  ${parts.join(',\n  ')}`;
}

// One page of the user's timeline (plus one row: is there a next page); null when the identity
// cannot be matched in any table.
export function userTimelineQuery(id: UserIdentity, window: string, page: number): string | null {
  const union = timelineUnion(id, window);
  if (!union) return null;
  const first = page * USER_TIMELINE_PAGE_SIZE + 1;
  return [
    union,
    '| sort by Timestamp desc',
    '| extend Row = row_number()',
    `| where Row between (${first} .. ${first + USER_TIMELINE_PAGE_SIZE})`,
  ].join('\n');
}

export function userTimelineCountQuery(id: UserIdentity, window: string): string | null {
  const union = timelineUnion(id, window, true);
  return union ? `${union}\n| count` : null;
}

// Alerts with this account as evidence, with their AlertInfo.
export function userAlertsQuery(id: UserIdentity): string | null {
  const condition = accountConditions(id).AlertEvidence;
  if (!condition) return null;
  return [
    'AlertEvidence',
    `| where EntityType == "User" and ${condition}`,
    '| distinct AlertId',
    '| join kind=inner (AlertInfo | summarize arg_max(Timestamp, *) by AlertId) on AlertId',
    '| project Timestamp, AlertId, Title, Severity, Category, ServiceSource, DetectionSource',
    '| sort by Timestamp desc',
    '| take 500',
  ].join('\n');
}

// Action-center entries whose target is this account.
export function actionsForUser(entries: ResponseAction[], id: UserIdentity): ResponseAction[] {
  const lc = (v: string | undefined) => (v ?? '').toLowerCase();
  return entries.filter((e) => {
    const t = e.target ?? {};
    const upn = lc(t.userPrincipalName ?? t.accountUpn ?? t.upn);
    if (id.upn && upn && upn === id.upn.toLowerCase()) return true;
    if (id.sid && t.accountSid && t.accountSid === id.sid) return true;
    if (id.objectId && t.accountObjectId && t.accountObjectId === id.objectId) return true;
    if (id.name && t.accountName && lc(t.accountName) === id.name.toLowerCase()) return true;
    return false;
  });
}
