// Test helpers for the hunting page: a fetch mock answering by method and path, and rendering
// inside a signed-in session and a router.
import { render } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { SessionProvider } from '../../auth/session';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}
type Handler = (call: Call) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

export function mockFetch(routes: Record<string, Handler>, user = { id: 'u1', name: 'alice', role: 'responder' }) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const call: Call = { method, path: url.pathname + url.search, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    if (url.pathname === '/api/auth/me') return json(200, user);
    calls.push(call);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return json(404, { error: { code: 'NotFound', message: `no resource at ${url.pathname}` } });
    const answer = await Promise.race([
      Promise.resolve(handler(call)),
      new Promise<never>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      }),
    ]);
    return json(answer.status ?? 200, answer.body);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

function json(status: number, body: unknown): Response {
  return new Response(status === 204 || body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function renderSignedIn(ui: ReactElement) {
  sessionStorage.setItem('vigil.token', 'test-token');
  return render(ui, {
    wrapper: ({ children }: { children: ReactNode }) => (
      <SessionProvider>
        <MemoryRouter initialEntries={['/hunting']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>{children}</MemoryRouter>
      </SessionProvider>
    ),
  });
}
