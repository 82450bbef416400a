import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { me, mockFetch, renderPage } from '../../test/helpers';
import SettingsPage from './SettingsPage';

afterEach(() => vi.unstubAllGlobals());

const LEVELS = [
  'Full',
  'SemiRequireApprovalAllFolders',
  'SemiRequireApprovalCoreFolders',
  'SemiRequireApprovalNonTempFolders',
  'NoAutomatedResponse',
];
const policy = {
  defaults: { endpoint: 'SemiRequireApprovalAllFolders', email: 'SemiRequireApprovalAllFolders', identity: 'NoAutomatedResponse', cloud: 'Full' },
  deviceGroups: { Servers: { endpoint: 'NoAutomatedResponse' } },
  levels: LEVELS,
};

function open(tab: string, role: string, routes: Parameters<typeof mockFetch>[0]) {
  const mock = mockFetch({
    'GET /api/auth/me': me(role),
    'GET /api/machines': { body: { value: [{ rbacGroupName: 'Workstations' }, { rbacGroupName: 'Servers' }] } },
    ...routes,
  });
  renderPage(<SettingsPage />, { path: `/settings${tab ? `?tab=${tab}` : ''}`, pattern: '/settings', role });
  return mock;
}

describe('Automation', () => {
  it('saves the levels with PUT in the shape of the API', async () => {
    const { calls } = open('', 'admin', {
      'GET /api/settings/automation': { body: policy },
      'PUT /api/settings/automation': (call) => ({ body: call.body }),
    });
    const endpoint = await screen.findByLabelText('Endpoint automation level');
    const save = screen.getByRole('button', { name: 'Save automation levels' });
    expect(save).toBeDisabled();
    await userEvent.selectOptions(endpoint, 'Full');
    await userEvent.selectOptions(screen.getByLabelText('Servers: Identity automation level'), 'SemiRequireApprovalCoreFolders');
    await userEvent.selectOptions(screen.getByLabelText('Servers: Endpoint automation level'), '');
    await userEvent.type(screen.getByLabelText('Add an override for a device group'), 'Workstations');
    await userEvent.click(screen.getByRole('button', { name: 'Add group' }));
    await userEvent.selectOptions(screen.getByLabelText('Workstations: Email automation level'), 'NoAutomatedResponse');
    await userEvent.click(save);
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url).toBe('/api/settings/automation');
    expect(put.body).toEqual({
      defaults: { endpoint: 'Full', email: 'SemiRequireApprovalAllFolders', identity: 'NoAutomatedResponse', cloud: 'Full' },
      deviceGroups: {
        Servers: { identity: 'SemiRequireApprovalCoreFolders' },
        Workstations: { email: 'NoAutomatedResponse' },
      },
    });
    expect(await screen.findByText(/Automation levels saved/)).toBeInTheDocument();
  });

  it('explains each level and keeps the form read-only for non-admins', async () => {
    open('', 'analyst', { 'GET /api/settings/automation': { body: policy } });
    expect(await screen.findByLabelText('Endpoint automation level')).toBeDisabled();
    expect(screen.getByText('Every remediation action waits for approval in the action center.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save automation levels' })).not.toBeInTheDocument();
  });

  it('says when the server has no automation route', async () => {
    open('', 'admin', {});
    expect(await screen.findByText('Automation settings: not available on this server.')).toBeInTheDocument();
  });
});

describe('Detection rules', () => {
  it('lets an admin switch a rule off, filters by kind and text', async () => {
    const { calls } = open('rules', 'admin', {
      'GET /api/rules': {
        body: {
          value: [
            { id: 'r1', title: 'Encoded PowerShell', level: 'high', status: 'stable', author: 'a', kind: 'sigma', enabled: true, tags: ['attack.t1059'] },
            { id: 'c1', title: 'Many failed logons then success', level: 'medium', status: 'test', author: 'b', kind: 'correlation', enabled: true, tags: [] },
          ],
        },
      },
      'PATCH /api/rules/r1': { body: { id: 'r1', enabled: false } },
      'GET /api/detectionrules': { body: { value: [] } },
    });
    const toggle = await screen.findByRole('switch', { name: 'Encoded PowerShell enabled' });
    await userEvent.click(toggle);
    await waitFor(() => expect(toggle).toHaveAttribute('aria-checked', 'false'));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ enabled: false });
    await userEvent.selectOptions(screen.getByLabelText('Kind'), 'correlation');
    expect(screen.queryByText('Encoded PowerShell')).not.toBeInTheDocument();
    expect(screen.getByText('Many failed logons then success')).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText('Kind'), '');
    await userEvent.type(screen.getByLabelText('Search rules'), 't1059');
    expect(screen.getByText('Encoded PowerShell')).toBeInTheDocument();
    expect(screen.queryByText('Many failed logons then success')).not.toBeInTheDocument();
    expect(await screen.findByText(/No custom detections yet/)).toBeInTheDocument();
  });

  it('shows 404 per list and disables switches for a viewer', async () => {
    open('rules', 'viewer', {
      'GET /api/detectionrules': {
        body: { value: [{ id: 'd1', name: 'Mass download', query: 'CloudAppEvents', severity: 'Medium', category: 'Exfiltration', frequency: '1H', description: '', techniques: [], enabled: true, origin: 'content', createdBy: '' }] },
      },
    });
    expect(await screen.findByText('The rule list: not available on this server.')).toBeInTheDocument();
    expect(await screen.findByRole('switch', { name: 'Mass download enabled' })).toBeDisabled();
  });
});

describe('API apps', () => {
  it('shows a new secret once, with a copy button, and forgets it', async () => {
    let apps: { id: string; name: string; role: string; kind: string; source: string | null; createdTime: string; revoked: boolean }[] = [{ id: 'a1', name: 'admin', role: 'admin', kind: 'app', source: null, createdTime: '2026-11-24T07:56:11Z', revoked: false }];
    const { calls } = open('apps', 'admin', {
      'GET /api/settings/apps': () => ({ body: { value: apps } }),
      'POST /api/settings/apps': (call) => {
        apps = [...apps, { id: 'k2', name: 'sensor-eu', role: 'ingest', kind: 'key', source: 'eu-sensors', createdTime: '2026-11-24T08:00:00Z', revoked: false }];
        expect(call.body).toEqual({ name: 'sensor-eu', role: 'ingest', kind: 'key', source: 'eu-sensors' });
        return { status: 201, body: { id: 'k2', apiKey: 'vk_SECRET_123' } };
      },
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Create app or key' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText(/API key: one bearer token/));
    await userEvent.type(within(dialog).getByLabelText('Name'), 'sensor-eu');
    await userEvent.selectOptions(within(dialog).getByLabelText(/^Role/), 'ingest');
    await userEvent.type(within(dialog).getByLabelText(/^Ingest source/), 'eu-sensors');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('vk_SECRET_123')).toBeInTheDocument();
    expect(screen.getByText(/This is the only time the secret is shown/)).toBeInTheDocument();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('vk_SECRET_123');
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    expect(await screen.findByText('sensor-eu')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByText('vk_SECRET_123')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain('vk_SECRET_123');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('revokes after a confirmation', async () => {
    const { calls } = open('apps', 'admin', {
      'GET /api/settings/apps': { body: { value: [{ id: 'a1', name: 'siem', role: 'viewer', kind: 'app', source: null, createdTime: '2026-11-24T07:56:11Z', revoked: false }] } },
      'DELETE /api/settings/apps/a1': { status: 204 },
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke siem' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('This cannot be undone.');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/settings/apps/a1')).toBe(true));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('is for admins only', async () => {
    open('apps', 'responder', {});
    expect(await screen.findByText('Only admins can see and manage API apps and keys.')).toBeInTheDocument();
  });
});
