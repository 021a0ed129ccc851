// Issue 18's quick fixes, each of which this scenario fails without: no Content-Security-Policy violation while "My VMs"
// renders and redraws live (it used an inline style); /favicon.ico answers (it was a 404); focus moves to the page's
// heading after every navigation; the keyboard focus ring has at least 3:1 contrast with what is behind it (WCAG
// 1.4.11; it was 1.6:1); Stop asks first, and Cancel leaves the VM running. At 1280 and 360 px, with axe-core.
// VM_ID/VM_NAME: a running VM of the logged-in user.
import { run, openPage, login, shot, step, assertNoHorizontalScroll, assertAccessible, watchCsp, watchFailedResponses, url, DESKTOP, PHONE } from './lib.mjs';

const vmId = process.env.VM_ID;
const vmName = process.env.VM_NAME;

/** The element that has focus, as "H1 My VMs". */
const focused = (page) => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim() ?? ''}`);

/** Contrast of the focused element's outline with the first opaque background behind it (WCAG relative luminance). */
const focusRing = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let p = el.parentElement; p && !bg; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) bg = c.slice(0, 3);
  }
  bg ??= [255, 255, 255];
  const ring = rgb(s.outlineColor).slice(0, 3);
  const [l1, l2] = [lum(ring), lum(bg)].sort((a, b) => b - a);
  return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, background: `rgb(${bg.join(', ')})`, ratio: (l1 + 0.05) / (l2 + 0.05), what: `${el.tagName} ${el.textContent.trim()}` };
});

async function expectHeadingFocused(page, name) {
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  await page.waitForFunction((n) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent.trim() === n, name, { timeout: 5000 })
    .catch(async () => { throw new Error(`after opening "${name}" the focus is on ${await focused(page)}, not the page's heading`); });
}

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  const csp = watchCsp(page);
  const failed = watchFailedResponses(page);
  await login(page);
  const row = page.locator(`tr[data-vm="${vmName}"]`);
  await row.waitFor();
  await page.locator('#live-status').filter({ hasText: 'Live' }).waitFor();
  // A live redraw of the list: reboot the VM from the same session and watch the row change.
  await page.evaluate(async (id) => {
    const csrf = document.cookie.split(';').map((c) => c.trim().split('=')).find(([k]) => k === 'octopus_csrf')?.[1] ?? '';
    await fetch(`/api/v1/vms/${encodeURIComponent(id)}/reboot`, { method: 'POST', headers: { 'X-CSRF-Token': decodeURIComponent(csrf) } });
  }, vmId);
  await row.locator('.vm-state').filter({ hasText: 'Running' }).waitFor({ timeout: 30000 });
  await page.waitForTimeout(500);
  if (csp.length > 0) throw new Error(`CSP violations on "My VMs":\n  ${csp.join('\n  ')}`);
  step('no CSP violation while "My VMs" renders and redraws live');

  const icon = await page.request.get(`${url}/favicon.ico`);
  if (icon.status() !== 200 || !(icon.headers()['content-type'] ?? '').startsWith('image/'))
    throw new Error(`/favicon.ico answered ${icon.status()} ${icon.headers()['content-type']}`);
  const pageFailures = failed.filter((f) => !f.includes('/api/'));
  if (pageFailures.length > 0) throw new Error(`the page loaded something that failed:\n  ${pageFailures.join('\n  ')}`);
  step(`favicon served (${icon.headers()['content-type']}), no failed page request`);

  // Focus: by mouse and by keyboard, each page change puts focus on the new page's heading.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  await expectHeadingFocused(page, 'Tasks');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My policies' }).click();
  await expectHeadingFocused(page, 'My policies');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My VMs' }).focus();
  await page.keyboard.press('Enter');
  await expectHeadingFocused(page, 'My VMs');
  await row.getByRole('link', { name: vmName }).click();
  await expectHeadingFocused(page, vmName);
  step('focus moves to each page\'s heading after navigation');

  // The focus ring, on the next thing the keyboard reaches after the heading, and on a filled button.
  for (let i = 0; i < 5; i++) { // Stop, Reboot, Delete, Console, Fork: filled and outlined buttons and a link
    await page.keyboard.press('Tab');
    const ring = await focusRing(page);
    if (ring.style === 'none' || ring.width < 2) throw new Error(`${ring.what} has no visible focus ring (${ring.style} ${ring.width}px)`);
    if (ring.ratio < 3) throw new Error(`the focus ring of ${ring.what} (${ring.color} on ${ring.background}) has ${ring.ratio.toFixed(2)}:1 contrast; WCAG 1.4.11 asks 3:1`);
    if (i === 0) step(`focus ring ${ring.color} on ${ring.background}: ${ring.ratio.toFixed(1)}:1`);
  }
  step('the focus ring has at least 3:1 contrast');
  await assertAccessible(page, 'the VM page at 1280 px');

  // Stop asks first, at phone width; Cancel changes nothing.
  await page.setViewportSize(PHONE);
  await page.goto(`${url}/#/vms`);
  await expectHeadingFocused(page, 'My VMs');
  await page.getByRole('button', { name: `Stop ${vmName}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(`Stop ${vmName}?`).waitFor({ timeout: 3000 })
    .catch(() => { throw new Error('Stop did not ask for confirmation'); });
  await shot(page, 'stop-confirm-360');
  await assertAccessible(page, 'the Stop confirmation at 360 px');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForTimeout(1500);
  const spec = await page.evaluate(async (id) => (await (await fetch(`/api/v1/vms/${encodeURIComponent(id)}`)).json()).spec, vmId);
  if (spec !== 'Running') throw new Error(`Cancel still stopped the VM (spec ${spec})`);
  await page.getByRole('button', { name: `Stop ${vmName}` }).click();
  await dialog.getByRole('button', { name: 'Stop' }).click();
  await row.locator('.vm-state').filter({ hasText: 'Stopped' }).waitFor({ timeout: 30000 });
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, '"My VMs" at 360 px');
  await shot(page, 'my-vms-stopped-360');
  step('Stop asks first; Cancel keeps the VM running; confirming stops it');
  if (csp.length > 0) throw new Error(`CSP violations:\n  ${csp.join('\n  ')}`);
});
