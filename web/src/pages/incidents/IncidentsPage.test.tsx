// The incident queue against a mocked fetch: which OData request each filter and sort sends,
// and that bulk classify PATCHes every selected incident and reports failures.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, renderApp, type Call } from '../../test/helpers';
import IncidentsPage from './IncidentsPage';
import { buildFilter, DEFAULT_FILTERS } from './model';

function incident(id: number, extra: Record<string, unknown> = {}) {
  return {
    incidentId: id,
    redirectIncidentId: null,
    incidentName: `Incident number ${id}`,
    createdTime: '2026-11-20T10:00:00.0000000Z',
    lastUpdateTime: '2026-11-21T10:00:00.0000000Z',
    assignedTo: null,
    classification: 'Unknown',
    determination: 'NotAvailable',
    status: 'Active',
    severity: 'High',
    tags: [],
    systemTags: [],
    comments: [],
    alerts: [{ alertId: `a${id}`, serviceSource: 'Endpoint' }],
    ...extra,
  };
}

let calls: Call[];
let list: unknown[];
let failPatch: Set<number>;
let count: number | undefined;

beforeEach(() => {
  failPatch = new Set();
  count = undefined;
  list = [
    incident(3),
    incident(2, { alerts: [{ alertId: 'm', serviceSource: 'Email' }], severity: 'Medium' }),
    incident(1, { alerts: [{ alertId: 'x', serviceSource: 'Identity' }, { alertId: 'y', serviceSource: 'CloudApps' }] }),
  ];
  calls = fakeFetch(({ method, url }) => {
    if (url === '/api/auth/me') return { body: { id: 'u1', name: 'alice', role: 'analyst' } };
    if (method === 'PATCH') {
      const id = Number(url.split('/').pop());
      if (failPatch.has(id)) return { status: 400, body: { error: { code: 'InvalidRequestBody', message: `incident ${id} refused` } } };
      return { body: incident(id) };
    }
    if (url.startsWith('/api/incidents')) return { body: { value: list, '@odata.count': count ?? list.length } };
    return { status: 404, body: { error: { code: 'NotFound', message: 'no route' } } };
  }).calls;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderQueue(path = '/incidents') {
  return renderApp(<IncidentsPage />, { path, pattern: '/incidents', routes: { '/incidents/:id': <p>incident page</p> } });
}

const listCalls = () => calls.filter((c) => c.method === 'GET' && c.url.startsWith('/api/incidents'));
const lastQuery = () => listCalls().at(-1)!.params;

describe('incident queue', () => {
  it('asks the server for the first page, hiding redirected incidents, newest update first', async () => {
    renderQueue();
    await screen.findByText('Incident number 3');
    const q = lastQuery();
    expect(q.get('$filter')).toBe("status in ('Active','InProgress','Resolved')");
    expect(q.get('$orderby')).toBe('lastUpdateTime desc');
    expect(q.get('$top')).toBe('25');
    expect(q.get('$count')).toBe('true');
    expect(q.get('$expand')).toBe('alerts');
    expect(q.get('$skip')).toBeNull();
    expect(screen.getByText('3 incidents')).toBeInTheDocument();
  });

  it('turns the filters into $filter clauses', async () => {
    const user = userEvent.setup();
    renderQueue();
    await screen.findByText('Incident number 3');
    const filters = screen.getByRole('search', { name: 'Filter incidents' });

    await user.click(within(filters).getByRole('button', { name: 'Resolved' }));
    await waitFor(() => expect(lastQuery().get('$filter')).toBe("status in ('Active','InProgress')"));

    await user.click(within(filters).getByRole('button', { name: 'High' }));
    await waitFor(() => expect(lastQuery().get('$filter')).toBe("status in ('Active','InProgress') and severity eq 'High'"));

    await user.type(within(filters).getByLabelText('Assigned to'), "o'brien{Enter}");
    await waitFor(() => expect(lastQuery().get('$filter')).toContain("contains(assignedTo,'o''brien')"));

    await user.selectOptions(within(filters).getByLabelText('Last update'), '7d');
    await waitFor(() => expect(lastQuery().get('$filter')).toMatch(/ and lastUpdateTime gt \d{4}-\d\d-\d\dT[\d:.]+Z$/));
  });

  it("reads 'unassigned' as assignedTo eq null", () => {
    expect(buildFilter({ ...DEFAULT_FILTERS, statuses: [], assignee: 'Unassigned' })).toBe('assignedTo eq null');
    const since = buildFilter({ ...DEFAULT_FILTERS, statuses: [], range: '24h' }, new Date('2026-11-24T12:00:00Z'));
    expect(since).toBe('lastUpdateTime gt 2026-11-23T12:00:00.000Z');
  });

  it('sorts and pages on the server', async () => {
    const user = userEvent.setup();
    list = Array.from({ length: 25 }, (_, i) => incident(100 - i));
    count = 60;
    renderQueue();
    await screen.findByText('Incident number 100');
    await user.click(screen.getByRole('button', { name: 'Id' }));
    await waitFor(() => expect(lastQuery().get('$orderby')).toBe('incidentId desc'));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(lastQuery().get('$skip')).toBe('25'));
    expect(lastQuery().get('$orderby')).toBe('incidentId desc');
    await user.selectOptions(screen.getByLabelText('Per page'), '50');
    await waitFor(() => expect(lastQuery().get('$top')).toBe('50'));
    expect(lastQuery().get('$skip')).toBeNull();
  });

  it('filters by domain in the browser over all matching incidents', async () => {
    const user = userEvent.setup();
    renderQueue();
    await screen.findByText('Incident number 3');
    await user.click(screen.getByRole('button', { name: 'Email' }));
    await waitFor(() => expect(screen.queryByText('Incident number 3')).not.toBeInTheDocument());
    expect(screen.getByText('Incident number 2')).toBeInTheDocument();
    expect(screen.queryByText('Incident number 1')).not.toBeInTheDocument();
    // read in server pages of 100 (the server's maximum)
    expect(lastQuery().get('$top')).toBe('100');
  });

  it('opens an incident with Enter on its row', async () => {
    const user = userEvent.setup();
    renderQueue();
    const name = await screen.findByText('Incident number 2');
    name.closest('tr')!.focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByText('incident page')).toBeInTheDocument();
  });

  it('classifies the selected incidents with one PATCH each and lists failures', async () => {
    const user = userEvent.setup();
    failPatch.add(1);
    renderQueue();
    await screen.findByText('Incident number 3');
    await user.click(screen.getByRole('checkbox', { name: 'Select 3' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select 1' }));
    const bar = screen.getByRole('region', { name: 'Bulk actions' });
    expect(within(bar).getByText('2 incidents selected')).toBeInTheDocument();

    await user.selectOptions(within(bar).getByLabelText('Classification'), 'TruePositive');
    await user.selectOptions(within(bar).getByLabelText('Determination'), 'Malware');
    await user.click(within(bar).getByRole('button', { name: 'Classify' }));

    const status = await screen.findByRole('region', { name: 'Bulk update' });
    await within(status).findByText(/2 of 2 done, 1 failed/);
    const patches = calls.filter((c) => c.method === 'PATCH');
    expect(patches.map((p) => p.url).sort()).toEqual(['/api/incidents/1', '/api/incidents/3']);
    for (const p of patches) expect(p.body).toEqual({ classification: 'TruePositive', determination: 'Malware' });
    expect(within(status).getByText(/incident 1 refused/)).toBeInTheDocument();
    // the failed one stays selected for another try
    expect(screen.getByRole('checkbox', { name: 'Select 1' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Select 3' })).not.toBeChecked();
  });

  it('assigns the selection to the signed-in user', async () => {
    const user = userEvent.setup();
    renderQueue();
    await screen.findByText('Incident number 2');
    await user.click(screen.getByRole('checkbox', { name: 'Select 2' }));
    await user.click(screen.getByRole('button', { name: 'Assign to me' }));
    await screen.findByText(/1 of 1 done, all succeeded/);
    expect(calls.filter((c) => c.method === 'PATCH').map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: 'PATCH', url: '/api/incidents/2', body: { assignedTo: 'alice' } },
    ]);
  });
});

describe('incident queue for a viewer', () => {
  it('offers no selection or bulk actions', async () => {
    fakeFetch(({ url }) =>
      url === '/api/auth/me' ? { body: { id: 'v', name: 'victor', role: 'viewer' } } : { body: { value: list, '@odata.count': list.length } },
    );
    renderQueue();
    await screen.findByText('Incident number 3');
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });
});
