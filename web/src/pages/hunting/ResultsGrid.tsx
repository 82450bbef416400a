// The result grid: typed cells (numbers right-aligned, times local with UTC on hover, dynamic
// values as compact JSON that expands), client-side sort, paging, a column menu, CSV export of
// all rows and copying a cell (click or arrow keys to pick it, then Ctrl+C or "Copy cell").
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { HuntingColumn } from '../../api/types';
import { Time } from '../../components/Time';
import { Pager } from '../../components/Pager';
import { copyText } from './clipboard';
import {
  columnKind,
  compactJson,
  csvFileName,
  downloadCsv,
  formatCell,
  PAGE_SIZES,
  pageOf,
  prettyJson,
  rawText,
  sortRows,
  toCsv,
  type ColumnKind,
  type SortSpec,
} from './results';

interface Props {
  schema: HuntingColumn[];
  rows: Record<string, unknown>[];
}

interface CellPos {
  row: number; // index within the page
  col: number; // index within the visible columns
}

function Cell({ value, kind, expanded, onToggle }: { value: unknown; kind: ColumnKind; expanded: boolean; onToggle: () => void }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (kind === 'datetime') return <Time value={String(value)} />;
  if (kind === 'dynamic') {
    return (
      <span className="hunt-dynamic">
        <button
          type="button"
          className="hunt-expand"
          aria-expanded={expanded}
          aria-label={expanded ? 'Collapse value' : 'Expand value'}
          onClick={(e) => {
            e.stopPropagation();
            onToggle();
          }}
        >
          {expanded ? '▾' : '▸'}
        </button>
        {expanded ? <pre className="hunt-json">{prettyJson(value)}</pre> : <code className="hunt-json-inline">{compactJson(value)}</code>}
      </span>
    );
  }
  const text = formatCell(value, kind);
  return <span title={text.length > 60 ? text : undefined}>{text}</span>;
}

export function ResultsGrid({ schema, rows }: Props) {
  const [sort, setSort] = useState<SortSpec | null>(null);
  const [pageSize, setPageSize] = useState<number>(50);
  const [page, setPage] = useState(0);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [menuOpen, setMenuOpen] = useState(false);
  const [selected, setSelected] = useState<CellPos | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState('');
  const tableRef = useRef<HTMLTableElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  const visible = useMemo(() => schema.filter((c) => !hidden.has(c.Name)), [schema, hidden]);
  const kinds = useMemo(() => visible.map((c) => columnKind(c.Type)), [visible]);
  const sorted = useMemo(() => sortRows(rows, schema, sort), [rows, schema, sort]);
  const current = pageOf(sorted, page, pageSize);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(''), 2500);
    return () => clearTimeout(timer);
  }, [notice]);

  useEffect(() => {
    if (!menuOpen) return;
    const onDown = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setMenuOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [menuOpen]);

  const toggleSort = (name: string) => {
    setSort((s) => (s?.column === name ? { column: name, descending: !s.descending } : { column: name, descending: false }));
    setPage(0);
    setSelected(null);
  };

  const toggleColumn = (name: string) => {
    setHidden((h) => {
      const next = new Set(h);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
    setSelected(null);
  };

  const selectedValue = selected && current.rows[selected.row] && visible[selected.col]
    ? current.rows[selected.row][visible[selected.col].Name]
    : undefined;

  const copySelected = async () => {
    if (!selected || !visible[selected.col]) return;
    const ok = await copyText(rawText(selectedValue));
    setNotice(ok ? `Copied ${visible[selected.col].Name}` : 'Copying is not allowed here');
  };

  const exportCsv = () => {
    downloadCsv(toCsv(sorted, visible), csvFileName());
    setNotice(`Exported ${sorted.length.toLocaleString()} rows`);
  };

  const focusCell = (pos: CellPos) => {
    setSelected(pos);
    requestAnimationFrame(() => {
      tableRef.current?.querySelector<HTMLElement>(`td[data-cell="${pos.row}:${pos.col}"]`)?.focus();
    });
  };

  const onCellKey = (e: KeyboardEvent<HTMLTableCellElement>, pos: CellPos) => {
    const lastRow = current.rows.length - 1;
    const lastCol = visible.length - 1;
    let next: CellPos | null = null;
    if (e.key === 'ArrowRight') next = { row: pos.row, col: Math.min(lastCol, pos.col + 1) };
    else if (e.key === 'ArrowLeft') next = { row: pos.row, col: Math.max(0, pos.col - 1) };
    else if (e.key === 'ArrowDown') next = { row: Math.min(lastRow, pos.row + 1), col: pos.col };
    else if (e.key === 'ArrowUp') next = { row: Math.max(0, pos.row - 1), col: pos.col };
    else if (e.key === 'Home') next = { row: pos.row, col: 0 };
    else if (e.key === 'End') next = { row: pos.row, col: lastCol };
    else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && !window.getSelection()?.toString()) {
      e.preventDefault();
      void copySelected();
      return;
    } else if (e.key === 'Enter' && kinds[pos.col] === 'dynamic') {
      toggleExpanded(`${current.first + pos.row}:${visible[pos.col].Name}`);
      return;
    }
    if (next) {
      e.preventDefault();
      focusCell(next);
    }
  };

  const toggleExpanded = (key: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const tabStop = selected ?? { row: 0, col: 0 };

  return (
    <div className="hunt-grid">
      <div className="hunt-grid-toolbar">
        <div className="hunt-colmenu" ref={menuRef}>
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={menuOpen}
            aria-haspopup="true"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Columns ({visible.length}/{schema.length})
          </button>
          {menuOpen && (
            <div
              className="hunt-colmenu-panel"
              role="group"
              aria-label="Shown columns"
              onKeyDown={(e) => {
                if (e.key === 'Escape') setMenuOpen(false);
              }}
            >
              <div className="row">
                <button type="button" className="btn btn-small" onClick={() => setHidden(new Set())}>
                  Show all
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => setHidden(new Set(schema.slice(1).map((c) => c.Name)))}
                >
                  Only first
                </button>
              </div>
              <ul>
                {schema.map((c) => (
                  <li key={c.Name}>
                    <label className="hunt-check">
                      <input type="checkbox" checked={!hidden.has(c.Name)} onChange={() => toggleColumn(c.Name)} />
                      <span>{c.Name}</span> <span className="muted small">{c.Type}</span>
                    </label>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <button type="button" className="btn btn-small" onClick={exportCsv} disabled={!rows.length || !visible.length}>
          Export CSV
        </button>
        <button type="button" className="btn btn-small" onClick={() => void copySelected()} disabled={!selected}>
          Copy cell
        </button>
        <span className="muted small" role="status" aria-live="polite">
          {notice}
        </span>
      </div>

      {visible.length === 0 ? (
        <div className="state state-empty">All columns are hidden. Use the Columns menu to show some.</div>
      ) : (
        <div className="table-wrap hunt-table-wrap">
          <table className="data-table hunt-table" aria-label="Query results" ref={tableRef}>
            <thead>
              <tr>
                {visible.map((c, i) => {
                  const active = sort?.column === c.Name;
                  return (
                    <th
                      key={c.Name}
                      className={kinds[i] === 'number' ? 'num' : undefined}
                      aria-sort={active ? (sort!.descending ? 'descending' : 'ascending') : undefined}
                      scope="col"
                    >
                      <button type="button" className="th-sort" onClick={() => toggleSort(c.Name)} title={`${c.Name} (${c.Type})`}>
                        {c.Name}
                        <span className="sort-mark" aria-hidden="true">
                          {active ? (sort!.descending ? '▼' : '▲') : ''}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {current.rows.map((row, r) => (
                <tr key={current.first + r}>
                  {visible.map((c, ci) => {
                    const key = `${current.first + r}:${c.Name}`;
                    const isSelected = selected?.row === r && selected?.col === ci;
                    return (
                      <td
                        key={c.Name}
                        data-cell={`${r}:${ci}`}
                        className={`${kinds[ci] === 'number' ? 'num' : ''} hunt-cell-${kinds[ci]}${isSelected ? ' hunt-cell-selected' : ''}`}
                        tabIndex={tabStop.row === r && tabStop.col === ci ? 0 : -1}
                        aria-selected={isSelected}
                        onClick={() => setSelected({ row: r, col: ci })}
                        onFocus={() => setSelected({ row: r, col: ci })}
                        onKeyDown={(e) => onCellKey(e, { row: r, col: ci })}
                      >
                        <Cell value={row[c.Name]} kind={kinds[ci]} expanded={expanded.has(key)} onToggle={() => toggleExpanded(key)} />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Pager
        page={current.page}
        pageSize={pageSize}
        shown={current.rows.length}
        total={current.total}
        hasNext={current.page < current.pageCount - 1}
        onPage={(p) => {
          setPage(p);
          setSelected(null);
        }}
        unit="Rows "
        emptyText="No rows"
        sizes={PAGE_SIZES}
        sizeLabel="Rows per page"
        onPageSize={(size) => {
          setPageSize(size);
          setPage(0);
          setSelected(null);
        }}
      />
    </div>
  );
}
