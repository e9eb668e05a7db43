// A collaboration meeting in the window, on the real core (bridge.mjs):
// the agenda made from the case's plan, the minutes written against it
// with a result under each action and signed, and the plan revised into a
// new version with the old one readable. Every assertion about what was
// written reads the journal back through the bridge. Every screen gets an
// axe audit (no serious or critical violation) and a screenshot.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { audit, caseOf, createWithDemo, cspViolations, hasCount, openApp, useWindow } from './window.mjs';

useWindow();

describe('Collaboration meetings in the window', () => {
  it('agenda from the plan, minutes with results signed, a plan revised with its versions readable', async () => {
    const { context, page, bridge } = await openApp();
    await createWithDemo(page);
    const alva = await caseOf(bridge, 'Alva Lindqvist');
    // The team's mentor, in the directory before the meeting.
    const mentor = await bridge.invoke('add_contact', {
      contact: { org_kind: 'school', org_name: 'Fiktiva skolan', role: 'mentor', name: 'Fiktiv Mentor', phone: null, email: null },
    });
    await page.getByText('Alva Lindqvist').first().click();
    await page.getByTestId('case-title').waitFor();

    // The agenda: the plan's two open actions, its follow-up date passed.
    const meeting = page.getByTestId('meeting');
    await hasCount(meeting.getByTestId('agenda-action'), 2);
    assert.match(await meeting.getByTestId('agenda-plan-due').innerText(), /Planen ska följas upp/u);
    const [entrance, sports] = (await bridge.invoke('case_detail', { caseId: alva })).plans[0].actions;
    assert.match(entrance.what, /Möter Alva vid entrén/u);
    await audit(page, 'meetings-01-agenda');

    // The minutes: signing without parties and text is refused in Swedish,
    // nothing written.
    const entriesBefore = (await bridge.invoke('list_entries', { caseId: alva })).length;
    await meeting.getByTestId('write-minutes').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'm-participants');
    await meeting.getByLabel(`Resultat: ${entrance.what}`).fill('Alva kom in tre morgnar av fyra.');
    await meeting.getByTestId('sign-minutes').click();
    assert.match(await page.locator('#m-parties-problem').innerText(), /Fyll i det här fältet/u);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'm-parties');
    await audit(page, 'meetings-02-minutes-problems');
    assert.equal((await bridge.invoke('list_entries', { caseId: alva })).length, entriesBefore);

    // The mentor is picked from the directory, the mother typed.
    await meeting.getByTestId('key-person-option').check();
    await meeting.getByLabel('Deltagare').fill('Karin (mamma)');
    await meeting.getByLabel('Deltagande parter').fill('Skolan, BUP och familjen');
    await meeting.getByLabel('Protokoll').fill('Fiktivt protokoll: vi gick igenom planen.');
    await audit(page, 'meetings-03-minutes');
    await meeting.getByTestId('sign-minutes').click();
    await page.getByText('Protokollet är signerat.').waitFor();

    // In the journal: one signed collaboration meeting whose signed content
    // holds the result of the entrance action and nothing for the other.
    const entries = await bridge.invoke('list_entries', { caseId: alva });
    assert.equal(entries.length, entriesBefore + 1);
    const minutes = entries.find((e) => e.text === 'Fiktivt protokoll: vi gick igenom planen.');
    assert.equal(minutes.status, 'signed');
    assert.equal(minutes.kind, 'collaboration-meeting');
    assert.deepEqual(minutes.participants, ['Karin (mamma)']);
    assert.deepEqual(
      minutes.key_persons.map((k) => [k.contact_id, k.name, k.role, k.org_name]),
      [[mentor, 'Fiktiv Mentor', 'mentor', 'Fiktiva skolan']],
    );
    assert.deepEqual(minutes.fields, {
      parties: 'Skolan, BUP och familjen',
      [`result:${entrance.id}`]: 'Alva kom in tre morgnar av fyra.',
    });
    const actions = (await bridge.invoke('case_detail', { caseId: alva })).plans[0].actions;
    assert.deepEqual(
      actions.map((a) => a.results.map((r) => r.result)),
      [['Alva kom in tre morgnar av fyra.'], []],
    );
    assert.equal(actions[0].results[0].entry_id, minutes.id);
    // The window shows it beside the action, on the agenda and in the entry.
    await page.getByTestId('action-result').filter({ hasText: 'tre morgnar av fyra' }).waitFor();
    await meeting.getByText(/Senaste resultat .*tre morgnar av fyra/u).waitFor();
    const card = page.getByTestId('entry').filter({ hasText: 'Fiktivt protokoll' });
    const shownEntry = await card.innerText();
    assert.ok(shownEntry.includes(`Resultat: ${entrance.what}`), shownEntry);
    assert.ok(shownEntry.includes('Alva kom in tre morgnar av fyra.'), shownEntry);
    await audit(page, 'meetings-04-signed');

    // The meeting agreed to change the plan: a new version.
    await page.getByTestId('revise-plan').click();
    const dialog = page.getByTestId('revise-plan-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Behov').inputValue(), (await bridge.invoke('case_detail', { caseId: alva })).plans[0].needs);
    await dialog.locator('#plan-action-1-what').fill('Idrott med halva klassen');
    await dialog.getByRole('button', { name: 'Lägg till insats' }).click();
    await dialog.locator('#plan-action-2-who').fill('BUP');
    await dialog.locator('#plan-action-2-what').fill('Samtal om sömn');
    assert.equal(await dialog.getByRole('button', { name: 'Ta bort insats 1' }).count(), 0, 'the plan’s own actions are not removed');
    await audit(page, 'meetings-05-revise');
    await dialog.getByTestId('save-plan').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('plan-version-shown').filter({ hasText: '2' }).waitFor();

    const plan = (await bridge.invoke('case_detail', { caseId: alva })).plans[0];
    assert.equal(plan.version, 2);
    assert.deepEqual(plan.actions.map((a) => a.what), [entrance.what, 'Idrott med halva klassen', 'Samtal om sömn']);
    assert.equal(plan.actions[1].id, sports.id, 'the action carried over keeps its id');
    assert.equal(plan.actions[0].results.length, 1, 'and its results');
    const versions = await bridge.invoke('plan_versions', { planId: plan.id });
    assert.deepEqual(versions.map((v) => [v.number, v.revises]), [[1, null], [2, 1]]);
    assert.equal(versions[0].actions[1].what, sports.what);

    // Both versions readable in the window.
    await page.getByTestId('plan-versions').locator('summary').click();
    await hasCount(page.getByTestId('plan-version'), 2);
    assert.match(await page.getByTestId('plan-version').first().innerText(), new RegExp(sports.what, 'u'));
    assert.match(await page.getByTestId('plan-version').nth(1).innerText(), /ändrar version 1/u);
    await audit(page, 'meetings-06-versions');

    // The new action is on the next meeting's agenda.
    await hasCount(meeting.getByTestId('agenda-action'), 3);
    assert.match(await meeting.getByTestId('agenda').innerText(), /Samtal om sömn/u);
    await context.close();
  });

  after(() => {
    assert.deepEqual(cspViolations, [], 'the CSP blocked nothing and no page error happened');
  });
});
