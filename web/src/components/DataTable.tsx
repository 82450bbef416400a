// A sortable table for the queues: keyboard-reachable rows (Enter opens), optional row
// selection for bulk actions, sticky header. Sorting is client-side over the loaded page unless
// the caller handles `onSort` (server-side $orderby).
import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  // Value used to sort; columns without one are not sortable.
  sortValue?: (row: T) => string | number | null | undefined;
  width?: string;
}

export interface SortState {
  key: string;
  descending: boolean;
}

interface Props<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  onOpen?: (row: T) => void;
  selected?: Set<string>;
  onSelect?: (keys: Set<string>) => void;
  sort?: SortState;
  onSort?: (sort: SortState) => void;
  label: string;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function DataTable<T>({ rows, columns, rowKey, onOpen, selected, onSelect, sort, onSort, label }: Props<T>) {
  const [localSort, setLocalSort] = useState<SortState | undefined>(undefined);
  const activeSort = sort ?? localSort;

  const sorted = useMemo(() => {
    if (!activeSort || onSort) return rows;
    const column = columns.find((c) => c.key === activeSort.key);
    if (!column?.sortValue) return rows;
    const copy = [...rows];
    copy.sort((a, b) => compare(column.sortValue!(a), column.sortValue!(b)) * (activeSort.descending ? -1 : 1));
    return copy;
  }, [rows, columns, activeSort, onSort]);

  const toggleSort = (column: Column<T>) => {
    if (!column.sortValue) return;
    const next: SortState = {
      key: column.key,
      descending: activeSort?.key === column.key ? !activeSort.descending : true,
    };
    if (onSort) onSort(next);
    else setLocalSort(next);
  };

  const allSelected = selected !== undefined && rows.length > 0 && rows.every((r) => selected.has(rowKey(r)));
  const toggleAll = () => {
    if (!onSelect) return;
    onSelect(allSelected ? new Set() : new Set(rows.map(rowKey)));
  };
  const toggleOne = (key: string) => {
    if (!onSelect || !selected) return;
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    onSelect(next);
  };

  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, row: T) => {
    if (event.key === 'Enter' && onOpen) onOpen(row);
    if (event.key === ' ' && onSelect) {
      event.preventDefault();
      toggleOne(rowKey(row));
    }
    if (event.key === 'ArrowDown') (event.currentTarget.nextElementSibling as HTMLElement | null)?.focus();
    if (event.key === 'ArrowUp') (event.currentTarget.previousElementSibling as HTMLElement | null)?.focus();
  };

  return (
    <div className="table-wrap">
      <table className="data-table" aria-label={label}>
        <thead>
          <tr>
            {onSelect && (
              <th className="col-select">
                <input type="checkbox" aria-label="Select all" checked={allSelected} onChange={toggleAll} />
              </th>
            )}
            {columns.map((column) => {
              const active = activeSort?.key === column.key;
              return (
                <th
                  key={column.key}
                  style={column.width ? { width: column.width } : undefined}
                  aria-sort={active ? (activeSort!.descending ? 'descending' : 'ascending') : undefined}
                >
                  {column.sortValue ? (
                    <button type="button" className="th-sort" onClick={() => toggleSort(column)}>
                      {column.header}
                      <span className="sort-mark" aria-hidden="true">
                        {active ? (activeSort!.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                tabIndex={0}
                className={onOpen ? 'clickable' : undefined}
                aria-selected={selected?.has(key) ?? undefined}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('input,button,a')) return;
                  onOpen?.(row);
                }}
                onKeyDown={(e) => onRowKey(e, row)}
              >
                {onSelect && (
                  <td className="col-select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${key}`}
                      checked={selected?.has(key) ?? false}
                      onChange={() => toggleOne(key)}
                    />
                  </td>
                )}
                {columns.map((column) => (
                  <td key={column.key}>{column.render(row)}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
