// The administrator's policies: create an admin-scope policy from a template on "My policies" (admins are offered
// every template), then find it on "All policies", preview it, disable and enable it there.
import { run, openPage, login, shot, step } from './lib.mjs';

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
  const name = /^name:\s*(\S+)\s*$/m.exec(doc)?.[1];
  if (!name) throw new Error(`template ${first} filled no policy name:\n${doc}`);
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.locator(`tr[data-policy="${name}"]`).waitFor();
  step(`created ${name} from template ${first}`);

  await page.getByRole('link', { name: 'All policies' }).click();
  await page.getByRole('heading', { name: 'All policies' }).waitFor();
  const row = page.locator(`tr[data-policy="${name}"]`);
  await row.waitFor();
  const owner = (await row.locator('td[data-label="Owner"]').innerText()).trim();
  if (owner !== 'admin') throw new Error(`${name} is listed with owner '${owner}', expected admin`);
  step(`listed ${name} (owner ${owner})`);

  await page.getByRole('button', { name: `Preview ${name}` }).click();
  await page.locator('#policy-preview h2').waitFor();
  step('previewed');

  await page.getByRole('button', { name: `Disable ${name}` }).click();
  await page.getByRole('button', { name: `Enable ${name}` }).waitFor();
  step('disabled');
  await page.getByRole('button', { name: `Enable ${name}` }).click();
  await page.getByRole('button', { name: `Disable ${name}` }).waitFor();
  step('enabled');
  await shot(page, 'admin-policies-1280');
});
