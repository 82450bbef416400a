// The incident page against a mocked fetch. The cytoscape canvas cannot draw in jsdom, so the
// graph module is replaced by a list of the nodes it is given (the page's own legend, domains,
// timeline and details are the real ones).
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoryGraphProps } from './StoryGraph';
import { fakeFetch, renderApp, type Call } from '../../test/helpers';
import IncidentPage from './IncidentPage';

vi.mock('./StoryGraph', () => ({
  default: ({ story, sources, onSelect }: StoryGraphProps) => (
    <ul data-testid="story-graph">
      {story.nodes.map((n) => (
        <li key={n.id}>
          <button type="button" onClick={() => onSelect(n.id)}>
            node {n.label}
          </button>
          {n.type === 'Alert' && <span> in {sources[n.id.slice('alert:'.length)]}</span>}
        </li>
      ))}
    </ul>
  ),
}));

const ALERTS = [
  ['a1', 'Email', 'Malicious attachment delivered', '2026-11-22T16:50:00Z'],
  ['a2', 'Endpoint', 'Encoded PowerShell', '2026-11-23T09:12:40Z'],
  ['a3', 'Identity', 'Admin account used NTLM', '2026-11-23T10:00:00Z'],
  ['a4', 'CloudApps', 'Mass download from a cloud app', '2026-11-23T13:59:56Z'],
];

function incident(extra: Record<string, unknown> = {}) {
  return {
    incidentId: 7,
    redirectIncidentId: null,
    incidentName: 'Multi-stage incident',
    createdTime: '2026-11-24T07:53:42.4283640Z',
    lastUpdateTime: '2026-11-24T07:53:42.4285480Z',
    assignedTo: null,
    classification: 'Unknown',
    determination: 'NotAvailable',
    status: 'Active',
    severity: 'High',
    tags: ['demo'],
    systemTags: [],
    comments: [{ comment: 'first look done', createdBy: 'bob', createdTime: '2026-11-24T08:00:00Z' }],
    alerts: ALERTS.map(([alertId, serviceSource, title, time]) => ({
      alertId,
      incidentId: 7,
      serviceSource,
      title,
      severity: 'High',
      status: 'New',
      category: 'Execution',
      detectionSource: 'Sigma',
      creationTime: time,
      firstActivity: time,
      lastActivity: time,
      devices: serviceSource === 'Endpoint' ? [{ mdatpDeviceId: 'f'.repeat(40), deviceDnsName: 'ws-0142.contoso.com' }] : [],
      entities: [],
    })),
    ...extra,
  };
}

const STORY = {
  incident: {},
  nodes: [
    ...ALERTS.map(([id, , title]) => ({ id: `alert:${id}`, type: 'Alert', label: title, severity: 'High' })),
    { id: `entity:Machine|${'f'.repeat(40)}`, type: 'Machine', label: 'ws-0142.contoso.com' },
    { id: 'entity:User|jdoe@contoso.com', type: 'User', label: 'jdoe@contoso.com' },
    { id: 'entity:Mailbox|jdoe@contoso.com', type: 'Mailbox', label: 'jdoe@contoso.com' },
    { id: 'entity:CloudApplication|sharepoint', type: 'CloudApplication', label: 'SharePoint Online' },
  ],
  edges: [
    { from: 'alert:a1', to: 'entity:Mailbox|jdoe@contoso.com', relation: 'Impacted' },
    { from: 'alert:a2', to: `entity:Machine|${'f'.repeat(40)}`, relation: 'Impacted' },
    { from: 'alert:a4', to: 'entity:CloudApplication|sharepoint', relation: 'Related' },
    { from: 'alert:a4', to: 'entity:User|jdoe@contoso.com', relation: 'Impacted' },
  ],
  timeline: ALERTS.map(([alertId, source, title, time], i) => ({
    time,
    alertId,
    title,
    severity: 'High',
    category: 'Execution',
    source,
    detectionSource: 'Sigma',
    reason: i === 0 ? 'no related open incident' : `shares account jdoe within ${i}h`,
  })).reverse(),
};

const INVESTIGATION = {
  id: 70,
  incidentId: 7,
  investigationState: 'PendingApproval',
  playbook: 'default',
  startTime: '2026-11-24T07:53:39Z',
  lastUpdateTime: '2026-11-24T07:53:39Z',
  alertIds: ['a1', 'a2', 'a3', 'a4'],
  evidence: [
    { entityKey: 'Mailbox|jdoe@contoso.com', entityType: 'Mailbox', verdict: 'Suspicious', reasons: ['received several threats'] },
    { entityKey: `Machine|${'f'.repeat(40)}`, entityType: 'Machine', verdict: 'Malicious', reasons: ['several high-severity alerts'] },
    { entityKey: 'Url|https://ok.example', entityType: 'Url', verdict: 'NoThreatsFound', reasons: [] },
  ],
  log: [{ time: '2026-11-24T07:53:39Z', message: 'investigation started' }],
};

function action(id: number, extra: Record<string, unknown>) {
  return {
    id,
    type: 'IsolateDevice',
    connector: 'endpoint',
    status: 'Pending',
    approval: 'Pending',
    source: 'Automated device action',
    requestor: 'automation',
    reason: 'Malicious Machine',
    incidentId: 7,
    investigationId: 70,
    createdUs: 1795506822441940,
    updatedUs: 1795506822441940,
    decidedBy: '',
    decisionComment: '',
    resultMessage: '',
    undoOf: 0,
    undoneBy: 0,
    target: { entityType: 'Machine', deviceName: 'ws-0142.contoso.com' },
    ...extra,
  };
}

let calls: Call[];
const answer = (body: unknown) => ({ body });
const brief = ({ method, url, body }: Call) => ({ method, url, body });
let role: string;
let current: Record<string, unknown>;

beforeEach(() => {
  role = 'responder';
  current = incident();
  calls = fakeFetch((call) => {
    const { method, url } = call;
    if (url === '/api/auth/me') return answer({ id: 'u', name: 'rita', role });
    if (url === '/api/incidents/7' && method === 'GET') return answer(current);
    if (url === '/api/incidents/7' && method === 'PATCH') {
      const body = call.body as Record<string, unknown>;
      if (body.comment) {
        current = {
          ...current,
          comments: [...(current.comments as unknown[]), { comment: body.comment, createdBy: 'rita', createdTime: '2026-11-24T09:00:00Z' }],
        };
      }
      current = { ...current, ...Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'comment')) };
      return answer(current);
    }
    if (url === '/api/incidents/7/story') return answer(STORY);
    if (url.startsWith('/api/investigations?')) return answer({ value: [{ ...INVESTIGATION, evidence: undefined }] });
    if (url === '/api/investigations/70') return answer(INVESTIGATION);
    if (url === '/api/actioncenter/pending')
      return answer({ value: [action(37, {}), action(99, { incidentId: 8, type: 'RunAntivirusScan' })] });
    if (url === '/api/actioncenter/history')
      return answer({ value: [action(31, { type: 'DisableUser', status: 'Succeeded', approval: 'Approved', target: { entityType: 'User', accountName: 'jdoe' } })] });
    if (method === 'POST' && url.startsWith('/api/actions/')) return answer({});
    return { status: 404, body: { error: { code: 'NotFound', message: `no route ${url}` } } };
  }).calls;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderPage(path = '/incidents/7') {
  return renderApp(<IncidentPage />, { path, pattern: '/incidents/:id' });
}

describe('incident page', () => {
  it('shows the header and keyboard-reachable tabs', async () => {
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: 'Multi-stage incident' })).toBeInTheDocument();
    const tablist = screen.getByRole('tablist');
    const tabs = within(tablist).getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Attack story', 'Alerts4', 'Assets', 'Evidence & response', 'Comments1']);
    expect(tabs[0]).toHaveAttribute('aria-selected', 'true');
    tabs[0].focus();
    await user.keyboard('{ArrowRight}');
    expect(within(tablist).getByRole('tab', { name: /Alerts/ })).toHaveAttribute('aria-selected', 'true');
    expect(within(tablist).getByRole('tab', { name: /Alerts/ })).toHaveFocus();
    const panel = screen.getByRole('tabpanel');
    expect(within(panel).getByRole('link', { name: 'Encoded PowerShell' })).toHaveAttribute('href', '/alerts/a2');
  });

  it('draws the story with the four domains, a time-ordered timeline and node details', async () => {
    const user = userEvent.setup();
    renderPage();
    const domains = await screen.findByTestId('story-domains');
    for (const d of ['Endpoint', 'Identity', 'Email', 'CloudApps']) expect(within(domains).getByText(d)).toBeInTheDocument();
    expect(within(screen.getByTestId('story-graph')).getByText('in CloudApps')).toBeInTheDocument();

    const timeline = screen.getByRole('region', { name: 'Timeline' });
    const titles = within(timeline).getAllByRole('button').map((b) => b.textContent);
    expect(titles).toEqual(ALERTS.map((a) => a[2]));
    expect(within(timeline).getByText('shares account jdoe within 3h')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'node SharePoint Online' }));
    const details = screen.getAllByRole('region', { name: 'Selected node' })[0];
    expect(within(details).getByText('Cloud app')).toBeInTheDocument();
    expect(within(details).getByRole('button', { name: /Mass download from a cloud app/ })).toBeInTheDocument();
  });

  it('lists the assets with links to devices and users', async () => {
    const user = userEvent.setup();
    renderPage('/incidents/7?tab=assets');
    await screen.findByRole('heading', { name: /Devices/ });
    await waitFor(() => expect(screen.getByRole('link', { name: 'ws-0142.contoso.com' })).toHaveAttribute('href', `/devices/${'f'.repeat(40)}`));
    expect(screen.getByRole('link', { name: 'jdoe@contoso.com' })).toHaveAttribute('href', '/users/jdoe%40contoso.com');
    expect(screen.getByText('SharePoint Online')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Attack story' }));
    expect(screen.getByTestId('story-graph')).toBeInTheDocument();
  });

  it('shows evidence verdicts and approves an action after confirming', async () => {
    const user = userEvent.setup();
    renderPage('/incidents/7?tab=evidence');
    const evidence = await screen.findByRole('table', { name: 'Evidence' });
    const rows = within(evidence).getAllByRole('row').slice(1);
    // most severe first, with the story's names for the entities
    expect(rows.map((r) => within(r).getAllByText(/Malicious|Suspicious|NoThreatsFound/)[0].textContent)).toEqual([
      'Malicious',
      'Suspicious',
      'NoThreatsFound',
    ]);
    expect(within(rows[0]).getByText('ws-0142.contoso.com')).toBeInTheDocument();
    expect(within(rows[1]).getByText('received several threats')).toBeInTheDocument();

    const waiting = await screen.findByRole('table', { name: 'Actions awaiting approval' });
    // only this incident's actions
    expect(within(waiting).getAllByRole('row')).toHaveLength(2);
    const history = screen.getByRole('table', { name: 'Action history' });
    expect(within(history).getByRole('button', { name: 'Undo' })).toBeInTheDocument();

    await user.click(within(waiting).getByRole('button', { name: 'Approve' }));
    const dialog = screen.getByRole('dialog', { name: 'Approve action 37?' });
    await user.type(within(dialog).getByLabelText(/Comment/), 'go ahead');
    await user.click(within(dialog).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'POST').map(brief)).toEqual([
      { method: 'POST', url: '/api/actions/37/approve', body: { comment: 'go ahead' } },
    ]);
    expect(await screen.findByText(/Action 37 \(Isolate device on ws-0142.contoso.com\) approved/)).toBeInTheDocument();
    // refreshed after the decision
    await waitFor(() => expect(calls.filter((c) => c.url === '/api/actioncenter/pending')).toHaveLength(2));
  });

  it('cancelling the dialog sends nothing', async () => {
    const user = userEvent.setup();
    renderPage('/incidents/7?tab=evidence');
    const waiting = await screen.findByRole('table', { name: 'Actions awaiting approval' });
    await user.click(within(waiting).getByRole('button', { name: 'Reject' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('hides the decisions from an analyst', async () => {
    role = 'analyst';
    renderPage('/incidents/7?tab=evidence');
    await screen.findByRole('table', { name: 'Actions awaiting approval' });
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
    expect(screen.getByText(/needs the responder role/)).toBeInTheDocument();
  });

  it('adds a comment', async () => {
    const user = userEvent.setup();
    renderPage('/incidents/7?tab=comments');
    await screen.findByText('first look done');
    await user.type(await screen.findByLabelText('New comment'), 'isolated the host');
    await user.click(screen.getByRole('button', { name: 'Add comment' }));
    expect(await screen.findByText('isolated the host')).toBeInTheDocument();
    expect(brief(calls.find((c) => c.method === 'PATCH')!)).toEqual({
      method: 'PATCH',
      url: '/api/incidents/7',
      body: { comment: 'isolated the host' },
    });
  });

  it('saves status, assignment and classification in one PATCH', async () => {
    const user = userEvent.setup();
    renderPage();
    const form = await screen.findByRole('form', { name: 'Manage incident' });
    await user.selectOptions(within(form).getByLabelText('Status'), 'InProgress');
    await user.click(within(form).getByRole('button', { name: 'Me' }));
    await user.selectOptions(within(form).getByLabelText('Classification'), 'TruePositive');
    await user.selectOptions(within(form).getByLabelText('Determination'), 'Phishing');
    await user.click(within(form).getByRole('button', { name: 'Save' }));
    await within(form).findByText('Saved.');
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      status: 'InProgress',
      assignedTo: 'rita',
      classification: 'TruePositive',
      determination: 'Phishing',
    });
  });

  it('links a redirected incident to its target', async () => {
    current = incident({ status: 'Redirected', redirectIncidentId: 9, alerts: [] });
    renderPage();
    const banner = await screen.findByRole('note');
    expect(within(banner).getByRole('link', { name: 'incident 9' })).toHaveAttribute('href', '/incidents/9');
    expect(screen.queryByRole('form', { name: 'Manage incident' })).not.toBeInTheDocument();
  });
});
