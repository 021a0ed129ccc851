// Issue 15's admin user pages, as admin (ADMIN_PASSWORD): disable and enable a user (FRANK), reset their password (the
// server's refusal kept in the dialog), list and revoke their tokens; delete DAVE (owning DAVE_VMS) with the VMs given
// to ERIN, then ERIN (owning hers and DAVE's) with her VMs deleted, both confirmations listing what will happen; delete
// FRANK (no VMs). 1280 and 360 px, axe-core on the page and every dialog. AdminUsersBrowserTests checks the result
// through the API.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, url, DESKTOP, PHONE } from './lib.mjs';

const { ADMIN_PASSWORD: adminPassword, FRANK: frank, FRANK_PASSWORD: frankPassword, FRANK_TOKEN: frankToken, DAVE: dave, ERIN: erin } = process.env;
const daveVms = process.env.DAVE_VMS.split(',');
const status = async (token) => (await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page, 'admin', adminPassword);
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users and quotas', level: 1 }).waitFor();
  const rowOf = (name) => page.locator(`#user-table tr[data-user="${name}"]`);
  const dialog = page.getByRole('dialog');
  await rowOf(frank).waitFor();
  await assertAccessible(page, 'the users page at 1280 px');

  // ---- disable (confirmed), then the user's token is refused; enable again.
  await page.getByRole('button', { name: `Disable ${frank}` }).click();
  await dialog.getByRole('button', { name: 'Disable' }).click();
  await rowOf(frank).locator('.badge-disabled').waitFor();
  if ((await status(frankToken)) !== 401) throw new Error(`${frank}'s token still works after disabling`);
  await page.getByRole('button', { name: `Enable ${frank}` }).click();
  await rowOf(frank).locator('.badge-disabled').waitFor({ state: 'detached' });
  if ((await status(frankToken)) !== 200) throw new Error(`${frank}'s personal token does not work again once enabled`);
  step('disable: the badge shows and the user\'s token is refused at once (401); enable: it works again');

  // ---- reset password: a short one refused before closing, the server's rule shown; then set.
  await page.getByRole('button', { name: `Reset password of ${frank}` }).click();
  await dialog.getByLabel('New password').fill('short');
  await dialog.getByRole('button', { name: 'Set password' }).click();
  await page.locator('#reset-password-error').filter({ hasText: '8 characters' }).waitFor();
  if ((await dialog.getByLabel('New password').inputValue()) !== 'short') throw new Error('the refusal lost the input');
  await assertAccessible(page, 'the reset-password dialog');
  await dialog.getByLabel('New password').fill(frankPassword);
  await dialog.getByRole('button', { name: 'Set password' }).click();
  await dialog.waitFor({ state: 'detached' });
  step('reset password: too short refused in the dialog with the input kept; then set');

  // ---- tokens of the user: listed (never the value), revoked.
  await page.getByRole('button', { name: `Tokens of ${frank}` }).click();
  await page.getByRole('heading', { name: `Tokens of ${frank}` }).waitFor();
  const tokenRow = page.locator('#user-token-table tbody tr').filter({ hasText: 'frank-ci' });
  await tokenRow.waitFor();
  if ((await page.locator('#user-tokens').innerText()).includes(frankToken)) throw new Error('the token value is shown');
  await assertAccessible(page, 'the tokens of a user');
  await tokenRow.getByRole('button', { name: `Revoke frank-ci of ${frank}` }).click();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await tokenRow.waitFor({ state: 'detached' });
  if ((await status(frankToken)) !== 401) throw new Error('the revoked token still works');
  step('tokens of a user: listed without values; revoked: refused at once (401)');
  await page.getByRole('button', { name: 'Close' }).click();

  // ---- delete a user owning VMs: transfer to another user, the confirmation lists what happens.
  await page.getByRole('button', { name: `Delete ${dave}` }).click();
  await dialog.getByRole('heading', { name: `Delete ${dave}?` }).waitFor();
  const legend = await dialog.locator('legend').innerText();
  for (const v of daveVms) if (!legend.includes(v)) throw new Error(`the confirmation does not name ${v}: ${legend}`);
  await dialog.getByLabel('Give them (and their policies) to another user').check();
  await dialog.getByLabel('New owner').selectOption(erin);
  const plan = await page.locator('#delete-consequences').innerText();
  if (!plan.includes(`to ${erin}`) || !daveVms.every((v) => plan.includes(v))) throw new Error(`the plan does not say the VMs go to ${erin}: ${plan}`);
  await dialog.getByLabel('Delete them').check();
  if (!(await page.locator('#delete-consequences').innerText()).includes('are deleted')) throw new Error('the plan does not follow the choice');
  await dialog.getByLabel('Give them (and their policies) to another user').check();
  await assertAccessible(page, 'the delete confirmation at 1280 px');
  await shot(page, 'admin-user-delete-1280');
  await dialog.getByRole('button', { name: `Delete ${dave}` }).click();
  await dialog.waitFor({ state: 'detached' });
  await rowOf(dave).waitFor({ state: 'detached' });
  step(`delete ${dave}: the confirmation named ${daveVms.join(', ')} and the choice; given to ${erin}`);

  // ---- 360 px: delete a user with their VMs deleted; the page waits until they are gone.
  await page.setViewportSize(PHONE);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the users page at 360 px');
  await shot(page, 'admin-users-360');
  await page.getByRole('button', { name: `Delete ${erin}` }).click();
  await dialog.getByLabel('Delete them').check();
  const erinPlan = await page.locator('#delete-consequences').innerText();
  if (!daveVms.every((v) => erinPlan.includes(v))) throw new Error(`the plan for ${erin} does not list the VMs she got: ${erinPlan}`);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the delete confirmation at 360 px');
  await shot(page, 'admin-user-delete-360');
  await dialog.getByRole('button', { name: `Delete ${erin}` }).click();
  await page.locator('#user-status').filter({ hasText: `Deleted ${erin}.` }).waitFor({ timeout: 60000 });
  if (await rowOf(erin).count() > 0) throw new Error(`${erin} is still listed`);
  step(`delete ${erin} with her VMs: waited until they were gone, then deleted`);

  // ---- a user without VMs: a plain confirmation, by keyboard.
  await page.getByRole('button', { name: `Delete ${frank}` }).focus();
  await page.keyboard.press('Enter');
  await dialog.getByRole('heading', { name: `Delete ${frank}?` }).waitFor();
  if (await dialog.locator('fieldset').count() > 0) throw new Error('a user without VMs is offered a VM choice');
  await dialog.getByRole('button', { name: `Delete ${frank}` }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#user-status').filter({ hasText: `Deleted ${frank}.` }).waitFor();
  step(`delete ${frank} (no VMs) with the keyboard`);
});
