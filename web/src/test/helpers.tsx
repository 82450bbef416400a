// Test helpers for every page: one fetch stub that records each request and answers by route,
// and one render inside the session and a memory router. The route tables come in the shapes
// the page tests were written with (stubFetch: route -> JSON body or reply(); mockFetch:
// route prefix -> {status, body}; mockHuntFetch: route -> handler, /api/auth/me answered aside).
import { render, screen } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { vi } from 'vitest';
import { setToken } from '../api/client';
import { SessionProvider, useSession } from '../auth/session';

export interface Call {
  method: string;
  // path and query, decoded
  url: string;
  // path only, decoded
  path: string;
  params: URLSearchParams;
  body: unknown;
}

export interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Respond = (call: Call) => Answer | Promise<Answer>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 || body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function parseBody(body: BodyInit | null | undefined): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const aborted = () => new DOMException('aborted', 'AbortError');

// The one fetch stub: records each request (unless `record` says no) and answers with
// `respond`'s {status, body}. A request whose signal aborts rejects with an AbortError.
export function fakeFetch(respond: Respond, record: (call: Call) => boolean = () => true) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const parsed = new URL(String(input), 'http://localhost');
    const call: Call = {
      method: (init?.method ?? 'GET').toUpperCase(),
      url: decodeURIComponent(parsed.pathname + parsed.search),
      path: decodeURIComponent(parsed.pathname),
      params: parsed.searchParams,
      body: parseBody(init?.body),
    };
    if (record(call)) calls.push(call);
    const signal = init?.signal;
    if (signal?.aborted) throw aborted();
    const answer = await Promise.race([
      Promise.resolve(respond(call)),
      new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(aborted()))),
    ]);
    return json(answer.status ?? 200, answer.body, answer.headers);
  });
  vi.stubGlobal('fetch', fn);
  return { fn, calls };
}

const notFound = (call: Call): Answer => ({
  status: 404,
  body: { error: { code: 'NotFound', message: `no route ${call.method} ${call.path}` } },
});

// routes: "METHOD /path" -> answer or handler. The path must match exactly, or with `prefix`
// the longest route that starts the request's path and query wins. Unknown routes answer 404.
export function routeFetch(
  routes: Record<string, Answer | Respond>,
  { prefix = false, me }: { prefix?: boolean; me?: unknown } = {},
) {
  const find = (call: Call): string | undefined => {
    if (!prefix) return routes[`${call.method} ${call.path}`] !== undefined ? `${call.method} ${call.path}` : undefined;
    let best: string | undefined;
    for (const key of Object.keys(routes)) {
      const [method, start] = key.split(' ');
      if (method === call.method && call.url.startsWith(start) && (!best || start.length > best.split(' ')[1].length)) best = key;
    }
    return best;
  };
  const isMe = (call: Call) => me !== undefined && call.path === '/api/auth/me';
  return fakeFetch(
    (call) => {
      if (isMe(call)) return { body: me };
      const key = find(call);
      if (!key) return notFound(call);
      const route = routes[key];
      return typeof route === 'function' ? route(call) : route;
    },
    (call) => !isMe(call),
  );
}

// An answer with a status other than 200 for stubFetch: reply(400, {error:{...}}).
export function reply(status: number, body?: unknown) {
  return { __reply: true as const, status, body };
}
function isReply(x: unknown): x is ReturnType<typeof reply> {
  return typeof x === 'object' && x !== null && (x as { __reply?: boolean }).__reply === true;
}

// routes: "GET /api/alerts" -> a JSON body, reply(status, body), or a handler returning either.
export function stubFetch(routes: Record<string, unknown>): Call[] {
  const table: Record<string, Respond> = {};
  for (const [key, route] of Object.entries(routes)) {
    table[key] = (call) => {
      const out = typeof route === 'function' ? (route as (call: Call) => unknown)(call) : route;
      return isReply(out) ? { status: out.status, body: out.body } : { body: out };
    };
  }
  return routeFetch(table).calls;
}

// routes: "METHOD /path-prefix" -> {status, body} or a handler returning it (body {} if absent).
export function mockFetch(routes: Record<string, Answer | ((call: Call) => Answer)>) {
  const table: Record<string, Respond> = {};
  for (const [key, route] of Object.entries(routes)) {
    table[key] = (call) => {
      const a = typeof route === 'function' ? route(call) : route;
      return { status: a.status, body: a.body ?? {} };
    };
  }
  return routeFetch(table, { prefix: true });
}

// routes: "METHOD /path" -> handler; /api/auth/me answers `user` (and is not recorded).
export function mockHuntFetch(routes: Record<string, Respond>, user = { id: 'u1', name: 'alice', role: 'responder' }) {
  const { fn, calls } = routeFetch(routes, { me: user });
  return { calls, fetchMock: fn };
}

// GET /api/auth/me's answer for mockFetch.
export const me = (role: string) => ({ body: { id: 'u1', name: `${role}-user`, role } });

function Gate({ children }: { children: ReactNode }) {
  const { user } = useSession();
  return user ? <>{children}</> : <p>signing in</p>;
}

function Where() {
  const location = useLocation();
  return <p data-testid="location">{location.pathname + location.search}</p>;
}

// Renders `element` at `path` (matched by `pattern`) inside a signed-in session (the token is
// set; GET /api/auth/me must be stubbed) and a memory router. Other paths render "elsewhere"
// unless `routes` gives them an element. `gate` waits for the user before rendering;
// `showLocation` prints the current location (data-testid "location").
export function renderApp(
  element: ReactElement,
  {
    path = '/',
    pattern = '/*',
    routes = {},
    signedIn = true,
    gate = false,
    showLocation = false,
  }: {
    path?: string;
    pattern?: string;
    routes?: Record<string, ReactElement>;
    signedIn?: boolean;
    gate?: boolean;
    showLocation?: boolean;
  } = {},
) {
  if (signedIn) setToken('test-token');
  const wrapper = ({ children }: { children: ReactNode }) => (
    <SessionProvider>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path={pattern} element={gate ? <Gate>{children}</Gate> : children} />
          {Object.entries(routes).map(([p, e]) => (
            <Route key={p} path={p} element={e} />
          ))}
          <Route path="*" element={<p>elsewhere</p>} />
        </Routes>
        {showLocation && <Where />}
      </MemoryRouter>
    </SessionProvider>
  );
  return render(element, { wrapper });
}

// The alert, action and indicator pages: signed in with `role` (stubFetch routes), resolved
// once the page's heading is there.
export async function renderAs(
  role: string,
  element: ReactElement,
  routes: Record<string, unknown>,
  { path = '/', pattern = '/' }: { path?: string; pattern?: string } = {},
) {
  const calls = stubFetch({ 'GET /api/auth/me': { id: role, name: role === 'viewer' ? 'vera' : 'alice', role }, ...routes });
  const result = renderApp(element, { path, pattern, gate: true });
  await screen.findByRole('heading', { level: 1 });
  return { ...result, calls };
}

// The device, user and settings pages: signed in when `role` is given, location shown.
export function renderPage(element: ReactElement, { path, pattern, role }: { path: string; pattern: string; role?: string }) {
  return renderApp(element, { path, pattern, signedIn: role !== undefined, showLocation: true });
}

// The hunting page and its parts, signed in at /hunting.
export function renderSignedIn(ui: ReactElement) {
  return renderApp(ui, { path: '/hunting', pattern: '/hunting' });
}
