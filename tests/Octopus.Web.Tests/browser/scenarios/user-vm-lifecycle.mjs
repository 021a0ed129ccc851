// Log in, create a VM with a custom geometry (seeing field validation first), watch it reach Running without
// reloading, stop it at phone width, delete it with confirmation. Screenshots at 1280 and 360 px.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, DESKTOP, PHONE } from './lib.mjs';

const name = `web-e2e-${Date.now().toString(36)}`;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);
  await shot(page, 'login-done-1280');

  await page.getByRole('link', { name: 'Create VM' }).first().click();
  await page.getByRole('heading', { name: 'Create a VM' }).waitFor();
  // Field-level validation, at once: too many cores for the quota, a bad name.
  await page.getByLabel('vCPU cores').fill('64');
  await page.locator('#vm-cores-error').filter({ hasText: 'quota' }).waitFor();
  await page.getByLabel('Name').fill('Bad Name');
  await page.locator('#vm-name-error').filter({ hasText: 'lower-case' }).waitFor();
  step('field errors shown while typing');
  await shot(page, 'create-vm-invalid-1280');

  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Image').selectOption('debian-12');
  await page.getByLabel('vCPU cores').fill('3');
  await page.getByLabel('Memory (GiB)').fill('1.5');
  await page.getByLabel('Disk (GiB)').fill('12');
  await page.getByRole('button', { name: 'Create VM' }).click();
  await page.locator('#create-progress').waitFor();
  await shot(page, 'create-vm-1280');
  await page.locator('#create-state').filter({ hasText: 'Running' }).waitFor({ timeout: 30000 });
  step(`${name} reached Running (progress panel, no reload)`);

  await page.getByRole('link', { name: 'All my VMs' }).click();
  const row = page.locator(`tr[data-vm="${name}"]`);
  await row.waitFor();
  const text = await row.innerText();
  if (!text.includes('3 vCPU · 1.5 GiB · 12 GiB')) throw new Error(`the row does not show the custom geometry: ${text}`);
  if (!text.includes('Running')) throw new Error(`the row is not Running: ${text}`);
  await page.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  step('list shows the geometry; live stream connected');
  await shot(page, 'my-vms-1280');

  await page.setViewportSize(PHONE);
  await assertNoHorizontalScroll(page);
  await shot(page, 'my-vms-360');
  await page.getByRole('button', { name: `Stop ${name}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
  await row.locator('.vm-state').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30000 });
  step(`${name} stopped (seen live at 360 px)`);

  await row.getByRole('link', { name }).click();
  await page.getByRole('heading', { name }).waitFor();
  await assertNoHorizontalScroll(page);
  await shot(page, 'vm-detail-360');
  await page.setViewportSize(DESKTOP);

  await page.locator('#action-snapshot').click();
  const snap = page.getByRole('dialog');
  await snap.getByLabel('Snapshot name').fill('before-delete');
  await snap.getByRole('button', { name: 'Snapshot' }).click();
  await page.locator('#vm-snapshots li').filter({ hasText: 'before-delete' }).waitFor();
  step('snapshot taken from the detail page');

  // A VM created without a lease is not offered "Extend lease" (journeys.mjs extends one that has a lease).
  if (await page.locator('#action-extend').count() > 0) throw new Error('"Extend lease" offered on a VM without a lease');
  await shot(page, 'vm-detail-1280');

  await page.locator('#action-delete').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(`Delete ${name}?`).waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.locator('#vm-message').filter({ hasText: 'deleted' }).waitFor({ timeout: 30000 });
  await page.goto(page.url().replace(/#.*/, '#/vms'));
  await page.getByRole('heading', { name: 'My VMs' }).waitFor();
  await page.locator(`tr[data-vm="${name}"]`).waitFor({ state: 'detached', timeout: 30000 });
  step(`${name} deleted`);
});
