import { describe, expect, it } from 'vitest';
import { clrTypeOf, parseErrorPosition, toKustoSchema } from './kustoSchema';

describe('Kusto schema for the language service', () => {
  it('builds an Engine cluster with the Vigil database in context', () => {
    const schema = toKustoSchema({
      Tables: [{ Name: 'DeviceEvents', Columns: [{ Name: 'Timestamp', Type: 'datetime' }, { Name: 'AdditionalFields', Type: 'dynamic' }] }],
    });
    expect(schema.clusterType).toBe('Engine');
    expect(schema.database?.name).toBe('Vigil');
    expect(schema.cluster.databases).toHaveLength(1);
    expect(schema.database?.tables[0]).toEqual({
      name: 'DeviceEvents',
      entityType: 'Table',
      columns: [
        { name: 'Timestamp', type: 'System.DateTime' },
        { name: 'AdditionalFields', type: 'System.Object' },
      ],
    });
  });

  it('maps column types to CLR names', () => {
    expect(clrTypeOf('string')).toBe('System.String');
    expect(clrTypeOf('long')).toBe('System.Int64');
    expect(clrTypeOf('int')).toBe('System.Int32');
    expect(clrTypeOf('real')).toBe('System.Double');
    expect(clrTypeOf('bool')).toBe('System.Boolean');
    expect(clrTypeOf('guid')).toBe('System.Guid');
    expect(clrTypeOf('timespan')).toBe('System.TimeSpan');
    expect(clrTypeOf('System.Int64')).toBe('System.Int64');
    expect(clrTypeOf('odd')).toBe('System.Object');
  });

  it('works without a schema', () => {
    expect(toKustoSchema(null).database?.tables).toEqual([]);
  });

  it('reads line:col from server errors', () => {
    expect(parseErrorPosition("Query failed: KQL0101 at line 2:9: unknown name 'Foo'")).toEqual({ line: 2, column: 9 });
    expect(parseErrorPosition('syntax error (3, 14)')).toEqual({ line: 3, column: 14 });
    expect(parseErrorPosition('rate limited, retry at 10:30')).toBeNull();
  });
});
