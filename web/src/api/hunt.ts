// Running a KQL hunting query from a page (POST /api/advancedhunting/run), and writing user
// input into a query safely: every value a page puts into KQL goes through kqlString, never
// through string concatenation of raw input.
import { apiRequest } from './client';
import type { HuntingResult } from './types';

export function runHunt(query: string, signal?: AbortSignal): Promise<HuntingResult> {
  return apiRequest<HuntingResult>('/api/advancedhunting/run', { method: 'POST', body: { Query: query }, signal });
}

// A KQL string literal in double quotes: backslash and quote escaped, control characters
// written as escapes so a value can never end the literal or start a new line of the query.
export function kqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default: {
        const code = ch.codePointAt(0)!;
        out += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      }
    }
  }
  return `${out}"`;
}

// A KQL list of string literals for `in (...)` / `has_any (...)`: ("a", "b").
export function kqlStringList(values: Iterable<string>): string {
  return `(${[...values].map(kqlString).join(', ')})`;
}
