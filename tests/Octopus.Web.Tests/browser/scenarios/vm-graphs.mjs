// Issue 18's graphs. As the VM's owner (OCTOPUS_USER) on VM_ID's page: the four graphs (CPU, memory, disk I/O, network
// I/O) are inline SVG with an accessible name, drawn from at least one stored point; the range picker switches to 24 h
// and 7 d (one point per 5 min, per hour). At 1280 and 360 px: axe-core 0 serious/critical, no sideways scroll, no CSP
// violation. Then as admin (ADMIN_PASSWORD) the host's page (HOST_NAME, linked from Hosts) shows its load and power graphs.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, watchCsp, DESKTOP, PHONE } from './lib.mjs';

const vmId = process.env.VM_ID;
const vmName = process.env.VM_NAME;
const hostName = process.env.HOST_NAME;
const GRAPHS = ['graph-cpu', 'graph-memory', 'graph-disk', 'graph-network'];

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  const csp = watchCsp(page);
  await login(page);
  await page.goto(`${page.url().split('#')[0]}#/vms/${vmId}`);
  await page.getByRole('heading', { name: 'Graphs' }).waitFor();
  for (const id of GRAPHS) await page.locator(`svg#${id}[role="img"]`).waitFor();
  // Each graph's accessible name starts with its title ("NAME: CPU"); its description says what it shows.
  for (const what of ['CPU', 'memory', 'disk I/O', 'network I/O']) {
    if ((await page.getByRole('img', { name: `${vmName}: ${what}` }).count()) !== 1) throw new Error(`no graph named "${vmName}: ${what}"`);
  }
  const points = await page.locator('svg#graph-cpu').getAttribute('data-points');
  if (!(+points >= 1)) throw new Error(`the CPU graph has ${points} points`);
  for (const id of GRAPHS.slice(0, 3)) {
    if ((await page.locator(`svg#${id} path`).count()) < 1) throw new Error(`${id} draws no line`);
  }
  await assertAccessible(page, 'the VM page with its graphs at 1280 px');
  await shot(page, 'vm-graphs-1280');
  step(`VM page: 4 graphs, CPU from ${points} stored point(s) (last hour, one a minute)`);

  await page.getByLabel('Range', { exact: true }).selectOption('24h');
  await page.locator('#graph-status').filter({ hasText: /mean over 5 min|No readings/ }).waitFor();
  await page.getByLabel('Range', { exact: true }).selectOption('7d');
  await page.locator('#graph-status').filter({ hasText: /mean over 1 h|No readings/ }).waitFor();
  if ((await page.locator('svg#graph-cpu').getAttribute('data-points')) === null) throw new Error('no CPU graph at 7 d');
  step('range 24 h (5 min means) and 7 d (hour means) redraw the graphs');

  await page.setViewportSize(PHONE);
  await page.getByLabel('Range', { exact: true }).selectOption('1h');
  await page.locator('#graph-status').filter({ hasText: /mean over 1 min/ }).waitFor();
  await page.waitForTimeout(400); // the redraw at the new width (200 ms debounce)
  await assertNoHorizontalScroll(page);
  const width = await page.locator('svg#graph-cpu').evaluate((e) => e.getBoundingClientRect().width);
  if (width > 360) throw new Error(`the CPU graph is ${width}px wide at 360 px`);
  await assertAccessible(page, 'the VM page with its graphs at 360 px');
  await shot(page, 'vm-graphs-360');
  step(`at 360 px the graphs fit (${Math.round(width)} px wide), no sideways scroll`);
  if (csp.length) throw new Error(`CSP violations: ${csp.join('; ')}`);
  step('no Content-Security-Policy violation');

  const admin = await openPage(browser, DESKTOP);
  await login(admin, 'admin', process.env.ADMIN_PASSWORD);
  await admin.goto(`${admin.url().split('#')[0]}#/admin/hosts`);
  await admin.getByRole('link', { name: hostName, exact: true }).click();
  await admin.getByRole('heading', { name: hostName, level: 1 }).waitFor();
  for (const id of ['graph-load', 'graph-power']) await admin.locator(`svg#${id}[role="img"]`).waitFor();
  const hostPoints = await admin.locator('svg#graph-power').getAttribute('data-points');
  if (!(+hostPoints >= 1)) throw new Error(`the host's power graph has ${hostPoints} points`);
  await assertAccessible(admin, "a host's page with its graphs at 1280 px");
  await admin.setViewportSize(PHONE);
  await admin.waitForTimeout(400);
  await assertNoHorizontalScroll(admin);
  await assertAccessible(admin, "a host's page with its graphs at 360 px");
  await shot(admin, 'host-graphs-360');
  step(`host ${hostName}: load and power graphs (${hostPoints} point(s))`);
});
