import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, onUnauthorized, odataString, setToken, withQuery } from './client';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  onUnauthorized(null);
});

describe('api client', () => {
  it('sends the bearer token and JSON bodies', async () => {
    const fetchMock = vi.fn().mockResolvedValue(answer(200, { ok: true }));
    vi.stubGlobal('fetch', fetchMock);
    setToken('tok-1');
    await expect(api.patch('/api/incidents/7', { status: 'Resolved' })).resolves.toEqual({ ok: true });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/incidents/7');
    expect(init.method).toBe('PATCH');
    expect(init.headers.Authorization).toBe('Bearer tok-1');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ status: 'Resolved' });
  });

  it('turns Defender error bodies into ApiError with Retry-After', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        answer(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'Retry-After': '12' }),
      ),
    );
    const error = (await api.get('/api/x').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('TooManyRequests');
    expect(error.message).toBe('slow down');
    expect(error.retryAfter).toBe(12);
  });

  it('signs out on 401 of a signed-in call', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(answer(401, { error: { code: 'Unauthorized', message: 'expired' } })));
    const signedOut = vi.fn();
    onUnauthorized(signedOut);
    setToken('old');
    await expect(api.get('/api/incidents')).rejects.toThrow('expired');
    expect(signedOut).toHaveBeenCalledOnce();
    expect(sessionStorage.getItem('vigil.token')).toBeNull();
  });

  it('reports an unreachable server clearly', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    await expect(api.get('/api/incidents')).rejects.toMatchObject({ code: 'NetworkError' });
  });

  it('builds OData queries', () => {
    expect(withQuery('/api/incidents', { $top: 25, $skip: 0, $filter: "status eq 'Active'", empty: '' })).toBe(
      "/api/incidents?$top=25&$skip=0&$filter=status%20eq%20'Active'",
    );
    expect(odataString("O'Brien")).toBe("'O''Brien'");
  });
});
