// Test helpers for the alert, action and indicator pages: a fetch stub that answers by route
// and records every request, and a render inside the session and a router.
import { render, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { vi } from 'vitest';
import { setToken } from '../../api/client';
import { SessionProvider, useSession } from '../../auth/session';

function Gate({ children }: { children: ReactElement }) {
  const { user } = useSession();
  return user ? children : <p>signing in</p>;
}

export interface Call {
  method: string;
  url: string;
  path: string;
  params: URLSearchParams;
  body: unknown;
}

type Handler = (call: Call) => unknown;

// An answer with a status other than 200: reply(400, {error:{...}}).
export function reply(status: number, body?: unknown) {
  return { __reply: true as const, status, body };
}
function isReply(x: unknown): x is ReturnType<typeof reply> {
  return typeof x === 'object' && x !== null && (x as { __reply?: boolean }).__reply === true;
}

// routes: "GET /api/alerts" -> handler or a fixed JSON body. Unknown routes answer 404.
export function stubFetch(routes: Record<string, unknown>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const parsed = new URL(url, 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: Call = { method, url, path: parsed.pathname, params: parsed.searchParams, body };
    calls.push(call);
    const route = routes[`${method} ${parsed.pathname}`];
    let status = 200;
    let answer: unknown;
    if (route === undefined) {
      status = 404;
      answer = { error: { code: 'NotFound', message: `no route ${method} ${parsed.pathname}` } };
    } else {
      const out = typeof route === 'function' ? (route as Handler)(call) : route;
      if (isReply(out)) {
        status = out.status;
        answer = out.body;
      } else answer = out;
    }
    return new Response(answer === undefined ? null : JSON.stringify(answer), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

// Renders `element` at `path` (matched by `pattern`) for a user with `role`.
export async function renderAs(
  role: string,
  element: ReactElement,
  routes: Record<string, unknown>,
  { path = '/', pattern = '/' }: { path?: string; pattern?: string } = {},
) {
  setToken('test-token');
  const calls = stubFetch({ 'GET /api/auth/me': { id: role, name: role === 'viewer' ? 'vera' : 'alice', role }, ...routes });
  const result = render(
    <SessionProvider>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path={pattern} element={<Gate>{element}</Gate>} />
          <Route path="*" element={<div>elsewhere</div>} />
        </Routes>
      </MemoryRouter>
    </SessionProvider>,
  );
  // The session is ready once /api/auth/me answered and the page rendered.
  await screen.findByRole('heading', { level: 1 });
  return { ...result, calls };
}
