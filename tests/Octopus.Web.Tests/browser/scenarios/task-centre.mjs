// The task centre (#/tasks): an action's toast links to it; the page lists the caller's operations from the journal with
// status, progress and outcome and a link to the VM; an operation started while the page is open appears and finishes
// without a reload; the page survives a reload and is bookmarkable (filters in the URL); the nav link reaches it at
// 360 px; axe-core finds 0 serious/critical issues at 1280 and 360 px. VM_ID/VM_NAME: a running VM of the user.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, url, DESKTOP, PHONE } from './lib.mjs';

const vmId = process.env.VM_ID;
const vmName = process.env.VM_NAME;

/** Starts an action through the page's own session (cookie + CSRF header), as another tab of the same user would. */
const postFromPage = (page, path) => page.evaluate(async (p) => {
  const csrf = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'octopus_csrf')?.[1] ?? '';
  const r = await fetch(`/api/v1${p}`, { method: 'POST', headers: { 'X-CSRF-Token': decodeURIComponent(csrf), 'Content-Type': 'application/json' }, body: '{}' });
  return r.status;
}, path);

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);

  // 1. An action's toast links to the task centre, filtered to that VM.
  await page.getByRole('button', { name: `Stop ${vmName}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
  const link = page.locator('.toast').getByRole('link', { name: 'Follow in Tasks' });
  await link.click();
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  if (!page.url().includes(`#/tasks?vm=${encodeURIComponent(vmId)}`)) throw new Error(`the toast led to ${page.url()}`);
  const stopRow = page.locator('#task-table tr[data-op]').filter({ hasText: 'Stop VM' }).first();
  await stopRow.waitFor();
  await stopRow.locator('.op-status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: 30000 });
  if (!(await stopRow.getByRole('link', { name: vmName }).isVisible())) throw new Error('the row does not link to the VM');
  step('toast linked to the task centre; the stop is listed and succeeded');

  // 2. An operation started while the page is open appears and reaches its outcome without a reload.
  const rowsBefore = await page.locator('#task-table tr[data-op]').count();
  const status = await postFromPage(page, `/vms/${encodeURIComponent(vmId)}/start`);
  if (status >= 300) throw new Error(`start answered ${status}`);
  const startRow = page.locator('#task-table tr[data-op]').filter({ hasText: 'Start VM' }).first();
  await startRow.waitFor({ timeout: 15000 });
  await startRow.locator('.op-status').filter({ hasText: 'Succeeded' }).waitFor({ timeout: 30000 });
  if (await page.locator('#task-table tr[data-op]').count() <= rowsBefore) throw new Error('the new operation did not appear');
  step('an operation started elsewhere appeared and finished live (no reload)');
  await assertAccessible(page, 'the task centre at 1280 px');
  await shot(page, 'tasks-1280');

  // 3. A reload keeps everything (the journal is in the store, the filter in the URL); the filter is a link to share.
  await page.reload();
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  await page.locator('#task-table tr[data-op]').filter({ hasText: 'Start VM' }).first().waitFor();
  await page.locator('#task-table tr[data-op]').filter({ hasText: 'Stop VM' }).first().waitFor();
  await page.getByLabel('Show').selectOption('finished');
  await page.waitForURL(/status=finished/);
  await page.reload();
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  if (await page.getByLabel('Show').inputValue() !== 'finished') throw new Error('the filter did not survive a reload');
  await page.locator('#task-table tr[data-op]').first().waitFor();
  if (await page.locator('#task-table tr[data-status="Pending"], #task-table tr[data-status="Running"]').count() > 0)
    throw new Error('"Finished" shows open operations');
  step('survives a reload; the status filter is in the URL');

  // 4. The row's VM link opens the VM.
  await page.locator('#task-table tr[data-op]').first().getByRole('link', { name: vmName }).click();
  await page.getByRole('heading', { name: vmName }).waitFor();
  step('the VM link opens the VM page');

  // 5. At 360 px: reached from the menu, fits the screen, accessible.
  await page.setViewportSize(PHONE);
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  if (page.url().endsWith('#/tasks') === false) throw new Error(`the nav link leads to ${page.url()}`);
  await page.locator('#task-table tr[data-op]').first().waitFor();
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the task centre at 360 px');
  await shot(page, 'tasks-360');

  // 6. Bookmarkable: a fresh tab opened on the URL shows the same list after login.
  const fresh = await openPage(browser, DESKTOP);
  await fresh.goto(`${url}/#/tasks?vm=${encodeURIComponent(vmId)}`);
  await fresh.getByLabel('User name').fill(process.env.OCTOPUS_USER);
  await fresh.getByLabel('Password').fill(process.env.OCTOPUS_PASSWORD);
  await fresh.getByRole('button', { name: 'Log in' }).click();
  await fresh.getByRole('heading', { name: 'Tasks' }).waitFor();
  await fresh.locator('#task-table tr[data-op]').filter({ hasText: 'Start VM' }).first().waitFor();
  step('a bookmarked task-centre URL opens after login');
});
