// What every browser test of the server's web pages shares: a real
// brygga-server process over HTTPS with its test clock
// (BRYGGA_SERVER_TEST_CLOCK_FILE), staff accounts made with the admin
// command, headless Chromium, and opening a page with the headers every
// page must carry (a CSP without unsafe-inline, Cache-Control no-store).
// A CSP violation on any page is collected in `cspViolations`.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { TestServer } from '../../../tests/e2e/server.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where the web pages' screenshots go. */
export const shots = process.env.BRYGGA_WEB_SHOTS ?? join(here, '../../../test-artifacts/web-screenshots');

/** RFC 4648 base32 to bytes. */
function fromBase32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/u, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA-1, 6 digits, 30 s) of `secret` at `ms`. */
export function totp(secret, ms) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** A real server, Chromium, and the steps a test of the pages takes. */
export class Site {
  cspViolations = [];
  clockOffset = 0;

  async start() {
    this.server = new TestServer();
    this.clockFile = join(tmpdir(), `brygga-web-clock-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(this.clockFile, '0');
    await this.server.start({ env: { BRYGGA_SERVER_TEST_CLOCK_FILE: this.clockFile } });
    this.browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
    return this;
  }

  async stop() {
    await this.browser?.close();
    this.server?.stop();
  }

  get url() {
    return this.server.url;
  }

  /** Moves the server's clock `ms` past the real one. */
  setClock(ms) {
    this.clockOffset = ms;
    writeFileSync(this.clockFile, String(ms));
  }

  /** A staff account made with the admin command; its password and TOTP secret as printed. */
  addStaff(name, ...roles) {
    const out = this.server.admin('staff', 'add', name, ...roles.flatMap((r) => ['--role', r]));
    const field = (key) => out.split('\n').find((l) => l.startsWith(key)).slice(key.length).trim();
    return { name, password: field('password:'), secret: fromBase32(field('totp-secret:')) };
  }

  /** A fresh browser context (no cookies) and its page. */
  async newPage() {
    const context = await this.browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1180, height: 820 },
      locale: 'sv-SE',
    });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/u.test(m.text())) this.cspViolations.push(m.text());
    });
    return { context, page };
  }

  /** Opens `path`; checks the headers every page carries. */
  async open(page, path) {
    const response = await page.goto(`${this.url}${path}`);
    const headers = response.headers();
    const csp = headers['content-security-policy'];
    assert.ok(csp.includes("default-src 'none'"), csp);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp);
    assert.equal(headers['cache-control'], 'no-store', `${path} is not cached`);
    return response;
  }

  /** Logs `account` in with its password and the TOTP code of the server's now (or `code`). */
  async login(page, account, { code } = {}) {
    await this.open(page, '/login');
    await page.getByLabel('Användarnamn').fill(account.name);
    await page.getByLabel('Lösenord').fill(account.password);
    await page
      .getByLabel('Engångskod från appen')
      .fill(code ?? totp(account.secret, Date.now() + this.clockOffset));
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Logga in' }).click(),
    ]);
    return response;
  }
}

/** The headless client `brygga` the tests enrol and sync as a laptop (cargo build -p brygga-cli). */
export const cliBin = join(here, '../../../target/debug/brygga');

/** A laptop: a journal of its own in a temporary folder, run with the headless client. */
export class Laptop {
  constructor() {
    if (!existsSync(cliBin)) throw new Error('no brygga binary: cargo build -p brygga-cli');
    this.dir = mkdtempSync(join(tmpdir(), 'brygga-web-laptop-'));
  }

  /** Runs `brygga ARGS…` on this laptop's journal; its stdout, trimmed. */
  run(...args) {
    return execFileSync(cliBin, ['--data-dir', this.dir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, BRYGGA_PASSPHRASE: 'fiktiv lösenfras för testet' },
    }).trim();
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
