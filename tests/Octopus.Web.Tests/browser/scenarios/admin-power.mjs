// Browser scenario: the sysadmin power page shows the chart, and the hosts page lists the hosts.
//   node scenarios/admin-power.mjs [BASE_URL ADMIN_USER PASSWORD SCREENSHOT_DIR]
// (the test runner passes them as OCTOPUS_URL, OCTOPUS_USER, OCTOPUS_PASSWORD, SCREENSHOTS instead)
// Logs in through the login page (#/login), opens #/admin/power, waits for an <svg> chart with data, then
// #/admin/hosts; saves screenshots at 1280 and 360 px. Exits 0 on success, 1 with one "error:" line otherwise.
// Chromium: /usr/bin/chromium (Debian package), driven by npm playwright-core (installed beside this file).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertAccessible } from './lib.mjs';

const argv = process.argv.slice(2);
const base = argv[0] ?? process.env.OCTOPUS_URL;
const user = argv[1] ?? process.env.OCTOPUS_USER;
const password = argv[2] ?? process.env.OCTOPUS_PASSWORD;
const shots = argv[3] ?? process.env.SCREENSHOTS;
if (!base || !user || !password || !shots) {
  console.error('usage: node admin-power.mjs BASE_URL ADMIN_USER PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const step = (m) => console.log(`admin-power: ${m}`);

const browser = await chromium.launch({
  executablePath: process.env.OCTOPUS_CHROMIUM ?? process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let page;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

  // ---- log in through the login page
  await page.goto(`${base}/#/login`);
  await page.getByLabel(/user ?name/i).fill(user);
  await page.getByLabel(/password/i).fill(password);
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/auth/session') && r.request().method() === 'POST');
  await page.getByRole('button', { name: /log in/i }).click();
  const session = await answer;
  if (session.status() === 404 && process.env.OCTOPUS_BROWSER_TOKEN_FALLBACK === '1') {
    // Only for a server without web sessions (a branch before them): carry an API token on every request instead.
    step('no session endpoint; using an API token (OCTOPUS_BROWSER_TOKEN_FALLBACK=1)');
    const r = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
    if (!r.ok) throw new Error(`token request failed: HTTP ${r.status}`);
    await context.setExtraHTTPHeaders({ Authorization: `Bearer ${(await r.json()).token}` });
    await page.goto(`${base}/#/vms`);
    await page.reload();
  } else if (!session.ok()) {
    throw new Error(`login failed: HTTP ${session.status()} ${await session.text()}`);
  }
  await page.locator('#nav a', { hasText: 'Power' }).waitFor({ timeout: 15000 });
  step('logged in; admin links shown');

  // ---- power page: the chart has data (the server records a reading every second)
  await page.goto(`${base}/#/admin/power`);
  await page.getByRole('heading', { name: 'Power', level: 1 }).waitFor();
  const chart = page.locator('svg#power-chart');
  const deadline = Date.now() + 30000;
  while (!(await chart.count()) && Date.now() < deadline) {
    await page.waitForTimeout(1000);
    await page.locator('#power-window').selectOption('15m'); // re-queries the history
  }
  await chart.waitFor({ timeout: 5000 });
  const points = Number(await chart.getAttribute('data-points'));
  if (!(points > 0)) throw new Error(`the power chart has no points (data-points=${points})`);
  const d = await chart.locator('path.series-watts').getAttribute('d');
  if (!d || !d.startsWith('M')) throw new Error('the power chart has no watts line');
  if ((await chart.locator('path.series-hosts').count()) !== 1) throw new Error('the power chart has no active-hosts line');
  const saved = await page.locator('#power-saved').textContent();
  if (!/Wh/.test(saved ?? '')) throw new Error(`no energy saving shown (got '${saved}')`);
  await page.locator('#plan-summary').filter({ hasText: /\S/ }).waitFor();
  step(`power chart shows ${points} point(s); saved: ${saved}`);
  await page.screenshot({ path: join(shots, 'admin-power-1280.png'), fullPage: true });

  // ---- hosts page lists the hosts
  await page.goto(`${base}/#/admin/hosts`);
  const rows = page.locator('#host-table tbody tr');
  await rows.first().waitFor({ timeout: 15000 });
  const hostCount = await rows.count();
  const powerButtons = await page.getByRole('button', { name: /^Power (off|on) / }).count();
  if (powerButtons < 1) throw new Error('the hosts page shows no power button');
  step(`hosts page lists ${hostCount} host(s)`);

  // ---- a maintenance that cannot proceed says which VM it waits for and why (the test put every host in maintenance,
  // so OCTOPUS_MAINT_VM has nowhere to go); ending maintenance on another host lets it move, and the note says drained.
  const maintHost = process.env.OCTOPUS_MAINT_HOST, maintVm = process.env.OCTOPUS_MAINT_VM, freeHost = process.env.OCTOPUS_MAINT_FREE;
  if (maintHost && maintVm && freeHost) {
    const note = page.locator(`[data-maintenance="${maintHost}"]`);
    await note.locator('.maint-summary', { hasText: /^Waiting: .*cannot move yet/ }).waitFor();
    const waiting = note.locator('.maint-waiting li', { hasText: maintVm });
    await waiting.waitFor();
    const reason = await waiting.textContent();
    if (!/no host fits/.test(reason ?? '')) throw new Error(`the waiting VM shows no placement reason: '${reason}'`);
    if (!(await waiting.getByRole('link', { name: maintVm }).getAttribute('href'))?.startsWith('#/vms/')) throw new Error(`${maintVm} is not linked to its page`);
    step(`${maintHost} in maintenance says: ${(await note.locator('.maint-summary').textContent())} / ${reason}`);
    await assertAccessible(page, 'hosts page with a waiting maintenance at 1280 px');
    await page.screenshot({ path: join(shots, 'admin-hosts-1280.png'), fullPage: true });
    await page.getByRole('button', { name: `End maintenance ${freeHost}` }).click();
    await note.locator('.maint-summary', { hasText: /^Drained: / }).waitFor({ timeout: 30000 });
    step(`after maintenance ended on ${freeHost}: ${await note.locator('.maint-summary').textContent()}`);

    // ---- the audit log names what the page just did (the button addressed the host by id) and links the VM by name
    await page.goto(`${base}/#/admin/audit?action=host.maintenance`);
    const hostCell = page.locator('#audit-table tbody tr').first().locator('td[data-label="Target"]');
    await hostCell.getByRole('link', { name: `host ${freeHost}` }).waitFor();
    if (/[0-9a-f]{8}-[0-9a-f]{4}-/.test(await hostCell.textContent())) throw new Error(`the audit shows an id: ${await hostCell.textContent()}`);
    await page.goto(`${base}/#/admin/audit?action=vm.create`);
    const vmLink = page.locator('#audit-table tbody').getByRole('link', { name: `VM ${maintVm}` }).first();
    await vmLink.waitFor();
    await assertAccessible(page, 'audit log at 1280 px');
    await page.screenshot({ path: join(shots, 'admin-audit-1280.png'), fullPage: true });
    await vmLink.click();
    await page.getByRole('heading', { name: maintVm, level: 1 }).waitFor();
    step(`audit: host.maintenance on ${freeHost} and vm.create of ${maintVm} shown by name; the VM link opens its page`);
    await page.goto(`${base}/#/admin/hosts`);
    await rows.first().waitFor();
  } else {
    await page.screenshot({ path: join(shots, 'admin-hosts-1280.png'), fullPage: true });
  }

  // ---- phone width: the same pages at 360 px, no horizontal scrolling of the page
  await page.setViewportSize({ width: 360, height: 800 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) throw new Error(`the hosts page scrolls sideways at 360 px (${overflow} px too wide)`);
  await assertAccessible(page, 'hosts page at 360 px');
  if (maintVm) {
    await page.goto(`${base}/#/admin/audit?action=vm.create`);
    await page.locator('#audit-table tbody').getByRole('link', { name: `VM ${maintVm}` }).first().waitFor();
    await assertAccessible(page, 'audit log at 360 px');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (wide > 1) throw new Error(`the audit log scrolls sideways at 360 px (${wide} px too wide)`);
    await page.screenshot({ path: join(shots, 'admin-audit-360.png'), fullPage: true });
    await page.goto(`${base}/#/admin/hosts`);
    await rows.first().waitFor();
  }
  await page.screenshot({ path: join(shots, 'admin-hosts-360.png'), fullPage: true });
  await page.goto(`${base}/#/admin/power`);
  await chart.waitFor({ timeout: 15000 });
  await page.waitForTimeout(500); // the chart is redrawn at the new width
  const chartWidth = await page.locator('svg#power-chart').evaluate((e) => e.getBoundingClientRect().width);
  if (chartWidth > 360) throw new Error(`the chart is ${chartWidth} px wide at 360 px`);
  await page.screenshot({ path: join(shots, 'admin-power-360.png'), fullPage: true });

  if (problems.length) throw new Error(problems.join('; '));
  step(`ok; screenshots in ${shots}`);
} catch (e) {
  if (page) await page.screenshot({ path: join(shots, 'admin-power-failure.png'), fullPage: true }).catch(() => {});
  console.error(`error: ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
