// The unit manager's page of outcomes in headless Chromium against a real
// server process, with figures a real laptop (the headless client
// `brygga`) synced: eight pupils of two schools followed; the page shows
// aggregates only — the small school as "<5", the big one withheld ("–")
// beside a total that would give the small one back, no name, no
// personnummer —, draws its chart, hands out the view as CSV, refuses an
// administrator (403), passes axe-core and is saved as a screenshot.
//
//   cargo build -p brygga-server -p brygga-cli
//   cd ui && node --test tests/browser/web-outcomes.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditScreen } from './chromium.mjs';
import { Laptop, Site, shots } from './site.mjs';
import { needsServer } from '../../../tests/e2e/server.mjs';

const site = new Site();
const accounts = {};
const TEAM = 'Fiktiva teamet Syd';
const USER = 'behandlare.syd';
const NAMES = [];
const PERSONNUMMER = [];
let laptop;

/** A valid fictional personnummer of 2012-04-DD with serial `n` (Luhn). */
function personnummer(day, n) {
  const ten = `1204${String(day).padStart(2, '0')}${String(n).padStart(3, '0')}`;
  const sum = [...ten].reduce((s, c, i) => {
    const d = Number(c) * (i % 2 === 0 ? 2 : 1);
    return s + (d > 9 ? d - 9 : d);
  }, 0);
  return `20${ten}${(10 - (sum % 10)) % 10}`;
}

before(async () => {
  if (needsServer) return;
  await site.start();
  accounts.manager = site.addStaff('chef.syd', 'unit-manager');
  accounts.admin = site.addStaff('admin.syd', 'administrator');
  site.server.admin('team', 'add', TEAM);
  site.server.admin('user', 'add', USER, '--team', TEAM);
  const code = site.server.admin('device', 'enroll-code', '--user', USER).trim();
  laptop = new Laptop();
  laptop.run('init', '--author', 'Fiktiv Behandlare Syd');
  laptop.run('enroll', '--server', site.url, '--code', code, '--name', 'Fiktiv laptop Syd');
  const schools = [...Array(6).fill('Fiktiva skolan'), ...Array(2).fill('Lilla skolan')];
  schools.forEach((school, i) => {
    const name = `Fiktiv Elev ${String.fromCharCode(65 + i)}`;
    const pnr = personnummer(i + 1, 230 + i);
    NAMES.push(name);
    PERSONNUMMER.push(pnr);
    const pupil = laptop.run(
      'pupil', 'add', '--name', name, '--personnummer', pnr, '--school', school, '--grade', '8',
    );
    laptop.run('case', 'open', '--pupil', pupil);
  });
  laptop.run('sync');
});

after(() => {
  laptop?.remove();
  site.stop();
});

/** The cells of the row headed `row` in the table captioned `caption`. */
async function row(page, caption, rowHead) {
  const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) });
  return table.locator('tr', { has: page.locator('th', { hasText: rowHead }) }).first().locator('td').allTextContents();
}

/** No pupil's name and no personnummer, in either form, in `text`. */
function assertNoPupil(text) {
  for (const name of NAMES) assert.ok(!text.includes(name), name);
  for (const pnr of PERSONNUMMER) {
    assert.ok(!text.includes(pnr) && !text.includes(pnr.slice(2)), pnr);
  }
}

/** What a person reads: no pupil, and no number shaped like a personnummer. */
function assertNothingPersonal(text) {
  assertNoPupil(text);
  assert.doesNotMatch(text, /\d{6}(\d{2})?[-+]?\d{4}/u, 'a personnummer-like number');
}

describe("the unit manager's outcomes page", { skip: needsServer }, () => {
  it('shows what the laptop synced as aggregates, "<5" and a withheld neighbour, and its CSV', async () => {
    const { context, page } = await site.newPage();
    await site.login(page, accounts.manager);
    await page.getByRole('link', { name: 'Utfall per team, skola och period' }).first().click();
    await page.getByRole('heading', { name: 'Utfall per team, skola och period' }).waitFor();
    await page.getByLabel('Team').selectOption({ label: TEAM });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Visa' }).click()]);

    const caption = 'Elever som följs, per skola';
    assert.deepEqual(await row(page, caption, 'Lilla skolan'), ['<5']);
    // 8 − 2 would give the small school back: the big one is withheld.
    assert.deepEqual(await row(page, caption, 'Fiktiva skolan'), ['–']);
    assert.deepEqual(await row(page, caption, 'Totalt'), ['8']);
    await page.locator('svg[role="img"]').first().waitFor();
    assertNothingPersonal(await page.locator('body').textContent());
    // The markup too (its session tokens are long hex numbers: names only).
    assertNoPupil(await page.content());
    await auditScreen(page, 'web-outcomes', shots);

    const link = page.locator('a[href*="/outcomes/followed.csv"]').first();
    const href = await link.getAttribute('href');
    const csv = await context.request.get(new URL(href, page.url()).toString());
    assert.equal(csv.status(), 200);
    assert.equal(csv.headers()['cache-control'], 'no-store');
    const text = await csv.text();
    assert.equal(text, '\u{feff}Skola;Elever\r\nFiktiva skolan;–\r\nLilla skolan;<5\r\nTotalt;8\r\n');
    assertNothingPersonal(text);
    await context.close();
  });

  it('is not for an administrator', async () => {
    const { context, page } = await site.newPage();
    site.setClock(site.clockOffset + 31_000);
    await site.login(page, accounts.admin);
    assert.equal((await site.open(page, '/outcomes')).status(), 403);
    await page.getByRole('heading', { name: 'Ingen behörighet' }).waitFor();
    await context.close();
  });

  it('saw no CSP violation', () => {
    assert.deepEqual(site.cspViolations, []);
  });
});
