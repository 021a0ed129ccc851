// The graphical console: from a QEMU VM's page, open Screen; noVNC (served by the server, npm @novnc/novnc) connects
// through the server's WebSocket (a kind=vnc ticket) to the agent's VNC socket and draws the real test guest's screen on
// its canvas. Checks the canvas is not blank, axe-core (0 serious/critical) at 1280 and 360 px, no sideways scroll at
// 360 px, and no Content-Security-Policy violation. VM_ID/VM_NAME: a running QEMU VM of the logged-in user.
import { run, openPage, login, shot, step, assertAccessible, assertNoHorizontalScroll, watchCsp, url, DESKTOP, PHONE } from './lib.mjs';

const vmId = process.env.VM_ID;
const vmName = process.env.VM_NAME;

/** Pixels of noVNC's canvas that are not black (the guest's text, the firmware's banner). */
const litPixels = (page) => page.evaluate(() => {
  const canvas = document.querySelector('#console-screen canvas');
  if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let lit = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
  return lit;
});

await run(async (browser) => {
  const page = await openPage(browser, DESKTOP);
  const violations = watchCsp(page);
  await login(page);

  await page.goto(`${url}/#/vms/${encodeURIComponent(vmId)}`);
  await page.getByRole('heading', { name: vmName }).waitFor();
  await page.getByRole('link', { name: 'Screen' }).click();
  await page.getByRole('heading', { name: `Screen of ${vmName}` }).waitFor();
  await page.locator('#console-status').filter({ hasText: `Connected to ${vmName}'s screen` }).waitFor({ timeout: 30000 });
  step('noVNC connected through the server');

  let lit = 0;
  for (let i = 0; i < 60 && lit < 200; i++) {
    lit = await litPixels(page);
    if (lit < 200) await page.waitForTimeout(500);
  }
  const size = await page.evaluate(() => { const c = document.querySelector('#console-screen canvas'); return `${c.width}x${c.height}`; });
  if (lit < 200) throw new Error(`noVNC's canvas (${size}) stayed blank: ${lit} lit pixels`);
  step(`the guest's screen is drawn: ${size} canvas, ${lit} lit pixels`);
  await assertAccessible(page, 'the screen page at 1280 px');
  await shot(page, 'vm-screen-1280');

  await page.setViewportSize(PHONE);
  await page.waitForTimeout(300);
  await assertNoHorizontalScroll(page);
  await assertAccessible(page, 'the screen page at 360 px');
  await shot(page, 'vm-screen-360');

  if (violations.length > 0) throw new Error(`CSP violations: ${violations.join('; ')}`);
  step('no CSP violation');
});
