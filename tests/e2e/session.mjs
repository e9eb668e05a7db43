// Starts tauri-driver with the app in a fresh BRYGGA_DATA_DIR and opens a
// WebDriver session on its window; helpers for the tests.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, By, until } from 'selenium-webdriver';

export { By, until };
export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const app = process.env.BRYGGA_APP ?? join(root, 'target/desktop/brygga-desktop');
export const shots = process.env.BRYGGA_SCREENSHOTS ?? join(root, 'test-artifacts/screenshots');
export const WAIT = 20_000;

/** The pid and every process started under it, as numbers. */
export function descendants(pid) {
  let children = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean);
  } catch {
    // pgrep exits 1 when there is no child.
  }
  return [Number(pid), ...children.flatMap((c) => descendants(c))];
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * An X display of its own (`Xvfb -displayfd`), so that a second app
 * instance's screenshots show its window alone.
 */
export async function startXvfb() {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  const number = await new Promise((resolve, reject) => {
    let seen = '';
    proc.stdio[3].on('data', (d) => {
      seen += d;
      if (seen.includes('\n')) resolve(seen.trim());
    });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it named its display`)));
  });
  return { display: `:${number}`, stop: () => proc.kill() };
}

export class Session {
  /** `display`: the X display of this instance (default: $DISPLAY). */
  constructor(port, { display } = {}) {
    this.port = port;
    this.display = display;
  }

  async start() {
    assert.ok(existsSync(app), `build the app first: ${app}`);
    mkdirSync(shots, { recursive: true });
    this.dataDir = mkdtempSync(join(tmpdir(), 'brygga-e2e-'));
    this.proc = spawn('tauri-driver', ['--port', String(this.port), '--native-port', String(this.port + 1)], {
      env: {
        ...process.env,
        ...(this.display ? { DISPLAY: this.display } : {}),
        BRYGGA_DATA_DIR: this.dataDir,
        WEBKIT_DISABLE_COMPOSITING_MODE: '1',
        WEBKIT_DISABLE_DMABUF_RENDERER: '1',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await sleep(800);
    this.driver = await new Builder()
      .usingServer(`http://127.0.0.1:${this.port}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: app } })
      .build();
    return this.driver;
  }

  async stop() {
    await this.driver?.quit().catch(() => undefined);
    this.proc?.kill();
    // WebKitWebDriver can leave the app running after the session ends; it
    // would keep the test runner's output pipe open and the run would never
    // end. Only this build of the app is matched.
    try {
      execFileSync('pkill', ['-KILL', '-f', app]);
    } catch {
      // pkill exits 1 when no process matched: the app had already quit.
    }
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The whole Xvfb display (WebDriver's own screenshot hangs here). */
  async screenshot(name) {
    await sleep(400);
    const display = this.display ? ['-display', this.display] : [];
    execFileSync('import', ['-window', 'root', ...display, join(shots, `${name}.png`)]);
  }

  async testId(id) {
    const el = await this.driver.wait(until.elementLocated(By.css(`[data-testid="${id}"]`)), WAIT, `waiting for ${id}`);
    await this.driver.wait(until.elementIsVisible(el), WAIT);
    return el;
  }

  async fill(id, text) {
    const el = await this.driver.wait(until.elementLocated(By.id(id)), WAIT, `waiting for #${id}`);
    await el.clear();
    await el.sendKeys(text);
  }

  async button(text) {
    const el = await this.driver.wait(
      until.elementLocated(By.xpath(`//button[normalize-space(.)="${text}"]`)),
      WAIT,
      `waiting for button ${text}`,
    );
    await el.click();
  }

  async keys(...k) {
    await this.driver.actions().sendKeys(...k).perform();
  }
}
