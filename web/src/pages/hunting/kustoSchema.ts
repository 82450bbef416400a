// Turns the hunting schema of the API into what the Kusto language service's setSchema wants:
// an Engine cluster with one database, "Vigil", in context. Column types go as CLR names
// (System.String ...), which the service maps back to Kusto scalar types.
import type { EngineSchema } from '@kusto/monaco-kusto/release/esm/languageServiceManager/schema';
import type { HuntingSchema, QueryPosition } from './types';

const CLR_TYPES: Record<string, string> = {
  string: 'System.String',
  long: 'System.Int64',
  int: 'System.Int32',
  real: 'System.Double',
  double: 'System.Double',
  decimal: 'System.Data.SqlTypes.SqlDecimal',
  bool: 'System.Boolean',
  boolean: 'System.Boolean',
  datetime: 'System.DateTime',
  date: 'System.DateTime',
  timespan: 'System.TimeSpan',
  time: 'System.TimeSpan',
  guid: 'System.Guid',
  uniqueid: 'System.Guid',
  dynamic: 'System.Object',
};

// "long" -> "System.Int64"; names already in CLR form pass through; unknown ones become dynamic.
export function clrTypeOf(type: string): string {
  if (type.startsWith('System.')) return type;
  return CLR_TYPES[type.trim().toLowerCase()] ?? 'System.Object';
}

export const DATABASE_NAME = 'Vigil';

export function toKustoSchema(schema: HuntingSchema | null | undefined): EngineSchema {
  const tables = (schema?.Tables ?? [])
    .filter((t) => t && typeof t.Name === 'string' && t.Name)
    .map((t) => ({
      name: t.Name,
      entityType: 'Table' as const,
      columns: (t.Columns ?? []).map((c) => ({ name: c.Name, type: clrTypeOf(String(c.Type ?? 'dynamic')) })),
    }));
  const database = {
    name: DATABASE_NAME,
    tables,
    functions: [],
    entityGroups: [],
    majorVersion: 1,
    minorVersion: 0,
  };
  return {
    clusterType: 'Engine',
    cluster: { connectionString: 'https://vigil', databases: [database] },
    database,
  };
}

// The server's query errors carry "line:col" ("KQL0101 at line 2:9: unknown name 'Foo'").
export function parseErrorPosition(message: string): QueryPosition | null {
  const match = /\bline\s+(\d+):(\d+)/i.exec(message) ?? /\((\d+),\s*(\d+)\)/.exec(message);
  if (!match) return null;
  const line = Number(match[1]);
  const column = Number(match[2]);
  if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1) return null;
  return { line, column };
}
