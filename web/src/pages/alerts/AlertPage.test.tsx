import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import AlertPage from './AlertPage';
import { mitreUrl } from './model';
import { sampleAlert } from '../../test/fixtures';
import { renderAs } from '../../test/helpers';

const base = sampleAlert('va1', {
  detectorId: 'sigma-123',
  title: 'LSASS memory read',
  description: 'A process read the memory of lsass.exe.',
  lastEventTime: '2026-11-23T14:00:56.0000000Z',
  mitreTechniques: ['T1003.001'],
  comments: [{ comment: 'looking', createdBy: 'bob', createdTime: '2026-11-24T08:00:00Z' }],
});

const incident = {
  incidentId: 7,
  alerts: [
    {
      alertId: 'va1',
      entities: [
        { entityType: 'Process', fileName: 'procdump.exe', processId: 4242, processCommandLine: 'procdump -ma lsass.exe', sha1: null },
        { entityType: 'Ip', ipAddress: '10.0.0.5' },
      ],
    },
  ],
};

afterEach(() => vi.unstubAllGlobals());

const at = { path: '/alerts/va1', pattern: '/alerts/:id' };

describe('AlertPage', () => {
  it('shows the Sigma rule with its author and a safe reference link, and the raw event', async () => {
    await renderAs(
      'viewer',
      <AlertPage />,
      {
        'GET /api/alerts/va1': {
          ...base,
          detectionRule: {
            id: 'sigma-123',
            title: 'LSASS Memory Dump',
            author: 'Florian Roth',
            link: 'https://github.com/SigmaHQ/sigma/blob/master/rules/windows/x.yml',
            license: 'DRL-1.1',
            kind: 'sigma',
          },
          sourceEvent: {
            table: 'DeviceProcessEvents',
            reportId: 991,
            time: '2026-11-23T13:59:56Z',
            raw: { DeviceName: 'srv-sql01', ProcessId: 4242, AdditionalFields: { a: 1 }, Empty: null },
          },
        },
        'GET /api/incidents/7': incident,
      },
      at,
    );
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('LSASS memory read');
    const rule = screen.getByRole('region', { name: 'Detection rule' });
    expect(within(rule).getByText('Florian Roth')).toBeInTheDocument();
    expect(within(rule).getByText('DRL-1.1')).toBeInTheDocument();
    const link = within(rule).getByRole('link', { name: 'Sigma rule reference' });
    expect(link).toHaveAttribute('href', 'https://github.com/SigmaHQ/sigma/blob/master/rules/windows/x.yml');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(link).toHaveAttribute('target', '_blank');

    const raw = screen.getByRole('region', { name: 'Source event' });
    expect(within(raw).getByText('DeviceProcessEvents')).toBeInTheDocument();
    expect(within(raw).getByText('991')).toBeInTheDocument();
    const table = within(raw).getByRole('table', { name: 'Raw event' });
    expect(within(table).getByRole('rowheader', { name: 'ProcessId' })).toBeInTheDocument();
    expect(within(table).getByText('{"a":1}')).toBeInTheDocument();
    fireEvent.click(within(raw).getByRole('button', { name: 'Show JSON' }));
    expect(within(raw).getByLabelText('Raw event JSON').textContent).toContain('"ProcessId": 4242');

    // evidence from the incident
    const evidence = screen.getByRole('region', { name: 'Evidence' });
    await within(evidence).findByText('procdump.exe');
    expect(within(evidence).getByText('10.0.0.5')).toBeInTheDocument();

    // links
    expect(screen.getAllByRole('link', { name: 'srv-sql01.contoso.com' })[0]).toHaveAttribute('href', '/devices/m1');
    expect(screen.getByRole('link', { name: 'T1003.001' })).toHaveAttribute('href', 'https://attack.mitre.org/techniques/T1003/001/');
    // a viewer cannot edit
    expect(screen.getByLabelText('Status')).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Add comment' })).toBeNull();
  });

  it('copes without detectionRule and sourceEvent, and refuses non-http rule links', async () => {
    await renderAs(
      'analyst',
      <AlertPage />,
      {
        'GET /api/alerts/va1': { ...base, incidentId: null, detectionRule: { title: 'X', kind: 'custom', link: 'javascript:alert(1)' } },
      },
      at,
    );
    const rule = screen.getByRole('region', { name: 'Detection rule' });
    expect(within(rule).queryByRole('link')).toBeNull();
    expect(screen.getByText('The event that raised this alert is not available.')).toBeInTheDocument();
    // evidence from the alert's own fields
    const evidence = screen.getByRole('region', { name: 'Evidence' });
    expect(within(evidence).getByRole('link', { name: 'srv-sql01.contoso.com' })).toBeInTheDocument();
    expect(within(evidence).getByText('CONTOSO\\adm-mchen')).toBeInTheDocument();
  });

  it('says when the rule is missing entirely', async () => {
    await renderAs('analyst', <AlertPage />, { 'GET /api/alerts/va1': { ...base, incidentId: null } }, at);
    expect(screen.getByText(/No rule details for this alert \(detector sigma-123\)/)).toBeInTheDocument();
  });

  it('patches only what changed, and adds comments', async () => {
    const user = userEvent.setup();
    const { calls } = await renderAs(
      'analyst',
      <AlertPage />,
      { 'GET /api/alerts/va1': base, 'GET /api/incidents/7': incident, 'PATCH /api/alerts/va1': base },
      at,
    );
    await user.selectOptions(screen.getByLabelText('Status'), 'InProgress');
    await user.click(screen.getByRole('button', { name: 'Me' }));
    await user.selectOptions(screen.getByLabelText('Classification'), 'FalsePositive');
    await user.selectOptions(screen.getByLabelText('Determination'), 'Clean');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      status: 'InProgress',
      assignedTo: 'alice',
      classification: 'FalsePositive',
      determination: 'Clean',
    });

    await user.type(screen.getByLabelText('New comment'), 'benign admin tool');
    await user.click(screen.getByRole('button', { name: 'Add comment' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'PATCH')[1].body).toEqual({ comment: 'benign admin tool' });
    expect(screen.getByText('looking')).toBeInTheDocument();
  });

  it('shows an error for an unknown alert', async () => {
    await renderAs('viewer', <AlertPage />, {}, { path: '/alerts/nope', pattern: '/alerts/:id' });
    expect(await screen.findByRole('alert')).toHaveTextContent('404');
  });

  it('builds MITRE links', () => {
    expect(mitreUrl('T1566')).toBe('https://attack.mitre.org/techniques/T1566/');
    expect(mitreUrl('bogus')).toBeNull();
  });
});
