// What every browser test file shares: the built UI served with the app's
// own CSP, headless Chromium, the real app behind each window
// (bridge.mjs), and the axe audit with its screenshot. A test file calls
// `useWindow()` once at its top level; it registers the hooks that start
// and stop all of it.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditScreen, launchChromium } from './chromium.mjs';
import { Bridge } from './bridge.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '../../dist');
const shots = process.env.BRYGGA_UI_SHOTS ?? join(here, '../../../test-artifacts/ui-screenshots');
export const PASS = 'kanel cykel fönster hav';

const conf = JSON.parse(readFileSync(join(here, '../../../tauri.conf.json'), 'utf8'));
const csp = Object.entries(conf.app.security.csp)
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

let server;
let base;
let browser;
/** What the CSP blocked and every page error, in every window. */
export const cspViolations = [];
const bridges = [];

/** Registers the hooks that start and stop the server and the browser. */
export function useWindow() {
  before(async () => {
    assert.ok(existsSync(join(dist, 'index.html')), 'build the UI first: npm run build');
    server = createServer(async (req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/u, '');
      const file = join(dist, path === '/' ? 'index.html' : path);
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${server.address().port}/`;
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    server?.close();
    await Promise.all(bridges.map((b) => b.stop()));
  });
}

/** A new app over an empty journal folder (or, with `journal`, a locked journal). */
export async function startApp({ journal = false } = {}) {
  const bridge = await Bridge.start();
  bridges.push(bridge);
  if (journal) {
    await bridge.invoke('create_journal', { passphrase: PASS, author: 'Fiktiv Handläggare' });
    await bridge.invoke('lock');
  }
  return bridge;
}

/** The window: the built UI in Chromium, talking to `bridge`. */
export async function openApp(options = {}) {
  const bridge = options.bridge ?? (await startApp(options));
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, locale: 'sv-SE' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/u.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
  await bridge.attach(page);
  await page.goto(base);
  return { context, page, bridge };
}

/**
 * Waits for a list the app fills from the journal to have `n` items (the
 * screen shows before its data), then holds it to exactly that.
 */
export async function hasCount(locator, n) {
  const deadline = Date.now() + 20_000;
  while ((await locator.count()) !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await locator.count(), n);
}

/** The case id of the pupil named `name` in the caseload. */
export async function caseOf(bridge, name) {
  const item = (await bridge.invoke('caseload')).find((c) => c.pupil_name === name);
  assert.ok(item, `${name} is in the caseload`);
  return item.case_id;
}

/** The axe audit of what the page shows (no serious or critical
 *  violation), and its screenshot as `name`.png. */
export function audit(page, name) {
  return auditScreen(page, name, shots);
}

/** Creates the journal with the demo caseload from the first-run screen. */
export async function createWithDemo(page) {
  await page.getByLabel('Ditt namn').fill('Fiktiv Handläggare');
  await page.getByLabel('Lösenfras', { exact: true }).fill(PASS);
  await page.getByLabel('Lösenfrasen en gång till').fill(PASS);
  await page.getByTestId('create-demo').click();
  await page.getByTestId('caseload').waitFor();
}

/**
 * A laptop with the demo caseload, in its window, enrolled on `server` as
 * `user` of a team of its own, its first round done.
 */
export async function enrolledWithDemo(server, user) {
  server.admin('team', 'add', 'Fiktivt team');
  server.admin('user', 'add', user, '--team', 'Fiktivt team');
  const opened = await openApp();
  await createWithDemo(opened.page);
  await opened.bridge.invoke('enroll', { serverUrl: server.url, code: server.enrollCode(user) });
  await opened.bridge.invoke('sync_now');
  return opened;
}

/** Leaves the caseload and comes back: it reads the journal again. */
export async function backToCaseload(page) {
  await page.getByRole('button', { name: 'Sök' }).first().click();
  await page.getByTestId('search-screen').waitFor();
  await page.getByRole('button', { name: 'Ärenden' }).first().click();
  await page.getByTestId('caseload-list').waitFor();
}

/** Signs the draft in the case view that says `text`; the signed entry's card. */
export async function signInWindow(page, text) {
  const draft = page.locator('[data-testid=entry][data-status=draft]').filter({ hasText: text });
  await draft.getByTestId('sign').click();
  await draft.getByTestId('confirm-sign').click();
  const signed = page.locator('[data-testid=entry][data-status=signed]').filter({ hasText: text });
  await signed.waitFor();
  return signed;
}
