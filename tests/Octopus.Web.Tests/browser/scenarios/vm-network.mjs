// Issue 13's networking in the web UI, as a user: a key added in the profile and the network NETWORK (domain DOMAIN) are
// chosen on the Create VM page; on the VM page the NIC (network, MAC,
// address, DNS name) and a copyable ssh line; the security group: no rules at first, the server's refusals land on the field they name (port, source) with
// the input kept, a duplicate rule is refused under the form, rules are added (TCP 22 from a block, ICMP) and applied
// live on the running VM (the operation link, then "in force"), one is removed with the keyboard. 1280 and 360 px,
// axe-core on every state. VM_NAME: the VM to create.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, sshKey, url, DESKTOP, PHONE } from './lib.mjs';

const { VM_NAME: vmName, NETWORK: network, DOMAIN: domain } = process.env;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  await login(page);

  // ---- a key in the profile, then a VM with the network and the key from the Create VM page.
  const key = sshKey('nadia@laptop');
  await page.goto(`${url}/#/profile`);
  await page.getByLabel('Key name').fill('laptop');
  await page.getByLabel('Public key').fill(key.line);
  await page.getByRole('button', { name: 'Add key' }).click();
  await page.locator('#key-table tr[data-key="laptop"]').waitFor();
  await page.goto(`${url}/#/vms/new`);
  await page.getByRole('heading', { name: 'Create a VM' }).waitFor();
  const create = page.locator('#create-form');
  await create.getByLabel('Name', { exact: true }).fill(vmName);
  await create.getByLabel('vCPU cores').fill('1');
  await create.getByLabel('Memory (GiB)').fill('0.5');
  await create.getByLabel('Disk (GiB)').fill('4');
  const netBox = page.locator('#vm-networks').getByLabel(new RegExp(`^${network} — `));
  const keyBox = page.locator('#vm-keys').getByLabel(/^laptop \(ssh-ed25519, nadia@laptop\)$/);
  if (await netBox.isChecked()) throw new Error('a network is checked before the user chose one');
  if (!(await keyBox.isChecked())) throw new Error("the profile's key is not offered checked");
  await netBox.check();
  await assertAccessible(page, 'Create VM with networks and keys at 1280 px');
  await create.getByRole('button', { name: 'Create VM' }).click();
  await page.locator('#create-state').filter({ hasText: 'Running' }).waitFor({ timeout: 30000 });
  step(`created ${vmName} on ${network} with the key laptop from the Create VM page`);
  await page.getByRole('link', { name: 'Open the VM' }).click();
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();

  // ---- NICs and the ssh line
  const nic = page.locator('#nic-table tbody tr');
  await nic.first().waitFor();
  if ((await nic.count()) !== 1) throw new Error(`${await nic.count()} NIC rows, expected 1`);
  const cell = async (label) => (await nic.locator(`td[data-label="${label}"]`).innerText()).trim();
  if ((await cell('Network')) !== network) throw new Error(`the NIC is on ${await cell('Network')}, not ${network}`);
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(await cell('MAC'))) throw new Error(`MAC ${await cell('MAC')}`);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(await cell('Address'))) throw new Error(`address ${await cell('Address')}`);
  if ((await cell('DNS name')) !== `${vmName}.${domain}`) throw new Error(`DNS name ${await cell('DNS name')}`);
  const sshLine = await page.getByLabel('Log in with').inputValue();
  if (sshLine !== `ssh debian@${vmName}.${domain}`) throw new Error(`ssh line "${sshLine}"`);
  await page.locator('#ssh-copy').click();
  await page.locator('#ssh-copied').filter({ hasText: /\S/ }).waitFor();
  const copied = await page.locator('#ssh-copied').innerText();
  if (copied === 'Copied.' && (await page.evaluate(() => navigator.clipboard.readText())) !== sshLine) throw new Error('the clipboard does not hold the ssh line');
  // replaceChildren shows a null as text: the actions once ended in a stray "null".
  if (/\bnull\b/.test(await page.locator('main').innerText())) throw new Error('the VM page shows the text "null"');
  step(`NIC shown: ${await cell('Address')} ${await cell('DNS name')}; "${sshLine}" copied (${copied})`);

  // ---- security rules: the server's refusals on their fields, input kept
  await page.locator('#rule-none').waitFor();
  const form = page.locator('#rule-form');
  const portField = form.getByLabel('Port');
  const sourceField = form.getByLabel('From (CIDR)');
  await form.getByLabel('Protocol').selectOption('tcp');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await page.locator('#rule-port-error').filter({ hasText: 'needs a port' }).waitFor();
  await portField.fill('70000');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await page.locator('#rule-port-error').filter({ hasText: '1-65535' }).waitFor();
  if ((await portField.inputValue()) !== '70000') throw new Error('the refusal lost the port');
  if (!(await page.evaluate(() => document.activeElement?.id === 'rule-port'))) throw new Error('focus did not move to the refused port');
  if ((await portField.getAttribute('aria-invalid')) !== 'true') throw new Error('the refused port is not marked invalid');
  step(`port refused by the server on its field: ${await page.locator('#rule-port-error').innerText()}`);
  await portField.fill('22');
  await sourceField.fill('10.1.2.3/8');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await page.locator('#rule-source-error').filter({ hasText: 'host bits' }).waitFor();
  if ((await sourceField.inputValue()) !== '10.1.2.3/8') throw new Error('the refusal lost the source');
  if ((await page.locator('#rule-port-error').innerText()).trim() !== '') throw new Error('the port still shows an error');
  await assertAccessible(page, 'the rule form with a server refusal at 1280 px');
  step(`source refused by the server on its field: ${await page.locator('#rule-source-error').innerText()}`);

  await sourceField.fill('10.0.0.0/8');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const ssh = page.locator('#rule-table tbody tr').filter({ hasText: 'TCP' });
  await ssh.waitFor();
  if ((await ssh.locator('td[data-label="Port"]').innerText()).trim() !== '22') throw new Error('the rule does not show port 22');
  if ((await ssh.locator('td[data-label="From"]').innerText()).trim() !== '10.0.0.0/8') throw new Error('the rule does not show its source');
  if ((await portField.inputValue()) !== '' || (await sourceField.inputValue()) !== '') throw new Error('the form kept the added rule');
  const status = page.locator('#rule-status');
  await status.filter({ hasText: 'Rule added: TCP 22 from 10.0.0.0/8' }).waitFor();
  const applying = await page.locator('#rule-op').count();
  await status.filter({ hasText: 'In force on its host' }).waitFor({ timeout: 30000 });
  step(`TCP 22 from 10.0.0.0/8 added; applied live on the running VM (${applying ? 'operation link shown, then ' : ''}"in force")`);

  await portField.fill('22');
  await sourceField.fill('10.0.0.0/8');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await page.locator('#rule-form-error').filter({ hasText: 'already has' }).waitFor();
  if ((await portField.inputValue()) !== '22') throw new Error('the duplicate refusal lost the input');
  step(`a duplicate rule is refused under the form: ${await page.locator('#rule-form-error').innerText()}`);

  await form.getByLabel('Protocol').selectOption('icmp');
  if (!(await portField.isDisabled())) throw new Error('ICMP still asks for a port');
  await sourceField.fill('');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const icmp = page.locator('#rule-table tbody tr').filter({ hasText: 'ICMP' });
  await icmp.waitFor();
  if ((await icmp.locator('td[data-label="From"]').innerText()).trim() !== '0.0.0.0/0') throw new Error('ICMP rule without a source is not from anywhere');
  step('ICMP from anywhere added (no port asked)');
  await status.filter({ hasText: 'In force on its host' }).waitFor({ timeout: 30000 });
  await assertAccessible(page, 'the VM page with rules at 1280 px');
  await shot(page, 'vm-network-1280');

  // ---- 360 px: cards, nothing sideways, axe; remove the TCP rule with the keyboard.
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();
  await ssh.waitFor();
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the VM page with rules at 360 px');
  await shot(page, 'vm-network-360');
  await page.getByRole('button', { name: 'Remove rule TCP 22 from 10.0.0.0/8' }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  await assertAccessible(page, 'the remove-rule confirmation at 360 px');
  await dlg.getByRole('button', { name: 'Remove rule' }).focus();
  await page.keyboard.press('Enter');
  await ssh.waitFor({ state: 'detached' });
  await status.filter({ hasText: 'Rule removed: TCP 22 from 10.0.0.0/8' }).waitFor();
  await status.filter({ hasText: 'In force on its host' }).waitFor({ timeout: 30000 });
  if ((await icmp.count()) !== 1) throw new Error('the ICMP rule went too');
  await assertNoHorizontalScroll(page);
  step('at 360 px: no sideways scroll, axe-core clean; TCP rule removed with the keyboard, ICMP kept');
});
