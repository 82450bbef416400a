import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAs, reply, type Call } from '../../test/helpers';
import ActionCenterPage from './ActionCenterPage';
import { canUndo, describeTarget, usToIso } from './model';

function action(id: number, over: Record<string, unknown> = {}) {
  return {
    id,
    type: 'RunAntivirusScan',
    connector: 'endpoint',
    status: 'Pending',
    approval: 'Pending',
    source: 'Automated device action',
    requestor: 'automation',
    reason: `reason ${id}`,
    incidentId: 7,
    investigationId: 7,
    createdUs: 1795507052681644,
    updatedUs: 1795507052681644,
    decidedBy: '',
    decisionComment: '',
    resultMessage: '',
    undoOf: 0,
    undoneBy: 0,
    target: { entityType: 'Machine', deviceId: 'm1', deviceName: 'srv-sql01.contoso.com' },
    ...over,
  };
}

afterEach(() => vi.unstubAllGlobals());
const posts = (calls: Call[]) => calls.filter((c) => c.method === 'POST');

describe('action model', () => {
  it('turns microseconds into times', () => {
    expect(usToIso(1795507052681644)).toBe('2026-11-24T07:57:32.681Z');
    expect(usToIso(0)).toBeNull();
  });
  it('describes targets', () => {
    expect(describeTarget({ entityType: 'User', accountName: 'adm-mchen', deviceName: 'srv' })).toMatchObject({ kind: 'User', text: 'adm-mchen' });
    expect(describeTarget({ entityType: 'Machine', deviceId: 'm1', deviceName: 'srv' })).toMatchObject({ kind: 'Device', text: 'srv', deviceId: 'm1' });
    expect(describeTarget({ entityType: 'File', indicatorId: '1', sha256: 'ab' })).toMatchObject({ kind: 'File', text: 'ab' });
    expect(describeTarget({ entityType: 'Url', url: 'https://x.test/' })).toMatchObject({ text: 'https://x.test/' });
    expect(describeTarget({ entityType: 'MailMessage', sender: 'a@b.test', networkMessageId: 'n1' })).toMatchObject({
      text: 'a@b.test',
      detail: 'message n1',
    });
  });
  it('knows what can be undone', () => {
    expect(canUndo(action(1, { type: 'IsolateDevice', status: 'Succeeded' }) as never)).toBe(true);
    expect(canUndo(action(1, { type: 'IsolateDevice', status: 'Succeeded', undoneBy: 9 }) as never)).toBe(false);
    expect(canUndo(action(1, { type: 'IsolateDevice', status: 'Failed' }) as never)).toBe(false);
    expect(canUndo(action(1, { type: 'RunAntivirusScan', status: 'Succeeded' }) as never)).toBe(false);
  });
});

describe('ActionCenterPage', () => {
  it('approves one action with a comment', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <ActionCenterPage />,
      {
        'GET /api/actioncenter/pending': { value: [action(37), action(36, { type: 'DisableUser', target: { entityType: 'User', accountName: 'adm-mchen' } })] },
        'POST /api/actions/37/approve': action(37, { approval: 'Approved' }),
      },
      { path: '/actions', pattern: '/actions' },
    );
    const row = (await screen.findByText('reason 37')).closest('tr')!;
    expect(within(row).getByRole('link', { name: 'srv-sql01.contoso.com' })).toHaveAttribute('href', '/devices/m1');
    expect(within(row).getByRole('link', { name: '#7' })).toHaveAttribute('href', '/incidents/7');
    expect(within(row).getByText('Run antivirus scan')).toBeInTheDocument();
    expect(within(row).getAllByRole('time')[0]).toHaveAttribute('title', '2026-11-24 07:57:32 UTC');
    // Escape closes the dialog without a call
    await user.click(within(row).getByRole('button', { name: 'Reject' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(within(row).getByRole('button', { name: 'Approve' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve action 37' });
    await user.type(within(dialog).getByLabelText('Comment (optional)'), 'go ahead');
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await screen.findByText(/Action 37 approved/);
    expect(posts(calls)).toHaveLength(1);
    expect(posts(calls)[0]).toMatchObject({ path: '/api/actions/37/approve', body: { comment: 'go ahead' } });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('rejects the selected actions in bulk and reports each result', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <ActionCenterPage />,
      {
        'GET /api/actioncenter/pending': { value: [action(37), action(36), action(35)] },
        'POST /api/actions/37/reject': action(37),
        'POST /api/actions/35/reject': reply(400, { error: { code: 'BadRequest', message: 'action 35 is not pending' } }),
      },
      { path: '/actions', pattern: '/actions' },
    );
    await screen.findByText('reason 37');
    expect(screen.getByRole('button', { name: 'Reject selected' })).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Select 37' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select 35' }));
    await user.click(screen.getByRole('button', { name: 'Reject selected' }));
    const dialog = screen.getByRole('dialog', { name: 'Reject 2 actions' });
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    await waitFor(() => expect(posts(calls)).toHaveLength(2));
    await screen.findByText('1 done, 1 failed');
    expect(posts(calls).map((c) => c.path)).toEqual(['/api/actions/37/reject', '/api/actions/35/reject']);
    expect(posts(calls)[0].body).toEqual({});
    expect(screen.getByText('Action 35: action 35 is not pending')).toBeInTheDocument();
  });

  it('undoes a succeeded action from the history', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'responder',
      <ActionCenterPage />,
      {
        'GET /api/actioncenter/history': {
          value: [
            action(12, { type: 'IsolateDevice', status: 'Succeeded', approval: 'Approved', decidedBy: 'bob', resultMessage: 'isolated' }),
            action(11, { type: 'RunAntivirusScan', status: 'Succeeded', approval: 'NotRequired' }),
            action(10, { type: 'DisableUser', status: 'Succeeded', undoneBy: 13 }),
          ],
        },
        'POST /api/actions/12/undo': reply(201, action(40, { type: 'UnisolateDevice', undoOf: 12 })),
      },
      { path: '/actions?tab=history', pattern: '/actions' },
    );
    await screen.findByText('isolated');
    expect(screen.getAllByRole('button', { name: 'Undo' })).toHaveLength(1);
    expect(screen.getByText('undone by 13')).toBeInTheDocument();
    expect(screen.getByText(/decided by bob/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Undo' }));
    await screen.findByText('Action 12 undone: action 40 (Unisolate device) was queued.');
    expect(posts(calls)[0].path).toBe('/api/actions/12/undo');
  });

  it('hides the decisions from analysts', async () => {
    await renderAs('analyst', <ActionCenterPage />, { 'GET /api/actioncenter/pending': { value: [action(37)] } }, { path: '/actions', pattern: '/actions' });
    await screen.findByText('reason 37');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.getByText(/need the responder role/)).toBeInTheDocument();
  });

  it('lists device actions and cancels a pending one with a reason', async () => {
    const user = userEvent.setup();
    const machineAction = (id: string, status: string) => ({
      id,
      type: 'IsolateDevice',
      title: 't',
      requestor: 'alice',
      requestorComment: 'contain it',
      status,
      machineId: 'm1',
      computerDnsName: 'srv-sql01.contoso.com',
      creationDateTimeUtc: '2026-11-24T07:57:32.6812700Z',
      lastUpdateDateTimeUtc: '2026-11-24T07:57:32.6812700Z',
    });
    const { calls } = await renderAs(
      'responder',
      <ActionCenterPage />,
      {
        'GET /api/machineactions': { value: [machineAction('5', 'Pending'), machineAction('4', 'Succeeded')] },
        'POST /api/machineactions/5/cancel': machineAction('5', 'Cancelled'),
      },
      { path: '/actions', pattern: '/actions' },
    );
    await user.click(screen.getByRole('tab', { name: 'Device actions' }));
    await screen.findAllByText('contain it');
    expect(screen.getAllByRole('button', { name: 'Cancel' })).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel action' }));
    expect(posts(calls)).toHaveLength(0); // the reason is required
    await user.type(within(dialog).getByLabelText('Reason (required)'), 'wrong device');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel action' }));
    await waitFor(() => expect(posts(calls)).toHaveLength(1));
    expect(posts(calls)[0]).toMatchObject({ path: '/api/machineactions/5/cancel', body: { Comment: 'wrong device' } });
  });

  it('shows the empty state', async () => {
    await renderAs('responder', <ActionCenterPage />, { 'GET /api/actioncenter/pending': { value: [] } }, { path: '/actions', pattern: '/actions' });
    expect(await screen.findByText('No actions are waiting for approval.')).toBeInTheDocument();
  });
});
