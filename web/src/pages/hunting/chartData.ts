// Maps a hunting answer (Schema, Results, Render) to chart series. Follows the render operator:
// xcolumn and ycolumns when given, otherwise the first datetime (timechart) or string column as
// x and the numeric columns as series; one more string column splits the series (as
// `summarize count() by bin(Timestamp, 1d), ActionType | render timechart` does in Kusto).
import type { HuntingColumn } from '../../api/types';
import { formatLocal, parseTime } from '../../components/Time';
import { columnKind } from './results';
import type { RenderInfo } from './types';

export type ChartKind = 'timechart' | 'columnchart' | 'barchart' | 'piechart';
export const CHART_KINDS: { kind: ChartKind; label: string }[] = [
  { kind: 'timechart', label: 'Time chart' },
  { kind: 'columnchart', label: 'Column chart' },
  { kind: 'barchart', label: 'Bar chart' },
  { kind: 'piechart', label: 'Pie chart' },
];

export function isChartKind(kind: string | undefined | null): kind is ChartKind {
  return CHART_KINDS.some((k) => k.kind === kind);
}

export interface ChartSeries {
  name: string;
  // timechart: [ms since epoch, y]; others: one value per label
  points: { x: number | string; y: number | null }[];
}

export interface ChartModel {
  kind: ChartKind;
  title?: string;
  xColumn: string;
  yColumns: string[];
  splitColumn?: string;
  // label order for category charts (column, bar, pie); timechart points are sorted by x
  labels: string[];
  series: ChartSeries[];
  // series left out above MAX_SERIES
  droppedSeries: number;
}

export const MAX_SERIES = 20;
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
export const MAX_POINTS = 5000;

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : Number(value);
  return Number.isFinite(n) ? n : null;
}

function ycolumnList(value: RenderInfo['ycolumns']): string[] {
  if (!value) return [];
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function labelOf(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// Why a result cannot be drawn, or the chart model.
export function buildChart(
  kind: ChartKind,
  schema: HuntingColumn[],
  rows: Record<string, unknown>[],
  render?: RenderInfo | null,
): ChartModel | { error: string } {
  if (!schema.length) return { error: 'The query returned no columns.' };
  const byName = new Map(schema.map((c) => [c.Name, columnKind(c.Type)]));
  const has = (name: string | undefined): name is string => !!name && byName.has(name);

  // x column
  let xColumn: string | undefined = has(render?.xcolumn) ? render!.xcolumn : undefined;
  if (!xColumn) {
    const firstOf = (k: string) => schema.find((c) => columnKind(c.Type) === k)?.Name;
    xColumn =
      kind === 'timechart'
        ? firstOf('datetime') ?? firstOf('number')
        : schema.find((c) => ['datetime', 'string'].includes(columnKind(c.Type)))?.Name ??
          schema.find((c) => columnKind(c.Type) !== 'number')?.Name ??
          schema[0].Name;
  }
  if (!xColumn) return { error: 'A time chart needs a datetime column for the x-axis.' };
  const xKind = byName.get(xColumn)!;
  if (kind === 'timechart' && xKind !== 'datetime' && xKind !== 'number')
    return { error: `A time chart needs a datetime x-axis; ${xColumn} is not one.` };

  // y columns
  let yColumns = ycolumnList(render?.ycolumns).filter((y) => has(y) && y !== xColumn);
  if (!yColumns.length) yColumns = schema.filter((c) => c.Name !== xColumn && columnKind(c.Type) === 'number').map((c) => c.Name);
  if (!yColumns.length) return { error: 'There is no numeric column to draw.' };
  if (kind === 'piechart') yColumns = yColumns.slice(0, 1);

  // one more string column (not x, not y) splits the series
  const splitColumn =
    kind === 'piechart'
      ? undefined
      : schema.find((c) => c.Name !== xColumn && !yColumns.includes(c.Name) && columnKind(c.Type) === 'string')?.Name;

  const limited = rows.slice(0, MAX_POINTS);
  const timeOf = (v: unknown) => parseTime(v === null || v === undefined ? null : String(v));
  // category charts over a datetime x: labels in time order, dates only when all are midnight UTC
  const labelTimes = new Map<string, number>();
  let dayLabels = false;
  if (kind !== 'timechart' && xKind === 'datetime') {
    const dates = limited.map((row) => timeOf(row[xColumn!])).filter((d): d is Date => d !== null);
    dayLabels = dates.length > 0 && dates.every((d) => d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0);
  }
  const xValue = (row: Record<string, unknown>): number | string | null => {
    const v = row[xColumn!];
    if (kind === 'timechart') {
      if (xKind === 'datetime') return timeOf(v)?.getTime() ?? null;
      return toNumber(v);
    }
    if (xKind === 'datetime') {
      const date = timeOf(v);
      if (!date) return labelOf(v);
      const label = dayLabels ? dayFormat.format(date) : formatLocal(date);
      labelTimes.set(label, date.getTime());
      return label;
    }
    return labelOf(v);
  };

  const seriesMap = new Map<string, Map<number | string, number | null>>();
  const labels: string[] = [];
  const seenLabels = new Set<string>();
  for (const row of limited) {
    const x = xValue(row);
    if (x === null) continue;
    if (typeof x === 'string' && !seenLabels.has(x)) {
      seenLabels.add(x);
      labels.push(x);
    }
    for (const y of yColumns) {
      const split = splitColumn ? labelOf(row[splitColumn]) : undefined;
      const name = split === undefined ? y : yColumns.length > 1 ? `${split} · ${y}` : split;
      let points = seriesMap.get(name);
      if (!points) {
        points = new Map();
        seriesMap.set(name, points);
      }
      const value = toNumber(row[y]);
      const previous = points.get(x);
      // the same x twice in one series (unsorted or unaggregated input): add up
      points.set(x, previous !== undefined && previous !== null && value !== null ? previous + value : value ?? previous ?? null);
    }
  }

  if (labelTimes.size) labels.sort((a, b) => (labelTimes.get(a) ?? 0) - (labelTimes.get(b) ?? 0));

  // biggest series first when there are too many to draw
  let names = [...seriesMap.keys()];
  let droppedSeries = 0;
  if (names.length > MAX_SERIES) {
    const total = (name: string) => [...seriesMap.get(name)!.values()].reduce<number>((s, v) => s + (v ?? 0), 0);
    names = names.sort((a, b) => total(b) - total(a));
    droppedSeries = names.length - MAX_SERIES;
    names = names.slice(0, MAX_SERIES);
  }

  const series: ChartSeries[] = names.map((name) => {
    const points = seriesMap.get(name)!;
    if (kind === 'timechart') {
      const sorted = [...points.entries()].sort((a, b) => (a[0] as number) - (b[0] as number));
      return { name, points: sorted.map(([x, y]) => ({ x, y })) };
    }
    return { name, points: labels.map((label) => ({ x: label, y: points.has(label) ? points.get(label)! : null })) };
  });

  return {
    kind,
    title: typeof render?.title === 'string' && render.title ? render.title : undefined,
    xColumn,
    yColumns,
    splitColumn,
    labels,
    series,
    droppedSeries,
  };
}

// The chart kind to start with: the query's render operator, or a guess from the columns.
export function defaultChartKind(schema: HuntingColumn[], render?: RenderInfo | null): ChartKind {
  if (render && isChartKind(render.Kind)) return render.Kind;
  return schema.some((c) => columnKind(c.Type) === 'datetime') ? 'timechart' : 'columnchart';
}

export function isChartable(schema: HuntingColumn[]): boolean {
  return schema.some((c) => columnKind(c.Type) === 'number');
}
