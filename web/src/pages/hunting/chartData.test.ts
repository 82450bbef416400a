import { describe, expect, it } from 'vitest';
import { buildChart, defaultChartKind, isChartable, type ChartModel } from './chartData';

const timeSchema = [
  { Name: 'Timestamp', Type: 'datetime' },
  { Name: 'count_', Type: 'long' },
];
const timeRows = [
  { Timestamp: '2026-11-03T00:00:00.0000000Z', count_: 3 },
  { Timestamp: '2026-11-01T00:00:00.0000000Z', count_: 1 },
  { Timestamp: '2026-11-02T00:00:00.0000000Z', count_: 2 },
];

function ok(model: ChartModel | { error: string }): ChartModel {
  if ('error' in model) throw new Error(model.error);
  return model;
}

describe('chart data', () => {
  it('timechart: datetime x, numeric series, sorted by time', () => {
    const model = ok(buildChart('timechart', timeSchema, timeRows, { Kind: 'timechart' }));
    expect(model.xColumn).toBe('Timestamp');
    expect(model.yColumns).toEqual(['count_']);
    expect(model.series).toHaveLength(1);
    expect(model.series[0].points.map((p) => p.y)).toEqual([1, 2, 3]);
    expect(model.series[0].points[0].x).toBe(Date.UTC(2026, 10, 1));
  });

  it('honours xcolumn, ycolumns and title of the render operator', () => {
    const schema = [
      { Name: 'Day', Type: 'datetime' },
      { Name: 'Other', Type: 'datetime' },
      { Name: 'a', Type: 'long' },
      { Name: 'b', Type: 'real' },
    ];
    const rows = [{ Day: '2026-11-01T00:00:00Z', Other: '2020-01-01T00:00:00Z', a: 1, b: 2.5 }];
    const model = ok(buildChart('timechart', schema, rows, { Kind: 'timechart', xcolumn: 'Other', ycolumns: ['b'], title: 'Per day' }));
    expect(model.xColumn).toBe('Other');
    expect(model.yColumns).toEqual(['b']);
    expect(model.title).toBe('Per day');
    expect(model.series[0].points).toEqual([{ x: Date.UTC(2020, 0, 1), y: 2.5 }]);
  });

  it('accepts ycolumns as a comma-separated string and ignores unknown names', () => {
    const schema = [
      { Name: 'k', Type: 'string' },
      { Name: 'a', Type: 'long' },
      { Name: 'b', Type: 'long' },
    ];
    const model = ok(buildChart('columnchart', schema, [{ k: 'x', a: 1, b: 2 }], { Kind: 'columnchart', ycolumns: 'b, nope' }));
    expect(model.yColumns).toEqual(['b']);
  });

  it('columnchart: first string column as labels, numeric columns as series', () => {
    const schema = [
      { Name: 'Category', Type: 'string' },
      { Name: 'Alerts', Type: 'long' },
      { Name: 'Devices', Type: 'int' },
    ];
    const rows = [
      { Category: 'Execution', Alerts: 5, Devices: 2 },
      { Category: 'Discovery', Alerts: 3, Devices: 1 },
    ];
    const model = ok(buildChart('columnchart', schema, rows));
    expect(model.labels).toEqual(['Execution', 'Discovery']);
    expect(model.series.map((s) => s.name)).toEqual(['Alerts', 'Devices']);
    expect(model.series[0].points.map((p) => p.y)).toEqual([5, 3]);
  });

  it('splits series by a further string column', () => {
    const schema = [
      { Name: 'Timestamp', Type: 'datetime' },
      { Name: 'ActionType', Type: 'string' },
      { Name: 'count_', Type: 'long' },
    ];
    const rows = [
      { Timestamp: '2026-11-01T00:00:00Z', ActionType: 'A', count_: 1 },
      { Timestamp: '2026-11-01T00:00:00Z', ActionType: 'B', count_: 4 },
      { Timestamp: '2026-11-02T00:00:00Z', ActionType: 'A', count_: 2 },
    ];
    const model = ok(buildChart('timechart', schema, rows, { Kind: 'timechart' }));
    expect(model.splitColumn).toBe('ActionType');
    expect(model.series.map((s) => s.name).sort()).toEqual(['A', 'B']);
    expect(model.series.find((s) => s.name === 'A')!.points.map((p) => p.y)).toEqual([1, 2]);
  });

  it('columnchart over days: labels in time order, dates only', () => {
    const model = ok(
      buildChart('columnchart', timeSchema, timeRows, { Kind: 'columnchart' }),
    );
    expect(model.xColumn).toBe('Timestamp');
    expect(model.series[0].points.map((p) => p.y)).toEqual([1, 2, 3]);
    expect(model.labels[0]).toMatch(/Nov/);
    expect(model.labels[0]).not.toMatch(/:/);
  });

  it('piechart: labels and the first numeric column', () => {
    const schema = [
      { Name: 'Category', Type: 'string' },
      { Name: 'n', Type: 'long' },
      { Name: 'm', Type: 'long' },
    ];
    const model = ok(buildChart('piechart', schema, [{ Category: 'x', n: 2, m: 9 }, { Category: 'y', n: 3, m: 9 }]));
    expect(model.yColumns).toEqual(['n']);
    expect(model.labels).toEqual(['x', 'y']);
    expect(model.series[0].points.map((p) => p.y)).toEqual([2, 3]);
  });

  it('explains what is missing', () => {
    expect(buildChart('timechart', [{ Name: 's', Type: 'string' }, { Name: 'n', Type: 'long' }], [])).toHaveProperty('error');
    expect(buildChart('columnchart', [{ Name: 's', Type: 'string' }], [{ s: 'a' }])).toHaveProperty('error');
  });

  it('picks the starting chart kind and tells chartable answers apart', () => {
    expect(defaultChartKind(timeSchema, { Kind: 'piechart' })).toBe('piechart');
    expect(defaultChartKind(timeSchema, null)).toBe('timechart');
    expect(defaultChartKind([{ Name: 's', Type: 'string' }, { Name: 'n', Type: 'long' }], { Kind: 'table' })).toBe('columnchart');
    expect(isChartable(timeSchema)).toBe(true);
    expect(isChartable([{ Name: 's', Type: 'string' }])).toBe(false);
  });
});
