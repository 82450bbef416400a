// End-to-end test of the console: fresh demo data, a real `vigil serve` on loopback serving
// web/dist, Debian's Chromium driven by playwright-core. Signs in as a responder created with
// `vigil users create`, opens the demo incident and checks its story graph spans endpoint,
// identity, email and cloud apps, approves a pending action (checked through the API), runs a
// hunting query that renders a time chart. Screenshots go to the artifacts folder; any console
// error or failed step fails the run.
// Usage: node web/e2e/console.e2e.mjs VIGIL_BINARY [ARTIFACT_DIR]
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiGet,
  apiLogin,
  launchBrowser,
  prepareDemo,
  removeWork,
  signIn,
  startServer,
  stopServer,
} from './harness.mjs';

const [vigil, artifactArg] = process.argv.slice(2);
if (!vigil) {
  console.error('usage: node console.e2e.mjs VIGIL_BINARY [ARTIFACT_DIR]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const artifacts = resolve(artifactArg ?? join(here, '..', 'test-results'));
mkdirSync(artifacts, { recursive: true });

let demoSetup;
let server;
let context;
const failures = [];
const consoleErrors = [];

function log(message) {
  console.log(`[e2e] ${message}`);
}

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures.push(`${name}: ${error.message}`);
    log(`FAIL ${name}: ${error.message}`);
  }
}

async function shoot(page, name) {
  for (const [width, height] of [
    [1280, 800],
    [1920, 1080],
  ]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(artifacts, `${name}-${width}x${height}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function main() {
  demoSetup = prepareDemo(vigil, 'responder');
  const { work, data, user, password } = demoSetup;
  log(`demo data in ${data}`);
  server = await startServer(vigil, data);
  const { base } = server;
  log(`vigil serve on ${base}`);
  const token = await apiLogin(base, user, password);

  // The demo incident: the active one with the most alerts (the attack across four domains).
  const incidents = (await apiGet(base, token, '/api/incidents?$top=100')).value;
  const demo = incidents
    .filter((incident) => incident.status === 'Active')
    .sort((a, b) => (b.alerts?.length ?? 0) - (a.alerts?.length ?? 0))[0];
  if (!demo) throw new Error('the demo data has no active incident');
  log(`demo incident ${demo.incidentId}: ${demo.incidentName} (${demo.alerts.length} alerts)`);

  context = await launchBrowser(join(work, 'chromium-profile'));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));

  await step('log in', async () => {
    await signIn(page, base, user, password);
    await page.getByText(demo.incidentName).first().waitFor();
    await shoot(page, '01-incidents');
  });

  await step('open the demo incident and see its story graph across four domains', async () => {
    await page.getByRole('row').filter({ hasText: demo.incidentName }).filter({ hasText: String(demo.incidentId) }).first().click();
    await page.waitForURL(`**/incidents/${demo.incidentId}`);
    await page.locator('[data-testid="story-graph"] canvas').first().waitFor();
    const domains = await page.locator('[data-testid="story-domains"]').innerText();
    for (const domain of ['Endpoint', 'Identity', 'Email', 'Cloud']) {
      if (!domain.split(' ').every((word) => domains.includes(word))) {
        throw new Error(`story domains '${domains.replace(/\s+/g, ' ')}' lack ${domain}`);
      }
    }
    await page.waitForTimeout(800); // let the layout settle for the screenshot
    await shoot(page, '02-incident-story');
  });

  await step('approve a pending action', async () => {
    const before = (await apiGet(base, token, '/api/actioncenter/pending')).value.filter(
      (action) => action.incidentId === demo.incidentId,
    );
    if (before.length === 0) throw new Error('the demo incident has no pending action');
    await page.getByRole('tab', { name: /Evidence/ }).click();
    await page.getByRole('button', { name: 'Approve', exact: true }).first().click();
    const dialog = page.getByRole('dialog');
    if (await dialog.isVisible().catch(() => false)) {
      await dialog.getByRole('button', { name: /^(Approve|Confirm)/ }).click();
    }
    let decided = [];
    for (let i = 0; i < 40 && decided.length === 0; i += 1) {
      await page.waitForTimeout(250);
      const history = (await apiGet(base, token, '/api/actioncenter/history')).value;
      decided = history.filter((action) => action.decidedBy === user && action.approval !== 'Pending');
    }
    if (decided.length === 0) throw new Error('no action was approved by the e2e user');
    log(`approved action ${decided[0].id} (${decided[0].type}), now ${decided[0].status}`);
    await shoot(page, '03-incident-approved');
  });

  await step('run a hunting query and see a chart', async () => {
    await page.getByRole('link', { name: 'Advanced hunting' }).click();
    const editor = page.locator('.monaco-editor').first();
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(
      'DeviceProcessEvents | summarize count() by bin(Timestamp, 1d) | render timechart',
    );
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.locator('[data-testid="hunting-chart"] canvas').first().waitFor();
    await page.waitForTimeout(800);
    await shoot(page, '04-hunting-chart');
  });

  await step('every page loads its data without an error state', async () => {
    const firstAlert = demo.alerts[0].alertId;
    const machines = (await apiGet(base, token, '/api/machines?$top=1')).value;
    const pages = [
      ['05-alerts', '/alerts', 'Alerts'],
      ['06-alert', `/alerts/${firstAlert}`, null],
      ['07-actions', '/actions', 'Action center'],
      ['08-devices', '/devices', 'Devices'],
      ['09-device', `/devices/${machines[0].id}`, null],
      ['10-users', '/users', 'Users'],
      ['11-indicators', '/indicators', 'Indicators'],
      ['12-settings', '/settings', 'Settings'],
    ];
    for (const [shot, path, heading] of pages) {
      await page.goto(`${base}${path}`);
      if (heading) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      else await page.locator('h1').first().waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.state-loading').length === 0, null, {
        timeout: 20_000,
      });
      const errors = await page.locator('.state-error').allInnerTexts();
      if (errors.length > 0) throw new Error(`${path}: ${errors.join(' | ')}`);
      await page.screenshot({ path: join(artifacts, `${shot}-1280x800.png`) });
    }
  });

  await step('no console errors', async () => {
    if (consoleErrors.length > 0) throw new Error(consoleErrors.join('\n'));
  });
}

try {
  await main();
} catch (error) {
  failures.push(`setup: ${error.message}`);
  log(`FAIL setup: ${error.message}`);
} finally {
  await context?.close().catch(() => {});
  await stopServer(server?.child);
  if (demoSetup) removeWork(demoSetup.work);
}
log(`screenshots in ${artifacts}`);
if (failures.length > 0) {
  log(`${failures.length} step(s) failed`);
  process.exit(1);
}
log('all steps passed');
