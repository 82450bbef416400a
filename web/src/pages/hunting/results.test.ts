import { describe, expect, it } from 'vitest';
import { columnKind, csvField, formatCell, pageOf, sortRows, toCsv } from './results';

describe('column kinds and formatting', () => {
  it('maps Kusto and CLR type names to kinds', () => {
    expect(columnKind('long')).toBe('number');
    expect(columnKind('int')).toBe('number');
    expect(columnKind('real')).toBe('number');
    expect(columnKind('System.Int64')).toBe('number');
    expect(columnKind('datetime')).toBe('datetime');
    expect(columnKind('System.DateTime')).toBe('datetime');
    expect(columnKind('dynamic')).toBe('dynamic');
    expect(columnKind('System.Object')).toBe('dynamic');
    expect(columnKind('bool')).toBe('bool');
    expect(columnKind('timespan')).toBe('timespan');
    expect(columnKind('guid')).toBe('guid');
    expect(columnKind('string')).toBe('string');
    expect(columnKind('whatever')).toBe('string');
    expect(columnKind(undefined)).toBe('string');
  });

  it('formats cells by kind', () => {
    expect(formatCell(1234567, 'number')).toMatch(/1.?234.?567/);
    expect(formatCell(true, 'bool')).toBe('true');
    expect(formatCell({ a: [1, 2] }, 'dynamic')).toBe('{"a":[1,2]}');
    expect(formatCell('{"already":"json"}', 'dynamic')).toBe('{"already":"json"}');
    expect(formatCell(null, 'string')).toBe('');
    expect(formatCell('01:00:00', 'timespan')).toBe('01:00:00');
  });
});

describe('sorting', () => {
  const schema = [
    { Name: 'n', Type: 'long' },
    { Name: 't', Type: 'datetime' },
    { Name: 's', Type: 'string' },
  ];
  const rows = [
    { n: 10, t: '2026-11-02T00:00:00.0000000Z', s: 'b' },
    { n: 9, t: '2026-11-01T00:00:00.0000000Z', s: null },
    { n: null, t: '2026-11-03T00:00:00.0000000Z', s: 'a' },
    { n: 100, t: null, s: 'c' },
  ];
  it('sorts numbers numerically with empty values last', () => {
    expect(sortRows(rows, schema, { column: 'n', descending: false }).map((r) => r.n)).toEqual([9, 10, 100, null]);
    expect(sortRows(rows, schema, { column: 'n', descending: true }).map((r) => r.n)).toEqual([100, 10, 9, null]);
  });
  it('sorts datetimes by time and strings by text', () => {
    expect(sortRows(rows, schema, { column: 't', descending: false }).map((r) => r.n)).toEqual([9, 10, null, 100]);
    expect(sortRows(rows, schema, { column: 's', descending: false }).map((r) => r.s)).toEqual(['a', 'b', 'c', null]);
  });
  it('leaves the input alone without a sort', () => {
    expect(sortRows(rows, schema, null)).toBe(rows);
  });
});

describe('paging', () => {
  const rows = Array.from({ length: 123 }, (_, i) => i);
  it('cuts pages and reports the range', () => {
    const first = pageOf(rows, 0, 50);
    expect(first.rows).toHaveLength(50);
    expect([first.first, first.last, first.total, first.pageCount]).toEqual([1, 50, 123, 3]);
    const last = pageOf(rows, 2, 50);
    expect(last.rows).toEqual(rows.slice(100));
    expect([last.first, last.last]).toEqual([101, 123]);
  });
  it('clamps out-of-range pages and handles no rows', () => {
    expect(pageOf(rows, 9, 100).page).toBe(1);
    expect(pageOf(rows, -1, 100).page).toBe(0);
    const empty = pageOf([], 0, 50);
    expect([empty.first, empty.last, empty.total, empty.pageCount]).toEqual([0, 0, 0, 1]);
  });
});

describe('CSV export', () => {
  it('quotes fields with quotes, commas, line breaks and edge spaces', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r\nlf')).toBe('"cr\r\nlf"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(42, 'number')).toBe('42');
    expect(csvField(-5, 'number')).toBe('-5');
  });
  it('defuses spreadsheet formulas in text', () => {
    expect(csvField('=cmd|"/c calc"!A1')).toBe(`"'=cmd|""/c calc""!A1"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
  it('writes a header and every row, with JSON for dynamic values', () => {
    const columns = [
      { Name: 'Name', Type: 'string' },
      { Name: 'Count', Type: 'long' },
      { Name: 'Bag', Type: 'dynamic' },
    ];
    const csv = toCsv(
      [
        { Name: 'a, b', Count: 1, Bag: { k: 'v' } },
        { Name: 'q"uote', Count: null, Bag: [1, 2] },
      ],
      columns,
    );
    expect(csv).toBe('Name,Count,Bag\r\n"a, b",1,"{""k"":""v""}"\r\n"q""uote",,"[1,2]"\r\n');
  });
});
