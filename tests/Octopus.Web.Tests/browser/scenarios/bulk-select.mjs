// Issue 18's bulk select on "My VMs", as a user with three running VMs (VM_NAMES, comma-separated): search for one (the
// count "1 of 1 VM shown."), then select some, stop
// them with one confirmation that names them; select all and reboot (the stopped ones are refused, each with the server's
// reason, the running one accepted); start one chosen with the keyboard, focus kept on a checkbox across live redraws;
// at 360 px select all and delete them with one confirmation. Per-VM results are read from the page; axe-core on every
// state at 1280 and 360 px.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, DESKTOP, PHONE } from './lib.mjs';

const names = process.env.VM_NAMES.split(',');
const [a, b, c] = names;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);
  const row = (n) => page.locator(`#vm-table tr[data-vm="${n}"]`);
  const state = (n) => row(n).locator('td.vm-state .state');
  const box = (n) => page.getByRole('checkbox', { name: `Select ${n}`, exact: true });
  const count = page.locator('#bulk-count');
  const dialog = page.getByRole('dialog');
  const results = page.locator('#bulk-results');
  const result = (n) => results.locator(`li[data-result="${n}"]`);
  for (const n of names) await state(n).filter({ hasText: /^Running$/ }).waitFor();
  if ((await count.innerText()) !== 'None selected.') throw new Error(`count says "${await count.innerText()}" before any selection`);
  if (!(await page.locator('#bulk-stop').isDisabled())) throw new Error('"Stop selected" is enabled with nothing selected');

  // ---- search (issue 18): answered by the server, in the address; the count says what is shown of what matches.
  const shown = (text) => page.locator('#vm-count').filter({ hasText: text }).waitFor();
  await shown('3 of 3 VMs shown.');
  await page.getByLabel('Search', { exact: true }).fill(c);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/#\/vms\?q=/);
  await shown('1 of 1 VM shown.');
  const listed1 = await page.locator('#vm-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.vm));
  if (listed1.join(',') !== c) throw new Error(`searching ${c} lists ${listed1.join(', ')}`);
  await assertAccessible(page, 'My VMs searched at 1280 px');
  await page.getByRole('link', { name: 'Clear filters' }).click();
  for (const n of names) await state(n).filter({ hasText: /^Running$/ }).waitFor();
  await shown('3 of 3 VMs shown.');
  step(`search for ${c} listed it alone ("1 of 1 VM shown.")`);

  // ---- select two, stop them: one confirmation naming both.
  await box(a).check();
  await box(b).check();
  await count.filter({ hasText: '2 of 3 selected.' }).waitFor();
  if (!(await page.locator('#bulk-all').evaluate((e) => e.indeterminate))) throw new Error('"Select all" is not shown as partly selected');
  await page.getByRole('button', { name: 'Stop selected' }).click();
  await dialog.waitFor();
  const listed = await dialog.locator('#confirm-items li').allInnerTexts();
  if (listed.join(',') !== [a, b].join(',')) throw new Error(`the confirmation lists ${listed.join(', ')}, not ${a}, ${b}`);
  await assertAccessible(page, 'the bulk stop confirmation at 1280 px');
  await dialog.getByRole('button', { name: 'Stop 2 VMs' }).click();
  await results.getByRole('heading', { name: 'Stop: 2 of 2 accepted' }).waitFor();
  if (!(await page.evaluate(() => document.activeElement?.id === 'bulk-results-h'))) throw new Error('focus did not move to the results');
  for (const n of [a, b]) if ((await result(n).innerText()) !== `${n}: accepted`) throw new Error(`result for ${n}: ${await result(n).innerText()}`);
  if ((await count.innerText()) !== 'None selected.') throw new Error('the selection was kept after the action');
  for (const n of [a, b]) await state(n).filter({ hasText: /^Stopped$/ }).waitFor({ timeout: 30000 });
  if ((await state(c).innerText()) !== 'Running') throw new Error(`${c} is ${await state(c).innerText()}: it was not selected`);
  step(`stopped ${a} and ${b} in one action (confirmation named both), ${c} untouched`);

  // ---- select all, reboot: per-VM results, the stopped ones refused with the server's reason.
  await page.getByLabel('Select all').check();
  await count.filter({ hasText: '3 of 3 selected.' }).waitFor();
  for (const n of names) if (!(await box(n).isChecked())) throw new Error(`"Select all" did not check ${n}`);
  await page.getByRole('button', { name: 'Reboot selected' }).click();
  if ((await dialog.locator('#confirm-items li').count()) !== 3) throw new Error('the reboot confirmation does not list 3 VMs');
  await dialog.getByRole('button', { name: 'Reboot 3 VMs' }).click();
  await results.getByRole('heading', { name: 'Reboot: 1 of 3 accepted, 2 refused' }).waitFor();
  if ((await result(c).innerText()) !== `${c}: accepted`) throw new Error(`result for ${c}: ${await result(c).innerText()}`);
  const refused = await result(a).innerText();
  if (!refused.startsWith(`${a}: refused — Cannot reboot VM '${a}': it is Stopped`)) throw new Error(`result for ${a}: ${refused}`);
  await assertAccessible(page, 'the bulk results with refusals at 1280 px');
  await shot(page, 'bulk-results-1280');
  step(`reboot of all three: 1 accepted, 2 refused with the server's reason ("${refused}")`);

  // ---- start one with the keyboard; a checkbox keeps focus while live events redraw the rows.
  await page.locator('#vm-table tbody tr').evaluateAll((trs) => trs.forEach((tr) => { tr.dataset.mark = 'before'; }));
  await box(a).focus();
  await page.keyboard.press('Space');
  await count.filter({ hasText: '1 of 3 selected.' }).waitFor();
  await page.getByRole('button', { name: 'Start selected' }).focus();
  await page.keyboard.press('Enter'); // start asks nothing
  await results.getByRole('heading', { name: 'Start: 1 of 1 accepted' }).waitFor();
  await box(c).focus();
  await state(a).filter({ hasText: /^Running$/ }).waitFor({ timeout: 30000 });
  const focusedAfter = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  if (focusedAfter !== `Select ${c}`) throw new Error(`after live redraws focus is on "${focusedAfter}", not on "Select ${c}"`);
  if ((await row(a).getAttribute('data-mark')) !== 'before') throw new Error(`${a}'s row was rebuilt by the live change, not updated in place`);
  step(`started ${a} by keyboard; focus stayed on "Select ${c}" while its row redrew; ${a}'s row updated in place`);

  // ---- 360 px: select all, delete with one confirmation listing every name.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole('heading', { name: 'My VMs' }).waitFor();
  for (const n of names) await row(n).waitFor();
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'My VMs with bulk select at 360 px');
  await page.getByLabel('Select all').check();
  await page.getByRole('button', { name: 'Delete selected' }).click();
  const deleting = await dialog.locator('#confirm-items li').allInnerTexts();
  if (deleting.join(',') !== [...names].sort().join(',')) throw new Error(`the delete confirmation lists ${deleting.join(', ')}`);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the bulk delete confirmation at 360 px');
  await shot(page, 'bulk-delete-confirm-360');
  await dialog.getByRole('button', { name: 'Delete 3 VMs' }).click();
  await results.getByRole('heading', { name: 'Delete: 3 of 3 accepted' }).waitFor();
  for (const n of names) await row(n).waitFor({ state: 'detached', timeout: 30000 });
  await assertNoHorizontalScroll(page);
  await shot(page, 'bulk-deleted-360');
  step('at 360 px: all three deleted with one confirmation naming them; rows gone');
});
