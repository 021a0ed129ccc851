// Shared helpers of the browser scenarios: the system Chromium (never a downloaded one), login, screenshots.
// Each scenario is `node scenarios/NAME.mjs` with OCTOPUS_URL, OCTOPUS_USER, OCTOPUS_PASSWORD, SCREENSHOTS set
// by the xunit test (tests/Octopus.Web.Tests/Browser); it prints one line per step and exits non-zero on failure.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generateKeyPairSync, createHash } from 'node:crypto';

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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (npm) on the page as it is now and fails on any serious or critical violation. axe is evaluated
 *  through the DevTools protocol, which the page's Content-Security-Policy does not apply to. */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  });
  if (violations.length > 0) throw new Error(`axe-core on ${label}: ${violations.length} serious/critical violation(s):\n  ${violations.join('\n  ')}`);
  step(`axe-core: 0 serious/critical on ${label}`);
}

/** Collects Content-Security-Policy violations (console errors and securitypolicyviolation events) from now on. */
export function watchCsp(page) {
  const violations = [];
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) violations.push(`${m.location()?.url}: ${m.text()}`); });
  page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  return violations;
}

/** Collects every response of 400 or more (a missing favicon, a broken asset) from now on. */
export function watchFailedResponses(page) {
  const failed = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  return failed;
}

/** A fresh ed25519 public key line and the SHA256 fingerprint OpenSSH prints for it (ssh-keygen -lf). */
export function sshKey(comment) {
  const raw = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x, 'base64url');
  const str = (b) => { const len = Buffer.alloc(4); len.writeUInt32BE(b.length); return Buffer.concat([len, b]); };
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}` };
}
