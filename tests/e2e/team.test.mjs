// Two laptops of one team against one real brygga-server: two app
// instances, each with its own data folder and its own Xvfb display (so a
// screenshot shows one window). Both therapists edit the same draft before
// syncing; the conflict shows in the window, one therapist settles it
// there, and after syncing both laptops show the same text and no conflict.
//
// All names and texts are fictional.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { By, Session, WAIT, startXvfb, until } from './session.mjs';
import { TestServer, needsServer } from './server.mjs';

const PASS = 'fiktiv lösenfras för teamtestet';
const PUPIL = 'Fiktiv Teamelev';
const base = Number(process.env.TAURI_DRIVER_PORT ?? 4444) + 40;
const server = new TestServer();
const displays = [];
const laptops = {};

async function firstRun(s, author, user) {
  await s.testId('first-run');
  await s.fill('author', author);
  await s.fill('pass1', PASS);
  await s.fill('pass2', PASS);
  await (await s.testId('create')).click();
  await s.testId('caseload');
  await s.button('Inställningar');
  await s.testId('enroll-form');
  await s.fill('server-url', server.url);
  await s.fill('enroll-code', server.enrollCode(user));
  await (await s.testId('enroll')).click();
  await s.testId('enrolled');
}

/** One round from the sync panel, opened afresh so no earlier result shows. */
async function syncNow(s) {
  await s.button('Ärenden');
  await s.testId('caseload');
  await s.button('Inställningar');
  await (await s.testId('sync-now')).click();
  const done = await s.testId('sync-done');
  assert.match(await done.getText(), /Synkat/u);
}

async function openCase(s) {
  await s.button('Ärenden');
  const item = await s.driver.wait(
    until.elementLocated(By.xpath(`//ul[@data-testid="caseload-list"]//button[.//span[normalize-space(.)="${PUPIL}"]]`)),
    WAIT,
    `waiting for ${PUPIL} in the caseload`,
  );
  await item.click();
  await s.driver.wait(until.elementTextIs(await s.testId('case-title'), PUPIL), WAIT);
  return s.testId('entry');
}

async function editDraft(s, text) {
  await openCase(s);
  await s.button('Ändra utkast');
  await s.testId('entry-form');
  await s.fill('entry-text', text);
  await (await s.testId('save-draft')).click();
  await s.testId('case-title');
}

describe('Two laptops of one team: a conflict shown and resolved in the window', { skip: needsServer }, () => {
  before(async () => {
    await server.start();
    server.admin('team', 'add', 'Fiktivt team');
    for (const user of ['fiktiv.anna', 'fiktiv.bo']) server.admin('user', 'add', user, '--team', 'Fiktivt team');
    for (const [name, offset] of [
      ['a', 0],
      ['b', 10],
    ]) {
      const x = await startXvfb();
      displays.push(x);
      laptops[name] = new Session(base + offset, { display: x.display });
      await laptops[name].start();
    }
  });

  after(async () => {
    for (const s of Object.values(laptops)) await s.stop();
    for (const x of displays) x.stop();
    server.stop();
  });

  it('both laptops hold the same draft after a first sync', async () => {
    const { a, b } = laptops;
    await firstRun(a, 'Fiktiv Anna', 'fiktiv.anna');
    await a.button('Ny elev');
    await a.testId('add-pupil');
    await a.fill('p-name', PUPIL);
    await a.fill('p-pnr', '20120417-9939');
    await a.fill('p-school', 'Fiktiva skolan');
    await (await a.testId('save-pupil')).click();
    await a.driver.wait(until.elementTextIs(await a.testId('case-title'), PUPIL), WAIT);
    await (await a.testId('new-entry')).click();
    await a.testId('entry-form');
    await (await a.testId('kind-home-visit')).click();
    await a.fill('f-place', 'hemmet');
    await a.fill('f-purpose', 'planera morgnarna');
    await a.fill('entry-text', 'Fiktivt utkast: första versionen.');
    await (await a.testId('save-draft')).click();
    await a.testId('case-title');
    await syncNow(a);

    await firstRun(b, 'Fiktiv Bo', 'fiktiv.bo');
    await syncNow(b);
    const entry = await openCase(b);
    assert.match(await entry.getText(), /första versionen/u);
  });

  it('a concurrent edit shows as a conflict, is settled in the window, and both laptops agree', async () => {
    const { a, b } = laptops;
    // Neither has synced the other's edit: Anna's comes first, Bo's last.
    await editDraft(a, 'Fiktivt utkast: Annas version.');
    await editDraft(b, 'Fiktivt utkast: Bos version.');
    await syncNow(a);
    await syncNow(b);

    // Bo's laptop shows the later text and keeps Anna's for review.
    const badge = await b.testId('sync-badge');
    assert.match(await badge.getText(), /^1 konflikt$/u);
    const entry = await openCase(b);
    assert.match(await entry.getText(), /Bos version/u);
    const conflict = await b.testId('conflict');
    assert.match(await conflict.getText(), /Fiktiv Anna/u);
    assert.match(await (await b.testId('conflict-value')).getText(), /Annas version/u);
    await b.driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', conflict);
    await b.screenshot('31-team-conflict-shown');

    // Bo chooses Anna's text: the choice is a signed change of its own.
    await (await b.testId('conflict-keep-lost')).click();
    await b.driver.wait(until.stalenessOf(conflict), WAIT);
    await b.driver.wait(until.elementTextMatches(await b.testId('entry'), /Annas version/u), WAIT);
    assert.equal((await b.driver.findElements(By.css('[data-testid="conflict"]'))).length, 0);
    await b.driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', await b.testId('entry'));
    await b.screenshot('32-team-conflict-resolved');
    await syncNow(b);

    // Anna's laptop gets Bo's edit and Bo's choice: the same text, no conflict.
    await syncNow(a);
    const annas = await openCase(a);
    assert.match(await annas.getText(), /Annas version/u);
    assert.doesNotMatch(await annas.getText(), /Bos version/u);
    assert.equal((await a.driver.findElements(By.css('[data-testid="conflict"]'))).length, 0);
    assert.equal((await a.driver.findElements(By.css('[data-testid="sync-badge"]'))).length, 0);
    await a.driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', annas);
    await a.screenshot('33-team-agreed');
  });
});
