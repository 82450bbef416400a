// Console bundle size and first-load time: a real `vigil serve` on fresh demo data serving
// web/dist, Debian's Chromium with a new (empty-cache) profile for every run. Reports the median
// over runs of: the sign-in page ready (form visible), the incident queue ready after sign-in,
// and the hunting page's editor ready (Monaco and the Kusto worker loaded), with the bytes
// transferred for each, plus the size of the build on disk (raw and gzip).
// Usage: node bench/web/first_load.mjs build/apps/vigil/vigil [RUNS=5]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchBrowser,
  prepareDemo,
  removeWork,
  signIn,
  startServer,
  stopServer,
  webRoot,
} from '../../web/e2e/harness.mjs';

const [vigil, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
if (!vigil) {
  console.error('usage: node bench/web/first_load.mjs VIGIL_BINARY [RUNS]');
  process.exit(2);
}

function buildSizes() {
  let raw = 0;
  let gz = 0;
  let files = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.gz')) gz += statSync(path).size;
      else {
        raw += statSync(path).size;
        files += 1;
      }
    }
  };
  walk(webRoot);
  const index = readFileSync(join(webRoot, 'index.html'), 'utf8');
  let initialRaw = statSync(join(webRoot, 'index.html')).size;
  let initialGz = 0;
  for (const [, href] of index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    const file = join(webRoot, href);
    initialRaw += statSync(file).size;
    try {
      initialGz += statSync(`${file}.gz`).size;
    } catch {
      initialGz += statSync(file).size;
    }
  }
  return { files, raw, gz, initialRaw, initialGz };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

async function transferred(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .concat(performance.getEntriesByType('navigation'))
      .reduce((sum, entry) => sum + (entry.transferSize || 0), 0),
  );
}

const demo = prepareDemo(vigil, 'viewer');
const server = await startServer(vigil, demo.data);
const results = { login: [], loginBytes: [], queue: [], hunting: [], huntingBytes: [] };
try {
  for (let run = 0; run < runs; run += 1) {
    const context = await launchBrowser(join(demo.work, `profile-${run}`));
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(60_000);

    let started = Date.now();
    await page.goto(server.base);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    results.login.push(Date.now() - started);
    results.loginBytes.push(await transferred(page));

    started = Date.now();
    await page.getByLabel('User name').fill(demo.user);
    await page.getByLabel('Password').fill(demo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.locator('table tbody tr').first().waitFor();
    results.queue.push(Date.now() - started);

    const before = await transferred(page);
    started = Date.now();
    await page.getByRole('link', { name: 'Advanced hunting' }).click();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    results.hunting.push(Date.now() - started);
    results.huntingBytes.push((await transferred(page)) - before);
    await context.close();
  }
} finally {
  await stopServer(server.child);
  removeWork(demo.work);
}

const sizes = buildSizes();
console.log(`build: ${sizes.files} files, ${kib(sizes.raw)} raw, ${kib(sizes.gz)} as gzip siblings`);
console.log(`first load (index.html + entry JS/CSS): ${kib(sizes.initialRaw)} raw, ${kib(sizes.initialGz)} gzip`);
console.log(`runs: ${runs}, cold profile each, loopback, median:`);
console.log(`  sign-in page ready:        ${median(results.login)} ms (${kib(median(results.loginBytes))} transferred)`);
console.log(`  incident queue after login: ${median(results.queue)} ms`);
console.log(`  hunting editor ready:       ${median(results.hunting)} ms (${kib(median(results.huntingBytes))} transferred)`);
