// The real app behind the browser tests: brygga-ui-bridge (src-tauri's
// app on Tauri's mock runtime, over a real SQLCipher journal in a
// temporary folder) as a child process, and the page's side of it
// (ipc-shim.js). Each call the UI makes goes through Tauri's own invoke
// path, the capability check and the core; each event the app emits
// reaches the page's listeners.
//
// The binary is BRYGGA_UI_BRIDGE, else target/debug/brygga-ui-bridge
// (`cargo build -p brygga-desktop --features ui-bridge --bin brygga-ui-bridge`).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../..');
export const shimScript = join(here, 'ipc-shim.js');

export const bridgeBin = [
  process.env.BRYGGA_UI_BRIDGE,
  join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'debug/brygga-ui-bridge'),
].find((p) => p && existsSync(p));

/** An error as the shell sends it: `{ code, message }`. */
export class IpcFailure extends Error {
  constructor(err) {
    super(typeof err === 'string' ? err : `${err.code}: ${err.message}`);
    this.err = err;
  }
}

export class Bridge {
  /** Starts the app over a new, empty journal folder. */
  static async start() {
    if (!bridgeBin) {
      throw new Error('no brygga-ui-bridge: cargo build -p brygga-desktop --features ui-bridge --bin brygga-ui-bridge');
    }
    const bridge = new Bridge();
    await bridge.#spawn();
    return bridge;
  }

  #proc;
  #pending = new Map();
  #nextId = 1;
  #listeners = new Set();
  /** Every command called, in order: `{ cmd, args }`. */
  calls = [];

  async #spawn() {
    this.dir = mkdtempSync(join(tmpdir(), 'brygga-ui-'));
    // Exports go to the home folder when no folder is named.
    this.home = join(this.dir, 'home');
    mkdirSync(this.home);
    this.#proc = spawn(bridgeBin, [], {
      env: {
        PATH: process.env.PATH,
        HOME: this.home,
        BRYGGA_DATA_DIR: join(this.dir, 'journal'),
        RUST_BACKTRACE: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.stderr = '';
    this.#proc.stderr.on('data', (d) => {
      this.stderr += d;
    });
    const ready = new Promise((resolve, reject) => {
      this.#proc.once('exit', (code) => reject(new Error(`brygga-ui-bridge exited (${code}): ${this.stderr}`)));
      createInterface({ input: this.#proc.stdout }).on('line', (line) => {
        const msg = JSON.parse(line);
        if (msg.ready) resolve();
        else if (msg.event) for (const l of this.#listeners) l(msg);
        else this.#answer(msg);
      });
    });
    await ready;
  }

  #answer({ id, ok, err }) {
    const waiting = this.#pending.get(id);
    this.#pending.delete(id);
    if (err !== undefined) waiting?.reject(new IpcFailure(err));
    else waiting?.resolve(ok);
  }

  #send(line) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#proc.stdin.write(`${JSON.stringify({ id, ...line })}\n`);
    });
  }

  /** Calls one of the app's commands, as the window does. */
  invoke(cmd, args = {}) {
    this.calls.push({ cmd, args: structuredClone(args) });
    return this.#send({ cmd, args });
  }

  /** What the shell does by itself: `lock` with a reason (idle, …). */
  shell(action, reason) {
    return this.#send({ shell: action, reason });
  }

  /** The calls of one command so far. */
  callsOf(cmd) {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  onEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connects a Playwright page (before it loads) to this app. */
  async attach(page) {
    await page.exposeFunction('__bryggaInvoke', async (cmd, args) => {
      try {
        return { ok: await this.invoke(cmd, args) };
      } catch (e) {
        if (e instanceof IpcFailure) return { err: e.err };
        throw e;
      }
    });
    this.onEvent((e) => page.evaluate((ev) => window.__bryggaEvent?.(ev), e).catch(() => undefined));
    await page.addInitScript({ path: shimScript });
  }

  async stop() {
    this.#proc.stdin.end();
    await new Promise((r) => (this.#proc.exitCode !== null ? r() : this.#proc.once('exit', r)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
