// Issue 18's journeys without dead ends, on the VM page: "Why" only with a reason; "Extend lease" only on a VM with a
// lease; the Snapshot and Fork dialogs check names with the server's rules before closing and keep the input when the
// server refuses; Fork has the CLI's size fields; a running VM offers "Stop, revert and start" (one server operation,
// confirmed as such) and a stopped one "Revert";
// "← My VMs" only on the caller's own VM (an admin on another user's VM goes back to "All VMs"). 1280 and 360 px, axe-core.
// VM_ID/VM_NAME: alice's running VM without a lease; LEASED_ID: alice's VM with a lease; OTHER_ID/OTHER_OWNER: bob's VM.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, url, DESKTOP, PHONE } from './lib.mjs';

const { VM_ID: vmId, VM_NAME: vmName, LEASED_ID: leasedId, OTHER_ID: otherId, OTHER_OWNER: otherOwner, ADMIN_PASSWORD: adminPassword } = process.env;

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await login(page);
  await page.goto(`${url}/#/vms/${encodeURIComponent(vmId)}`);
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();
  await page.locator('#vm-props dd[data-prop="state"]').filter({ hasText: 'Running' }).waitFor();
  if (await page.locator('#vm-props dt').filter({ hasText: /^Why$/ }).count() > 0) throw new Error('"Why" is shown on a VM with no reason');
  if (await page.locator('#action-extend').count() > 0) throw new Error('"Extend lease" is offered on a VM without a lease');
  if ((await page.locator('#vm-back').innerText()) !== '← My VMs') throw new Error('the owner does not get "← My VMs"');
  step('no "Why —", no "Extend lease" without a lease, "← My VMs" on my own VM');

  // Snapshot (of the stopped VM): the name rule is checked before the dialog closes; a server refusal keeps the dialog and the input.
  const dialog = page.getByRole('dialog');
  await page.locator('#action-stop').click();
  await dialog.getByRole('button', { name: 'Stop' }).click();
  await page.locator('#vm-props dd[data-prop="state"]').filter({ hasText: /^Stopped$/ }).waitFor({ timeout: 30000 });
  await page.locator('#action-snapshot').click();
  await dialog.getByLabel('Snapshot name').fill('bad name!');
  await dialog.getByRole('button', { name: 'Snapshot' }).click();
  await page.locator('#snapshot-name-error').filter({ hasText: 'letters, digits' }).waitFor();
  if (!(await dialog.isVisible())) throw new Error('the snapshot dialog closed on an invalid name');
  await dialog.getByLabel('Snapshot name').fill('first');
  await dialog.getByRole('button', { name: 'Snapshot' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 40000 }).catch(async () => { throw new Error(`the dialog stayed open: ${await dialog.innerText()}`); });
  await page.locator('#vm-snapshots li').filter({ hasText: 'first' }).waitFor();
  await page.locator('#action-snapshot').click();
  await dialog.getByLabel('Snapshot name').fill('first');
  await dialog.getByRole('button', { name: 'Snapshot' }).click();
  await dialog.locator('#dialog-error, #snapshot-name-error').filter({ hasText: 'already has a snapshot' }).first().waitFor();
  if ((await dialog.getByLabel('Snapshot name').inputValue()) !== 'first') throw new Error('the server refusal lost the input');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  step('snapshot dialog: name rule checked before closing; a server refusal keeps the dialog and the input');

  // Revert of a running VM: offered as the server's one "stop, revert, start" operation, with a confirmation that says so.
  const restartRevert = async (width) => {
    const button = page.getByRole('button', { name: 'Stop, revert and start: first' });
    await button.waitFor({ timeout: 30000 });
    if (await page.locator('#revert-note').count() > 0) throw new Error('the running VM says it cannot be reverted');
    await button.click();
    const question = await dialog.innerText();
    if (!/Stop .+, revert it to snapshot first and start it again\?.*shut down first/s.test(question))
      throw new Error(`the confirmation does not say it stops, reverts and starts: ${question}`);
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, `the stop, revert and start confirmation at ${width} px`);
    await shot(page, `revert-restart-confirm-${width}`);
    await dialog.getByRole('button', { name: 'Stop, revert and start' }).click();
    await page.locator('#vm-message').filter({ hasText: 'is running again' }).waitFor({ timeout: 40000 });
    await page.locator('#vm-props dd[data-prop="state"]').filter({ hasText: /^Running$/ }).waitFor({ timeout: 30000 });
    await page.getByRole('button', { name: 'Stop, revert and start: first' }).waitFor();
  };
  await page.locator('#action-start').click();
  await page.locator('#vm-props dd[data-prop="state"]').filter({ hasText: /^Running$/ }).waitFor({ timeout: 30000 });
  await restartRevert(1280);
  step('revert of a running VM: "Stop, revert and start", confirmed as such, ends Running (1280 px)');

  // A stopped VM is reverted as it is.
  await page.locator('#action-stop').click();
  await dialog.getByRole('button', { name: 'Stop' }).click();
  await page.getByRole('button', { name: 'Revert: first' }).waitFor({ timeout: 30000 });
  if (await page.locator('#revert-note').count() > 0) throw new Error('the stopped VM says it cannot be reverted');
  await page.getByRole('button', { name: 'Revert: first' }).click();
  await dialog.getByRole('button', { name: 'Revert' }).click();
  await page.locator('#vm-message').filter({ hasText: 'Reverted to first.' }).waitFor();
  await assertAccessible(page, 'the VM page at 1280 px');
  await shot(page, 'vm-journeys-1280');
  step('revert: stop, revert and start on a running VM, revert on a stopped one');

  // The same at 360 px on the running VM.
  await page.setViewportSize(PHONE);
  await page.locator('#action-start').click();
  await page.locator('#vm-props dd[data-prop="state"]').filter({ hasText: /^Running$/ }).waitFor({ timeout: 30000 });
  await restartRevert(360);
  await assertNoHorizontalScroll(page);
  step('revert of a running VM at 360 px: confirmed, ends Running');

  // Fork at 360 px: size fields, name rule before closing, a server refusal keeps everything typed.
  await page.setViewportSize(PHONE);
  await page.locator('#action-fork').click();
  for (const label of ['New VM name', 'vCPU cores', 'Memory (GiB)', 'Disk (GiB)']) await dialog.getByLabel(label).waitFor();
  await dialog.getByLabel('New VM name').fill('Bad_Name');
  await dialog.getByRole('button', { name: 'Fork' }).click();
  await page.locator('#fork-name-error').filter({ hasText: 'lower-case' }).waitFor();
  await dialog.getByLabel('New VM name').fill('journey-fork');
  await dialog.getByLabel('vCPU cores').fill('64');
  await dialog.getByRole('button', { name: 'Fork' }).click();
  await dialog.locator('#dialog-error, #fork-cores-error').filter({ hasText: /\S/ }).first().waitFor();
  if ((await dialog.getByLabel('New VM name').inputValue()) !== 'journey-fork' || (await dialog.getByLabel('vCPU cores').inputValue()) !== '64')
    throw new Error('the server refusal lost the input');
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the Fork dialog at 360 px');
  await shot(page, 'fork-dialog-refused-360');
  step(`fork dialog: refused by the server, input kept (${await dialog.locator('#dialog-error, #fork-cores-error').filter({ hasText: /\S/ }).first().innerText()})`);
  await dialog.getByLabel('vCPU cores').fill('2');
  await dialog.getByLabel('Memory (GiB)').fill('1');
  await dialog.getByRole('button', { name: 'Fork' }).click();
  await page.getByRole('heading', { name: 'journey-fork', level: 1 }).waitFor();
  await page.locator('#vm-props dd[data-prop="geometry"]').filter({ hasText: '2 vCPU · 1 GiB memory' }).waitFor();
  step('forked with the sizes chosen in the dialog');

  // A VM with a lease offers to extend it.
  await page.goto(`${url}/#/vms/${encodeURIComponent(leasedId)}`);
  await page.locator('#action-extend').click();
  await page.locator('#vm-message').filter({ hasText: 'Lease extended' }).waitFor();
  await assertNoHorizontalScroll(page);
  step('"Extend lease" offered on a VM with a lease, and it works');

  // An admin on another user's VM goes back to that user's VMs on the admin list, not to "My VMs".
  const admin = await openPage(browser, DESKTOP);
  await login(admin, 'admin', adminPassword);
  await admin.goto(`${url}/#/vms/${encodeURIComponent(otherId)}`);
  await admin.locator('#vm-props').waitFor();
  if (await admin.getByRole('link', { name: '← My VMs' }).count() > 0) throw new Error('"← My VMs" on another user\'s VM');
  if ((await admin.locator('#vm-back').innerText()) !== `← All VMs of ${otherOwner}`) throw new Error(`back link: ${await admin.locator('#vm-back').innerText()}`);
  step('"← My VMs" only on the caller\'s own VM');
});
