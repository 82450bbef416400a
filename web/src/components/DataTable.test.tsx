import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { DataTable, type Column } from './DataTable';

interface Row {
  id: string;
  name: string;
  count: number;
}

const rows: Row[] = [
  { id: 'a', name: 'beta', count: 3 },
  { id: 'b', name: 'alpha', count: 10 },
  { id: 'c', name: 'gamma', count: 1 },
];
const columns: Column<Row>[] = [
  { key: 'name', header: 'Name', render: (r) => r.name, sortValue: (r) => r.name },
  { key: 'count', header: 'Count', render: (r) => r.count, sortValue: (r) => r.count },
];

function names(): string[] {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell')[0].textContent ?? '');
}

describe('DataTable', () => {
  it('sorts by a column, descending first, then ascending', () => {
    render(<DataTable label="t" rows={rows} columns={columns} rowKey={(r) => r.id} />);
    expect(names()).toEqual(['beta', 'alpha', 'gamma']);
    fireEvent.click(screen.getByRole('button', { name: /Count/ }));
    expect(names()).toEqual(['alpha', 'beta', 'gamma']);
    expect(screen.getByRole('columnheader', { name: /Count/ })).toHaveAttribute('aria-sort', 'descending');
    fireEvent.click(screen.getByRole('button', { name: /Count/ }));
    expect(names()).toEqual(['gamma', 'beta', 'alpha']);
  });

  it('opens a row with Enter and with a click', () => {
    const onOpen = vi.fn();
    render(<DataTable label="t" rows={rows} columns={columns} rowKey={(r) => r.id} onOpen={onOpen} />);
    const second = screen.getAllByRole('row')[2];
    fireEvent.keyDown(second, { key: 'Enter' });
    fireEvent.click(screen.getAllByRole('row')[3]);
    expect(onOpen.mock.calls.map(([row]) => row.id)).toEqual(['b', 'c']);
  });

  it('selects rows one by one and all at once', () => {
    const onSelect = vi.fn();
    const { rerender } = render(
      <DataTable label="t" rows={rows} columns={columns} rowKey={(r) => r.id} selected={new Set()} onSelect={onSelect} />,
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select b' }));
    expect([...onSelect.mock.calls[0][0]]).toEqual(['b']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    expect([...onSelect.mock.calls[1][0]].sort()).toEqual(['a', 'b', 'c']);
    rerender(
      <DataTable
        label="t"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        selected={new Set(['a', 'b', 'c'])}
        onSelect={onSelect}
      />,
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    expect(onSelect.mock.calls[2][0].size).toBe(0);
  });
});
