import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SavedQueriesPanel } from './SavedQueriesPanel';
import { EXAMPLE_QUERIES } from './examples';
import { mockHuntFetch, renderSignedIn } from '../../test/helpers';
import type { SavedQuery } from './types';

const mine: SavedQuery = { id: 'q1', name: 'My hunt', query: 'DeviceEvents | take 1', description: 'd', shared: false, owner: 'alice' };
const theirs: SavedQuery = { id: 'q2', name: 'Team hunt', query: 'EmailEvents | take 1', shared: true, owner: 'bob' };

afterEach(() => vi.unstubAllGlobals());

function panel(props: Partial<Parameters<typeof SavedQueriesPanel>[0]> = {}) {
  return (
    <SavedQueriesPanel
      reloadToken={0}
      onOpen={vi.fn()}
      onOpenExample={vi.fn()}
      onDeleted={vi.fn()}
      schema={{ Tables: [{ Name: 'DeviceEvents', Columns: [{ Name: 'Timestamp', Type: 'datetime' }] }] }}
      {...props}
    />
  );
}

describe('SavedQueriesPanel', () => {
  it('lists my and shared queries with their owner and opens one', async () => {
    const { calls } = mockHuntFetch({ 'GET /api/hunting/queries': () => ({ body: { value: [theirs, mine] } }) });
    const onOpen = vi.fn();
    renderSignedIn(panel({ onOpen }));
    const item = await screen.findByRole('button', { name: /^My hunt/ });
    expect(calls.some((c) => c.method === 'GET' && c.path === '/api/hunting/queries')).toBe(true);
    const shared = screen.getByRole('button', { name: /^Team hunt/ });
    expect(within(shared).getByText(/bob/)).toBeInTheDocument();
    expect(within(shared).getByText('shared')).toBeInTheDocument();
    await userEvent.click(item);
    expect(onOpen).toHaveBeenCalledWith(mine);
  });

  it('deletes only own queries, after confirmation', async () => {
    let list = [mine, theirs];
    const { calls } = mockHuntFetch({
      'GET /api/hunting/queries': () => ({ body: { value: list } }),
      'DELETE /api/hunting/queries/q1': () => {
        list = [theirs];
        return { status: 204 };
      },
    });
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    const onDeleted = vi.fn();
    renderSignedIn(panel({ onDeleted }));
    await screen.findByRole('button', { name: /^My hunt/ });
    // the user (responder) is not bob and not admin: no delete on his query
    await waitFor(() => expect(screen.getByRole('button', { name: 'Delete My hunt' })).toBeInTheDocument());
    expect(screen.queryByRole('button', { name: 'Delete Team hunt' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Delete My hunt' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/hunting/queries/q1')).toBe(true));
    expect(onDeleted).toHaveBeenCalledWith('q1');
    await waitFor(() => expect(screen.queryByRole('button', { name: /^My hunt/ })).not.toBeInTheDocument());
  });

  it('offers the built-in examples even when the server has no saved queries API', async () => {
    mockHuntFetch({});
    const onOpenExample = vi.fn();
    renderSignedIn(panel({ onOpenExample }));
    expect(await screen.findByText(/not available on this server yet/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: new RegExp(EXAMPLE_QUERIES[0].name) }));
    expect(onOpenExample).toHaveBeenCalledWith(EXAMPLE_QUERIES[0]);
  });

  it('reloads after a save', async () => {
    const { calls } = mockHuntFetch({ 'GET /api/hunting/queries': () => ({ body: { value: [] } }) });
    const view = renderSignedIn(panel());
    await screen.findByText('No saved queries yet.');
    view.rerender(
      <SavedQueriesPanel reloadToken={1} onOpen={vi.fn()} onOpenExample={vi.fn()} onDeleted={vi.fn()} schema={undefined} />,
    );
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/hunting/queries').length).toBe(2));
  });

  it('shows the schema tables and filters them', async () => {
    mockHuntFetch({ 'GET /api/hunting/queries': () => ({ body: { value: [] } }) });
    renderSignedIn(panel());
    await userEvent.click(screen.getByRole('tab', { name: 'Schema' }));
    expect(screen.getByText('DeviceEvents')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/Find a table or column/), 'nothing');
    expect(screen.getByText('No table matches.')).toBeInTheDocument();
  });
});
