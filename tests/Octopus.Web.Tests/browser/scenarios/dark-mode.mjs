// Issue 18's dark mode, as the admin (who sees every page) with a running VM VM_ID/VM_NAME: with the system set to dark
// the page is dark from the first paint and axe-core finds 0 serious/critical issues (colour contrast included) on every
// page of the navigation, the VM page and a host page (with their graphs), a confirmation and the login page, at 1280 and 360 px; the header's "Dark mode"
// toggle switches to light, is remembered in localStorage across a reload, and choosing what the system asks for forgets
// the choice so the page follows the system again when it changes.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, url, DESKTOP, PHONE } from './lib.mjs';

const { VM_ID: vmId, VM_NAME: vmName, HOST_NAME: hostName } = process.env;

// Every page, with what shows it has drawn its data (axe must see the page as the user does, not a half-drawn one).
const pages = [
  ['/vms', 'My VMs', '#vm-table tbody tr'],
  [`/vms/${encodeURIComponent(vmId)}`, vmName, '#graphs-grid svg.chart'],
  ['/vms/new', 'Create a VM', '#create-form'],
  ['/policies', 'My policies', '#policy-form'],
  ['/tasks', 'Tasks', '#task-table tbody tr'],
  ['/profile', 'Profile of admin', '#key-list > *'],
  ['/admin/hosts', 'Hosts', '#host-table tbody tr'],
  [`/admin/hosts/${encodeURIComponent(hostName)}`, hostName, '#graphs-grid svg.chart'],
  ['/admin/power', 'Power', '#power-chart'],
  ['/admin/vms', 'All VMs', '#all-vm-table tbody tr'],
  ['/admin/users', 'Users and quotas', '#user-table tbody tr'],
  ['/admin/audit', 'Audit log', '#audit-table tbody tr'],
  ['/admin/policies', 'All policies', 'main h1'],
];

const theme = (page) => page.evaluate(() => ({
  theme: document.documentElement.dataset.theme,
  background: getComputedStyle(document.body).backgroundColor,
  pressed: document.getElementById('theme-toggle').getAttribute('aria-pressed'),
  stored: localStorage.getItem('octopus-theme'),
}));
const DARK_BG = 'rgb(13, 17, 23)', LIGHT_BG = 'rgb(255, 255, 255)';

async function expectTheme(page, want, stored, why) {
  const t = await theme(page);
  const bg = want === 'dark' ? DARK_BG : LIGHT_BG;
  if (t.theme !== want || t.background !== bg || t.pressed !== String(want === 'dark') || t.stored !== stored)
    throw new Error(`${why}: expected ${want} (background ${bg}, stored ${stored}), got ${JSON.stringify(t)}`);
}

async function visit(page, [path, heading, ready]) {
  await page.goto(`${url}/#${path}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await page.locator(ready).first().waitFor();
}

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  await page.emulateMedia({ colorScheme: 'dark' });

  // The login page is dark before anyone logs in (the theme is set in <head>, before the first paint).
  await page.goto(url + '/');
  await page.getByRole('heading', { name: 'Log in to Octopus' }).waitFor();
  await expectTheme(page, 'dark', null, 'the system is dark and nothing is chosen');
  await assertAccessible(page, 'the login page, dark, 1280 px');
  await login(page);

  for (const p of pages) {
    await visit(page, p);
    await assertAccessible(page, `${p[1]}, dark, 1280 px`);
  }
  await visit(page, pages[1]);
  await shot(page, 'dark-vm-1280');
  await page.locator('#action-stop').click();
  await page.getByRole('dialog').waitFor();
  await assertAccessible(page, 'the stop confirmation, dark, 1280 px');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  step(`dark with the system: axe-core clean on ${pages.length} pages, the login page and a confirmation`);

  // ---- the toggle: light although the system is dark, remembered across a reload.
  const toggle = page.getByRole('button', { name: 'Dark mode' });
  await toggle.click();
  await expectTheme(page, 'light', 'light', 'after turning dark mode off');
  await page.reload();
  await page.getByRole('heading', { name: vmName, level: 1 }).waitFor();
  await expectTheme(page, 'light', 'light', 'after a reload');
  await page.locator('#rule-section').waitFor();
  await assertAccessible(page, 'the VM page, light by choice, 1280 px');
  step('toggle: light chosen against a dark system, kept in localStorage across a reload');

  // Choosing dark again (what the system asks) forgets the choice: the page follows the system from then on.
  await toggle.click();
  await expectTheme(page, 'dark', null, 'after turning dark mode back on');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  await expectTheme(page, 'light', null, 'after the system turned light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  step('choosing what the system asks forgets the choice; the page follows the system live (dark -> light -> dark)');

  // ---- 360 px, dark: the toggle beside the menu, nothing sideways, axe-core clean.
  await page.setViewportSize(PHONE);
  for (const p of [pages[0], pages[1], pages[5], pages[7]]) {
    await visit(page, p);
    await assertNoHorizontalScroll(page);
    await assertAccessible(page, `${p[1]}, dark, 360 px`);
  }
  await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).waitFor();
  await assertAccessible(page, 'the open menu, dark, 360 px');
  await shot(page, 'dark-power-360');
  step('dark at 360 px: no sideways scroll, axe-core clean on 4 pages and the open menu');
});
