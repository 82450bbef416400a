// Chart of a hunting answer with chart.js: time chart (line over a linear time axis, no date
// adapter needed), column chart, bar chart and pie chart. Only the chart.js parts these use are
// registered, so the rest of the library is left out of the bundle.
import { useEffect, useMemo, useRef } from 'react';
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { HuntingColumn } from '../../api/types';
import { formatLocal } from '../../components/Time';
import { Empty } from '../../components/States';
import { buildChart, type ChartKind, type ChartModel } from './chartData';
import type { RenderInfo } from './types';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  PieController,
  ArcElement,
  LinearScale,
  CategoryScale,
  Legend,
  Title,
  Tooltip,
);

const PALETTE = ['#1f77b4', '#e07b00', '#2a9d5c', '#c0392b', '#7e57c2', '#8c564b', '#d6589f', '#6b7280', '#b5a000', '#17a2b8'];

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function shortTime(ms: number, spanMs: number): string {
  const date = new Date(ms);
  if (spanMs <= 2 * 86400000) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export function chartConfig(model: ChartModel): ChartConfiguration {
  const text = cssVar('--text', '#1b1f24');
  const grid = cssVar('--border', '#d9dde3');
  const legend = { display: model.series.length > 1 || model.kind === 'piechart', labels: { color: text } };
  const title = { display: !!model.title, text: model.title ?? '', color: text, font: { size: 14 } };

  if (model.kind === 'piechart') {
    const series = model.series[0];
    return {
      type: 'pie',
      data: {
        labels: model.labels,
        datasets: [
          {
            label: series?.name ?? '',
            data: series ? series.points.map((p) => p.y ?? 0) : [],
            backgroundColor: model.labels.map((_, i) => PALETTE[i % PALETTE.length]),
            borderColor: cssVar('--panel', '#ffffff'),
          },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { ...legend, position: 'right' }, title } },
    };
  }

  if (model.kind === 'timechart') {
    const xs = model.series.flatMap((s) => s.points.map((p) => p.x as number));
    const span = xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
    return {
      type: 'line',
      data: {
        datasets: model.series.map((s, i) => ({
          label: s.name,
          data: s.points.map((p) => ({ x: p.x as number, y: p.y })),
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length],
          pointRadius: s.points.length > 60 ? 0 : 2,
          borderWidth: 2,
          tension: 0,
          spanGaps: false,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear',
            ticks: { color: text, maxTicksLimit: 10, callback: (v) => shortTime(Number(v), span) },
            grid: { color: grid },
            title: { display: true, text: model.xColumn, color: text },
          },
          y: { beginAtZero: true, ticks: { color: text }, grid: { color: grid } },
        },
        plugins: {
          legend,
          title,
          tooltip: { callbacks: { title: (items) => (items[0] ? formatLocal(new Date(Number(items[0].parsed.x))) : '') } },
        },
      },
    };
  }

  const horizontal = model.kind === 'barchart';
  const stacked = model.series.length > 1 && !!model.splitColumn;
  const valueAxis = { beginAtZero: true, stacked, ticks: { color: text }, grid: { color: grid } };
  const labelAxis = { stacked, ticks: { color: text, autoSkip: true }, grid: { display: false }, title: { display: true, text: model.xColumn, color: text } };
  return {
    type: 'bar',
    data: {
      labels: model.labels,
      datasets: model.series.map((s, i) => ({
        label: s.name,
        data: s.points.map((p) => p.y),
        backgroundColor: PALETTE[i % PALETTE.length],
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: { legend, title },
    },
  };
}

interface Props {
  kind: ChartKind;
  schema: HuntingColumn[];
  rows: Record<string, unknown>[];
  render?: RenderInfo | null;
}

export function ResultsChart({ kind, schema, rows, render }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const model = useMemo(() => buildChart(kind, schema, rows, render), [kind, schema, rows, render]);

  useEffect(() => {
    if (!canvas.current || 'error' in model) return;
    const chart = new Chart(canvas.current, chartConfig(model));
    return () => chart.destroy();
  }, [model]);

  if ('error' in model) return <Empty>{model.error}</Empty>;
  if (!model.series.length || model.series.every((s) => s.points.length === 0)) return <Empty>No rows to draw.</Empty>;
  const label = `${model.title ?? 'Chart'}: ${model.yColumns.join(', ')} by ${model.xColumn}`;
  return (
    <div>
      <div className="hunt-chart" data-testid="hunting-chart">
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      {model.droppedSeries > 0 && (
        <p className="muted small">
          Showing the {model.series.length} largest series; {model.droppedSeries} more are left out.
        </p>
      )}
    </div>
  );
}
