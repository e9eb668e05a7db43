// The administrator's pages of brygga-server in headless Chromium against
// a real server process, and a real laptop (the headless client
// `brygga`): teams and users added, an enrolment code issued on the page
// and used by the laptop, whose syncs then show on the devices page; the
// device revoked; a closed case kept and released on the retention page,
// each action in the server's audit log as the staff member; the backups
// made with `brygga-server backup` listed. A unit manager and an auditor
// get 403 on every administrator page, a forged CSRF token is refused on
// every form, axe-core finds nothing serious and each page is saved as a
// screenshot.
//
//   cargo build -p brygga-server -p brygga-cli
//   cd ui && node --test tests/browser/web-admin.test.mjs

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { auditScreen } from './chromium.mjs';
import { Laptop, Site, shots } from './site.mjs';
import { needsServer } from '../../../tests/e2e/server.mjs';

const site = new Site();
const accounts = {};
const ADMIN_PAGES = ['/teams', '/devices', '/retention', '/backups'];
const TEAM = 'Fiktiva teamet Norr';
const USER = 'behandlare.norr';
let laptop;

before(async () => {
  if (needsServer) return;
  await site.start();
  accounts.admin = site.addStaff('admin.fiktiv', 'administrator');
  accounts.manager = site.addStaff('chef.fiktiv', 'unit-manager');
  accounts.auditor = site.addStaff('revisor.fiktiv', 'auditor');
});

after(() => {
  laptop?.remove();
  site.stop();
});

/**
 * Logs `account` in a TOTP step after the last login: a code is good
 * once, so the server's clock moves half a minute on first.
 */
async function login(page, account) {
  site.setClock(site.clockOffset + 31_000);
  return site.login(page, account);
}

/** Submits the form `button` is in and waits for the answer page. */
async function submit(page, button) {
  const [response] = await Promise.all([page.waitForNavigation(), button.click()]);
  return response;
}

/** The server's audit rows of `action`, as `audit list --json` prints them. */
function auditRows(action) {
  return JSON.parse(site.server.admin('audit', 'list', '--action', action, '--json'));
}

/** The cells of the row of the table captioned `caption` that holds `text`. */
async function cells(page, caption, text) {
  const table = page.locator('table').filter({ has: page.locator('caption', { hasText: caption }) });
  const cellTexts = await table.locator('tbody tr').filter({ hasText: text }).locator('td').allTextContents();
  return cellTexts.map((c) => c.trim());
}

describe('the administrator pages of brygga-server', { skip: needsServer }, () => {
  it('adds a team and a user, refusing an empty and a taken name', async () => {
    const { context, page } = await site.newPage();
    await login(page, accounts.admin);
    await page.getByRole('link', { name: 'Team och användare' }).first().click();
    await page.getByText('Inga team ännu.').waitFor();
    await auditScreen(page, 'web-admin-teams-empty', shots);

    await page.getByLabel('Teamets namn').fill(TEAM);
    await submit(page, page.getByRole('button', { name: 'Lägg till team' }));
    await page.getByRole('status').filter({ hasText: `Teamet ”${TEAM}” är tillagt.` }).waitFor();

    await page.getByLabel('Teamets namn').fill(TEAM);
    const taken = await submit(page, page.getByRole('button', { name: 'Lägg till team' }));
    assert.equal(taken.status(), 409);
    await page.getByRole('alert').filter({ hasText: `Det finns redan ett team som heter ”${TEAM}”.` }).waitFor();

    await page.getByLabel('Teamets namn').fill('   ');
    const empty = await submit(page, page.getByRole('button', { name: 'Lägg till team' }));
    assert.equal(empty.status(), 400);
    await page.getByRole('alert').filter({ hasText: 'får inte vara tomt' }).waitFor();
    await auditScreen(page, 'web-admin-teams-refused', shots);

    await page.getByLabel('Användarnamn (behandlare)').fill(USER);
    await page.locator('#user-team').selectOption(TEAM);
    await submit(page, page.getByRole('button', { name: 'Lägg till användare' }));
    await page.getByRole('status').filter({ hasText: `Användaren ”${USER}” är tillagd i teamet ”${TEAM}”.` }).waitFor();
    await page.getByLabel('Användarnamn (behandlare)').fill(USER);
    const twice = await submit(page, page.getByRole('button', { name: 'Lägg till användare' }));
    assert.equal(twice.status(), 409);
    await page.getByRole('alert').filter({ hasText: `Det finns redan en användare som heter ”${USER}”.` }).waitFor();
    assert.deepEqual(await cells(page, TEAM, USER), [USER, '0', '0']);
    // What `team list` shows too.
    const listed = JSON.parse(site.server.admin('team', 'list', '--json'));
    assert.deepEqual(listed, [{ name: TEAM, users: [{ name: USER, active_devices: 0, revoked_devices: 0 }] }]);
    await auditScreen(page, 'web-admin-teams', shots);

    // The same admin log and audit rows as the CLI's, with the person as the actor.
    const [teamAdd] = auditRows('team.add').filter((r) => r.object === TEAM);
    assert.equal(teamAdd.actor, 'staff:admin.fiktiv');
    const [userAdd] = auditRows('user.add').filter((r) => r.object === USER);
    assert.equal(userAdd.actor, 'staff:admin.fiktiv');
    await context.close();
  });

  it('issues a code a real laptop enrols with; shows its last sync, then revokes it', async () => {
    const { context, page } = await site.newPage();
    await login(page, accounts.admin);
    await site.open(page, '/devices');
    await page.getByLabel('Användare (behandlare)').fill(USER);
    await submit(page, page.getByRole('button', { name: 'Skapa engångskod' }));
    const code = (await page.locator('#enrol-code').textContent()).trim();

    laptop = new Laptop();
    laptop.run('init', '--author', 'Fiktiv Behandlare');
    laptop.run('enroll', '--server', site.url, '--code', code, '--name', 'Fiktiv laptop Norr');
    // A closed case on the server, for the retention page.
    const pupil = laptop.run(
      'pupil', 'add', '--name', 'Fiktiv Elev', '--personnummer', '20120417-9939',
      '--school', 'Fiktiva skolan', '--grade', '8',
    );
    const caseId = laptop.run('case', 'open', '--pupil', pupil);
    laptop.run('case', 'close', caseId);
    laptop.run('sync');
    accounts.caseId = caseId;

    await site.open(page, '/devices');
    const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u;
    const [name, user, team, , enrolled, pushed, pulled, seen] = await cells(page, 'Aktiva enheter', 'Fiktiv laptop Norr');
    assert.deepEqual([name, user, team], ['Fiktiv laptop Norr', USER, TEAM]);
    // Its push is known; nothing new was there to fetch (its own
    // operations only), so no pull that brought anything.
    for (const t of [enrolled, pushed, seen]) assert.match(t, time);
    assert.equal(pulled, 'aldrig');
    assert.ok(pushed >= enrolled && seen >= pushed, `${enrolled} ${pushed} ${seen}`);
    const [listed] = JSON.parse(site.server.admin('device', 'list', '--json'));
    assert.deepEqual([listed.last_push_at, listed.last_pull_at], [pushed, null]);
    await page.getByRole('heading', { name: 'Karantän' }).waitFor();
    await page.getByText('Servern sparar inga operationer som den vägrar ta emot').waitFor();
    await auditScreen(page, 'web-admin-devices-synced', shots);

    await submit(page, page.getByRole('button', { name: `Spärra Fiktiv laptop Norr (${USER})` }));
    await page.getByRole('status').filter({ hasText: 'är spärrad' }).waitFor();
    const [, , , , revokedAt, lastSeq] = await cells(page, 'Spärrade enheter', 'Fiktiv laptop Norr');
    // Its revocation time and the last seq the server accepted of it:
    // the pupil, the case opened and closed at least.
    assert.match(revokedAt, time);
    assert.ok(Number(lastSeq) >= 3, lastSeq);
    await page.getByText('Inga aktiva enheter.').waitFor();
    await auditScreen(page, 'web-admin-devices-revoked', shots);
    await context.close();
  });

  it('keeps a closed case with a reason and releases it, shown by its id alone', async () => {
    const { context, page } = await site.newPage();
    await login(page, accounts.admin);
    await site.open(page, '/retention');
    const caseId = accounts.caseId;
    const text = await page.locator('main').textContent();
    assert.ok(text.includes(caseId), 'the case by its id');
    assert.doesNotMatch(text, /Fiktiv Elev|20120417|9939/u, 'no pupil name or personnummer');
    await auditScreen(page, 'web-admin-retention', shots);

    // A reason of spaces is no reason.
    await page.getByLabel('Skäl att bevara').fill('  ');
    const noReason = await submit(page, page.getByRole('button', { name: `Bevara ärende ${caseId}` }));
    assert.equal(noReason.status(), 400);
    await page.getByRole('alert').filter({ hasText: 'Ange ett skäl' }).waitFor();

    await page.getByLabel('Skäl att bevara').fill('Begärd av förvaltningsrätten');
    await submit(page, page.getByRole('button', { name: `Bevara ärende ${caseId}` }));
    await page.getByRole('status').filter({ hasText: `Ärende ${caseId} bevaras.` }).waitFor();
    await page.getByText('Bevaras: Begärd av förvaltningsrätten').waitFor();
    await auditScreen(page, 'web-admin-retention-kept', shots);
    const listed = JSON.parse(site.server.admin('retention', 'list', '--json'));
    assert.equal(listed.find((c) => c.case_id === caseId).keep_reason, 'Begärd av förvaltningsrätten');

    await submit(page, page.getByRole('button', { name: `Sluta bevara ärende ${caseId}` }));
    await page.getByRole('status').filter({ hasText: `Ärende ${caseId} bevaras inte längre.` }).waitFor();
    assert.equal(JSON.parse(site.server.admin('retention', 'list', '--json'))[0].keep, false);
    for (const action of ['retention.keep', 'retention.keep-clear']) {
      const rows = auditRows(action);
      assert.deepEqual(rows.map((r) => [r.actor, r.object]), [['staff:admin.fiktiv', caseId]], action);
    }
    await context.close();
  });

  it('lists the backups made with the admin command, with their size', async () => {
    const { context, page } = await site.newPage();
    await login(page, accounts.admin);
    await site.open(page, '/backups');
    await page.getByText('Ingen säkerhetskopia är gjord med servern ännu.').waitFor();
    const file = join(site.server.dir, 'brygga-backup-1.db');
    site.server.admin('backup', '--out', file);
    await site.open(page, '/backups');
    const row = (await page.locator('tbody tr').textContent()).replace(/\s+/gu, ' ');
    assert.ok(row.includes(file), row);
    assert.match(row, /\d+,\d KiB|\d+,\d MiB/u, row);
    await page.getByRole('heading', { name: 'Göra en säkerhetskopia' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /säkerhetskopia/iu }).count(), 0, 'no backup started from the web');
    await auditScreen(page, 'web-admin-backups', shots);
    await context.close();
  });

  it('gives a unit manager and an auditor 403 on every administrator page', async () => {
    for (const account of [accounts.manager, accounts.auditor]) {
      const { context, page } = await site.newPage();
      await login(page, account);
      for (const path of ADMIN_PAGES) {
        assert.equal((await site.open(page, path)).status(), 403, `${account.name} ${path}`);
      }
      // Nor may their forms be posted, with their own good token.
      const csrf = await page.locator('input[name="csrf"]').first().inputValue();
      const posted = await context.request.post(`${site.url}/teams/add`, {
        form: { csrf, name: 'Inte tillåtet' },
        maxRedirects: 0,
      });
      assert.equal(posted.status(), 403, account.name);
      await context.close();
    }
    assert.ok(!site.server.admin('audit', 'list', '--action', 'team.add').includes('Inte tillåtet'));
  });

  it('refuses a forged CSRF token on every form of the administrator pages', async () => {
    const { context, page } = await site.newPage();
    await login(page, accounts.admin);
    const forms = {
      '/teams/add': { name: 'Förfalskat team' },
      '/teams/add-user': { name: 'forfalskad', team: TEAM },
      '/retention/keep': { case: accounts.caseId, reason: 'Förfalskat' },
      '/retention/keep-clear': { case: accounts.caseId },
      '/devices/revoke': { id: '00000000-0000-0000-0000-000000000000' },
      '/devices/enrol-code': { user: USER, minutes: '60' },
    };
    for (const [path, fields] of Object.entries(forms)) {
      const forged = await context.request.post(`${site.url}${path}`, {
        form: { csrf: 'forged', ...fields },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 403, path);
    }
    assert.equal(auditRows('web.csrf-refused').length, Object.keys(forms).length);
    await context.close();
  });

  it('saw no CSP violation on any page', () => {
    assert.deepEqual(site.cspViolations, []);
  });
});
