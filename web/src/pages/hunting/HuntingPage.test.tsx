// The page without Monaco (it cannot run in jsdom): QueryEditor is replaced by a text area that
// receives the same props, so the run, error, cancel, chart and save flows can be checked.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockHuntFetch, renderSignedIn } from '../../test/helpers';
import type { QueryEditorProps } from './QueryEditor';
import HuntingPage from './HuntingPage';

const editorProps: { current: QueryEditorProps | null } = { current: null };

vi.mock('./QueryEditor', () => ({
  default: (props: QueryEditorProps) => {
    editorProps.current = props;
    return <textarea aria-label="Query text" value={props.value} onChange={(e) => props.onChange(e.target.value)} />;
  },
}));

// chart.js needs a canvas context jsdom does not have; the chart itself is covered by chartData tests
vi.mock('./ResultsChart', () => ({
  ResultsChart: ({ kind }: { kind: string }) => <div data-testid="hunting-chart">{kind}</div>,
}));

const timechart = {
  Schema: [
    { Name: 'Timestamp', Type: 'datetime' },
    { Name: 'count_', Type: 'long' },
  ],
  Results: [
    { Timestamp: '2026-11-01T00:00:00.0000000Z', count_: 5 },
    { Timestamp: '2026-11-02T00:00:00.0000000Z', count_: 7 },
  ],
  Stats: { ElapsedMs: 1.5, RowsReturned: 2, Truncated: false },
  Render: { Kind: 'timechart' },
};

beforeEach(() => {
  localStorage.clear();
  editorProps.current = null;
});
afterEach(() => vi.unstubAllGlobals());

async function typeQuery(text: string) {
  const area = await screen.findByLabelText('Query text');
  fireEvent.change(area, { target: { value: text } });
}

describe('HuntingPage', () => {
  it('runs the query and shows a chart for render timechart, with a table toggle', async () => {
    const { calls } = mockHuntFetch({ 'POST /api/advancedhunting/run': () => ({ body: timechart }) });
    renderSignedIn(<HuntingPage />);
    await typeQuery('DeviceProcessEvents | summarize count() by bin(Timestamp, 1d) | render timechart');
    await userEvent.click(screen.getByRole('button', { name: 'Run query' }));
    expect(await screen.findByTestId('hunting-chart')).toHaveTextContent('timechart');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      Query: 'DeviceProcessEvents | summarize count() by bin(Timestamp, 1d) | render timechart',
    });
    expect(screen.getByText('1.5 ms')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Table' }));
    expect(screen.getByRole('table', { name: 'Query results' })).toBeInTheDocument();
  });

  it('runs from the editor shortcut and warns about truncated results', async () => {
    mockHuntFetch({
      'POST /api/advancedhunting/run': () => ({
        body: { Schema: [{ Name: 'x', Type: 'string' }], Results: [{ x: 'a' }], Stats: { ElapsedMs: 3, RowsReturned: 1, Truncated: true } },
      }),
    });
    renderSignedIn(<HuntingPage />);
    await typeQuery('T | take 1');
    await waitFor(() => expect(editorProps.current).not.toBeNull());
    act(() => editorProps.current!.onRun());
    expect(await screen.findByText(/results were truncated/)).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Query results' })).toBeInTheDocument();
  });

  it('shows a query error with its position and hands the position to the editor', async () => {
    mockHuntFetch({
      'POST /api/advancedhunting/run': () => ({
        status: 400,
        body: { error: { code: 'BadRequest', message: "Query failed: KQL0101 at line 2:9: unknown name 'Foo'" } },
      }),
    });
    renderSignedIn(<HuntingPage />);
    await typeQuery('DeviceProcessEvents\n| where Foo == 1');
    await userEvent.click(screen.getByRole('button', { name: 'Run query' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Line 2, column 9');
    expect(alert).toHaveTextContent("unknown name 'Foo'");
    await waitFor(() => expect(editorProps.current?.serverError).toMatchObject({ line: 2, column: 9 }));
  });

  it('cancels a running query', async () => {
    mockHuntFetch({ 'POST /api/advancedhunting/run': () => new Promise(() => {}) });
    renderSignedIn(<HuntingPage />);
    await typeQuery('DeviceProcessEvents');
    await userEvent.click(screen.getByRole('button', { name: 'Run query' }));
    expect(await screen.findByText(/Running the query/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('Query cancelled.')).toBeInTheDocument();
  });

  it('saves the query as a new saved query and reloads the list', async () => {
    const saved: object[] = [];
    const { calls } = mockHuntFetch({
      'GET /api/hunting/queries': () => ({ body: { value: saved } }),
      'POST /api/hunting/queries': (c) => {
        const item = { id: 'n1', owner: 'alice', ...(c.body as object) };
        saved.push(item);
        return { status: 201, body: item };
      },
    });
    renderSignedIn(<HuntingPage />);
    await typeQuery('EmailEvents | take 5');
    await userEvent.click(await screen.findByRole('button', { name: 'Save as' }));
    const dialog = screen.getByRole('dialog', { name: 'Save query as' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Mail sample');
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Shared/ }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Saved “Mail sample”.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      name: 'Mail sample',
      query: 'EmailEvents | take 5',
      description: '',
      shared: true,
    });
    expect(await screen.findByRole('button', { name: /^Mail sample/ })).toBeInTheDocument();
  });

  it('lets viewers save their own queries but not create detection rules', async () => {
    mockHuntFetch({}, { id: 'v', name: 'val', role: 'viewer' });
    renderSignedIn(<HuntingPage />);
    await screen.findByLabelText('Query text');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Run query' })).toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument());
    expect(screen.queryByRole('button', { name: 'Create detection rule' })).not.toBeInTheDocument();
  });
});
