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

  it('sync: status area, badges, sync panel with quarantine and conflicts, enrolment, wipe', async () => {
    // Not enrolled: the header says so; Settings offers enrolment.
    let { context, page } = await openApp();
    await page.getByTestId('first-run').waitFor();
    await createWithDemo(page);
    assert.match(await page.getByTestId('sync-status').innerText(), /Inte ansluten/u);
    await page.getByRole('button', { name: 'Inställningar' }).click();
    await page.getByTestId('enroll-form').waitFor();
    await audit(page, '17-sync-enroll');
    await page.getByLabel('Serverns adress').fill('http://fel.example');
    await page.getByLabel('Engångskod').fill('KOD-1234');
    await page.getByTestId('enroll').click();
    await page.getByTestId('error').waitFor();
    await page.getByLabel('Serverns adress').fill('https://brygga.example.se:8443');
    await page.getByTestId('enroll').click();
    await page.getByTestId('enrolled').waitFor();
    assert.match(await page.getByTestId('enrolled').innerText(), /fiktiv\.handlaggare i team Fiktivt team/u);
    await page.getByTestId('sync-server').waitFor();
    await context.close();

    // Enrolled, with pending changes, a quarantined op and a conflict.
    const sync = {
      enrolled: true,
      server_url: 'https://brygga.example.se:8443',
      user: 'fiktiv.handlaggare',
      team: 'Fiktivt team',
      pending: 3,
      last_success_at: '2026-11-20T08:15:00.000Z',
      last_attempt_at: '2026-11-20T08:20:00.000Z',
      last_error: 'server unreachable: connection refused',
      quarantined: [
        { op_id: '0190a000-0000-7000-8000-00000000ff01', direction: 'pull', op_type: 'entry.signed', reason: 'the signature does not verify', at: '2026-11-19T10:00:00.000Z' },
      ],
      conflicts: [
        { object_type: 'guardian', object_id: '0190a000-0000-7000-8000-00000000ff02', current_value: '070-000 00 09', field: 'phone', lost_value: '070-000 00 08', lost_author: 'Fiktiv Kollega', lost_at: '2026-11-19T09:00:00.000Z' },
      ],
    };
    ({ context, page } = await openApp({ sync }));
    await page.getByTestId('first-run').waitFor();
    await createWithDemo(page);
    const area = await page.getByTestId('sync-status').innerText();
    assert.match(area, /3 ändringar väntar på synk/u);
    assert.match(area, /Senast synkad 20 nov\. 2026/u);
    assert.match(area, /lyckas inte/u);
    assert.match(await page.getByTestId('sync-badge').innerText(), /1 i karantän.*1 konflikter/su);
    await audit(page, '18-sync-status');
    await page.getByTestId('sync-badge').click();
    await page.getByTestId('sync-panel').waitFor();
    const q = await page.getByTestId('quarantine').innerText();
    assert.match(q, /entry\.signed/u);
    assert.match(q, /hämtad/u);
    assert.match(q, /signature does not verify/u);
    const c = await page.getByTestId('conflicts').innerText();
    for (const want of [/phone/u, /070-000 00 09/u, /070-000 00 08/u, /Fiktiv Kollega/u]) assert.match(c, want);
    await audit(page, '19-sync-panel');

    // Sync now: the loop's event updates the header too.
    await page.getByTestId('sync-now').click();
    await page.getByTestId('sync-done').waitFor();
    assert.match(await page.getByTestId('sync-done').innerText(), /3 skickade, 2 hämtade/u);
    assert.match(await page.getByTestId('sync-status').innerText(), /Allt är synkat/u);
    assert.match(await page.getByTestId('sync-panel-pending').innerText(), /^0$/u);

    // English.
    await page.getByRole('button', { name: 'English' }).first().click();
    await page.getByRole('heading', { name: 'Quarantined changes' }).waitFor();
    await audit(page, '20-sync-panel-en');

    // Revoked: the shell wipes the journal and says so; first-run screen.
    await page.evaluate(() => {
      window.__MOCK__.state.exists = false;
      window.__MOCK__.lockFromShell('wiped');
    });
    await page.getByTestId('wiped').waitFor();
    await page.getByTestId('first-run').waitFor();
    await audit(page, '21-wiped');
    await context.close();
  });

  it('attendance: caseload sort, trend chart with table, journal export, import with mapping, project exports', async () => {
    const { context, page } = await openApp();
    await page.getByTestId('first-run').waitFor();
    await createWithDemo(page);
    // Sorted by absence: the first pupil (high absence) is on top.
    await page.getByLabel('Sortera').selectOption('absence');
    const first = page.getByTestId('caseload-list').locator('li').first();
    assert.match(await first.innerText(), /Alva Lindqvist/u);
    assert.match(await first.getByTestId('absence-badge').innerText(), /Frånvaro \d+,\d %/u);
    await page.getByLabel('Sortera').selectOption('trend');
    await audit(page, '22-caseload-sorted-by-trend');

    // The case's chart and its text alternative.
    await page.getByLabel('Sortera').selectOption('absence');
    await first.getByRole('button').click();
    await page.getByTestId('absence-chart').waitFor();
    const label = await page.getByTestId('absence-chart').getAttribute('aria-label');
    assert.match(label, /12 veckor/u);
    await page.getByText('Visa som tabell').click();
    const table = await page.getByTestId('absence-table').innerText();
    assert.match(table, /Hembesök/u);
    assert.match(table, /Samverkansplan/u);
    assert.equal(await page.getByTestId('absence-table').locator('tbody tr').count(), 12);
    const pixels = await page.evaluate(() => {
      const c = document.querySelector('[data-testid="absence-chart"] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) inked++;
      return inked;
    });
    assert.ok(pixels > 1000, 'the chart drew something');
    await audit(page, '23-case-absence-chart');

    // Journal PDF with one entry left out: a reason is required.
    await page.getByTestId('journal-export').scrollIntoViewIfNeeded();
    await page.getByTestId('journal-export').getByRole('checkbox').first().check();
    assert.equal(await page.getByTestId('export-journal').isDisabled(), true);
    await page.getByLabel('Skäl till att utelämna').fill('Menprövning: uppgifter om tredje man.');
    await page.getByTestId('export-journal').click();
    await page.getByTestId('export-result').waitFor();
    assert.match(await page.getByTestId('export-result').innerText(), /Sparad: .*brygga-journal-\d{4}-\d{2}-\d{2}\.pdf/u);
    const req = await page.evaluate(() => window.__MOCK__.calls.filter((c) => c.cmd === 'export_file').at(-1).args);
    assert.equal(req.request.leave_out.length, 1);
    assert.match(req.request.leave_out[0].reason, /Menprövning/u);
    await audit(page, '24-journal-export');

    // Import: unknown header → mapping step → preview → import.
    await page.getByRole('button', { name: 'Frånvaro' }).click();
    await page.getByTestId('attendance').waitFor();
    const csv = 'Elev-id;Vecka;Schemalagd tid (min);Giltig frånvaro (min);Ogiltig frånvaro (min)\n110110-9970;v46;1680;60;120\n110110-9970;v47;1680;x;0\n';
    await page.getByTestId('import-file').setInputFiles({ name: 'franvaro-v46.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('import-problems').waitFor();
    assert.match(await page.getByTestId('import-problems').innerText(), /personnummer/u);
    await page.getByTestId('import-mapping').waitFor();
    await audit(page, '25-import-mapping');
    await page.getByLabel('Personnummer').selectOption('Elev-id');
    await page.getByTestId('import-recheck').click();
    await page.getByText('Rad 3').waitFor();
    assert.match(await page.getByTestId('import-problems').innerText(), /Rad 3: not a number/u);
    const good = csv.split('\n').slice(0, 2).join('\n') + '\n';
    await page.getByTestId('import-file').setInputFiles({ name: 'franvaro-v46.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.getByTestId('import-mapping').waitFor();
    await page.getByLabel('Personnummer').selectOption('Elev-id');
    await page.getByTestId('import-recheck').click();
    await page.getByTestId('import-commit').waitFor();
    assert.match(await page.getByTestId('import-summary').innerText(), /1 nya veckor/u);
    await audit(page, '26-import-preview');
    await page.getByTestId('import-commit').click();
    await page.getByRole('heading', { name: 'Importerad' }).waitFor();
    const imports = await page.evaluate(() => window.__MOCK__.calls.filter((c) => c.cmd === 'import_absence').map((c) => c.args.input.dry_run));
    assert.deepEqual(imports.slice(-2), [true, false]);

    // Project exports to a chosen folder.
    await page.getByLabel('Mapp att spara i').fill('/tmp/fiktiv-export');
    await page.getByTestId('export-esf').click();
    await page.getByText(/Sparad: \/tmp\/fiktiv-export\/brygga-esf-deltagare-/u).waitFor();
    await page.getByTestId('export-outcomes-pdf').click();
    await page.getByText(/brygga-uppfoljning-.*\.pdf/u).waitFor();
    await audit(page, '27-project-exports');
    await context.close();
  });

  it('the CSP blocked nothing and no page error happened', () => {
    assert.deepEqual(cspViolations, []);
  });
});
