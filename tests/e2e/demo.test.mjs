// The real app with the fictional demo data (brygga-core's load_demo): the
// caseload sorted by attention, a protected-identity pupil, a corrected
// entry, and the check-in board of 20 pupils by keyboard. A second app
// instance with its own BRYGGA_DATA_DIR and tauri-driver ports.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { By, Session, WAIT, until } from './session.mjs';

const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 10);
let driver;

before(async () => {
  driver = await session.start();
});

after(() => session.stop());

describe('Brygga desktop with demo data', () => {
  it('creates a journal with the fictional demo caseload', async () => {
    await session.testId('first-run');
    await session.fill('author', 'Fiktiv Handläggare');
    await session.fill('pass1', 'demo fiktiv lösenfras endast');
    await session.fill('pass2', 'demo fiktiv lösenfras endast');
    await (await session.testId('create-demo')).click();
    const list = await session.testId('caseload-list');
    const items = await driver.wait(async () => {
      const li = await list.findElements(By.css('li'));
      return li.length === 20 ? li : null;
    }, WAIT);
    // Most urgent first: Alva's follow-up date has passed.
    const first = await items[0].getText();
    assert.match(first, /Alva Lindqvist/u);
    assert.match(first, /Uppföljning försenad/u);
    const text = await list.getText();
    assert.match(text, /Skyddad identitet/u);
    await session.screenshot('11-demo-caseload');
  });

  it('shows a protected-identity pupil without school or address', async () => {
    await (
      await driver.wait(until.elementLocated(By.xpath('//button[contains(., "Elsa Holmgren")]')), WAIT)
    ).click();
    const title = await session.testId('case-title');
    await driver.wait(until.elementTextIs(title, 'Elsa Holmgren'), WAIT);
    const main = await driver.findElement(By.css('main')).getText();
    assert.doesNotMatch(main, /Exempelskolan/u);
    assert.doesNotMatch(main, /Skyddad adress/u);
    await session.screenshot('12-demo-protected');
  });

  it('shows Alva\'s case: plan, consent ending, corrected entry, draft', async () => {
    await session.button('Ärenden');
    await (
      await driver.wait(until.elementLocated(By.xpath('//button[contains(., "Alva Lindqvist")]')), WAIT)
    ).click();
    await session.testId('case-title');
    const main = await driver.findElement(By.css('main')).getText();
    assert.match(main, /Samtycke upphör/u);
    assert.match(main, /Närvaro minst 80 %/u);
    assert.match(await (await session.testId('original-text')).getText(), /tisdag/u);
    assert.ok((await driver.findElements(By.css('[data-testid="entry"][data-status="draft"]'))).length >= 1);
    await session.screenshot('13-demo-case');
  });

  it('shows Alva\'s absence trend chart with the interventions, and exports her journal on her consent', async () => {
    const chart = await session.testId('absence-chart');
    assert.match(await chart.getAttribute('aria-label'), /veckor/u);
    await driver.executeScript('arguments[0].scrollIntoView({ block: "start" })', await session.testId('absence'));
    // WebKit laid the chart out: the total line spans most of its width,
    // the interventions' markers lie above it.
    const drawn = await driver.executeScript(() => {
      const svg = document.querySelector('[data-testid="absence-chart"] svg');
      const total = svg.querySelector('path[data-line="absence.total"]').getBBox();
      const markers = [...svg.querySelectorAll('path[data-marker]')].map((m) => m.getBBox());
      return { width: svg.getBBox().width, line: total.width, markers: markers.length, above: markers.every((m) => m.y < total.y + total.height) };
    });
    assert.ok(drawn.line > drawn.width / 2, `the total line is ${drawn.line} of ${drawn.width} px wide`);
    assert.ok(drawn.markers > 0 && drawn.above, JSON.stringify(drawn));
    await session.screenshot('15-demo-absence-chart');

    const folder = mkdtempSync(join(tmpdir(), 'brygga-export-'));
    try {
      // The export asks for its ground: Alva's consent in force.
      assert.equal(await (await session.testId('export-journal')).isEnabled(), false, 'no export without a ground');
      const options = await (await session.testId('journal-ground-choice')).findElements(By.css('option'));
      await options[1].click();
      await session.fill('journal-folder', folder);
      await (await session.testId('export-journal')).click();
      const result = await session.testId('export-result');
      assert.match(await result.getText(), /brygga-journal-\d{4}-\d{2}-\d{2}\.pdf/u);
      const files = readdirSync(folder);
      assert.equal(files.length, 1);
      assert.equal(readFileSync(join(folder, files[0])).subarray(0, 5).toString(), '%PDF-');
      await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', result);
      await session.screenshot('16-demo-journal-export');
      // …and the export is the case's disclosure register's line.
      const rows = await driver.wait(async () => {
        const found = await driver.findElements(By.css('[data-testid="disclosure-row"]'));
        return found.length === 1 ? found : null;
      }, WAIT);
      assert.match(await rows[0].getText(), /Journalutdrag \(PDF\)/u);
      assert.match(await rows[0].getText(), /Samtycke/u);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('checks in 20 pupils with the keyboard alone', async () => {
    await session.button('Morgonincheckning');
    await session.testId('checkin-board');
    await driver.wait(async () => (await driver.findElements(By.css('[data-testid="checkin-row"]'))).length === 20, WAIT);
    await driver.wait(async () => {
      const active = await driver.switchTo().activeElement();
      return (await active.getAttribute('data-testid')) === 'checkin-row';
    }, WAIT);
    const started = Date.now();
    await session.keys('1a21n1l113112111a1n1');
    await session.keys('\uE007');
    const saved = await session.testId('checkin-saved');
    assert.match(await saved.getText(), /20 incheckningar/u);
    assert.ok(Date.now() - started < 60_000);
    await session.screenshot('14-demo-checkin-saved');
  });
});
