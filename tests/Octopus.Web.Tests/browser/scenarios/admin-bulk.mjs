// Issue 18's bulk select on the admin's "All VMs", filtered by tag TAG to two running VMs (VM_NAMES, comma-separated,
// owned by OWNER): "Select all shown", stop both with one confirmation naming each with its owner, then delete both at
// 360 px; per-VM results read from the page; axe-core at 1280 and 360 px.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, url, DESKTOP, PHONE } from './lib.mjs';

const { TAG: tag, OWNER: owner } = process.env;
const names = process.env.VM_NAMES.split(',');

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);
  await page.goto(`${url}/#/admin/vms?tag=${encodeURIComponent(tag)}`);
  await page.getByRole('heading', { name: 'All VMs' }).waitFor();
  const row = (n) => page.locator(`#all-vm-table tr[data-vm="${n}"]`);
  const dialog = page.getByRole('dialog');
  const results = page.locator('#bulk-results');
  for (const n of names) await row(n).filter({ hasText: 'Running' }).waitFor({ timeout: 30000 });

  await page.getByLabel('Select all shown').check();
  await page.locator('#bulk-count').filter({ hasText: `${names.length} of ${names.length} selected.` }).waitFor();
  await page.getByRole('button', { name: 'Stop selected' }).click();
  const listed = await dialog.locator('#confirm-items li').allInnerTexts();
  const expected = names.map((n) => `${n} (${owner})`).sort();
  if (listed.join(',') !== expected.join(',')) throw new Error(`the confirmation lists ${listed.join(', ')}, not ${expected.join(', ')}`);
  await assertAccessible(page, 'the admin bulk stop confirmation at 1280 px');
  await dialog.getByRole('button', { name: `Stop ${names.length} VMs` }).click();
  await results.getByRole('heading', { name: `Stop: ${names.length} of ${names.length} accepted` }).waitFor();
  for (const n of names) {
    const text = await results.locator(`li[data-result="${n} (${owner})"]`).innerText();
    if (text !== `${n} (${owner}): accepted`) throw new Error(`result for ${n}: ${text}`);
  }
  for (const n of names) await row(n).filter({ hasText: 'Stopped' }).waitFor({ timeout: 30000 });
  await assertAccessible(page, 'All VMs with bulk results at 1280 px');
  await shot(page, 'admin-bulk-1280');
  step(`admin stopped ${names.join(' and ')} in one action, the confirmation naming each with its owner`);

  await page.setViewportSize(PHONE);
  await page.getByLabel('Select all shown').check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await dialog.waitFor();
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the admin bulk delete confirmation at 360 px');
  await dialog.getByRole('button', { name: `Delete ${names.length} VMs` }).click();
  await results.getByRole('heading', { name: `Delete: ${names.length} of ${names.length} accepted` }).waitFor();
  for (const n of names) await row(n).waitFor({ state: 'detached', timeout: 30000 });
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'All VMs after a bulk delete at 360 px');
  step('at 360 px: admin deleted both with one confirmation; rows gone');
});
