import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResultsGrid } from './ResultsGrid';

const schema = [
  { Name: 'Timestamp', Type: 'datetime' },
  { Name: 'DeviceName', Type: 'string' },
  { Name: 'Count', Type: 'long' },
  { Name: 'Extra', Type: 'dynamic' },
];
const rows = Array.from({ length: 120 }, (_, i) => ({
  Timestamp: `2026-11-01T00:${String(i % 60).padStart(2, '0')}:00.0000000Z`,
  DeviceName: `host-${String(i).padStart(3, '0')}`,
  Count: i * 10,
  Extra: { n: i, tags: ['a', 'b'] },
}));

afterEach(() => vi.restoreAllMocks());

function bodyRows() {
  return within(screen.getByRole('table', { name: 'Query results' })).getAllByRole('row').slice(1);
}

describe('ResultsGrid', () => {
  it('renders typed cells: right-aligned numbers, local times with UTC title, compact JSON that expands', async () => {
    render(<ResultsGrid schema={schema} rows={rows.slice(0, 3)} />);
    const cells = within(bodyRows()[1]).getAllByRole('cell');
    expect(cells[2]).toHaveClass('num');
    expect(cells[2]).toHaveTextContent('10');
    expect(within(cells[0]).getByText((_, el) => el?.tagName === 'TIME')).toHaveAttribute('title', '2026-11-01 00:01:00 UTC');
    expect(cells[3]).toHaveTextContent('{"n":1,"tags":["a","b"]}');
    await userEvent.click(within(cells[3]).getByRole('button', { name: 'Expand value' }));
    expect(cells[3].querySelector('pre')?.textContent).toContain('"tags": [');
  });

  it('pages through the rows with 50/100/500 per page', async () => {
    render(<ResultsGrid schema={schema} rows={rows} />);
    expect(bodyRows()).toHaveLength(50);
    expect(screen.getByText('Rows 1–50 of 120')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('Rows 51–100 of 120')).toBeInTheDocument();
    expect(within(bodyRows()[0]).getAllByRole('cell')[1]).toHaveTextContent('host-050');
    await userEvent.selectOptions(screen.getByLabelText('Rows per page'), '500');
    expect(bodyRows()).toHaveLength(120);
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  });

  it('sorts by a column on the client', async () => {
    render(<ResultsGrid schema={schema} rows={rows} />);
    await userEvent.click(screen.getByRole('button', { name: /^Count/ }));
    await userEvent.click(screen.getByRole('button', { name: /^Count/ }));
    expect(screen.getByRole('columnheader', { name: /Count/ })).toHaveAttribute('aria-sort', 'descending');
    expect(within(bodyRows()[0]).getAllByRole('cell')[1]).toHaveTextContent('host-119');
  });

  it('hides and shows columns from the column menu', async () => {
    render(<ResultsGrid schema={schema} rows={rows.slice(0, 2)} />);
    await userEvent.click(screen.getByRole('button', { name: 'Columns (4/4)' }));
    await userEvent.click(screen.getByRole('checkbox', { name: /DeviceName/ }));
    expect(screen.queryByRole('columnheader', { name: /DeviceName/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Columns (3/4)' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Show all' }));
    expect(screen.getByRole('columnheader', { name: /DeviceName/ })).toBeInTheDocument();
  });

  it('exports every row (not just the page) of the shown columns as CSV', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:x';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(<ResultsGrid schema={schema} rows={rows} />);
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(click).toHaveBeenCalled();
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]);
    });
    const lines = text.replace(/^\ufeff/, '').trimEnd().split('\r\n');
    expect(lines).toHaveLength(121);
    expect(lines[0]).toBe('Timestamp,DeviceName,Count,Extra');
    expect(lines[120]).toBe('2026-11-01T00:59:00.0000000Z,host-119,1190,"{""n"":119,""tags"":[""a"",""b""]}"');
  });

  it('copies the selected cell', async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ResultsGrid schema={schema} rows={rows.slice(0, 2)} />);
    expect(screen.getByRole('button', { name: 'Copy cell' })).toBeDisabled();
    await user.click(within(bodyRows()[1]).getAllByRole('cell')[1]);
    await user.click(screen.getByRole('button', { name: 'Copy cell' }));
    expect(writeText).toHaveBeenCalledWith('host-001');
    expect(await screen.findByText('Copied DeviceName')).toBeInTheDocument();
  });
});
