// Pure helpers for the result grid: column kinds from the Kusto types of the answer's Schema,
// cell text, client-side sort, paging and CSV export.
import type { HuntingColumn } from '../../api/types';
import { parseTime } from '../../components/Time';

export type ColumnKind = 'number' | 'datetime' | 'dynamic' | 'bool' | 'timespan' | 'guid' | 'string';

const KINDS: Record<string, ColumnKind> = {
  long: 'number',
  int: 'number',
  real: 'number',
  double: 'number',
  decimal: 'number',
  'system.int64': 'number',
  'system.int32': 'number',
  'system.double': 'number',
  'system.single': 'number',
  'system.data.sqltypes.sqldecimal': 'number',
  datetime: 'datetime',
  date: 'datetime',
  'system.datetime': 'datetime',
  dynamic: 'dynamic',
  'system.object': 'dynamic',
  bool: 'bool',
  boolean: 'bool',
  'system.boolean': 'bool',
  timespan: 'timespan',
  time: 'timespan',
  'system.timespan': 'timespan',
  guid: 'guid',
  uniqueid: 'guid',
  'system.guid': 'guid',
};

export function columnKind(type: string | undefined | null): ColumnKind {
  return KINDS[(type ?? '').trim().toLowerCase()] ?? 'string';
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 });

// Compact single-line JSON for dynamic values (strings that hold JSON stay as they are).
export function compactJson(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

// The text a cell shows (datetimes are rendered by <Time>; this is their fallback/copy text).
export function formatCell(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? numberFormat.format(value) : String(value);
    case 'bool':
      return value === true ? 'true' : value === false ? 'false' : String(value);
    case 'dynamic':
      return compactJson(value);
    default:
      return typeof value === 'object' ? compactJson(value) : String(value);
  }
}

// The raw text of a cell for copying and CSV: no locale formatting, JSON for objects.
export function rawText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return compactJson(value);
  return String(value);
}

export function sortKey(value: unknown, kind: ColumnKind): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (kind) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isNaN(n) ? null : n;
    }
    case 'datetime': {
      const d = parseTime(String(value));
      return d ? d.getTime() : String(value);
    }
    case 'bool':
      return value === true ? 1 : value === false ? 0 : String(value);
    case 'dynamic':
      return compactJson(value);
    default:
      return String(value);
  }
}

export interface SortSpec {
  column: string;
  descending: boolean;
}

// Stable sort of a copy; empty values always last.
export function sortRows(
  rows: Record<string, unknown>[],
  schema: HuntingColumn[],
  sort: SortSpec | null,
): Record<string, unknown>[] {
  if (!sort) return rows;
  const column = schema.find((c) => c.Name === sort.column);
  if (!column) return rows;
  const kind = columnKind(column.Type);
  const keyed = rows.map((row, index) => ({ row, index, key: sortKey(row[sort.column], kind) }));
  const direction = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === null && b.key === null) return a.index - b.index;
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    let result: number;
    if (typeof a.key === 'number' && typeof b.key === 'number') result = a.key - b.key;
    else result = String(a.key).localeCompare(String(b.key), undefined, { numeric: true });
    return result !== 0 ? result * direction : a.index - b.index;
  });
  return keyed.map((k) => k.row);
}

export const PAGE_SIZES = [50, 100, 500] as const;

export interface PageInfo<T> {
  rows: T[];
  page: number; // 0-based, clamped
  pageCount: number;
  first: number; // 1-based index of the first row shown (0 when empty)
  last: number;
  total: number;
}

export function pageOf<T>(rows: T[], page: number, pageSize: number): PageInfo<T> {
  const total = rows.length;
  const size = Math.max(1, Math.floor(pageSize));
  const pageCount = Math.max(1, Math.ceil(total / size));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
  const start = clamped * size;
  const slice = rows.slice(start, start + size);
  return {
    rows: slice,
    page: clamped,
    pageCount,
    first: slice.length ? start + 1 : 0,
    last: start + slice.length,
    total,
  };
}

// One CSV field (RFC 4180): quoted when it holds a quote, comma, line break or edge spaces.
// Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote
// mark: hunting results carry attacker-controlled strings (command lines, subjects, URLs).
export function csvField(value: unknown, kind: ColumnKind = 'string'): string {
  let text = rawText(value);
  if ((kind === 'string' || kind === 'dynamic') && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || /^\s|\s$/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function toCsv(rows: Record<string, unknown>[], columns: HuntingColumn[]): string {
  const kinds = columns.map((c) => columnKind(c.Type));
  const lines = [columns.map((c) => csvField(c.Name)).join(',')];
  for (const row of rows) lines.push(columns.map((c, i) => csvField(row[c.Name], kinds[i])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `hunting-${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}.csv`;
}

// Starts a download of the CSV (UTF-8 with BOM so spreadsheets read non-ASCII text right).
export function downloadCsv(csv: string, fileName: string): void {
  const blob = new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
