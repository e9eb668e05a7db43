// The app's window for the browser tests: the built UI (ui/dist) served
// with the app's own CSP, opened in Chromium and talking to a bridge (the
// desktop app's commands over a real journal, bridge.mjs).

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { Bridge } from './bridge.mjs';
import { launchChromium } from './chromium.mjs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '../../dist');

export const PASS = 'kanel cykel fönster hav';

/** Where the screens are photographed. */
export const shots = process.env.BRYGGA_UI_SHOTS ?? join(here, '../../../test-artifacts/ui-screenshots');

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

/** Serves ui/dist as the app does, with its CSP; resolves to {server, base}. */
export async function serveUi() {
  assert.ok(existsSync(join(dist, 'index.html')), 'build the UI first: npm run build');
  const server = createServer(async (req, res) => {
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
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

/**
 * A window of the app at `base` in `browser`, talking to `bridge`; a CSP
 * violation or a page error is pushed to `problems`.
 */
export async function openWindow(browser, base, bridge, problems) {
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, locale: 'sv-SE' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/u.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await bridge.attach(page);
  await page.goto(base);
  return { context, page };
}

/** The first run: a new journal with the demo caseload, up to the caseload. */
export async function createWithDemo(page) {
  await page.getByLabel('Ditt namn').fill('Fiktiv Handläggare');
  await page.getByLabel('Lösenfras', { exact: true }).fill(PASS);
  await page.getByLabel('Lösenfrasen en gång till').fill(PASS);
  await page.getByTestId('create-demo').click();
  await page.getByTestId('caseload').waitFor();
}

/** The case id of the pupil named `name` in the caseload. */
export async function caseOf(bridge, name) {
  const item = (await bridge.invoke('caseload')).find((c) => c.pupil_name === name);
  assert.ok(item, `${name} is in the caseload`);
  return item.case_id;
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

/**
 * The set-up of a test file whose tests each open a window of the app over
 * an app of their own: the UI served and Chromium launched before them, all
 * closed after. `open()` gives {context, page, bridge}; a CSP violation or
 * a page error of any window lands in `problems`.
 */
export function windowSuite() {
  const suite = { problems: [], bridges: [] };
  before(async () => {
    ({ server: suite.server, base: suite.base } = await serveUi());
    suite.browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await suite.browser?.close();
    suite.server?.close();
    await Promise.all(suite.bridges.map((b) => b.stop()));
  });
  return {
    problems: suite.problems,
    async open() {
      const bridge = await Bridge.start();
      suite.bridges.push(bridge);
      const { context, page } = await openWindow(suite.browser, suite.base, bridge, suite.problems);
      return { context, page, bridge };
    },
  };
}
