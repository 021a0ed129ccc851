// Shared helpers of the browser scenarios: the system Chromium (never a downloaded one), login, screenshots.
// Each scenario is `node scenarios/NAME.mjs` with OCTOPUS_URL, OCTOPUS_USER, OCTOPUS_PASSWORD, SCREENSHOTS set
// by the xunit test (tests/Octopus.Web.Tests/Browser); it prints one line per step and exits non-zero on failure.
import { chromium } from 'playwright-core';
import path from 'node:path';

export const url = process.env.OCTOPUS_URL ?? 'http://127.0.0.1:8080';
export const user = process.env.OCTOPUS_USER ?? 'admin';
export const password = process.env.OCTOPUS_PASSWORD ?? '';
const shots = process.env.SCREENSHOTS ?? 'artifacts/screenshots';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

export function step(text) { console.log(`- ${text}`); }

export async function launch() {
  return chromium.launch({
    executablePath: process.env.OCTOPUS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context (own cookies) and page at the given viewport; page errors fail the scenario. */
export async function openPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => { console.error(`page error: ${e.message}`); process.exitCode = 1; });
  return page;
}

export async function login(page, name = user, pass = password) {
  await page.goto(url + '/');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(pass);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'My VMs' }).waitFor();
  step(`logged in as ${name}`);
}

export async function shot(page, name) {
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  step(`screenshot ${file}`);
}

/** Fails when the page scrolls sideways (the phone layout must fit 360 px). */
export async function assertNoHorizontalScroll(page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client + 1) throw new Error(`the page is ${scroll}px wide at a ${client}px viewport: it scrolls sideways`);
}

/** Runs a scenario body with a browser, closing it and setting the exit code whatever happens. */
export async function run(body) {
  const browser = await launch();
  try {
    await body(browser);
  } catch (e) {
    console.error(`FAILED: ${e.stack ?? e}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
