// End-to-end test of the real desktop app: the build as it ships (custom
// protocol, bundled UI) driven through tauri-driver + WebKitWebDriver under
// Xvfb. Run it with scripts/desktop-e2e.sh, which builds the app, installs
// what is missing and starts Xvfb.
//
// Screenshots of the main screens are taken of the whole Xvfb display with
// ImageMagick's `import -window root` (WebDriver's screenshot command hangs
// with WebKitWebDriver here) into test-artifacts/screenshots/.
//
// All names and numbers are fictional.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { By, Session, WAIT, until, app, descendants } from './session.mjs';

const PASS = 'fiktiv lösenfras för testet';
const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444));
let driver;
let dataDir;
const screenshot = (name) => session.screenshot(name);
const testId = (id) => session.testId(id);
const fill = (id, text) => session.fill(id, text);
const button = (text) => session.button(text);
const keys = (...k) => session.keys(...k);

async function addPupil(name, pnr) {
  await button('Ny elev');
  await testId('add-pupil');
  await fill('p-name', name);
  await fill('p-pnr', pnr);
  await fill('p-school', 'Fiktiva skolan');
  await (await testId('save-pupil')).click();
  const title = await testId('case-title');
  await driver.wait(until.elementTextIs(title, name), WAIT);
}

before(async () => {
  driver = await session.start();
  dataDir = session.dataDir;
});

after(() => session.stop());

describe('Brygga desktop, end to end', () => {
  it('first run: creates an encrypted journal', async () => {
    await testId('first-run');
    await screenshot('01-first-run');
    await fill('author', 'Fiktiv Handläggare');
    await fill('pass1', PASS);
    await fill('pass2', PASS);
    await (await testId('create')).click();
    await testId('caseload');
    assert.ok(existsSync(join(dataDir, 'journal.db')), 'the journal is in BRYGGA_DATA_DIR');
    assert.ok(existsSync(join(dataDir, 'key.json')));
  });

  it('runs the page without a JIT: no memory of the web process is writable and executable', () => {
    const webProcesses = descendants(execFileSync('pgrep', ['-n', '-f', app]).toString().trim()).filter(
      (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'WebKitWebProces',
    );
    assert.ok(webProcesses.length > 0, 'the app started a web process');
    for (const pid of webProcesses) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.ok(environ.includes('JSC_useJIT=false'), 'the web process inherited the JIT setting');
      const writableExecutable = readFileSync(`/proc/${pid}/maps`, 'utf8')
        .split('\n')
        .filter((line) => /^\S+ rwx/u.test(line));
      assert.deepEqual(writableExecutable, [], 'a JIT would map its code pool rwx');
    }
  });

  it('adds a pupil, records a home visit, signs and corrects it', async () => {
    await addPupil('Fiktiv Elev', '20120417-9939');
    await (await testId('new-entry')).click();
    await testId('entry-form');
    await (await testId('kind-home-visit')).click();
    await fill('f-place', 'hemmet');
    await fill('f-purpose', 'motivationssamtal');
    await fill('entry-text', 'Fiktivt hembesök. Morgnarna är svårast. Vi ses vid entrén på tisdag.');
    await screenshot('02-new-entry');
    await (await testId('save-draft')).click();
    await testId('case-title');
    await (await testId('sign')).click();
    await (await testId('confirm-sign')).click();
    await testId('correct');
    await (await testId('correct')).click();
    await fill(
      (await driver.findElement(By.css('textarea[id^="corr-text-"]')).getAttribute('id')),
      'Vi ses vid entrén på onsdag, inte tisdag.',
    );
    await fill((await driver.findElement(By.css('input[id^="corr-reason-"]')).getAttribute('id')), 'Fel veckodag.');
    await (await testId('save-correction')).click();
    const correction = await testId('correction');
    assert.match(await correction.getText(), /onsdag/u);
    const original = await testId('original-text');
    assert.match(await original.getText(), /tisdag/u);
    assert.equal(await original.getTagName(), 'del');
    await screenshot('03-case-corrected');
  });

  it('records a consent and creates a collaboration plan from the case view', async () => {
    // Still in Fiktiv Elev's case from the step before.
    await (await testId('record-consent')).click();
    await testId('consent-dialog');
    await driver.findElement(By.css('#c-by option[value="pupil"]')).click();
    await fill('c-scope', 'närvaro och mående');
    await fill('c-recipient', 'mentor på skolan');
    await fill('c-purpose', 'planera skolgången');
    await driver.findElement(By.css('#c-form input[value="written"]')).click();
    await screenshot('03b-consent-dialog');
    const scope = await driver.findElement(By.id('c-scope'));
    await (await testId('save-consent')).click();
    // The dialog closes on success (its fields leave the page).
    await driver.wait(until.stalenessOf(scope), WAIT);
    const consents = await driver.findElement(By.css('section[aria-labelledby="h-consent"]'));
    await driver.wait(until.elementTextMatches(consents, /Aktivt/u), WAIT);
    assert.match(await consents.getText(), /närvaro och mående/u);

    await (await testId('new-plan')).click();
    await testId('plan-dialog');
    await fill('plan-needs', 'Fiktivt: svårt att komma i tid på morgnarna.');
    await fill('plan-goal-0', 'Närvaro minst 80 % fyra veckor i rad');
    await fill('plan-lead', 'Socialtjänsten');
    await fill('plan-follow-up', '2027-01-15');
    await fill('plan-action-0-who', 'Mentor');
    await fill('plan-action-0-what', 'Ringer hem vid frånvaro');
    await (await testId('save-plan')).click();
    const action = await testId('plan-action');
    assert.match(await action.getText(), /Ringer hem vid frånvaro/u);
    const plan = await driver.findElement(By.css('section[aria-labelledby="h-plan"]'));
    assert.match(await plan.getText(), /Närvaro minst 80 %/u);
    await screenshot('03c-case-consent-and-plan');
  });

  it('walks the pupil up two steps of the ladder and schedules the entrance meeting', async () => {
    // Still in Fiktiv Elev's case.
    const ladder = await testId('ladder');
    for (const [step, words, note] of [
      ['home-visits', 'Hembesök', 'Motiverande hembesök två gånger i veckan.'],
      ['transition-apartment', 'Övergångslägenhet', 'Orkar komma till lägenheten med läraren.'],
    ]) {
      await (await testId('ladder-set')).click();
      await testId('ladder-dialog');
      await driver.findElement(By.css(`#l-step input[value="${step}"]`)).click();
      await fill('l-note', note);
      const field = await driver.findElement(By.id('l-note'));
      await (await testId('save-ladder')).click();
      await driver.wait(until.stalenessOf(field), WAIT);
      await driver.wait(until.elementTextMatches(await testId('ladder-current'), new RegExp(words, 'u')), WAIT);
    }
    const history = await ladder.findElements(By.css('[data-testid="ladder-history"] li'));
    assert.equal(history.length, 2);
    assert.match(await history[0].getText(), /Övergångslägenhet/u);
    await screenshot('03d-ladder');

    // The plan's action happens every morning at 07:50: the pupil is
    // expected at today's check-in.
    await (await testId('schedule-action')).click();
    await testId('schedule-dialog');
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
      await driver.findElement(By.css(`#s-days input[data-day="${day}"]`)).click();
    }
    await fill('s-time', '07:50');
    await (await testId('save-schedule')).click();
    await driver.wait(until.elementTextMatches(await testId('action-schedule'), /kl\. 07:50/u), WAIT);
  });

  it('runs a morning check-in of several pupils with the keyboard', async () => {
    await addPupil('Fiktiv Elevsson', '20110305-9810');
    await addPupil('Fiktiva Elevdotter', '20120911-9823');
    await button('Morgonincheckning');
    await testId('checkin-board');
    const rows = await driver.wait(async () => {
      const r = await driver.findElements(By.css('[data-testid="checkin-row"]'));
      return r.length === 3 ? r : null;
    }, WAIT);
    // The board puts the keyboard focus on the first pupil's row.
    await driver.wait(async () => {
      const active = await driver.switchTo().activeElement();
      return (await active.getAttribute('data-testid')) === 'checkin-row';
    }, WAIT);
    assert.equal(await rows[0].getAttribute('data-arrival'), '');
    // The pupil expected this morning comes first, and is not seen.
    assert.equal(await rows[0].getAttribute('data-expected'), '07:50');
    assert.match(await rows[0].getText(), /Fiktiv Elev\b/u);
    await keys('3');
    await keys('\uE004'); // Tab: into the second pupil's note
    await keys('Kom med mamma');
    await keys('\uE00C'); // Escape: back to the row
    await keys('2');
    await keys('1');
    assert.deepEqual(
      await Promise.all(rows.map((r) => r.getAttribute('data-arrival'))),
      ['not-seen', 'late', 'arrived'],
    );
    // Not seen, expected: a guardian is called today unless chosen otherwise.
    assert.equal(await (await testId('checkin-followup')).getAttribute('value'), 'call-guardian');
    await screenshot('04-checkin-marked');
    await keys('\uE007'); // Enter: save all
    const saved = await testId('checkin-saved');
    assert.match(await saved.getText(), /3 incheckningar/u);
    await screenshot('05-checkin-saved');
  });

  it('keeps the follow-up of the pupil not seen on the caseload until it is done', async () => {
    await button('Ärenden');
    const followups = await testId('followups');
    assert.match(await followups.getText(), /Ring vårdnadshavare: Fiktiv Elev\b/u);
    await screenshot('05b-followup');
    await (await testId('followup-done')).click();
    await driver.wait(until.stalenessOf(followups), WAIT);
    assert.equal((await driver.findElements(By.css('[data-testid="followups"]'))).length, 0);
  });

  it('searches the journal, corrections included', async () => {
    await button('Sök');
    await testId('search-screen');
    await fill('search-q', 'onsdag');
    await (await testId('search-go')).click();
    const count = await testId('search-count');
    await driver.wait(until.elementTextMatches(count, /1 träff/u), WAIT);
    assert.match(await (await testId('search-results')).getText(), /I en rättelse/u);
    await screenshot('06-search');
  });

  it('shows the caseload sorted by attention, with privacy mode', async () => {
    await button('Ärenden');
    const list = await testId('caseload-list');
    assert.match(await list.getText(), /Fiktiv Elev/u);
    await (await testId('privacy-toggle')).click();
    assert.doesNotMatch(await list.getText(), /Fiktiv Elev\b/u);
    assert.match(await list.getText(), /F\. E\./u);
    await screenshot('07-caseload-privacy');
    await (await testId('privacy-toggle')).click();
  });

  it('locks, refuses a wrong passphrase, unlocks with the right one', async () => {
    await (await testId('lock')).click();
    await testId('unlock-screen');
    await screenshot('08-locked');
    await fill('unlock-pass', 'fel lösenfras');
    await (await testId('unlock')).click();
    const error = await driver.wait(
      until.elementLocated(By.css('[data-testid="error"][data-code="wrong_passphrase"]')),
      WAIT,
    );
    assert.match(await error.getText(), /Fel lösenfras/u);
    await screenshot('09-wrong-passphrase');
    await fill('unlock-pass', PASS);
    await (await testId('unlock')).click();
    const list = await testId('caseload-list');
    const items = await list.findElements(By.css('li'));
    assert.equal(items.length, 3);
    await screenshot('10-unlocked');
  });

  // What the platform tells: scripts/desktop-e2e.sh gives the app a private
  // D-Bus as its system and session bus, and the test sends the signals
  // logind and the screen saver send.
  for (const [what, bus, signal] of [
    ['the system is about to sleep', 'DBUS_SYSTEM_BUS_ADDRESS',
      ['/org/freedesktop/login1', 'org.freedesktop.login1.Manager.PrepareForSleep', 'boolean:true']],
    ['the session is locked', 'DBUS_SYSTEM_BUS_ADDRESS',
      ['/org/freedesktop/login1/session/auto', 'org.freedesktop.login1.Session.Lock']],
    ['the screen saver comes on', 'DBUS_SESSION_BUS_ADDRESS',
      ['/org/freedesktop/ScreenSaver', 'org.freedesktop.ScreenSaver.ActiveChanged', 'boolean:true']],
  ]) {
    it(`locks when ${what}`, async () => {
      assert.ok(process.env[bus], `${bus} is set (scripts/desktop-e2e.sh starts a bus)`);
      await testId('caseload-list');
      execFileSync('dbus-send', [`--bus=${process.env[bus]}`, '--type=signal', ...signal]);
      await testId('unlock-screen');
      await fill('unlock-pass', PASS);
      await (await testId('unlock')).click();
      await testId('caseload-list');
    });
  }
});
