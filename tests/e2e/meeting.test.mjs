// A collaboration meeting in the real app: from the demo case's agenda
// (its plan's open actions) to the signed minutes, with a result under an
// action, shown beside the action and in the timeline as a signed entry.
// Its own app instance, data folder and tauri-driver ports.
//
// All names and texts are fictional.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { By, Session, WAIT, until } from './session.mjs';

const session = new Session(Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 70);
let driver;

before(async () => {
  driver = await session.start();
});

after(() => session.stop());

describe('A collaboration meeting in the desktop app', () => {
  it('runs from the agenda to signed minutes', async () => {
    await session.testId('first-run');
    await session.fill('author', 'Fiktiv Handläggare');
    await session.fill('pass1', 'möte fiktiv lösenfras endast');
    await session.fill('pass2', 'möte fiktiv lösenfras endast');
    await (await session.testId('create-demo')).click();
    await session.testId('caseload-list');
    await (
      await driver.wait(until.elementLocated(By.xpath('//button[contains(., "Alva Lindqvist")]')), WAIT)
    ).click();
    await session.testId('case-title');

    // The agenda: Alva's plan's two open actions, its follow-up due.
    const meeting = await session.testId('meeting');
    const agenda = await driver.wait(async () => {
      const items = await meeting.findElements(By.css('[data-testid="agenda-action"]'));
      return items.length === 2 ? items : null;
    }, WAIT);
    assert.match(await agenda[0].getText(), /Möter Alva vid entrén/u);
    assert.match(await (await session.testId('agenda-plan-due')).getText(), /Planen ska följas upp/u);
    await driver.executeScript('arguments[0].scrollIntoView({ block: "start" })', meeting);
    await session.screenshot('50-meeting-agenda');

    // The minutes, written against it: a result under the first action.
    await (await session.testId('write-minutes')).click();
    const result = await agenda[0].findElement(By.css('textarea'));
    await result.sendKeys('Alva kom in fyra morgnar av fem.');
    await session.fill('m-participants', 'Fiktiv Mentor, Karin (mamma)');
    await session.fill('m-parties', 'Skolan, BUP och familjen');
    await session.fill('m-text', 'Fiktivt protokoll från samverkansmötet.');
    await session.screenshot('51-meeting-minutes');
    await (await session.testId('sign-minutes')).click();

    // Signed: the result beside the action and in the signed entry.
    const shown = await session.testId('action-result');
    await driver.wait(until.elementTextMatches(shown, /fyra morgnar av fem/u), WAIT);
    const entry = await driver.wait(
      until.elementLocated(By.xpath('//*[@data-testid="entry"][contains(., "Fiktivt protokoll från samverkansmötet.")]')),
      WAIT,
    );
    assert.equal(await entry.getAttribute('data-status'), 'signed');
    const text = await entry.getText();
    assert.match(text, /Samverkansmöte/u);
    assert.match(text, /Resultat: Möter Alva vid entrén/u);
    assert.match(text, /Alva kom in fyra morgnar av fem\./u);
    await driver.executeScript('arguments[0].scrollIntoView({ block: "start" })', entry);
    await session.screenshot('52-meeting-signed');
  });
});
