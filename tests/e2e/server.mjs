// A real brygga-server on loopback for the desktop tests, in a temporary
// data folder, with its admin commands. The binary is BRYGGA_SERVER, else
// target/{debug,release}/brygga-server; without one the server's tests are
// skipped, except in CI (CI=true), where they fail.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

// Also used by the UI's browser tests (ui/tests/browser/), which have no
// WebDriver: nothing here may need one.
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

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
  /** `env`: more environment for the process (e.g. the server's test clock). */
  async start({ env = {} } = {}) {
    this.env = env;
    if (!serverBin) throw new Error('no brygga-server binary: cargo build -p brygga-server');
    this.dir = mkdtempSync(join(tmpdir(), 'brygga-e2e-server-'));
    this.port = await freePort();
    this.url = `https://127.0.0.1:${this.port}`;
    await this.resume();
    return this;
  }

  /** Starts the process (again) on its port and data folder. */
  async resume() {
    this.proc = spawn(serverBin, ['--data-dir', this.dir, 'serve', '--listen', `127.0.0.1:${this.port}`], {
      env: { ...process.env, ...this.env },
      stdio: 'ignore',
    });
    await listening(this.port);
  }

  /** Stops the process, keeping its data: to the laptops, the network is gone. */
  async halt() {
    const proc = this.proc;
    proc.kill('SIGTERM');
    if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
  }

  admin(...args) {
    return execFileSync(serverBin, ['--data-dir', this.dir, ...args], { encoding: 'utf8' }).trim();
  }

  /** A one-time enrolment code for `user` (the last line the command prints). */
  enrollCode(user) {
    return this.admin('device', 'enroll-code', '--user', user).split('\n').at(-1).trim();
  }

  /**
   * Runs one SQL statement on the server's database behind its back, as
   * someone with access to the server's disk could. It waits for the
   * running server's write to end (SQLite's busy timeout) instead of
   * failing on "database is locked".
   */
  tamperSql(sql) {
    execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(this.dir, 'server.db'), sql]);
  }

  stop() {
    this.proc?.kill('SIGTERM');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
