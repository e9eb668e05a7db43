// The real app against a real brygga-server on loopback: an admin makes a
// team, a user and a one-time code with the server's admin commands; the
// therapist enrols from Settings and syncs. Skipped when no brygga-server
// binary is built (BRYGGA_SERVER, else target/{debug,release}).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, WAIT, root, sleep } from './session.mjs';

const serverBin = [process.env.BRYGGA_SERVER, join(root, 'target/debug/brygga-server'), join(root, 'target/release/brygga-server')].find(
  (p) => p && existsSync(p),
);
const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 20);
let driver;
let server;
let serverDir;
let port;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function admin(...args) {
  return execFileSync(serverBin, ['--data-dir', serverDir, ...args], { encoding: 'utf8' }).trim();
}

async function listening(p) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await new Promise((r) => {
      const c = connect(p, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error('brygga-server did not start listening');
}

describe('Brygga desktop: enrolment and sync with a real server', { skip: serverBin ? false : 'no brygga-server binary built' }, () => {
  before(async () => {
    serverDir = mkdtempSync(join(tmpdir(), 'brygga-e2e-server-'));
    port = await freePort();
    server = spawn(serverBin, ['--data-dir', serverDir, 'serve', '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
    await listening(port);
    driver = await session.start();
  });

  after(async () => {
    await session.stop();
    server?.kill('SIGTERM');
    if (serverDir) rmSync(serverDir, { recursive: true, force: true });
  });

  it('enrols from Settings with a one-time code, then syncs', async () => {
    admin('team', 'add', 'Fiktivt team');
    admin('user', 'add', 'fiktiv.handlaggare', '--team', 'Fiktivt team');
    const code = admin('device', 'enroll-code', '--user', 'fiktiv.handlaggare').split('\n').at(-1).trim();

    await session.testId('first-run');
    await session.fill('author', 'Fiktiv Handläggare');
    await session.fill('pass1', 'synk fiktiv lösenfras endast');
    await session.fill('pass2', 'synk fiktiv lösenfras endast');
    await (await session.testId('create-demo')).click();
    await session.testId('caseload-list');
    assert.match(await (await session.testId('sync-status')).getText(), /Inte ansluten/u);

    await session.button('Inställningar');
    await session.testId('enroll-form');
    await session.fill('server-url', `https://127.0.0.1:${port}`);
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
