// The user's policies page: create a policy from the first template, preview it, disable and enable it.
// Runs once the policies server side is merged (see PolicyBrowserTests).
import { run, openPage, login, shot, step, assertNoHorizontalScroll, PHONE } from './lib.mjs';

await run(async (browser) => {
  const page = await openPage(browser);
  await login(page);
  await page.getByRole('link', { name: 'My policies' }).click();
  await page.getByRole('heading', { name: 'My policies' }).waitFor();
  const template = page.getByLabel('Template');
  const first = await template.locator('option').nth(1).getAttribute('value');
  if (!first) throw new Error('no policy templates listed');
  await template.selectOption(first);
  const doc = await page.getByLabel('Policy document (YAML or JSON)').inputValue();
  if (!doc.trim()) throw new Error(`template ${first} filled no document`);
  await page.getByRole('button', { name: 'Create policy' }).click();
  const row = page.locator('tr[data-policy]').first();
  await row.waitFor();
  const name = await row.getAttribute('data-policy');
  step(`created ${name} from template ${first}`);

  await page.getByRole('button', { name: `Preview ${name}` }).click();
  await page.locator('#policy-preview h2').waitFor();
  step('previewed');
  await shot(page, 'policies-1280');

  const toggle = async (verb) => {
    await page.getByRole('button', { name: `${verb} ${name}` }).click();
    await page.getByRole('button', { name: `${verb === 'Disable' ? 'Enable' : 'Disable'} ${name}` }).waitFor();
    step(`${verb.toLowerCase()}d`);
  };
  const enabledNow = (await row.locator('td[data-label="Enabled"]').innerText()).trim() === 'yes';
  await toggle(enabledNow ? 'Disable' : 'Enable');
  await toggle(enabledNow ? 'Enable' : 'Disable');

  await page.setViewportSize(PHONE);
  await assertNoHorizontalScroll(page);
  await shot(page, 'policies-360');
});
