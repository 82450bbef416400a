// Reading an indicator file in the browser before it is sent to POST /api/indicators/import:
// a JSON array, {"Indicators":[...]} (or {"value":[...]} as the list answers), or a CSV with a
// header (indicatorValue,indicatorType,action,title,severity,description,expirationTime; any
// order, any case). Rows the server would refuse anyway are reported here with their line.

export const INDICATOR_TYPES = [
  'FileSha256',
  'FileSha1',
  'FileMd5',
  'CertificateThumbprint',
  'IpAddress',
  'DomainName',
  'Url',
] as const;
export const INDICATOR_ACTIONS = ['Alert', 'AlertAndBlock', 'Block', 'BlockAndRemediate', 'Allowed', 'Audit', 'Warn'] as const;
import { SEVERITIES_ASCENDING } from '../../api/triage';

export const INDICATOR_SEVERITIES = SEVERITIES_ASCENDING;

export interface IndicatorInput {
  indicatorValue: string;
  indicatorType: string;
  action: string;
  title?: string;
  description?: string;
  severity?: string;
  expirationTime?: string;
  generateAlert?: boolean;
  [key: string]: unknown;
}

export interface ParsedRow {
  where: string; // "line 3" (CSV) or "item 2" (JSON)
  indicator: IndicatorInput;
}

export interface ParseError {
  where: string;
  message: string;
}

export interface ParsedImport {
  format: 'csv' | 'json';
  rows: ParsedRow[];
  errors: ParseError[];
}

// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. Returns the
// records with the line each starts on.
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let fieldStarted = false;
  const src = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      field += c;
      if (c !== ' ' && c !== '\t') fieldStarted = true;
    }
  }
  if (quoted) throw new Error(`line ${start}: a quoted field is not closed`);
  if (field !== '' || fields.length) endRecord();
  return records;
}

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

const FIELD_NAMES: Record<string, keyof IndicatorInput> = {
  indicatorvalue: 'indicatorValue',
  value: 'indicatorValue',
  indicatortype: 'indicatorType',
  type: 'indicatorType',
  action: 'action',
  title: 'title',
  description: 'description',
  severity: 'severity',
  expirationtime: 'expirationTime',
  expiration: 'expirationTime',
  generatealert: 'generateAlert',
  recommendedactions: 'recommendedActions',
  category: 'category',
  application: 'application',
};

function canonical(list: readonly string[], value: string): string | undefined {
  const key = squash(value);
  return list.find((x) => squash(x) === key);
}

const HEX = /^[0-9a-f]+$/i;
const HASH_LENGTH: Record<string, number> = { FileSha256: 64, FileSha1: 40, FileMd5: 32, CertificateThumbprint: 40 };

// Checks one record and normalizes its enums; returns the problem or the indicator.
export function checkIndicator(raw: Record<string, unknown>, now: Date = new Date()): IndicatorInput | string {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v).trim());
  const value = text(raw.indicatorValue);
  const typeText = text(raw.indicatorType);
  const actionText = text(raw.action);
  if (!value) return 'indicatorValue is missing';
  if (!typeText) return 'indicatorType is missing';
  const type = canonical(INDICATOR_TYPES, typeText);
  if (!type) return `unknown indicatorType '${typeText}' (expected ${INDICATOR_TYPES.join(', ')})`;
  if (!actionText) return 'action is missing';
  const action = canonical([...INDICATOR_ACTIONS, 'AllowAndAlert', 'BlockAndAlert', 'BlockExecution', 'Allow'], actionText);
  if (!action) return `unknown action '${actionText}' (expected ${INDICATOR_ACTIONS.join(', ')})`;
  if (HASH_LENGTH[type] && (!HEX.test(value) || value.length !== HASH_LENGTH[type]))
    return `'${value}' is not a ${type} (${HASH_LENGTH[type]} hex digits)`;
  if (type === 'Url' && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value) && !/^[^\s/]+\.[^\s/]+\/?\S*$/.test(value))
    return `'${value}' is not a URL`;
  const out: IndicatorInput = { ...(raw as IndicatorInput), indicatorValue: value, indicatorType: type, action };
  const severityText = text(raw.severity);
  if (severityText) {
    const severity = canonical(INDICATOR_SEVERITIES, severityText);
    if (!severity) return `unknown severity '${severityText}' (expected ${INDICATOR_SEVERITIES.join(', ')})`;
    out.severity = severity;
  } else delete out.severity;
  const expiration = text(raw.expirationTime);
  if (expiration) {
    const date = new Date(expiration);
    if (Number.isNaN(date.getTime())) return `expirationTime '${expiration}' is not a date (e.g. 2026-12-31T00:00:00Z)`;
    // A time without a zone is read as UTC, as the server reads it.
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(expiration) || !/T|\d:\d/.test(expiration);
    out.expirationTime = hasZone ? date.toISOString() : new Date(`${expiration.replace(' ', 'T')}Z`).toISOString();
    if (new Date(out.expirationTime).getTime() <= now.getTime()) return `expirationTime ${out.expirationTime} is in the past`;
  } else delete out.expirationTime;
  if (typeof raw.generateAlert === 'string') {
    const g = raw.generateAlert.trim().toLowerCase();
    if (g === '') delete out.generateAlert;
    else if (['true', 'yes', '1'].includes(g)) out.generateAlert = true;
    else if (['false', 'no', '0'].includes(g)) out.generateAlert = false;
    else return `generateAlert '${raw.generateAlert}' is not true or false`;
  }
  // The server refuses indicators without a title or a description.
  for (const key of ['title', 'description'] as const) {
    out[key] = text(out[key]);
    if (!out[key]) return `${key} is missing`;
  }
  return out;
}

function fromCsv(text: string): ParsedImport {
  const records = parseCsv(text);
  const result: ParsedImport = { format: 'csv', rows: [], errors: [] };
  if (records.length === 0) {
    result.errors.push({ where: 'file', message: 'the file is empty' });
    return result;
  }
  const header = records[0].fields.map((h) => FIELD_NAMES[squash(h)]);
  for (const required of ['indicatorValue', 'indicatorType', 'action'] as const) {
    if (!header.includes(required)) {
      result.errors.push({ where: `line ${records[0].line}`, message: `the header has no ${required} column` });
    }
  }
  if (result.errors.length) return result;
  for (const record of records.slice(1)) {
    const where = `line ${record.line}`;
    if (record.fields.length > header.length && record.fields.slice(header.length).some((f) => f.trim() !== '')) {
      result.errors.push({ where, message: `${record.fields.length} fields but the header has ${header.length}` });
      continue;
    }
    const raw: Record<string, unknown> = {};
    header.forEach((name, i) => {
      if (name && record.fields[i] !== undefined && record.fields[i].trim() !== '') raw[name] = record.fields[i];
    });
    const checked = checkIndicator(raw);
    if (typeof checked === 'string') result.errors.push({ where, message: checked });
    else result.rows.push({ where, indicator: checked });
  }
  return result;
}

function fromJson(text: string): ParsedImport {
  const result: ParsedImport = { format: 'json', rows: [], errors: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    result.errors.push({ where: 'file', message: `not valid JSON: ${(e as Error).message}` });
    return result;
  }
  let items: unknown;
  if (Array.isArray(data)) items = data;
  else if (data && typeof data === 'object') {
    const obj = data as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === 'indicators' || k === 'value');
    items = key ? obj[key] : 'indicatorValue' in obj || 'IndicatorValue' in obj ? [obj] : undefined;
  }
  if (!Array.isArray(items)) {
    result.errors.push({ where: 'file', message: 'expected a JSON array or {"Indicators": [...]}' });
    return result;
  }
  items.forEach((item, i) => {
    const where = `item ${i + 1}`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      result.errors.push({ where, message: 'not an object' });
      return;
    }
    // Field names in any case (IndicatorValue, indicatorValue).
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      raw[FIELD_NAMES[squash(k)] ?? k] = v;
    }
    const checked = checkIndicator(raw);
    if (typeof checked === 'string') result.errors.push({ where, message: checked });
    else result.rows.push({ where, indicator: checked });
  });
  return result;
}

export function parseIndicatorFile(text: string, fileName = ''): ParsedImport {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  const json = /\.json$/i.test(fileName) || trimmed.startsWith('[') || trimmed.startsWith('{');
  if (json) return fromJson(trimmed);
  try {
    return fromCsv(text);
  } catch (e) {
    return { format: 'csv', rows: [], errors: [{ where: 'file', message: (e as Error).message }] };
  }
}

export interface ImportAnswerItem {
  id: string | null;
  indicator: string | null;
  isFailed: boolean;
  failureReason: string | null;
}

// The server numbers failed records by their place in what was sent ("record 3: ..."): name
// the file's line or item instead.
export function explainFailure(reason: string, sent: ParsedRow[]): ParseError {
  const m = /^record (\d+): (.*)$/s.exec(reason);
  if (m) {
    const row = sent[Number(m[1]) - 1];
    if (row) return { where: row.where, message: m[2] };
  }
  return { where: 'server', message: reason };
}
