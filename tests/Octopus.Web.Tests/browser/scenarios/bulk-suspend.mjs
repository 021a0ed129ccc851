// Bulk suspend and resume on "My VMs" (issue 18), as a user with three running VMs (VM_NAMES, comma-separated): at
// 1280 px select the first two and suspend them in one action (no confirmation: nothing is lost), each VM's result read
// from the page, their rows turn Suspended and the third stays Running; at 360 px select the same two and resume them.
// axe-core on both. (A VM in the wrong state gets its own refusal: VmActionTests covers that on the endpoint.)
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, DESKTOP, PHONE } from './lib.mjs';

const names = process.env.VM_NAMES.split(',');
const [a, b, c] = names;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);
  const row = (n) => page.locator(`#vm-table tr[data-vm="${n}"]`);
  const state = (n) => row(n).locator('td.vm-state .state');
  const box = (n) => page.getByRole('checkbox', { name: `Select ${n}`, exact: true });
  const results = page.locator('#bulk-results');
  const result = (n) => results.locator(`li[data-result="${n}"]`);
  for (const n of names) await state(n).filter({ hasText: /^Running$/ }).waitFor();

  // ---- 1280 px: select two, suspend them.
  await box(a).check();
  await box(b).check();
  await page.locator('#bulk-count').filter({ hasText: '2 of 3 selected.' }).waitFor();
  await page.getByRole('button', { name: 'Suspend selected' }).click();
  await results.getByRole('heading', { name: 'Suspend: 2 of 2 accepted' }).waitFor();
  for (const n of [a, b]) if ((await result(n).innerText()) !== `${n}: accepted`) throw new Error(`result for ${n}: ${await result(n).innerText()}`);
  for (const n of [a, b]) await state(n).filter({ hasText: /^Suspended$/ }).waitFor({ timeout: 30000 });
  if ((await state(c).innerText()) !== 'Running') throw new Error(`${c} is ${await state(c).innerText()}: it was not selected`);
  await assertAccessible(page, 'My VMs after a bulk suspend at 1280 px');
  await shot(page, 'bulk-suspend-1280');
  step(`suspended ${a} and ${b} in one action, ${c} untouched`);

  // ---- 360 px: select the same two, resume them.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole('heading', { name: 'My VMs' }).waitFor();
  for (const n of [a, b]) await state(n).filter({ hasText: /^Suspended$/ }).waitFor();
  await box(a).check();
  await box(b).check();
  await page.locator('#bulk-count').filter({ hasText: '2 of 3 selected.' }).waitFor();
  await page.getByRole('button', { name: 'Resume selected' }).click();
  await results.getByRole('heading', { name: 'Resume: 2 of 2 accepted' }).waitFor();
  for (const n of [a, b]) if ((await result(n).innerText()) !== `${n}: accepted`) throw new Error(`result for ${n}: ${await result(n).innerText()}`);
  for (const n of [a, b]) await state(n).filter({ hasText: /^Running$/ }).waitFor({ timeout: 30000 });
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'My VMs after a bulk resume at 360 px');
  await shot(page, 'bulk-resume-360');
  step(`at 360 px: resumed ${a} and ${b} in one action`);
});
