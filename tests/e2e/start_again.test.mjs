// A forgotten passphrase, in the real app against a real brygga-server:
// the therapist starts again from the unlock screen. The old journal is
// moved aside (not deleted), a new one is enrolled with a new one-time
// code and the team's caseload comes back with a progress bar; a change
// that never reached the server is lost, and the admin revokes the old
// device by the id the window shows. All names are fictional.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { By, Session, WAIT, until } from './session.mjs';
import { TestServer, needsServer } from './server.mjs';

const OLD_PASS = 'fiktiv gammal lösenfras som glöms';
const NEW_PASS = 'fiktiv ny lösenfras efter glömskan';
const USER = 'fiktiv.glomsk';
const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 60);
const server = new TestServer();
let driver;

/** The folders the journal folder was set aside to. */
function setAside() {
  const name = `${basename(session.dataDir)}-set-aside-`;
  return readdirSync(dirname(session.dataDir))
    .filter((f) => f.startsWith(name))
    .map((f) => join(dirname(session.dataDir), f));
}

function devices() {
  return JSON.parse(server.admin('device', 'list', '--json')).filter((d) => d.user === USER);
}

describe('Brygga desktop: starting again without the passphrase', { skip: needsServer }, () => {
  before(async () => {
    await server.start();
    server.admin('team', 'add', 'Fiktivt team');
    server.admin('user', 'add', USER, '--team', 'Fiktivt team');
    driver = await session.start();
  });

  after(async () => {
    if (session.dataDir) for (const folder of setAside()) rmSync(folder, { recursive: true, force: true });
    await session.stop();
    server.stop();
  });

  it('moves the old journal aside, enrols anew, pulls the caseload with progress; the unsynced change is lost', async () => {
    // The laptop as it was: the demo caseload, enrolled and synced.
    await session.testId('first-run');
    await session.fill('author', 'Fiktiv Glömsk');
    await session.fill('pass1', OLD_PASS);
    await session.fill('pass2', OLD_PASS);
    await (await session.testId('create-demo')).click();
    await session.testId('caseload-list');
    await session.button('Inställningar');
    await session.fill('server-url', server.url);
    await session.fill('enroll-code', server.enrollCode(USER));
    await (await session.testId('enroll')).click();
    await session.testId('enrolled');
    await (await session.testId('sync-now')).click();
    await session.testId('sync-done');
    const [old] = devices();

    // A pupil added while the server is away never reaches it.
    await server.halt();
    await session.button('Ny elev');
    await session.testId('add-pupil');
    await session.fill('p-name', 'Fiktiv Osynkad');
    await session.fill('p-pnr', '20121008-9882');
    await session.fill('p-school', 'Fiktiva skolan');
    await (await session.testId('save-pupil')).click();
    await driver.wait(until.elementTextIs(await session.testId('case-title'), 'Fiktiv Osynkad'), WAIT);
    await (await session.testId('lock')).click();

    // The passphrase is forgotten: start again from the unlock screen.
    await session.testId('unlock-screen');
    await (await session.testId('start-again-open')).click();
    await session.testId('start-again');
    const lost = await (await session.testId('start-again-lost')).getText();
    assert.match(lost, /inte hunnit synkas till servern går förlorade/u);
    assert.match(lost, /kan Brygga inte räkna dem/u);
    assert.match(lost, /Allt som redan finns på servern kommer tillbaka/u);
    assert.match(await (await session.testId('start-again-last-sync')).getText(), /Senaste lyckade synk var \d/u);
    const go = await session.testId('start-again-go');
    assert.equal(await go.isEnabled(), false, 'nothing happens before the loss is confirmed');
    await session.screenshot('40-start-again-confirm');
    await (await session.testId('start-again-understood')).click();
    await go.click();

    const moved = await (await session.testId('set-aside')).getText();
    const [folder] = setAside();
    assert.ok(folder, 'the journal folder was set aside');
    assert.ok(moved.includes(folder), `${moved} names ${folder}`);
    for (const file of ['journal.db', 'key.json', 'device.json']) assert.ok(existsSync(join(folder, file)), file);
    await session.fill('author', 'Fiktiv Glömsk');
    await session.fill('pass1', NEW_PASS);
    await session.fill('pass2', NEW_PASS);
    await (await session.testId('create')).click();

    // The server's address is remembered from the old journal's card.
    await session.testId('enroll-form');
    assert.equal(await driver.findElement(By.id('server-url')).getAttribute('value'), server.url);
    await server.resume();
    await session.fill('enroll-code', server.enrollCode(USER));
    await (await session.testId('enroll')).click();
    await session.testId('start-again-done');
    const bar = await session.testId('sync-progress');
    const max = Number(await bar.getAttribute('max'));
    assert.ok(max > 0, 'the bar counted something');
    assert.equal(Number(await bar.getAttribute('value')), max, 'and reached its end');
    assert.equal(await (await session.testId('old-device-id')).getText(), old.id);
    await session.screenshot('41-start-again-done');

    // The admin revokes the old device by that id; the new one is active.
    server.admin('device', 'revoke', old.id);
    const now = devices();
    assert.equal(now.find((d) => d.id === old.id)?.status, 'revoked');
    assert.equal(now.filter((d) => d.status === 'active').length, 1);

    // The team's caseload is back; the unsynced pupil is not.
    await (await session.testId('to-caseload')).click();
    const items = await session.testId('caseload-list');
    await driver.wait(async () => (await items.findElements(By.css('li'))).length === 20, WAIT, 'the 20 demo cases');
    assert.doesNotMatch(await items.getText(), /Fiktiv Osynkad/u);
    await session.screenshot('42-start-again-caseload');
  });
});
