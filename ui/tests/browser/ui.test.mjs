// UI tests in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against the built UI (ui/dist) with a mocked Tauri IPC
// (mock-ipc.js). Served with the app's own CSP, so a style or script the
// CSP would block in the real app fails here too.
//
//   npm run build && npm run test:browser
//
// Every screen gets an axe-core audit (WCAG 2.1 A/AA rules): no serious or
// critical violation is allowed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '../../dist');
const mockScript = join(here, 'mock-ipc.js');
const shots = process.env.BRYGGA_UI_SHOTS ?? join(here, '../../../test-artifacts/ui-screenshots');
const PASS = 'kanel cykel fönster hav';

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
const cspViolations = [];

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
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openApp(config = {}) {
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, locale: 'sv-SE' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/u.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
  await page.addInitScript(`window.__MOCK_CONFIG__ = ${JSON.stringify(config)};`);
  await page.addInitScript({ path: mockScript });
  await page.goto(base);
  return { context, page };
}

async function audit(page, name) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, [], `axe on ${name}`);
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  return result;
}

async function createWithDemo(page) {
  await page.getByLabel('Ditt namn').fill('Fiktiv Handläggare');
  await page.getByLabel('Lösenfras', { exact: true }).fill(PASS);
  await page.getByLabel('Lösenfrasen en gång till').fill(PASS);
  await page.getByTestId('create-demo').click();
  await page.getByTestId('caseload').waitFor();
}

describe('Brygga UI with mocked IPC', () => {
  it('first run: strength feedback, no-recovery warning, create with demo data', async () => {
    const { context, page } = await openApp();
    await page.getByTestId('first-run').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');
    await assert.doesNotReject(page.getByTestId('no-recovery').waitFor());
    await audit(page, '01-first-run');
    await page.getByLabel('Lösenfras', { exact: true }).fill('kort');
    assert.match(await page.getByTestId('strength').innerText(), /För kort/u);
    await page.getByLabel('Lösenfras', { exact: true }).fill(PASS);
    assert.match(await page.getByTestId('strength').innerText(), /stark/u);
    await page.getByLabel('Lösenfrasen en gång till').fill('något annat');
    await page.getByTestId('create').click();
    assert.match(await page.locator('#pass2-problem').innerText(), /inte likadana/u);
    await audit(page, '02-first-run-problems');
    await createWithDemo(page);
    const items = page.getByTestId('caseload-list').locator('li');
    assert.equal(await items.count(), 20);
    // Most urgent first: the overdue follow-up.
    assert.match(await items.first().innerText(), /Uppföljning försenad/u);
    await audit(page, '03-caseload');
    await context.close();
  });

  it('case view, new entry, sign and correct; privacy mode hides names and numbers', async () => {
    const { context, page } = await openApp();
    await createWithDemo(page);
    await page.getByTestId('caseload-list').locator('button').first().click();
    await page.getByTestId('case-title').waitFor();
    assert.equal(await page.getByTestId('case-title').innerText(), 'Alva Lindqvist');
    // A corrected entry: the original struck through but readable.
    assert.match(await page.getByTestId('original-text').innerText(), /tisdag/u);
    assert.match(await page.getByTestId('correction').first().innerText(), /onsdag/u);
    await audit(page, '04-case');

    await page.getByTestId('new-entry').click();
    await page.getByTestId('entry-form').waitFor();
    await audit(page, '05-new-entry');
    await page.getByTestId('save-draft').click();
    assert.ok(await page.getByText('Fyll i det här fältet.').first().isVisible());
    await page.getByLabel('Plats').fill('hemmet');
    await page.getByLabel('Syfte').fill('motivation');
    await page.locator('#entry-text').fill('Fiktivt hembesök: vi pratade om morgonrutiner.');
    await page.getByTestId('save-draft').click();
    await page.getByTestId('case-title').waitFor();
    const draft = page.locator('[data-testid=entry][data-status=draft]').filter({ hasText: 'morgonrutiner' });
    await draft.getByTestId('sign').click();
    await draft.getByTestId('confirm-sign').click();
    const signed = page.locator('[data-testid=entry][data-status=signed]').filter({ hasText: 'morgonrutiner' });
    await signed.waitFor();
    await signed.getByTestId('correct').click();
    await signed.getByLabel('Rättad text').fill('Vi pratade om kvällsrutiner.');
    await signed.getByLabel('Skäl').fill('Fel ord.');
    await signed.getByTestId('save-correction').click();
    await signed.getByTestId('correction').waitFor();
    await audit(page, '06-case-corrected');

    await page.getByTestId('privacy-toggle').click();
    assert.equal(await page.getByTestId('case-title').innerText(), 'A. L.');
    assert.equal(await page.getByTestId('pnr').innerText(), '••••••-••••');
    const body = await page.locator('main').innerText();
    assert.doesNotMatch(body, /Påhittade gatan/u, 'the address is hidden');
    assert.doesNotMatch(body, /Alva Lindqvist/u);
    await audit(page, '07-case-privacy');
    await context.close();
  });

  it('protected identity: no school, no address', async () => {
    const { context, page } = await openApp();
    await createWithDemo(page);
    await page.getByText('Elsa Holmgren').click();
    await page.getByTestId('case-title').waitFor();
    const body = await page.locator('main').innerText();
    assert.match(body, /Skyddad identitet/u);
    assert.doesNotMatch(body, /Exempelskolan/u);
    await context.close();
  });

  it('morning check-in of 20 pupils with the keyboard alone, well under a minute', async () => {
    const { context, page } = await openApp();
    await createWithDemo(page);
    await page.getByRole('button', { name: 'Morgonincheckning' }).first().click();
    await page.getByTestId('checkin-board').waitFor();
    await page.getByTestId('checkin-row').first().waitFor();
    await audit(page, '08-checkin-empty');
    const started = Date.now();
    const keys = ['1', 'a', '2', '1', 'n', '1', 'l', '1', '1', '3', '1', '1', '2', '1', '1', 'a', '1', '1', 'n', '1'];
    // Focus starts on the first row; a mark moves to the next row.
    for (const [i, k] of keys.entries()) {
      if (i === 4) {
        // A short note for the fifth pupil before marking.
        await page.keyboard.press('Tab');
        await page.keyboard.type('Trött, pratade vid entrén');
        await page.keyboard.press('Escape');
      }
      await page.keyboard.press(k);
    }
    // j/k move back and forth without marking.
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await audit(page, '09-checkin-marked');
    await page.keyboard.press('Enter');
    await page.getByTestId('checkin-saved').waitFor();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 60_000, `took ${elapsed} ms`);
    const call = (await page.evaluate(() => window.__MOCK__.calls)).find((c) => c.cmd === 'record_checkins');
    assert.equal(call.args.checkins.length, 20);
    const arrivals = call.args.checkins.map((c) => c.arrival);
    assert.equal(arrivals.filter((a) => a === 'arrived').length, 14);
    assert.equal(arrivals.filter((a) => a === 'late').length, 3);
    assert.equal(arrivals.filter((a) => a === 'not-seen').length, 3);
    assert.ok(call.args.checkins.some((c) => c.note === 'Trött, pratade vid entrén' && c.arrival === 'not-seen'));
    assert.ok(call.args.checkins.filter((c) => c.arrival === 'not-seen').every((c) => c.time === null));
    assert.match(await page.getByTestId('checkin-saved').innerText(), /20 incheckningar/u);
    await context.close();
  });

  it('search, add pupil, settings, English', async () => {
    const { context, page } = await openApp();
    await createWithDemo(page);
    await page.getByRole('button', { name: 'Sök' }).first().click();
    await page.getByLabel('Sökord').fill('onsdag');
    await page.getByTestId('search-go').click();
    await page.getByTestId('search-count').waitFor();
    assert.match(await page.getByTestId('search-results').innerText(), /I en rättelse/u);
    await audit(page, '10-search');

    await page.getByRole('button', { name: 'Ny elev' }).first().click();
    await page.getByTestId('add-pupil').waitFor();
    await audit(page, '11-add-pupil');
    await page.getByLabel('Elevens namn').fill('Fiktiv Elev');
    await page.getByLabel('Personnummer').fill('20120417-9939');
    await page.getByLabel('Skola').fill('Fiktiva skolan');
    await page.getByTestId('save-pupil').click();
    await page.getByTestId('case-title').waitFor();
    assert.equal(await page.getByTestId('case-title').innerText(), 'Fiktiv Elev');

    await page.getByRole('button', { name: 'Inställningar' }).click();
    await page.getByTestId('settings').waitFor();
    await audit(page, '12-settings');
    await page.getByRole('button', { name: 'English' }).click();
    assert.equal(await page.getByTestId('settings').innerText(), 'Settings');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await audit(page, '13-settings-en');
    await context.close();
  });

  it('unlock screen: wrong passphrase refused, right one opens; Ctrl+L and the shell lock it', async () => {
    const { context, page } = await openApp({ exists: true, passphrase: PASS });
    await page.getByTestId('unlock-screen').waitFor();
    await audit(page, '14-unlock');
    await page.getByLabel('Lösenfras').fill('fel lösenfras');
    await page.getByTestId('unlock').click();
    await page.locator('[data-testid=error][data-code=wrong_passphrase]').waitFor();
    assert.equal(await page.getByLabel('Lösenfras').inputValue(), '', 'the field is cleared');
    await audit(page, '15-unlock-wrong');
    await page.getByLabel('Lösenfras').fill(PASS);
    await page.keyboard.press('Enter');
    await page.getByTestId('caseload').waitFor();

    await page.keyboard.press('Control+l');
    await page.getByTestId('unlock-screen').waitFor();
    await page.getByLabel('Lösenfras').fill(PASS);
    await page.keyboard.press('Enter');
    await page.getByTestId('caseload').waitFor();

    // The shell's idle timer locks and tells the window: the screen clears.
    await page.evaluate(() => window.__MOCK__.lockFromShell('idle'));
    await page.getByTestId('unlock-screen').waitFor();
    assert.match(await page.locator('main').innerText(), /5 minuter utan aktivitet/u);
    await audit(page, '16-locked-idle');

    // Nothing of the journal in webview storage.
    const stored = await page.evaluate(async () => ({
      local: localStorage.length,
      session: sessionStorage.length,
      idb: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
    }));
    assert.deepEqual(stored, { local: 0, session: 0, idb: 0, caches: 0 });
    await context.close();
  });

  it('the CSP blocked nothing and no page error happened', () => {
    assert.deepEqual(cspViolations, []);
  });
});
