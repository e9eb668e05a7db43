// The server's web pages in headless Chromium (Debian's, through
// playwright-core) against a real brygga-server process over HTTPS: the
// login with the TOTP second factor, each role's pages (403 otherwise),
// CSRF refused, the growing wait after failed logins, the idle timeout
// (the server's clock moved forward through BRYGGA_SERVER_TEST_CLOCK_FILE),
// the CSP (no unsafe-inline, and no violation on any page), Cache-Control
// no-store, axe-core with no serious or critical violation and a
// screenshot of every page into test-artifacts/web-screenshots/.
//
//   cargo build -p brygga-server && npm run test:browser

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditScreen } from './chromium.mjs';
import { Site, shots, totp } from './site.mjs';
import { needsServer } from '../../../tests/e2e/server.mjs';

const site = new Site();
const accounts = {};
const open = (page, path) => site.open(page, path);
const login = (page, account, options) => site.login(page, account, options);
const newPage = () => site.newPage();

before(async () => {
  if (needsServer) return;
  await site.start();
  accounts.auditor = site.addStaff('revisor.fiktiv', 'auditor');
  accounts.admin = site.addStaff('admin.fiktiv', 'administrator');
  accounts.manager = site.addStaff('chef.fiktiv', 'unit-manager');
  site.server.admin('team', 'add', 'Fiktiva teamet');
  site.server.admin('user', 'add', 'behandlare.fiktiv', '--team', 'Fiktiva teamet');
});

after(() => site.stop());

describe('the web pages of brygga-server', { skip: needsServer }, () => {
  it('logs an auditor in with the second factor and shows the review, not the admin pages', async () => {
    const { context, page } = await newPage();
    await open(page, '/login');
    await auditScreen(page, 'web-login', shots);
    // The password alone, with a wrong code, is not enough.
    const good = totp(accounts.auditor.secret, Date.now());
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const refused = await login(page, accounts.auditor, { code: wrong });
    assert.equal(refused.status(), 401);
    await page.getByRole('alert').filter({ hasText: 'Fel användarnamn, lösenord eller kod' }).waitFor();
    await auditScreen(page, 'web-login-refused', shots);

    await login(page, accounts.auditor);
    await page.getByRole('heading', { name: 'Start' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-brygga-session');
    assert.ok(session, 'a session cookie');
    assert.deepEqual([session.secure, session.httpOnly, session.sameSite], [true, true, 'Strict']);
    await auditScreen(page, 'web-start-auditor', shots);

    await page.getByRole('link', { name: 'Granskning av loggen' }).first().click();
    await page.getByRole('heading', { name: 'Granskning av loggen' }).waitFor();
    await page.getByText('Inga brott i enheternas loggkedjor.').waitFor();
    // Opened without a filter: the last week's rows.
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(await page.getByLabel('Från och med').inputValue(), weekAgo);
    await auditScreen(page, 'web-audit', shots);
    // Filtered by action: the logins only.
    await page.getByLabel('Händelse').fill('web.login');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Visa' }).click()]);
    const actions = await page.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(actions.length >= 1);
    assert.deepEqual([...new Set(actions)], ['web.login']);
    await auditScreen(page, 'web-audit-filtered', shots);

    const forbidden = await open(page, '/devices');
    assert.equal(forbidden.status(), 403);
    await page.getByRole('heading', { name: 'Ingen behörighet' }).waitFor();
    await auditScreen(page, 'web-forbidden', shots);
    await context.close();
  });

  it('lets an administrator issue an enrolment code; a form without the session token is refused', async () => {
    const { context, page } = await newPage();
    await login(page, accounts.admin);
    await open(page, '/devices');
    await page.getByText('Inga enheter är registrerade.').waitFor();
    await auditScreen(page, 'web-devices', shots);
    assert.equal((await open(page, '/audit')).status(), 403);

    await open(page, '/devices');
    await page.getByLabel('Användare (behandlare)').fill('behandlare.fiktiv');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Skapa engångskod' }).click()]);
    const code = (await page.locator('#enrol-code').textContent()).trim();
    assert.match(code, /^[A-Z2-7]{32}\.[0-9a-f]{64}$/u);
    await auditScreen(page, 'web-enrol-code', shots);

    // The browser's own cookies, a forged token: refused.
    const forged = await context.request.post(`${site.url}/devices/enrol-code`, {
      form: { csrf: 'forged', user: 'behandlare.fiktiv', minutes: '60' },
      maxRedirects: 0,
    });
    assert.equal(forged.status(), 403);
    const logout = await context.request.post(`${site.url}/logout`, { form: { csrf: '' }, maxRedirects: 0 });
    assert.equal(logout.status(), 403);
    // Without the browser's cookies (another site's form): to the login.
    const { context: other } = await newPage();
    const cross = await other.request.post(`${site.url}/devices/enrol-code`, {
      form: { csrf: 'forged', user: 'behandlare.fiktiv', minutes: '60' },
      maxRedirects: 0,
    });
    assert.equal(cross.status(), 303);
    await other.close();

    // Logging out through the page's own form works.
    await open(page, '/');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Logga ut' }).click()]);
    await page.getByRole('heading', { name: 'Logga in' }).waitFor();
    assert.equal((await open(page, '/devices')).url(), `${site.url}/login`);
    await context.close();
  });

  it('shows a unit manager neither the admin nor the audit pages, and no name or personnummer', async () => {
    const { context, page } = await newPage();
    await login(page, accounts.manager);
    await page.getByRole('heading', { name: 'Start' }).waitFor();
    const text = await page.locator('main').textContent();
    assert.doesNotMatch(text, /\d{6}(\d{2})?[-+]?\d{4}/u, 'no personnummer');
    assert.doesNotMatch(text, /behandlare\.fiktiv|revisor\.fiktiv/u, 'no other person');
    await auditScreen(page, 'web-start-unit-manager', shots);
    for (const path of ['/audit', '/devices']) {
      assert.equal((await open(page, path)).status(), 403, path);
    }
    // Every role changes its own password.
    await page.getByRole('link', { name: 'Byt lösenord' }).click();
    await page.getByRole('heading', { name: 'Byt lösenord' }).waitFor();
    await page.getByLabel('Nuvarande lösenord').fill(accounts.manager.password);
    await page.getByLabel('Nytt lösenord (minst 12 tecken)').fill('kanel cykel fönster hav');
    await page.getByLabel('Nytt lösenord igen').fill('kanel cykel fönster');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Byt lösenord' }).click()]);
    await page.getByRole('alert').filter({ hasText: 'skrevs olika' }).waitFor();
    await auditScreen(page, 'web-password', shots);
    await context.close();
  });

  it('makes a name wait after three failed logins', async () => {
    const { context, page } = await newPage();
    const wrong = { ...accounts.manager, password: 'fel-losenord' };
    for (let i = 0; i < 3; i += 1) assert.equal((await login(page, wrong)).status(), 401);
    const waiting = await login(page, accounts.manager);
    assert.equal(waiting.status(), 429);
    await page.getByRole('alert').filter({ hasText: 'Vänta' }).waitFor();
    await auditScreen(page, 'web-login-wait', shots);
    await context.close();
  });

  it('ends a session idle for 15 minutes', async () => {
    const { context, page } = await newPage();
    // A minute on: a new TOTP step (the auditor's code of now was used).
    site.setClock(60_000);
    await login(page, accounts.auditor);
    await open(page, '/audit');
    site.setClock(60_000 + 16 * 60_000);
    await open(page, '/audit');
    assert.equal(page.url(), `${site.url}/login?ended=idle`);
    await page.getByRole('status').filter({ hasText: '15 minuter utan aktivitet' }).waitFor();
    await auditScreen(page, 'web-login-idle', shots);
    await context.close();
  });

  it('saw no CSP violation on any page', () => {
    assert.deepEqual(site.cspViolations, []);
  });
});
