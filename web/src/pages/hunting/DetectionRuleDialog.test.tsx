import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DetectionRuleDialog, parseTechniques } from './DetectionRuleDialog';
import { mockHuntFetch, renderSignedIn } from '../../test/helpers';

afterEach(() => vi.unstubAllGlobals());

describe('DetectionRuleDialog', () => {
  it('parses MITRE technique lists', () => {
    expect(parseTechniques('T1059.001, t1566 T1059.001')).toEqual({ techniques: ['T1059.001', 'T1566'], invalid: [] });
    expect(parseTechniques('T1, x').invalid).toEqual(['T1', 'X']);
  });

  it('posts the rule with the current query', async () => {
    const { calls } = mockHuntFetch({ 'POST /api/detectionrules': (c) => ({ status: 201, body: { id: 'r1', ...(c.body as object) } }) });
    const onCreated = vi.fn();
    renderSignedIn(<DetectionRuleDialog query="DeviceEvents | take 1" onCreated={onCreated} onClose={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Odd thing');
    await userEvent.selectOptions(screen.getByLabelText('Severity'), 'High');
    await userEvent.selectOptions(screen.getByLabelText('Category'), 'Execution');
    await userEvent.selectOptions(screen.getByLabelText('Frequency'), '3H');
    await userEvent.type(screen.getByLabelText('Description'), 'why');
    await userEvent.type(screen.getByLabelText('MITRE techniques'), 'T1059.001, T1566');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'Odd thing',
      query: 'DeviceEvents | take 1',
      severity: 'High',
      category: 'Execution',
      frequency: '3H',
      description: 'why',
      techniques: ['T1059.001', 'T1566'],
    });
  });

  it("shows the server's validation message on 400", async () => {
    mockHuntFetch({
      'POST /api/detectionrules': () => ({
        status: 400,
        body: { error: { code: 'BadRequest', message: 'the query results lack ReportId' } },
      }),
    });
    const onCreated = vi.fn();
    renderSignedIn(<DetectionRuleDialog query="DeviceEvents | count" onCreated={onCreated} onClose={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Name'), 'Bad');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the query results lack ReportId');
    expect(onCreated).not.toHaveBeenCalled();
  });

  it('refuses malformed technique IDs before sending', async () => {
    const { calls } = mockHuntFetch({});
    renderSignedIn(<DetectionRuleDialog query="DeviceEvents" onCreated={vi.fn()} onClose={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Name'), 'x');
    await userEvent.type(screen.getByLabelText('MITRE techniques'), 'execution');
    await userEvent.click(screen.getByRole('button', { name: 'Create rule' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not MITRE technique IDs: EXECUTION');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
