import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DevicePage from './DevicePage';
import { containmentState, deviceTimelineQuery } from './deviceModel';
import { me, mockFetch, renderPage } from '../../test/helpers';

const machine = {
  id: 'abc123',
  computerDnsName: 'ws-0142.contoso.com',
  firstSeen: '2026-10-01T00:00:00.0000000Z',
  lastSeen: '2026-11-20T10:00:00.0000000Z',
  osPlatform: 'Windows11',
  osBuild: 22631,
  version: '10.0',
  lastIpAddress: null,
  lastExternalIpAddress: '198.51.100.7',
  healthStatus: 'Active',
  rbacGroupName: 'Workstations',
  riskScore: 'High',
  exposureLevel: 'Low',
  machineTags: [],
};

const action = (id: string, type: string, status: string, time: string) => ({
  id,
  type,
  title: 'Manual device action',
  requestor: 'alice',
  requestorComment: 'why',
  status,
  machineId: 'abc123',
  computerDnsName: 'ws-0142.contoso.com',
  creationDateTimeUtc: time,
  lastUpdateDateTimeUtc: time,
});

function baseRoutes(role: string, extra: Record<string, unknown> = {}) {
  return {
    'GET /api/auth/me': me(role),
    'GET /api/machines/abc123': { body: machine },
    'GET /api/machines/abc123/alerts': { body: { value: [] } },
    'GET /api/machineactions': { body: { value: [] } },
    'GET /api/actioncenter/pending': { body: { value: [] } },
    'GET /api/actioncenter/history': { body: { value: [] } },
    'POST /api/advancedhunting/run': { body: { Schema: [], Results: [] } },
    ...extra,
  } as Parameters<typeof mockFetch>[0];
}

afterEach(() => vi.unstubAllGlobals());

describe('DevicePage response actions', () => {
  it('isolates with the comment and isolation type, then reloads the actions', async () => {
    const { calls } = mockFetch(
      baseRoutes('responder', {
        'POST /api/machines/abc123/isolate': { status: 201, body: action('41', 'Isolate', 'Pending', '2026-11-24T08:00:00Z') },
      }),
    );
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    await userEvent.click(await screen.findByRole('button', { name: 'Isolate device' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.selectOptions(within(dialog).getByLabelText('Isolation type'), 'Selective');
    await userEvent.type(within(dialog).getByLabelText('Comment (required)'), 'Incident 7: beaconing');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Isolate device' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/isolate'))!;
    expect(post.url).toBe('/api/machines/abc123/isolate');
    expect(post.body).toEqual({ Comment: 'Incident 7: beaconing', IsolationType: 'Selective' });
    expect(await screen.findByRole('status', { name: '' })).toBeDefined();
    expect(screen.getByText(/requested \(action 41, Pending\)/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith('/api/machineactions')).length).toBeGreaterThan(1);
  });

  it('requires a comment before posting', async () => {
    const { calls } = mockFetch(baseRoutes('responder'));
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    await userEvent.click(await screen.findByRole('button', { name: 'Run antivirus scan' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Run antivirus scan' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('A comment is required');
    expect(calls.some((c) => c.method === 'POST' && c.path.includes('runAntiVirusScan'))).toBe(false);
  });

  it('shows the "already pending" answer of the server', async () => {
    mockFetch(
      baseRoutes('responder', {
        'POST /api/machines/abc123/collectInvestigationPackage': {
          status: 400,
          body: { error: { code: 'ActiveRequestAlreadyExists', message: 'Action is already in progress (machine action 38)' } },
        },
      }),
    );
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    await userEvent.click(await screen.findByRole('button', { name: 'Collect investigation package' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Comment (required)'), 'forensics');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Collect investigation package' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Already pending: Action is already in progress (machine action 38)',
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('offers release and unrestrict when the device is isolated and restricted', async () => {
    const { calls } = mockFetch(
      baseRoutes('responder', {
        'GET /api/machineactions': {
          body: {
            value: [
              action('3', 'Isolate', 'Succeeded', '2026-11-20T10:00:00Z'),
              action('4', 'RestrictCodeExecution', 'Succeeded', '2026-11-20T11:00:00Z'),
            ],
          },
        },
        'POST /api/machines/abc123/unrestrictCodeExecution': { status: 201, body: action('5', 'UnrestrictCodeExecution', 'Pending', '2026-11-24T08:00:00Z') },
      }),
    );
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    expect(await screen.findByRole('button', { name: 'Release from isolation' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Isolate device' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Remove app restriction' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Comment (required)'), 'false positive');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove app restriction' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/unrestrictCodeExecution'))).toBe(true));
    expect(calls.find((c) => c.path.endsWith('/unrestrictCodeExecution'))!.body).toEqual({ Comment: 'false positive' });
  });

  it('cancels a pending action from the actions tab with a reason, then reloads', async () => {
    const { calls } = mockFetch(
      baseRoutes('responder', {
        'GET /api/machineactions': {
          body: {
            value: [
              action('7', 'RunAntiVirusScan', 'Pending', '2026-11-24T08:00:00Z'),
              action('6', 'Isolate', 'Succeeded', '2026-11-23T08:00:00Z'),
            ],
          },
        },
        'POST /api/machineactions/7/cancel': { body: action('7', 'RunAntiVirusScan', 'Cancelled', '2026-11-24T08:05:00Z') },
      }),
    );
    renderPage(<DevicePage />, { path: '/devices/abc123?tab=actions', pattern: '/devices/:id', role: 'x' });
    const cancelButtons = await screen.findAllByRole('button', { name: 'Cancel' });
    expect(cancelButtons).toHaveLength(1); // only the pending action
    const before = calls.filter((c) => c.path.startsWith('/api/machineactions') && c.method === 'GET').length;
    await userEvent.click(cancelButtons[0]);
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Reason'), 'scan not needed');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel action' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/cancel'))!;
    expect(post.url).toBe('/api/machineactions/7/cancel');
    expect(post.body).toEqual({ Comment: 'scan not needed' });
    await waitFor(() =>
      expect(calls.filter((c) => c.path.startsWith('/api/machineactions') && c.method === 'GET').length).toBeGreaterThan(before),
    );
  });

  it('hides the response actions from a viewer', async () => {
    mockFetch(baseRoutes('viewer'));
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    expect(await screen.findByText('Response actions need the responder role.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Isolate device' })).not.toBeInTheDocument();
  });
});

describe('device timeline', () => {
  it('queries the device tables for the device in the window, one page at a time', async () => {
    const { calls } = mockFetch(baseRoutes('viewer'));
    renderPage(<DevicePage />, { path: '/devices/abc123', pattern: '/devices/:id', role: 'x' });
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    const query = (calls.find((c) => c.method === 'POST')!.body as { Query: string }).Query;
    expect(query).toContain('union withsource=Table DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents, DeviceRegistryEvents, DeviceLogonEvents, DeviceEvents');
    expect(query).toContain('where DeviceId == "abc123" and Timestamp > ago(7d)');
    expect(query).toContain('sort by Timestamp desc');
    await userEvent.selectOptions(await screen.findByLabelText('Time range'), '24h');
    await waitFor(() => expect(calls.some((c) => (c.body as { Query?: string })?.Query?.includes('ago(24h)'))).toBe(true));
  });

  it('escapes the device id and pages with row numbers', () => {
    const q = deviceTimelineQuery('a"b\\c', '30d', 'DeviceFileEvents', 2);
    expect(q).toContain('DeviceId == "a\\"b\\\\c"');
    expect(q).toContain('union withsource=Table DeviceFileEvents\n');
    expect(q).toContain('where Row between (101 .. 151)');
  });

  it('reads isolation from the latest isolate/release action', () => {
    const a = (type: string, status: string, t: string) => action('1', type, status, t);
    expect(containmentState([], 'Isolate', 'Unisolate')).toBe('off');
    expect(containmentState([a('Isolate', 'Succeeded', '1')], 'Isolate', 'Unisolate')).toBe('on');
    expect(containmentState([a('Isolate', 'Succeeded', '1'), a('Unisolate', 'Pending', '2')], 'Isolate', 'Unisolate')).toBe('pending-off');
    expect(containmentState([a('Isolate', 'Failed', '3'), a('Unisolate', 'Succeeded', '2')], 'Isolate', 'Unisolate')).toBe('off');
  });
});
