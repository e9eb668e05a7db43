// The real app against a real brygga-server on loopback: an admin makes a
// team, a user and a one-time code with the server's admin commands; the
// therapist enrols from Settings and syncs (server.mjs says which binary).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Session, WAIT } from './session.mjs';
import { TestServer, needsServer } from './server.mjs';

const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 20);
const server = new TestServer();
let driver;

describe('Brygga desktop: enrolment and sync with a real server', { skip: needsServer }, () => {
  before(async () => {
    await server.start();
    driver = await session.start();
  });

  after(async () => {
    await session.stop();
    server.stop();
  });

  it('enrols from Settings with a one-time code, then syncs', async () => {
    server.admin('team', 'add', 'Fiktivt team');
    server.admin('user', 'add', 'fiktiv.handlaggare', '--team', 'Fiktivt team');
    const code = server.enrollCode('fiktiv.handlaggare');

    await session.testId('first-run');
    await session.fill('author', 'Fiktiv Handläggare');
    await session.fill('pass1', 'synk fiktiv lösenfras endast');
    await session.fill('pass2', 'synk fiktiv lösenfras endast');
    await (await session.testId('create-demo')).click();
    await session.testId('caseload-list');
    assert.match(await (await session.testId('sync-status')).getText(), /Inte ansluten/u);

    await session.button('Inställningar');
    await session.testId('enroll-form');
    await session.fill('server-url', server.url);
    await session.fill('enroll-code', code);
    await (await session.testId('enroll')).click();
    const enrolled = await session.testId('enrolled');
    assert.match(await enrolled.getText(), /fiktiv\.handlaggare i team Fiktivt team/u);

    // The background loop runs a round right after enrolment; "sync now"
    // runs another. Either way everything is pushed.
    await (await session.testId('sync-now')).click();
    await session.testId('sync-done');
    const status = await session.testId('sync-status');
    await driver.wait(async () => /Allt är synkat/u.test(await status.getText()), WAIT);
    assert.match(await status.getText(), /Senast synkad/u);
    assert.equal(await (await session.testId('sync-panel-pending')).getText(), '0');
    await session.screenshot('21-sync-enrolled');
  });
});
