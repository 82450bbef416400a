// Shapes used by the hunting page (the shared HuntingResult lives in api/types.ts).
import type { HuntingColumn } from '../../api/types';

export interface SchemaColumn {
  Name: string;
  Type: string;
}
export interface SchemaTable {
  Name: string;
  Columns: SchemaColumn[];
}
// GET /api/hunting/schema
export interface HuntingSchema {
  Tables: SchemaTable[];
}

// Render operator of the query (POST /api/advancedhunting/run answers it when present).
export interface RenderInfo {
  Kind: string;
  title?: string;
  xcolumn?: string;
  ycolumns?: string[] | string;
  [key: string]: unknown;
}

export interface RunStats {
  ElapsedMs?: number;
  RowsReturned?: number;
  Truncated?: boolean;
  RowsScanned?: number;
  [key: string]: unknown;
}

export interface RunResult {
  Schema: HuntingColumn[];
  Results: Record<string, unknown>[];
  Stats?: RunStats;
  Render?: RenderInfo | null;
}

// GET /api/hunting/queries
export interface SavedQuery {
  id: string;
  name: string;
  query: string;
  description?: string;
  shared: boolean;
  owner: string;
  createdTime?: string;
  lastUpdateTime?: string;
}

// A query position "line:col" (1-based) taken from a server error message.
export interface QueryPosition {
  line: number;
  column: number;
}

export interface DetectionRuleDraft {
  name: string;
  query: string;
  severity: string;
  category: string;
  frequency: string;
  description: string;
  techniques: string[];
}
