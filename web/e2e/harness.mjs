// Shared by the console's end-to-end test and its first-load benchmark: fresh demo data with a
// console user, a real `vigil serve` on loopback serving web/dist, Debian's Chromium with a fresh
// profile, and small API helpers.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

// Demo data in a new temporary folder and a console user of `role` with a random password.
export function prepareDemo(vigil, role = 'responder') {
  const work = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  const data = join(work, 'data');
  const user = `web-${role}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  execFileSync(vigil, ['--data', data, 'demo'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(vigil, ['--data', data, 'users', 'create', user, '--role', role, '--password-stdin'], {
    input: `${password}\n`,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  return { work, data, user, password };
}

// Starts `vigil serve` (plain HTTP on a free loopback port) and resolves with its base URL once
// it prints the console's address.
export function startServer(vigil, data) {
  return new Promise((resolveStart, reject) => {
    const child = spawn(
      vigil,
      ['--data', data, 'serve', '--insecure-http', '--listen', '127.0.0.1:0', '--web', webRoot],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /Console: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (match && !started) {
        started = true;
        clearTimeout(timer);
        resolveStart({ base: `http://127.0.0.1:${match[1]}`, child });
      }
    });
    child.stderr.on('data', () => {}); // the access log
    child.on('exit', (code) => {
      if (!started) reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

export async function stopServer(child) {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
  }
}

export function removeWork(work) {
  rmSync(work, { recursive: true, force: true });
}

// Chromium with the flags of a locked-down CI machine and a fresh profile folder.
export function launchBrowser(profileDir, viewport = { width: 1280, height: 800 }) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function apiLogin(base, user, password) {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  if (!response.ok) throw new Error(`API login: ${response.status}`);
  return (await response.json()).access_token;
}

export async function apiGet(base, token, path) {
  const response = await fetch(`${base}${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'Cache-Control': 'no-cache' },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response.json();
}

// Signs in through the login form.
export async function signIn(page, base, user, password) {
  await page.goto(base);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents' }).waitFor();
}
