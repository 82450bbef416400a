import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kqlString, kqlStringList } from '../../api/hunt';
import { mockFetch, renderPage } from '../../test/helpers';
import UsersPage from './UsersPage';
import UserPage from './UserPage';
import {
  accountConditions,
  actionsForUser,
  identityFrom,
  parseUserKey,
  userAlertsQuery,
  userKey,
  userLookupQuery,
  userPath,
  userTimelineCountQuery,
  userTimelineQuery,
  usersListQuery,
  type UserIdentity,
} from './userModel';

afterEach(() => vi.unstubAllGlobals());

const jdoe: UserIdentity = {
  upn: 'jdoe@contoso.com',
  name: 'jdoe',
  domain: 'CONTOSO',
  sid: 'S-1-5-21-1-2-3-1142',
  objectId: '5b1e2c7a',
  displayName: 'Jane Doe',
};

describe('KQL string literals', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(kqlString('plain')).toBe('"plain"');
    expect(kqlString('say "hi"')).toBe('"say \\"hi\\""');
    expect(kqlString('CONTOSO\\jdoe')).toBe('"CONTOSO\\\\jdoe"');
    expect(kqlString('a\\"b')).toBe('"a\\\\\\"b"');
    expect(kqlString('line1\nline2\r\t')).toBe('"line1\\nline2\\r\\t"');
    expect(kqlString('\u0001')).toBe('"\\u0001"');
    expect(kqlString("O'Brien")).toBe('"O\'Brien"');
    expect(kqlStringList(['a', 'b"'])).toBe('("a", "b\\"")');
  });

  it('cannot be broken out of: the literal ends only at the last quote', () => {
    const evil = 'x" or 1==1 | take 100000 //\\';
    const literal = kqlString(evil);
    // Unescape as the engine would and get the input back.
    const inner = literal.slice(1, -1);
    expect(inner.replace(/\\(["\\])/g, '$1')).toBe(evil);
    expect(/(^|[^\\])(\\\\)*"/.test(inner)).toBe(false);
  });
});

describe('user queries', () => {
  it('puts the search into the query as escaped literals', () => {
    const q = usersListQuery(' ad"m\\in ');
    expect(q).toContain(
      '| where AccountName contains "ad\\"m\\\\in" or AccountUpn contains "ad\\"m\\\\in" or AccountDisplayName contains "ad\\"m\\\\in"',
    );
    expect(q).toContain('IdentityInfo');
    expect(q).toContain('join kind=fullouter Evidence on Name');
    expect(usersListQuery('')).not.toContain('contains');
  });

  it('keys a user by UPN, else DOMAIN\\name, and parses the key back', () => {
    expect(userKey({ AccountUpn: 'jdoe@contoso.com', AccountName: 'jdoe', AccountDomain: 'CONTOSO' })).toBe('jdoe@contoso.com');
    expect(userKey({ AccountUpn: '', AccountName: 'SYSTEM', AccountDomain: 'NT AUTHORITY' })).toBe('NT AUTHORITY\\SYSTEM');
    expect(userPath('NT AUTHORITY\\SYSTEM')).toBe('/users/NT%20AUTHORITY%5CSYSTEM');
    expect(parseUserKey('NT AUTHORITY\\SYSTEM')).toEqual({ upn: '', domain: 'NT AUTHORITY', name: 'SYSTEM' });
    expect(parseUserKey('jdoe@contoso.com')).toEqual({ upn: 'jdoe@contoso.com', domain: '', name: '' });
    expect(userLookupQuery('CON"TOSO\\o"b')).toContain('| where AccountName =~ "o\\"b"');
    expect(userLookupQuery('a"@b.c')).toContain('| where AccountUpn =~ "a\\"@b.c"');
  });

  it('matches the account in each table only on what is known', () => {
    const onlyName = identityFrom('NT AUTHORITY\\SYSTEM', []);
    expect(onlyName).toMatchObject({ name: 'SYSTEM', domain: 'NT AUTHORITY', upn: '', sid: '' });
    const conditions = accountConditions(onlyName);
    expect(conditions.DeviceLogonEvents).toBe('(AccountName =~ "SYSTEM")');
    expect(conditions.CloudAppEvents).toBeNull();
    expect(conditions.EmailEvents).toBeNull();
    const q = userTimelineQuery(onlyName, '7d', 0)!;
    expect(q).not.toContain('== ""');
    expect(q).not.toContain('CloudAppEvents');
    expect(q).not.toContain('EmailEvents');
    expect(q).toContain('IdentityLogonEvents | where Timestamp > ago(7d) and (AccountName =~ "SYSTEM")');

    const full = userTimelineQuery(jdoe, '30d', 1)!;
    expect(full).toContain('(AccountUpn =~ "jdoe@contoso.com" or AccountName =~ "jdoe" or AccountSid == "S-1-5-21-1-2-3-1142" or AccountObjectId == "5b1e2c7a")');
    expect(full).toContain('EmailEvents | where Timestamp > ago(30d) and (RecipientEmailAddress =~ "jdoe@contoso.com"');
    expect(full).toContain('| sort by Timestamp desc');
    expect(full).toContain('where Row between (51 .. 101)');
    // The count keeps no computed column (the engine crashes on `extend f(x) | count`).
    expect(userTimelineCountQuery(jdoe, '30d')).not.toContain('strcat');

    const nothing: UserIdentity = { upn: '', name: '', domain: '', sid: '', objectId: '', displayName: '' };
    expect(userTimelineQuery(nothing, '7d', 0)).toBeNull();
    expect(userAlertsQuery(nothing)).toBeNull();
  });

  it('escapes identity values taken from the key', () => {
    const id = identityFrom('EVIL\\x") | take 1 //', []);
    const q = userAlertsQuery(id)!;
    expect(q).toContain('AccountName =~ "x\\") | take 1 //"');
  });

  it('finds the action-center entries of the account', () => {
    const entry = (id: number, target: Record<string, string>) =>
      ({ id, type: 'DisableUser', target }) as unknown as Parameters<typeof actionsForUser>[0][number];
    const entries = [
      entry(1, { entityType: 'User', accountName: 'JDOE' }),
      entry(2, { entityType: 'User', accountSid: 'S-1-5-21-1-2-3-1142' }),
      entry(3, { entityType: 'User', accountName: 'mchen' }),
      entry(4, { entityType: 'Machine', deviceName: 'ws-1' }),
    ];
    expect(actionsForUser(entries, jdoe).map((e) => e.id)).toEqual([1, 2]);
  });
});

const row = {
  AccountUpn: 'jdoe@contoso.com',
  AccountName: 'jdoe',
  AccountDomain: 'CONTOSO',
  AccountSid: 'S-1-5-21-1-2-3-1142',
  AccountDisplayName: 'Jane Doe',
  Department: 'Finance',
  JobTitle: 'Accountant',
  IsAccountEnabled: true,
  Alerts: 2,
  LastAlert: '2026-11-23T09:23:00.0000000Z',
  AccountObjectId: '5b1e2c7a',
};

describe('UsersPage', () => {
  it('lists accounts from hunting and searches with an escaped literal', async () => {
    const { calls } = mockFetch({ 'POST /api/advancedhunting/run': { body: { Schema: [], Results: [row] } } });
    renderPage(<UsersPage />, { path: '/users', pattern: '/users' });
    expect(await screen.findByText('Jane Doe')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Search accounts'), 'o"b');
    await waitFor(() =>
      expect((calls.at(-1)!.body as { Query: string }).Query).toContain('AccountName contains "o\\"b"'),
    );
    await userEvent.click(screen.getByText('Jane Doe'));
    expect(screen.getByTestId('location')).toHaveTextContent('/users/jdoe%40contoso.com');
  });
});

describe('UserPage', () => {
  it('looks the account up by its key and shows its alerts with their incidents', async () => {
    const { calls } = mockFetch({
      'POST /api/advancedhunting/run': (call) => {
        const q = (call.body as { Query: string }).Query;
        if (q.startsWith('let Evidence')) return { body: { Schema: [], Results: [row] } };
        if (q.startsWith('AlertEvidence'))
          return {
            body: {
              Schema: [],
              Results: [
                { Timestamp: '2026-11-23T09:23:00Z', AlertId: 'va1', Title: 'Mimikatz', Severity: 'High', Category: 'CredentialAccess', ServiceSource: 'Endpoint', DetectionSource: 'Sigma' },
              ],
            },
          };
        return { body: { Schema: [], Results: [] } };
      },
      'GET /api/alerts': { body: { value: [{ id: 'va1', incidentId: 7, status: 'New', title: 'Mimikatz' }] } },
      'GET /api/incidents': { body: { value: [{ incidentId: 7, incidentName: 'Credential theft on ws-0142', severity: 'High', status: 'Active', assignedTo: null, lastUpdateTime: '2026-11-23T10:00:00Z' }] } },
    });
    renderPage(<UserPage />, { path: '/users/jdoe%40contoso.com?tab=incidents', pattern: '/users/:id' });
    expect(await screen.findByRole('heading', { name: 'Jane Doe' })).toBeInTheDocument();
    const lookup = (calls[0].body as { Query: string }).Query;
    expect(lookup).toContain('| where AccountUpn =~ "jdoe@contoso.com"');
    expect(await screen.findByText(/Credential theft on ws-0142/)).toBeInTheDocument();
    const alertsCall = calls.find((c) => c.method === 'GET' && c.path.startsWith('/api/alerts'))!;
    expect(alertsCall.url).toContain("$filter=id in ('va1')");
    const incidentsCall = calls.find((c) => c.path.startsWith('/api/incidents'))!;
    expect(incidentsCall.url).toContain('$filter=incidentId in (7)');
  });
});
