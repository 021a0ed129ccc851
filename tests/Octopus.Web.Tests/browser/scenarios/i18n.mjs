// Issue 18's languages: with the browser in Italian (Chromium locale it-IT: navigator.languages and Accept-Language),
// the login page, the navigation, the VM list, the VM page (graphs, security rules), Create VM, Networks, Tasks, My policies
// and the profile are in
// Italian, <html lang="it">, the VM's creation date in Italian format (e.g. "7 dic 2026, 15:30") and sizes with a
// decimal comma ("1,5 GiB"); choosing English on the profile page switches it (kept across reloads) and "as the browser
// asks" brings Italian back. With en-US the same pages are in English with an English date. The administrator (ADMIN_PASSWORD)
// in Italian gets the admin pages in Italian: Users and quotas (USER's role "utente"), Hosts (the summary line), All VMs
// (USER's VM with its state), the audit log (times with seconds, "vm.create" of VM_NAME linked as "VM …") and Power.
// A refused Create VM (VM_NAME again: the name is taken) shows the server's refusal in the page's language, from the code and
// args of its problem document (the Italian text; the catalogue's English with en-US).
// USER (PASSWORD) owns the running VM VM_NAME of 1.5 GiB memory. 1280 px, with axe-core (which checks <html lang>),
// and 360 px for the Italian list.
import { launch, openPage, shot, step, assertAccessible, assertNoHorizontalScroll, url, user, password, DESKTOP, PHONE } from './lib.mjs';

const vmName = process.env.VM_NAME;
const ITALIAN_DATE = /^\d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic) \d{4}, \d{2}:\d{2}$/;
const ITALIAN_DATE_SECONDS = /^\d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic) \d{4}, \d{2}:\d{2}:\d{2}$/;
const ENGLISH_DATE = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}, \d{1,2}:\d{2}\s(AM|PM)$/;

async function contextPage(browser, locale, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => { console.error(`page error: ${e.message}`); process.exitCode = 1; });
  return page;
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);

async function loginAs(page, texts, name = user, pass = password) {
  await page.goto(url + '/');
  await page.getByRole('heading', { name: texts.loginTitle }).waitFor();
  await page.getByLabel(texts.user).fill(name);
  await page.getByLabel(texts.password, { exact: true }).fill(pass);
  await page.getByRole('button', { name: texts.login, exact: true }).click();
  await page.getByRole('heading', { name: texts.myVms, level: 1 }).waitFor();
}

async function checkPages(page, texts, datePattern, label) {
  if ((await lang(page)) !== texts.lang) throw new Error(`<html lang> is "${await lang(page)}", expected ${texts.lang}`);
  const nav = page.locator('#nav');
  for (const link of [texts.myVms, texts.createVm, texts.networks]) await nav.getByRole('link', { name: link, exact: true }).waitFor({ state: 'attached' });
  const row = page.locator(`#vm-table tr[data-vm="${vmName}"]`);
  await row.locator('.state').filter({ hasText: texts.running }).waitFor();
  const geometry = (await row.locator('td').nth(3).innerText()).trim();
  if (!geometry.includes(texts.size)) throw new Error(`the VM list shows the geometry "${geometry}", expected ${texts.size}`);
  await assertAccessible(page, `the VM list in ${label}`);
  await row.getByRole('link', { name: vmName }).click();
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();
  await page.locator('#vm-props dt').filter({ hasText: texts.created }).waitFor();
  const created = (await page.locator('#vm-props dd[data-prop="created"]').innerText()).trim();
  if (!datePattern.test(created)) throw new Error(`the creation date "${created}" is not in ${label} format`);
  for (const heading of [texts.snapshots, texts.graphs, texts.rules]) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  await page.locator('#graph-status').filter({ hasText: texts.graphStatus }).waitFor();
  await assertAccessible(page, `the VM page in ${label}`);
  await nav.getByRole('link', { name: texts.createVm, exact: true }).click();
  await page.getByRole('heading', { name: texts.createTitle, level: 1 }).waitFor();
  await page.getByLabel(texts.memory).waitFor();
  await nav.getByRole('link', { name: texts.networks, exact: true }).click();
  await page.getByRole('heading', { name: texts.networks, level: 1 }).waitFor();
  await nav.getByRole('link', { name: texts.tasks, exact: true }).click();
  await page.getByRole('heading', { name: texts.tasks, level: 1 }).waitFor();
  await page.locator('#task-table tr[data-op]').filter({ hasText: texts.createOp }).first().waitFor();
  await nav.getByRole('link', { name: texts.policies, exact: true }).click();
  await page.getByRole('heading', { name: texts.policies, level: 1 }).waitFor();
  await page.locator('#who').getByRole('link', { name: texts.profile }).click();
  await page.getByRole('heading', { name: texts.profileTitle, level: 1 }).waitFor();
  await assertAccessible(page, `the profile in ${label}`);
  step(`${label}: lang=${texts.lang}, navigation, VM list (${geometry}), VM page (created ${created}), Create VM, Networks, Tasks, policies and profile`);
}

/** A refused action in the page's language: Create VM with the name of VM_NAME, which its owner already has. The server's
 *  problem carries the code vm.duplicate-name and args.name; the page says it from its catalogue, on the name field. */
async function checkRefusal(page, texts, label) {
  await page.locator('#nav').getByRole('link', { name: texts.createVm, exact: true }).click();
  await page.getByRole('heading', { name: texts.createTitle, level: 1 }).waitFor();
  await page.getByLabel(texts.name, { exact: true }).fill(vmName);
  await page.locator('#create-submit').click();
  const refusal = texts.nameTaken(vmName);
  await page.locator('#create-form').getByText(refusal, { exact: true }).waitFor();
  if ((await page.getByLabel(texts.name, { exact: true }).inputValue()) !== vmName) throw new Error('the refused name was not kept in its field');
  step(`${label} refusal: "${refusal}"`);
}

const IT = { lang: 'it', loginTitle: 'Accedi a Octopus', user: 'Nome utente', password: 'Password', login: 'Accedi', myVms: 'Le mie VM', createVm: 'Crea VM',
  networks: 'Reti', running: 'In esecuzione', size: '1,5 GiB', created: 'Creata', snapshots: 'Snapshot', createTitle: 'Crea una VM', memory: 'Memoria (GiB)',
  profile: 'Profilo', profileTitle: `Profilo di ${user}`, graphs: 'Grafici', rules: 'Regole di sicurezza', graphStatus: /punt[oi]|Ancora nessuna/,
  tasks: 'Attività', createOp: 'Crea VM', policies: 'Le mie regole', name: 'Nome',
  nameTaken: (name) => `Il proprietario ha già una VM chiamata «${name}»; scegli un altro nome.` };
const EN = { lang: 'en', loginTitle: 'Log in to Octopus', user: 'User name', password: 'Password', login: 'Log in', myVms: 'My VMs', createVm: 'Create VM',
  networks: 'Networks', running: 'Running', size: '1.5 GiB', created: 'Created', snapshots: 'Snapshots', createTitle: 'Create a VM', memory: 'Memory (GiB)',
  profile: 'Profile', profileTitle: `Profile of ${user}`, graphs: 'Graphs', rules: 'Security rules', graphStatus: /points?|No readings/,
  tasks: 'Tasks', createOp: 'Create VM', policies: 'My policies', name: 'Name',
  nameTaken: (name) => `A VM named '${name}' already exists for its owner; choose another name.` };

/** The admin pages in Italian: every heading, a column header, a translated value and axe-core on each. */
async function checkAdminPagesItalian(page) {
  const nav = page.locator('#nav');
  await nav.getByRole('link', { name: 'Utenti', exact: true }).click();
  await page.getByRole('heading', { name: 'Utenti e quote', level: 1 }).waitFor();
  await page.locator('#user-table th').filter({ hasText: 'Ruolo' }).waitFor();
  const role = (await page.locator(`#user-table tr[data-user="${user}"] td`).first().innerText()).trim();
  if (role !== 'utente') throw new Error(`${user}'s role shows as "${role}", expected "utente"`);
  await page.getByRole('button', { name: `Modifica la quota di ${user}` }).waitFor();
  await assertAccessible(page, 'Utenti e quote');

  await nav.getByRole('link', { name: 'Host', exact: true }).click();
  await page.getByRole('heading', { name: 'Host', level: 1 }).waitFor();
  await page.locator('#hosts-summary').filter({ hasText: /VM collocate, assorb/ }).waitFor();
  const summary = (await page.locator('#hosts-summary').innerText()).trim();
  await page.locator('#host-table th').filter({ hasText: 'Carico CPU' }).waitFor();
  await assertAccessible(page, 'Host');

  await nav.getByRole('link', { name: 'Tutte le VM', exact: true }).click();
  await page.getByRole('heading', { name: 'Tutte le VM', level: 1 }).waitFor();
  await page.locator(`#all-vm-table tr[data-vm="${vmName}"] .state`).filter({ hasText: 'In esecuzione' }).waitFor();
  await page.locator('#vm-count').filter({ hasText: /^\d+ VM/ }).waitFor();
  await assertAccessible(page, 'Tutte le VM');

  await nav.getByRole('link', { name: 'Registro', exact: true }).click();
  await page.getByRole('heading', { name: 'Registro di controllo', level: 1 }).waitFor();
  await page.getByLabel('Autore').fill(user);
  await page.getByRole('button', { name: 'Filtra', exact: true }).click();
  const entry = page.locator('#audit-table tbody tr').filter({ hasText: 'vm.create' }).first();
  await entry.getByRole('link', { name: `VM ${vmName}` }).waitFor();
  const when = (await entry.locator('td').first().innerText()).trim();
  if (!ITALIAN_DATE_SECONDS.test(when)) throw new Error(`the audit time "${when}" is not an Italian date with seconds`);
  await assertAccessible(page, 'Registro di controllo');

  await nav.getByRole('link', { name: 'Energia', exact: true }).click();
  await page.getByRole('heading', { name: 'Energia', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Piano di consolidamento' }).waitFor();
  await page.getByLabel('Intervallo').waitFor();
  await assertAccessible(page, 'Energia');
  step(`Italian admin pages: Utenti e quote (role utente), Host ("${summary}"), Tutte le VM, Registro di controllo (${when}), Energia`);
}

const browser = await launch();
try {
  // ---- Italian browser
  const it = await contextPage(browser, 'it-IT');
  await loginAs(it, IT);
  await checkPages(it, IT, ITALIAN_DATE, 'Italian');
  await shot(it, 'profile-it-1280');
  await checkRefusal(it, IT, 'Italian');
  await shot(it, 'refusal-it-1280');
  await it.locator('#who').getByRole('link', { name: IT.profile }).click();
  await it.getByRole('heading', { name: IT.profileTitle, level: 1 }).waitFor();

  // ---- the profile's choice overrides the browser's, and survives a reload; "as the browser asks" forgets it
  await Promise.all([it.waitForEvent('load'), it.getByLabel('Lingua di queste pagine').selectOption('en')]);
  await it.getByRole('heading', { name: EN.profileTitle, level: 1 }).waitFor();
  if ((await lang(it)) !== 'en') throw new Error('choosing English did not set <html lang="en">');
  await it.reload();
  await it.getByRole('heading', { name: EN.profileTitle, level: 1 }).waitFor();
  await it.locator('#nav').getByRole('link', { name: 'My VMs', exact: true }).waitFor({ state: 'attached' });
  step('English chosen on the profile page: the Italian browser now shows English, also after a reload');
  await Promise.all([it.waitForEvent('load'), it.getByLabel('Language of these pages').selectOption('')]);
  await it.getByRole('heading', { name: IT.profileTitle, level: 1 }).waitFor();
  step('"as the browser asks" brings Italian back');

  // ---- Italian at 360 px
  const phone = await contextPage(browser, 'it-IT', PHONE);
  await loginAs(phone, IT);
  await phone.locator(`#vm-table tr[data-vm="${vmName}"]`).waitFor();
  await assertNoHorizontalScroll(phone);
  await assertAccessible(phone, 'the VM list in Italian at 360 px');

  // ---- the administrator in Italian
  const admin = await contextPage(browser, 'it-IT');
  await loginAs(admin, IT, 'admin', process.env.ADMIN_PASSWORD);
  await checkAdminPagesItalian(admin);
  await shot(admin, 'admin-power-it-1280');

  // ---- English browser
  const en = await contextPage(browser, 'en-US');
  await loginAs(en, EN);
  await checkPages(en, EN, ENGLISH_DATE, 'English');
  await checkRefusal(en, EN, 'English');
} catch (e) {
  console.error(`FAILED: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
