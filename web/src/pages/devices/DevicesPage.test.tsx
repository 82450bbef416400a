import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import DevicesPage from './DevicesPage';
import { DEFAULT_DEVICE_FILTERS, machinesPath } from './deviceModel';
import { mockFetch, renderPage } from '../../test/helpers';

const machine = (id: string, name: string, risk = 'None') => ({
  id,
  computerDnsName: name,
  firstSeen: '2026-10-01T00:00:00.0000000Z',
  lastSeen: '2026-11-20T10:00:00.0000000Z',
  osPlatform: 'Windows11',
  osBuild: 22631,
  version: '10.0',
  lastIpAddress: '10.0.0.5',
  lastExternalIpAddress: '198.51.100.7',
  healthStatus: 'Active',
  rbacGroupName: 'Workstations',
  riskScore: risk,
  exposureLevel: 'Low',
  machineTags: [],
  ipAddresses: [{ ipAddress: '10.0.0.6', type: 'Ethernet' }],
});

afterEach(() => vi.unstubAllGlobals());

describe('machinesPath', () => {
  it('turns the filters into OData', () => {
    const path = decodeURIComponent(
      machinesPath({ ...DEFAULT_DEVICE_FILTERS, text: " o'brien ", risk: 'High', health: 'Inactive', page: 2 }),
    );
    expect(path).toContain("$filter=contains(computerDnsName,'o''brien') and riskScore eq 'High' and healthStatus eq 'Inactive'");
    expect(path).toContain('$orderby=lastSeen desc');
    expect(path).toContain('$top=50');
    expect(path).toContain('$skip=100');
    expect(path).toContain('$count=true');
  });

  it('sends no $filter and no $skip without filters on the first page', () => {
    const path = machinesPath(DEFAULT_DEVICE_FILTERS);
    expect(path).not.toContain('$filter');
    expect(path).not.toContain('$skip');
  });
});

describe('DevicesPage', () => {
  it('lists devices and sends the name, risk and health filters to the server', async () => {
    const { calls } = mockFetch({
      'GET /api/machines': (call) => ({
        body: {
          value: call.url.includes('srv')
            ? [machine('m2', 'srv-sql01.contoso.com', 'High')]
            : [machine('m1', 'ws-0101.contoso.com'), machine('m2', 'srv-sql01.contoso.com', 'High')],
          '@odata.count': call.url.includes('srv') ? 1 : 2,
        },
      }),
    });
    renderPage(<DevicesPage />, { path: '/devices', pattern: '/devices' });
    expect(await screen.findByText('ws-0101.contoso.com')).toBeInTheDocument();
    expect(screen.getAllByText(/10\.0\.0\.5, 10\.0\.0\.6, 198\.51\.100\.7/)).toHaveLength(2);

    await userEvent.type(screen.getByLabelText('Device name'), 'srv');
    await waitFor(() => expect(calls.at(-1)!.url).toContain("contains(computerDnsName,'srv')"));
    await userEvent.selectOptions(screen.getByLabelText('Risk level'), 'High');
    await userEvent.selectOptions(screen.getByLabelText('Health'), 'Active');
    await waitFor(() =>
      expect(calls.at(-1)!.url).toContain(
        "$filter=contains(computerDnsName,'srv') and riskScore eq 'High' and healthStatus eq 'Active'",
      ),
    );
    expect(await screen.findByText('1 devices')).toBeInTheDocument();
    expect(screen.queryByText('ws-0101.contoso.com')).not.toBeInTheDocument();
  });

  it('sorts on the server and opens a device with Enter', async () => {
    const { calls } = mockFetch({
      'GET /api/machines': { body: { value: [machine('m1', 'ws-0101.contoso.com')], '@odata.count': 1 } },
    });
    renderPage(<DevicesPage />, { path: '/devices', pattern: '/devices' });
    await screen.findByText('ws-0101.contoso.com');
    await userEvent.click(screen.getByRole('button', { name: /Device name/ }));
    await waitFor(() => expect(calls.at(-1)!.url).toContain('$orderby=computerDnsName desc'));
    const row = screen.getByText('ws-0101.contoso.com').closest('tr')!;
    row.focus();
    await userEvent.keyboard('{Enter}');
    expect(screen.getByTestId('location')).toHaveTextContent('/devices/m1');
  });

  it('shows the server error', async () => {
    mockFetch({ 'GET /api/machines': { status: 400, body: { error: { code: 'BadRequest', message: 'bad $filter at 12' } } } });
    renderPage(<DevicesPage />, { path: '/devices', pattern: '/devices' });
    expect(await screen.findByRole('alert')).toHaveTextContent('bad $filter at 12');
  });
});
