// Test helpers for the device, user and settings pages: a fetch mock that answers by method and
// path, and a render inside the session and a router.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { vi } from 'vitest';
import { SessionProvider } from '../../auth/session';

export interface Call {
  method: string;
  url: string;
  path: string; // decoded
  body: unknown;
}

type Answer = { status?: number; body?: unknown } | ((call: Call) => { status?: number; body?: unknown });

// routes: "METHOD /path-prefix" -> answer; the longest matching prefix wins.
export function mockFetch(routes: Record<string, Answer>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? safeJson(init.body) : undefined;
    const call: Call = { method, url, path: decodeURIComponent(url), body };
    calls.push(call);
    let best: string | null = null;
    for (const key of Object.keys(routes)) {
      const [m, prefix] = key.split(' ');
      if (m === method && call.path.startsWith(prefix) && (!best || prefix.length > best.split(' ')[1].length)) best = key;
    }
    if (!best) return json(404, { error: { code: 'NotFound', message: `no mock for ${method} ${url}` } });
    const answer = routes[best];
    const a = typeof answer === 'function' ? answer(call) : answer;
    return json(a.status ?? 200, a.body ?? {});
  });
  vi.stubGlobal('fetch', fn);
  return { fn, calls };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function Where() {
  const location = useLocation();
  return <p data-testid="location">{location.pathname + location.search}</p>;
}

// Renders `element` at `path` (pattern `pattern`) inside the session (signed in with `role`
// when given: GET /api/auth/me must be mocked) and a memory router.
export function renderPage(element: ReactElement, { path, pattern, role }: { path: string; pattern: string; role?: string }) {
  if (role) sessionStorage.setItem('vigil.token', 'test-token');
  return render(
    <SessionProvider>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path={pattern} element={element} />
          <Route path="*" element={<p>elsewhere</p>} />
        </Routes>
        <Where />
      </MemoryRouter>
    </SessionProvider>,
  );
}

export const me = (role: string) => ({ body: { id: 'u1', name: `${role}-user`, role } });
