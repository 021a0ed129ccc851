// Issue 15/18's profile page, as the user OCTOPUS_USER (password OCTOPUS_PASSWORD, changed to NEW_PASSWORD): reached
// from the header, focus on its heading; the password change keeps the input and shows the server's refusal on its
// field; a personal token is created (shown once, copied), works, and stops working once revoked; an SSH key is added
// by pasting (keyboard only) and listed with the fingerprint ssh-keygen would print, then removed. 1280 and 360 px,
// axe-core on every state. The xunit test (ProfileBrowserTests) checks the password change through the API.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, sshKey, url, user, password, DESKTOP, PHONE } from './lib.mjs';

const newPassword = process.env.NEW_PASSWORD;

const status = async (token) => (await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

/** The router moves focus to the heading once the page has rendered (a page change, not a click of the test). */
async function focusedIsHeading(page, text) {
  const arrived = await page.waitForFunction((t) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === t, text, { timeout: 5000 })
    .then(() => true, () => false);
  if (!arrived) {
    const f = await page.evaluate(() => ({ tag: document.activeElement?.tagName, id: document.activeElement?.id }));
    throw new Error(`focus is on ${f.tag}#${f.id}, not on the heading "${text}"`);
  }
}

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  await login(page);
  const heading = `Profile of ${user}`;
  await page.locator('#who').getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await focusedIsHeading(page, heading);
  step('the header links to the profile; focus is on its heading');
  await assertAccessible(page, 'the profile page at 1280 px');

  // ---- password: the server's refusal lands on its field and keeps the input; then the change goes through.
  const pw = page.locator('#password-form');
  await pw.getByLabel('Current password').fill('not-my-password');
  await pw.getByLabel('New password', { exact: true }).fill(newPassword);
  await pw.getByLabel('New password again').fill(newPassword);
  await pw.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#current-password-error').filter({ hasText: 'current password is wrong' }).waitFor();
  if ((await pw.getByLabel('New password', { exact: true }).inputValue()) !== newPassword) throw new Error('the refusal lost the new password');
  if (!(await page.evaluate(() => document.activeElement?.id === 'current-password'))) throw new Error('focus did not move to the refused field');
  await assertAccessible(page, 'the password form with a server refusal');
  await pw.getByLabel('Current password').fill(password);
  await pw.getByLabel('New password again').fill('something-else-1');
  await pw.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#new-password-again-error').filter({ hasText: 'differ' }).waitFor();
  await pw.getByLabel('New password again').fill(newPassword);
  await pw.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#password-done').filter({ hasText: 'Password changed' }).waitFor();
  step('password: wrong current password refused on its field with the input kept; mismatch caught; changed');

  // ---- personal token: created with name, expiry and scope, shown once, copied, works, refused once revoked.
  const tf = page.locator('#token-form');
  await tf.getByLabel('Token name').fill('web-ci');
  await tf.getByLabel('Expires in (days)').fill('400');
  await tf.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#token-days-error').filter({ hasText: '1-365' }).waitFor();
  await tf.getByLabel('Expires in (days)').fill('30');
  await tf.getByLabel(/^write/).uncheck();
  await tf.getByRole('button', { name: 'Create token' }).click();
  await page.getByRole('heading', { name: 'Token web-ci created' }).waitFor();
  const token = await page.locator('#token-value').inputValue();
  if (!token) throw new Error('the token is not shown');
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.locator('#token-copied').filter({ hasText: /\S/ }).waitFor();
  const copiedText = await page.locator('#token-copied').innerText();
  if (copiedText === 'Copied.' && (await page.evaluate(() => navigator.clipboard.readText())) !== token) throw new Error('the clipboard does not hold the token');
  step(`token shown once and copied (${copiedText})`);
  const row = page.locator('#token-table tr[data-token="web-ci"]');
  await row.waitFor();
  const scopes = (await row.locator('td[data-label="Scopes"]').innerText()).trim();
  if (scopes !== 'read') throw new Error(`the token has scopes "${scopes}", not read`);
  if ((await status(token)) !== 200) throw new Error('the new token does not work');
  await assertAccessible(page, 'the profile with a new token shown');
  await shot(page, 'profile-token-1280');
  await tf.getByLabel('Token name').fill('web-ci');
  await tf.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#token-name-error').filter({ hasText: 'already have a token' }).waitFor();
  if ((await tf.getByLabel('Token name').inputValue()) !== 'web-ci') throw new Error('the refusal lost the name');
  step('a duplicate name is refused on the name field, input kept');
  await page.getByRole('button', { name: 'Done' }).click();
  if ((await page.locator('#token-value').count()) !== 0) throw new Error('the token is still shown after Done');
  await page.getByRole('button', { name: 'Revoke token web-ci' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  if ((await status(token)) !== 401) throw new Error('the revoked token still works');
  step('token listed with its scope, works, revoked: refused at once (401)');

  // ---- SSH key, keyboard only: paste, add, listed with its fingerprint; a bad key is refused on its field.
  const key = sshKey('carol@laptop');
  await page.getByLabel('Key name').focus();
  await page.keyboard.type('laptop');
  await page.keyboard.press('Tab');
  await page.keyboard.insertText('ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#key-public-error').filter({ hasText: /\S/ }).waitFor();
  if (!(await page.evaluate(() => document.activeElement?.id === 'key-public'))) throw new Error('focus did not move to the refused key');
  step(`a bad key is refused on its field (${await page.locator('#key-public-error').innerText()})`);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(key.line);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const keyRow = page.locator('#key-table tr[data-key="laptop"]');
  await keyRow.waitFor();
  const shown = (await keyRow.locator('td[data-label="Fingerprint"]').innerText()).trim();
  if (shown !== key.fingerprint) throw new Error(`fingerprint shown ${shown}, expected ${key.fingerprint}`);
  step(`key added by keyboard, listed with ${shown}`);

  // ---- 360 px: nothing scrolls sideways, axe-core clean, the header link still there behind the menu.
  await page.setViewportSize(PHONE);
  await page.goto(`${url}/#/vms`);
  await page.getByRole('heading', { name: 'My VMs' }).waitFor();
  await page.locator('#who').getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await keyRow.waitFor();
  await focusedIsHeading(page, heading);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the profile page at 360 px');
  await shot(page, 'profile-360');

  // Remove the key with the keyboard: focus the button, Enter, confirm with Enter (focus starts on Cancel).
  await page.getByRole('button', { name: 'Remove key laptop' }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  await assertAccessible(page, 'the remove-key confirmation at 360 px');
  await dlg.getByRole('button', { name: 'Remove' }).focus();
  await page.keyboard.press('Enter');
  await keyRow.waitFor({ state: 'detached' });
  await page.locator('#key-none').waitFor();
  step('at 360 px: no sideways scroll, axe-core clean; key removed with the keyboard');
  await shot(page, 'profile-done-360');
});
