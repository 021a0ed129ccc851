// Issue 18's Networks page. As the admin (OCTOPUS_USER): the page is in the navigation and lists IN_USE (a network
// the xunit test gave VM_NAME an address on); "Create network" checks the server's formats before the dialog closes,
// then the server's own refusal (a subnet overlapping IN_USE) lands on the subnet field with every input kept; the
// corrected network NEW_NAME is created and listed with its free addresses; IN_USE's page lists VM_NAME's address
// with a link to the VM; deleting IN_USE is refused with the server's reason (the VMs using it); NEW_NAME is deleted.
// As the user USER_NAME (USER_PASSWORD), at 360 px: the list without admin controls, and the network page with only
// their own VM. 1280 and 360 px, axe-core on every state, no sideways scroll at 360, no CSP violation.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, watchCsp, url, DESKTOP, PHONE } from './lib.mjs';

const { IN_USE: inUse, IN_USE_SUBNET: inUseSubnet, NEW_NAME: newName, VM_NAME: vmName, USER_NAME: userName, USER_PASSWORD: userPassword } = process.env;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  const csp = watchCsp(page);
  await login(page);
  await page.locator('#nav').getByRole('link', { name: 'Networks' }).click();
  await page.getByRole('heading', { name: 'Networks', level: 1 }).waitFor();
  const row = (name) => page.locator(`#network-table tr[data-network="${name}"]`);
  await row(inUse).waitFor();
  const cell = async (name, label) => (await row(name).locator(`td[data-label="${label}"]`).innerText()).trim();
  if ((await cell(inUse, 'Subnet')) !== inUseSubnet) throw new Error(`${inUse}'s subnet shows as ${await cell(inUse, 'Subnet')}`);
  if ((await cell(inUse, 'Used')) !== '1') throw new Error(`${inUse} shows ${await cell(inUse, 'Used')} used addresses, expected 1`);
  step(`Networks in the navigation; ${inUse} listed: ${inUseSubnet}, ${await cell(inUse, 'Used')} used, ${await cell(inUse, 'Free')} free`);
  await assertAccessible(page, 'the Networks page at 1280 px');

  // ---- create: the page's format checks, then the server's refusal on its field with the input kept, then success.
  await page.getByRole('button', { name: 'Create network' }).click();
  const dlg = page.locator('dialog');
  await dlg.waitFor();
  await assertAccessible(page, 'the create-network dialog at 1280 px');
  const fill = async (values) => { for (const [label, v] of Object.entries(values)) await dlg.getByLabel(label, { exact: true }).fill(v); };
  await fill({ Name: 'Bad Name', Bridge: `br-${newName}`, 'Subnet (CIDR)': '10.92.0.0/24', Gateway: '10.92.0.1', 'Address range': '10.92.0.10-10.92.0.20', 'DNS domain': `${newName}.test` });
  await dlg.getByRole('button', { name: 'Create network' }).click();
  await page.locator('#network-name-error').filter({ hasText: 'lower-case' }).waitFor();
  if (!(await dlg.isVisible())) throw new Error('the dialog closed on a bad name');
  step(`a bad name is refused before the dialog closes: ${await page.locator('#network-name-error').innerText()}`);
  const [a, b] = inUseSubnet.split('/')[0].split('.');
  const overlapping = `${a}.${b}.0.128/25`;
  await fill({ Name: newName, 'Subnet (CIDR)': overlapping, Gateway: `${a}.${b}.0.129`, 'Address range': `${a}.${b}.0.130-${a}.${b}.0.140` });
  await dlg.getByRole('button', { name: 'Create network' }).click();
  await page.locator('#network-subnet-error').filter({ hasText: `overlaps network '${inUse}'` }).waitFor();
  if (!(await dlg.isVisible())) throw new Error('the dialog closed on the server\'s refusal');
  if ((await dlg.getByLabel('Subnet (CIDR)').inputValue()) !== overlapping) throw new Error('the refusal lost the subnet');
  if ((await dlg.getByLabel('Name', { exact: true }).inputValue()) !== newName) throw new Error('the refusal lost the name');
  if (!(await page.evaluate(() => document.activeElement?.id === 'network-subnet'))) throw new Error('focus did not move to the refused subnet');
  step(`the server's refusal is shown on the subnet field with the input kept: ${await page.locator('#network-subnet-error').innerText()}`);
  await assertAccessible(page, 'the create-network dialog with a refusal at 1280 px');
  await fill({ 'Subnet (CIDR)': '10.92.0.0/24', Gateway: '10.92.0.1', 'Address range': '10.92.0.10-10.92.0.20' });
  await dlg.getByRole('button', { name: 'Create network' }).click();
  await row(newName).waitFor();
  if (await dlg.count()) throw new Error('the dialog stayed open after the network was created');
  if ((await cell(newName, 'Free')) !== '11 of 11') throw new Error(`${newName} shows ${await cell(newName, 'Free')} free, expected "11 of 11"`);
  step(`${newName} created from the dialog and listed: 11 of 11 addresses free`);
  await shot(page, 'networks-1280');

  // ---- show: the used addresses with the VM linked
  await row(inUse).getByRole('link', { name: inUse }).click();
  await page.getByRole('heading', { name: inUse, level: 1 }).waitFor();
  const addr = page.locator('#address-table tbody tr');
  await addr.first().waitFor();
  if ((await addr.count()) !== 1) throw new Error(`${await addr.count()} used addresses listed, expected 1`);
  const ip = (await addr.locator('td[data-label="Address"]').innerText()).trim();
  if (/\bnull\b/.test(await page.locator('main').innerText())) throw new Error('the network page shows the text "null"');
  await assertAccessible(page, `the network page of ${inUse} at 1280 px`);
  await addr.getByRole('link', { name: vmName }).click();
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();
  step(`${inUse}'s page lists ${ip} held by ${vmName}, linked to the VM's page`);
  await page.locator('#nic-table').getByRole('link', { name: inUse }).click();
  await page.getByRole('heading', { name: inUse, level: 1 }).waitFor();
  step(`the VM page's NIC links back to ${inUse}'s page`);

  // ---- delete: refused while in use (the server's reason), then the new one deleted
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
  const refusal = page.locator('#toasts .toast.bad').filter({ hasText: 'in use by VM(s)' });
  await refusal.waitFor();
  if (!(await refusal.innerText()).includes(vmName)) throw new Error(`the refusal does not name ${vmName}: ${await refusal.innerText()}`);
  if (!(await page.getByRole('heading', { name: inUse, level: 1 }).isVisible())) throw new Error('the page left the network after a refused delete');
  step(`deleting ${inUse} is refused with the server's reason: ${await refusal.innerText()}`);
  await page.getByRole('link', { name: '← Networks' }).click();
  await row(newName).waitFor();
  await row(newName).getByRole('button', { name: `Delete network ${newName}` }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete' }).click();
  await row(newName).waitFor({ state: 'detached' });
  step(`${newName} deleted from the list`);

  // ---- 360 px: list, dialog, network page
  const phone = await openPage(browser, PHONE);
  const cspPhone = watchCsp(phone);
  await login(phone);
  await phone.goto(`${url}/#/networks`);
  await phone.locator(`#network-table tr[data-network="${inUse}"]`).waitFor();
  await assertNoHorizontalScroll(phone);
  await assertAccessible(phone, 'the Networks page at 360 px');
  await phone.getByRole('button', { name: 'Create network' }).click();
  await phone.locator('dialog').waitFor();
  await assertNoHorizontalScroll(phone);
  await assertAccessible(phone, 'the create-network dialog at 360 px');
  await phone.locator('dialog').getByRole('button', { name: 'Cancel' }).click();
  await phone.goto(`${url}/#/networks/${inUse}`);
  await phone.locator('#address-table').waitFor();
  await assertNoHorizontalScroll(phone);
  await assertAccessible(phone, 'the network page at 360 px');
  await shot(phone, 'network-360');

  // ---- a user at 360 px: no admin controls; only their own VM's address
  const user = await openPage(browser, PHONE);
  const cspUser = watchCsp(user);
  await login(user, userName, userPassword);
  await user.goto(`${url}/#/networks`);
  await user.locator(`#network-table tr[data-network="${inUse}"]`).waitFor();
  if (await user.getByRole('button', { name: 'Create network' }).count()) throw new Error('a user is offered "Create network"');
  if (await user.getByRole('button', { name: /^Delete network/ }).count()) throw new Error('a user is offered "Delete network"');
  await assertNoHorizontalScroll(user);
  await assertAccessible(user, "a user's Networks page at 360 px");
  await user.locator(`#network-table tr[data-network="${inUse}"]`).getByRole('link', { name: inUse }).click();
  await user.locator('#address-table, #address-none').first().waitFor();
  if (/\bnull\b/.test(await user.locator('main').innerText())) throw new Error('the network page shows the text "null"');
  const theirs = await user.locator('#address-table tbody tr').count();
  if (theirs !== 0) throw new Error(`the user sees ${theirs} addresses of another user's VMs`);
  await assertAccessible(user, "a user's network page at 360 px");
  step(`${userName} sees ${inUse} without admin controls and none of another user's VMs`);

  const violations = [...csp, ...cspPhone, ...cspUser];
  if (violations.length) throw new Error(`Content-Security-Policy violations:\n  ${violations.join('\n  ')}`);
  step('no Content-Security-Policy violation');
});
