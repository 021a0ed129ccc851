// Issue 18's "All VMs", filtered by tag TAG to two running VMs (VM_NAMES, comma-separated, sorted, owned by OWNER):
// search for one and sort Z to A (the count "N of M VMs shown" each time); "Select all shown", stop both with one
// confirmation naming each with its owner (the rows updated in place by the live changes), then delete both at 360 px
// ("No VM matches."); per-VM results read from the page; axe-core at 1280 and 360 px.
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
  const rowNames = () => page.locator('#all-vm-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.vm));
  const countText = async (text) => page.locator('#vm-count').filter({ hasText: text }).waitFor();
  await countText(`${names.length} of ${names.length} VMs shown.`);

  // ---- search and sort (issue 18): in the address, answered by the server; the count says what is shown of what matches.
  await page.getByLabel('Search', { exact: true }).fill(names[1]);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/q=/);
  await countText('1 of 1 VM shown.');
  if ((await rowNames()).join(',') !== names[1]) throw new Error(`searching ${names[1]} shows ${(await rowNames()).join(', ')}`);
  await page.getByLabel('Search', { exact: true }).fill('');
  await page.getByLabel('Sort by').selectOption({ label: 'Name, Z to A' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/sort=-name/);
  await countText(`${names.length} of ${names.length} VMs shown.`);
  const reversed = [...names].sort().reverse();
  if ((await rowNames()).join(',') !== reversed.join(',')) throw new Error(`sorted Z to A: ${(await rowNames()).join(', ')}, not ${reversed.join(', ')}`);
  await assertAccessible(page, 'All VMs searched and sorted at 1280 px');
  step(`search for ${names[1]} showed it alone ("1 of 1 VM shown."); sort Z to A showed ${reversed.join(', ')}`);

  // Live changes rewrite the cells they change, not the row: the rows drawn now are the ones that show the VMs stopped.
  await page.locator('#all-vm-table tbody tr').evaluateAll((trs) => trs.forEach((tr) => { tr.dataset.mark = 'before'; }));

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
  for (const n of names) if ((await row(n).getAttribute('data-mark')) !== 'before') throw new Error(`${n}'s row was rebuilt by the live change, not updated in place`);
  await countText(`${names.length} of ${names.length} VMs shown.`);
  await assertAccessible(page, 'All VMs with bulk results at 1280 px');
  await shot(page, 'admin-bulk-1280');
  step(`admin stopped ${names.join(' and ')} in one action, the confirmation naming each with its owner; rows updated in place`);

  await page.setViewportSize(PHONE);
  await page.getByLabel('Select all shown').check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  await dialog.waitFor();
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the admin bulk delete confirmation at 360 px');
  await dialog.getByRole('button', { name: `Delete ${names.length} VMs` }).click();
  await results.getByRole('heading', { name: `Delete: ${names.length} of ${names.length} accepted` }).waitFor();
  for (const n of names) await row(n).waitFor({ state: 'detached', timeout: 30000 });
  await page.locator('#vm-empty').filter({ hasText: 'No VM matches.' }).waitFor();
  if (!(await page.locator('#vm-count').isHidden())) throw new Error(`the count still shows "${await page.locator('#vm-count').innerText()}" with no VM left`);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'All VMs after a bulk delete at 360 px');
  step('at 360 px: admin deleted both with one confirmation; rows gone');
});
