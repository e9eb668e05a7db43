// A real brygga-server on loopback for the desktop tests, in a temporary
// data folder, with its admin commands. The binary is BRYGGA_SERVER, else
// target/{debug,release}/brygga-server; without one the server's tests are
// skipped, except in CI (CI=true), where they fail.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, sleep } from './session.mjs';

export const serverBin = [
  process.env.BRYGGA_SERVER,
  join(root, 'target/debug/brygga-server'),
  join(root, 'target/release/brygga-server'),
].find((p) => p && existsSync(p));

/** The `skip` option of a suite that needs the server. */
export const needsServer =
  serverBin || process.env.CI === 'true' ? false : 'no brygga-server binary built (cargo build -p brygga-server)';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function listening(port) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await new Promise((r) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error('brygga-server did not start listening');
}

export class TestServer {
  async start() {
    if (!serverBin) throw new Error('no brygga-server binary: cargo build -p brygga-server');
    this.dir = mkdtempSync(join(tmpdir(), 'brygga-e2e-server-'));
    this.port = await freePort();
    this.url = `https://127.0.0.1:${this.port}`;
    this.proc = spawn(serverBin, ['--data-dir', this.dir, 'serve', '--listen', `127.0.0.1:${this.port}`], {
      stdio: 'ignore',
    });
    await listening(this.port);
    return this;
  }

  admin(...args) {
    return execFileSync(serverBin, ['--data-dir', this.dir, ...args], { encoding: 'utf8' }).trim();
  }

  /** A one-time enrolment code for `user` (the last line the command prints). */
  enrollCode(user) {
    return this.admin('device', 'enroll-code', '--user', user).split('\n').at(-1).trim();
  }

  stop() {
    this.proc?.kill('SIGTERM');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
