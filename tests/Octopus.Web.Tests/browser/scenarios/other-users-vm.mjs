// A user cannot open another user's VM page by URL (by id or by name), nor see it in their list; a user sees no admin links.
import { run, openPage, login, shot, step, url } from './lib.mjs';

const otherId = process.env.OTHER_VM_ID;
const otherName = process.env.OTHER_VM_NAME;

await run(async (browser) => {
  const page = await openPage(browser);
  await login(page);
  if (await page.locator(`tr[data-vm="${otherName}"]`).count() > 0) throw new Error(`${otherName} is in the list`);
  step('other user\'s VM not in the list');
  const adminLinks = await page.locator('nav .admin-link').count();
  if (adminLinks > 0) throw new Error(`a user sees ${adminLinks} admin links`);

  for (const [how, key] of [['id', otherId], ['name', otherName]]) {
    await page.goto(`${url}/#/vms/${encodeURIComponent(key)}`);
    await page.getByRole('heading', { name: 'VM not found' }).waitFor();
    const body = await page.locator('main').innerText();
    if (body.includes('Geometry') || body.includes('Stop')) throw new Error(`the page shows the VM: ${body}`);
    step(`not visible by ${how}`);
  }
  await shot(page, 'other-users-vm-1280');
});
