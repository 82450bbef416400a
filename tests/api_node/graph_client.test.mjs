// Contract test: a real `vigil serve` on 127.0.0.1 (TLS with the self-signed certificate it
// makes on first start, which run.sh tells Node to accept; a fresh data dir with the demo
// loaded), driven by the Microsoft Graph JavaScript client with a custom base URL and a bearer
// token from Vigil's OAuth2 client-credentials endpoint, and the Defender hunting API by fetch.
// Usage: node graph_client.test.mjs VIGIL_BINARY
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { Client } from '@microsoft/microsoft-graph-client';

const vigil = process.argv[2];
const data = mkdtempSync(path.join(tmpdir(), 'vigil-node-'));
let failures = 0;
let passed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(vigil, ['--data', data, 'serve', '--listen', '127.0.0.1:0',
                                '--respond-every', '1']);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on https:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), out });
      }
    });
    child.stderr.on('data', (chunk) => { out += chunk; });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function token(base, id, secret) {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: id,
                                     client_secret: secret,
                                     scope: 'https://graph.microsoft.com/.default' });
  const res = await fetch(`${base}/oauth2/v2.0/token`, { method: 'POST', body });
  assert.equal(res.status, 200);
  const json = await res.json();
  assert.equal(json.token_type, 'Bearer');
  return json.access_token;
}

function credentials(text, label) {
  const id = text.match(/client[ _]id:\s*(\S+)/);
  const secret = text.match(/client[ _]secret:\s*(\S+)/);
  assert.ok(id && secret, `${label} printed no credentials: ${text}`);
  return { id: id[1], secret: secret[1] };
}

try {
  execFileSync(vigil, ['--data', data, 'demo', '--days', '3', '--devices', '6',
                       '--end', '2026-11-23T12:00:00Z'], { stdio: 'ignore' });
  const admin = credentials(
      execFileSync(vigil, ['--data', data, 'apps', 'create', 'node-admin', '--role', 'admin'])
          .toString(), 'apps create');
  const viewer = credentials(
      execFileSync(vigil, ['--data', data, 'apps', 'create', 'node-viewer', '--role', 'viewer'])
          .toString(), 'apps create');
  execFileSync(vigil, ['--data', data, 'users', 'create', 'carol', '--role', 'analyst',
                       '--password-stdin'], { input: 'carol-console-password\n' });
  let { child, port } = await startServer();
  const base = `https://127.0.0.1:${port}`;
  const adminToken = await token(base, admin.id, admin.secret);
  const graph = Client.init({
    baseUrl: `${base}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set(['127.0.0.1']),  // the client sends tokens only to known hosts
    authProvider: (done) => done(null, adminToken),
  });

  await check('Graph client lists incidents with alerts expanded', async () => {
    const page = await graph.api('/security/incidents').expand('alerts').top(50).get();
    assert.ok(Array.isArray(page.value) && page.value.length >= 1);
    const attack = page.value.find((i) => (i.alerts || []).length >= 10);
    assert.ok(attack, 'the demo attack incident');
    assert.equal(attack.severity, 'high');
  });

  await check('Graph client pages alerts_v2 through @odata.nextLink', async () => {
    let page = await graph.api('/security/alerts_v2').top(5).get();
    let seen = page.value.length;
    while (page['@odata.nextLink']) {
      page = await graph.api(page['@odata.nextLink']).get();
      seen += page.value.length;
    }
    assert.ok(seen >= 20, `saw ${seen} alerts`);
  });

  await check('Graph client updates an incident and reads it back', async () => {
    const list = await graph.api('/security/incidents').top(1).get();
    const id = list.value[0].id;
    await graph.api(`/security/incidents/${id}`).patch({ status: 'inProgress',
                                                         assignedTo: 'node@contoso.com' });
    const back = await graph.api(`/security/incidents/${id}`).get();
    assert.equal(back.status, 'inProgress');
    assert.equal(back.assignedTo, 'node@contoso.com');
  });

  await check('Graph runHuntingQuery returns lower-case schema and results', async () => {
    const r = await graph.api('/security/runHuntingQuery')
                  .post({ Query: 'AlertInfo | summarize n = count() by ServiceSource',
                          Timespan: 'P3650D' });
    assert.ok(Array.isArray(r.schema) && r.schema[0].name === 'ServiceSource');
    const sources = r.results.map((x) => x.ServiceSource);
    for (const s of ['Endpoint', 'Identity', 'Email', 'CloudApps']) {
      assert.ok(sources.includes(s), `${s} in ${sources}`);
    }
  });

  await check('Defender hunting API by fetch', async () => {
    const res = await fetch(`${base}/api/advancedhunting/run`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Query: 'DeviceProcessEvents | take 3' }),
    });
    assert.equal(res.status, 200);
    const json = await res.json();
    assert.ok(Array.isArray(json.Schema) && json.Results.length === 3);
  });

  await check('no token, bad token, viewer on a responder route, malformed JSON', async () => {
    assert.equal((await fetch(`${base}/api/incidents`)).status, 401);
    assert.equal((await fetch(`${base}/api/incidents`,
                              { headers: { Authorization: 'Bearer nonsense' } })).status, 401);
    const viewerToken = await token(base, viewer.id, viewer.secret);
    const list = await fetch(`${base}/api/incidents`,
                             { headers: { Authorization: `Bearer ${viewerToken}` } });
    assert.equal(list.status, 200);
    const isolate = await fetch(`${base}/api/machines/whatever/isolate`, {
      method: 'POST', headers: { Authorization: `Bearer ${viewerToken}` },
      body: JSON.stringify({ Comment: 'x', IsolationType: 'Full' }) });
    assert.equal(isolate.status, 403);
    const bad = await fetch(`${base}/api/advancedhunting/run`, {
      method: 'POST', headers: { Authorization: `Bearer ${adminToken}` }, body: '{"Query":' });
    assert.equal(bad.status, 400);
    const err = await bad.json();
    assert.ok(err.error && err.error.code && err.error.message);
    const wrong = await fetch(`${base}/oauth2/v2.0/token`, { method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.id,
                                  client_secret: 'wrong' }) });
    assert.ok(wrong.status === 400 || wrong.status === 401);
  });

  await check('console login, who-am-I and a cached read revalidated by ETag', async () => {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-console-password' }) });
    assert.equal(login.status, 200);
    const session = await login.json();
    assert.equal(session.user.role, 'analyst');
    const auth = { Authorization: `Bearer ${session.access_token}` };
    const me = await (await fetch(`${base}/api/auth/me`, { headers: auth })).json();
    assert.equal(me.name, 'carol');
    const first = await fetch(`${base}/api/incidents?$top=5`, { headers: auth });
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag');
    assert.ok(etag, 'an ETag on a cacheable read');
    const again = await fetch(`${base}/api/incidents?$top=5`,
                              { headers: { ...auth, 'If-None-Match': etag } });
    assert.ok(again.status === 304 || again.status === 200);  // 200 if data changed between
    const wrong = await fetch(`${base}/api/auth/login`, {
      method: 'POST', body: JSON.stringify({ username: 'carol', password: 'nope-nope-nope' }) });
    assert.equal(wrong.status, 401);
  });

  await check('data and credentials survive a restart', async () => {
    const code = await stopServer(child);
    assert.equal(code, 0);
    ({ child, port } = await startServer());
    const again = `https://127.0.0.1:${port}`;
    const t = await token(again, admin.id, admin.secret);
    const res = await fetch(`${again}/api/incidents`, { headers: { Authorization: `Bearer ${t}` } });
    assert.equal(res.status, 200);
    const json = await res.json();
    assert.ok(json.value.some((i) => i.assignedTo === 'node@contoso.com'));
  });

  await stopServer(child);
} catch (e) {
  failures += 1;
  console.log(`FAIL setup: ${e.stack || e}`);
} finally {
  rmSync(data, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
