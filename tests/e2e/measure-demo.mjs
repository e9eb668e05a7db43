// Brygga's memory with the demo caseload open, for scripts/desktop-measure.sh
// (a bench, not a test): the app as it ships through tauri-driver, a journal
// created with the fictional demo data, the caseload, Noah's case with its
// absence chart, and back to the caseload; then, after the app has settled,
// the resident set (RSS) and proportional set size (PSS) of the app and the
// WebKit processes it started, printed as one line
// `demo_memory rss_kb=… pss_kb=… processes=…`.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { By, Session, WAIT, descendants, sleep, until, app } from './session.mjs';

function field(path, name) {
  try {
    const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    return Number(line?.split(/\s+/u)[1] ?? 0);
  } catch {
    return 0;
  }
}

const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 20);
const driver = await session.start();
try {
  await session.testId('first-run');
  await session.fill('author', 'Fiktiv Mätare');
  await session.fill('pass1', 'mätning endast fiktiv data');
  await session.fill('pass2', 'mätning endast fiktiv data');
  await (await session.testId('create-demo')).click();
  const list = await session.testId('caseload-list');
  await driver.wait(async () => (await list.findElements(By.css('li'))).length === 20, WAIT);
  await (await driver.wait(until.elementLocated(By.xpath('//button[contains(., "Noah Berglund")]')), WAIT)).click();
  await session.testId('absence-chart');
  await session.testId('ladder-history');
  await session.button('Ärenden');
  await session.testId('caseload-list');
  await sleep(5000);
  const pid = execFileSync('pgrep', ['-n', '-f', app]).toString().trim();
  let rss = 0;
  let pss = 0;
  const processes = [];
  for (const p of descendants(pid)) {
    const r = field(`/proc/${p}/status`, 'VmRSS');
    const s = field(`/proc/${p}/smaps_rollup`, 'Pss');
    rss += r;
    pss += s;
    processes.push(`${readFileSync(`/proc/${p}/comm`, 'utf8').trim()} RSS ${Math.round(r / 1024)} MiB PSS ${Math.round(s / 1024)} MiB`);
  }
  console.log(`demo_memory rss_kb=${rss} pss_kb=${pss} processes=${processes.join(';')}`);
} finally {
  await session.stop();
}
