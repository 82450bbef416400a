// One fetch wrapper for every call the console makes: adds the bearer token of the signed-in
// user, turns Defender/Graph error bodies into ApiError with the server's message, and signs
// the user out on 401 (expired or revoked token).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'vigil.token';
let unauthorizedHandler: (() => void) | null = null;

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Called when the server answers 401 to a signed-in call (the session shows the login page).
export function onUnauthorized(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `HTTP${response.status}`;
  let message = response.statusText || `request failed with status ${response.status}`;
  try {
    const body = await response.json();
    const error = body?.error;
    if (error && typeof error === 'object') {
      code = error.code ?? code;
      message = error.message ?? message;
    } else if (typeof error === 'string') {
      code = error;
      message = body.error_description ?? message;
    }
  } catch {
    // not JSON: keep the status text
  }
  const retry = Number(response.headers.get('Retry-After'));
  return new ApiError(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string') {
      body = options.body;
    } else {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, signal: options.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', 'The Vigil server cannot be reached. Is `vigil serve` running?');
  }
  if (response.status === 401 && token) {
    setToken(null);
    unauthorizedHandler?.();
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!text) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => apiRequest<T>(path, { signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>(path, { method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PUT', body }),
  del: <T>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
};

// OData list answers: {"value":[...], "@odata.count"?, "@odata.nextLink"?}
export interface ODataList<T> {
  value: T[];
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
}

// Builds "/api/x?$filter=...&$top=..." leaving out empty parameters.
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeURIComponent(key).replace(/^%24/, '$')}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

// An OData string literal: 'O''Brien'.
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
