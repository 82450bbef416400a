import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AlertsPage from './AlertsPage';
import { buildAlertFilter, EMPTY_FILTERS, label } from './model';
import { sampleAlert } from '../../test/fixtures';
import { renderAs, reply, type Call } from '../../test/helpers';

const alert = sampleAlert;

const lastList = (calls: Call[]) => calls.filter((c) => c.method === 'GET' && c.path === '/api/alerts').at(-1)!;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('alert filters', () => {
  it('builds the OData filter from every filter', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const filter = buildAlertFilter(
      { ...EMPTY_FILTERS, status: 'InProgress', severity: 'High', source: 'Sigma', category: 'Execution', assigned: "o'brien", range: '7d', search: 'mimikatz' },
      'alice',
      now,
    );
    expect(filter).toBe(
      "status eq 'InProgress' and severity eq 'High' and detectionSource eq 'Sigma' and category eq 'Execution'" +
        " and assignedTo eq 'o''brien' and alertCreationTime ge 2026-11-17T12:00:00Z and contains(title,'mimikatz')",
    );
    expect(buildAlertFilter({ ...EMPTY_FILTERS, range: '', assigned: '@none' }, 'alice')).toBe('assignedTo eq null');
    expect(buildAlertFilter({ ...EMPTY_FILTERS, range: '', assigned: '@me' }, 'alice')).toBe("assignedTo eq 'alice'");
  });

  it('reads a custom range in the local zone and sends UTC', () => {
    const from = '2026-11-20T08:30';
    const filter = buildAlertFilter({ ...EMPTY_FILTERS, range: 'custom', from, to: '' }, undefined);
    expect(filter).toBe(`alertCreationTime ge ${new Date(from).toISOString().replace('.000Z', 'Z')}`);
  });

  it('labels enum spellings', () => {
    expect(label('CredentialAccess')).toBe('Credential access');
    expect(label('customDetection')).toBe('Custom detection');
    expect(label('InProgress')).toBe('In progress');
  });
});

describe('AlertsPage', () => {
  it('sends the filters, sort and paging to the server', async () => {
    const { calls } = await renderAs(
      'analyst',
      <AlertsPage />,
      { 'GET /api/alerts': (c: Call) => ({ value: [alert('a1')], '@odata.count': 60, _skip: c.params.get('$skip') }) },
      { path: '/alerts', pattern: '/alerts' },
    );
    await screen.findByText('Alert a1');
    let call = lastList(calls);
    expect(call.params.get('$orderby')).toBe('alertCreationTime desc');
    expect(call.params.get('$top')).toBe('25');
    expect(call.params.get('$count')).toBe('true');
    expect(call.params.get('$filter')).toMatch(/^alertCreationTime ge \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'InProgress' } });
    fireEvent.change(screen.getByLabelText('Severity'), { target: { value: 'High' } });
    fireEvent.change(screen.getByLabelText('Detection source'), { target: { value: 'customDetection' } });
    fireEvent.change(screen.getByLabelText('Category'), { target: { value: 'Execution' } });
    fireEvent.change(screen.getByLabelText('Assigned to'), { target: { value: '@me' } });
    fireEvent.change(screen.getByLabelText('Created'), { target: { value: '' } });
    await waitFor(() =>
      expect(lastList(calls).params.get('$filter')).toBe(
        "status eq 'InProgress' and severity eq 'High' and detectionSource eq 'customDetection' and category eq 'Execution' and assignedTo eq 'alice'",
      ),
    );

    fireEvent.click(screen.getByRole('button', { name: /^Title/ }));
    await waitFor(() => expect(lastList(calls).params.get('$orderby')).toBe('title desc,alertCreationTime desc'));
    fireEvent.click(screen.getByRole('button', { name: /^Title/ }));
    await waitFor(() => expect(lastList(calls).params.get('$orderby')).toBe('title asc,alertCreationTime desc'));

    await screen.findByText(/1–1 of 60/);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(lastList(calls).params.get('$skip')).toBe('25'));
    call = lastList(calls);
    expect(call.params.get('$orderby')).toBe('title asc,alertCreationTime desc');
  });

  it('updates the selected alerts in one batch', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'analyst',
      <AlertsPage />,
      {
        'GET /api/alerts': { value: [alert('a1'), alert('a2'), alert('a3')], '@odata.count': 3 },
        'POST /api/alerts/batchUpdate': { value: [] },
      },
      { path: '/alerts', pattern: '/alerts' },
    );
    await screen.findByText('Alert a1');
    await user.click(screen.getByRole('checkbox', { name: 'Select a1' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select a3' }));
    const bar = screen.getByRole('region', { name: 'Update selected alerts' });
    expect(within(bar).getByText('2 selected')).toBeInTheDocument();
    await user.selectOptions(within(bar).getByLabelText('Status'), 'Resolved');
    await user.click(within(bar).getByRole('button', { name: 'Me' }));
    await user.selectOptions(within(bar).getByLabelText('Classification'), 'TruePositive');
    await user.selectOptions(within(bar).getByLabelText('Determination'), 'Malware');
    await user.click(within(bar).getByRole('button', { name: 'Apply' }));
    await screen.findByText('Updated 2 alerts.');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/alerts/batchUpdate');
    expect(post.body).toEqual({
      alertIds: ['a1', 'a3'],
      status: 'Resolved',
      assignedTo: 'alice',
      classification: 'TruePositive',
      determination: 'Malware',
    });
  });

  it('shows no selection for viewers and opens a row with Enter', async () => {
    await renderAs('viewer', <AlertsPage />, { 'GET /api/alerts': { value: [alert('a1')] } }, { path: '/alerts', pattern: '/alerts' });
    await screen.findByText('Alert a1');
    expect(screen.queryByRole('checkbox')).toBeNull();
    const row = screen.getAllByRole('row')[1];
    expect(within(row).getByRole('link', { name: '#7' })).toHaveAttribute('href', '/incidents/7');
    expect(within(row).getByRole('link', { name: 'srv-sql01.contoso.com' })).toHaveAttribute('href', '/devices/m1');
    expect(within(row).getByText('CONTOSO\\adm-mchen')).toBeInTheDocument();
    fireEvent.keyDown(row, { key: 'Enter' });
    await screen.findByText('elsewhere');
  });

  it('says so when nothing matches and when the server fails', async () => {
    await renderAs(
      'analyst',
      <AlertsPage />,
      {
        'GET /api/alerts': (c: Call) =>
          c.params.get('$filter')?.includes('severity')
            ? reply(400, { error: { code: 'BadRequest', message: 'bad filter at 1:3' } })
            : { value: [] },
      },
      { path: '/alerts', pattern: '/alerts' },
    );
    await screen.findByText('No alerts match these filters.');
    fireEvent.change(screen.getByLabelText('Severity'), { target: { value: 'Low' } });
    expect(await screen.findByRole('alert')).toHaveTextContent('bad filter at 1:3');
  });
});
