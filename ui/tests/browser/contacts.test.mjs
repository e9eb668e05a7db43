// The team's key persons in the window (docs/contacts.md, ADR 0031): the
// directory by organisation, added, edited and left in the real core; a
// phone two laptops changed at once settled in the window; a key person
// picked as an entry's participant and as a plan action's owner. Every
// assertion about what was written reads the journal through the bridge.
// Run as ui.test.mjs is (npm run build, the bridge and the server built).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, needsServer } from '../../../tests/e2e/server.mjs';
import { PASS, audit, caseOf, enrolledWithDemo, hasCount, signInWindow, startApp, useWindow } from './window.mjs';

useWindow();

/** The key person `name` as the journal has them. */
async function contactNamed(bridge, name) {
  const found = (await bridge.invoke('contacts', { all: true })).find((c) => c.name === name);
  assert.ok(found, `${name} is in the directory`);
  return found;
}

/** Adds a key person through the form on the directory screen. */
async function addInWindow(page, { kind, org, role, name, phone = '', email = '' }) {
  await page.getByTestId('add-contact').click();
  await page.locator('#contact-new-kind').selectOption(kind);
  await page.locator('#contact-new-org-name').fill(org);
  await page.locator('#contact-new-role').fill(role);
  await page.locator('#contact-new-name').fill(name);
  await page.locator('#contact-new-phone').fill(phone);
  await page.locator('#contact-new-email').fill(email);
  await page.getByTestId('save-contact').click();
}

async function toDirectory(page) {
  await page.getByRole('button', { name: 'Nyckelpersoner' }).click();
  await page.getByTestId('contacts-screen').waitFor();
}

describe('Key persons in the window', { concurrency: 2 }, () => {
  it('the directory: added, edited, a phone conflict settled, left the role; picked for an entry and a plan', { skip: needsServer }, async () => {
    const server = await new TestServer().start();
    try {
      const { context, page, bridge } = await enrolledWithDemo(server, 'fiktiv.handlaggare');
      await toDirectory(page);
      await page.getByTestId('contacts-empty').waitFor();
      await audit(page, '50-contacts-empty');

      // The form's own checks, then the core's refusal worded in Swedish.
      await page.getByTestId('add-contact').click();
      await page.getByTestId('save-contact').click();
      await page.locator('#contact-new-kind-problem').waitFor();
      assert.match(await page.locator('#contact-new-name-problem').innerText(), /Fyll i/u);
      await audit(page, '51-contact-form-problems');
      await page.getByRole('button', { name: 'Avbryt' }).click();
      await addInWindow(page, {
        kind: 'school',
        org: 'Fiktiva skolan',
        role: 'mentor',
        name: 'Fiktiv Mentor',
        phone: '08-000 00 00',
        email: 'inte-en-adress',
      });
      const refusal = page.getByTestId('error');
      await refusal.waitFor();
      assert.equal(await refusal.getAttribute('data-reason'), 'contact-email');
      assert.equal((await bridge.invoke('contacts', { all: true })).length, 0, 'nothing written');
      await page.locator('#contact-new-email').fill('mentor@fiktiva.example.se');
      await page.getByTestId('save-contact').click();
      await page.getByTestId('contact').filter({ hasText: 'Fiktiv Mentor' }).waitFor();
      await addInWindow(page, { kind: 'student-health', org: 'Fiktiva skolan', role: 'kurator', name: 'Fiktiv Kurator' });
      await hasCount(page.getByTestId('contact'), 2);
      await hasCount(page.getByTestId('contact-org'), 2);
      const mentor = await contactNamed(bridge, 'Fiktiv Mentor');
      assert.deepEqual(
        [mentor.org_kind, mentor.org_name, mentor.role, mentor.phone, mentor.email],
        ['school', 'Fiktiva skolan', 'mentor', '08-000 00 00', 'mentor@fiktiva.example.se'],
      );
      const kurator = await contactNamed(bridge, 'Fiktiv Kurator');
      assert.equal(kurator.org_kind, 'student-health');
      await audit(page, '52-contacts');

      // A colleague of the team changes the mentor's phone while this
      // laptop changes it too: the later stands, the other is offered.
      await bridge.invoke('sync_now');
      const theirs = await startApp();
      server.admin('user', 'add', 'fiktiv.kollega', '--team', 'Fiktivt team');
      await theirs.invoke('create_journal', { passphrase: PASS, author: 'Fiktiv Kollega' });
      await theirs.invoke('enroll', { serverUrl: server.url, code: server.enrollCode('fiktiv.kollega') });
      await theirs.invoke('sync_now');
      const edit = { org_name: null, role: null, name: null, phone: null, email: null };
      await theirs.invoke('edit_contact', { contactId: mentor.id, edit: { ...edit, phone: '08-222 22 22' } });
      const card = page.locator(`[data-testid=contact][data-id="${mentor.id}"]`);
      await card.getByTestId('edit-contact').click();
      await page.locator(`#contact-${mentor.id}-phone`).fill('08-111 11 11');
      await page.locator(`#contact-${mentor.id}-role`).fill('klassmentor');
      await audit(page, '53-contact-edit');
      await card.getByTestId('save-contact').click();
      await card.getByText('klassmentor').waitFor();
      await bridge.invoke('sync_now');
      await theirs.invoke('sync_now');
      await bridge.invoke('sync_now');
      await page.getByTestId('contacts-all').check();
      const conflict = card.getByTestId('conflict');
      await conflict.waitFor();
      const lost = await contactNamed(bridge, 'Fiktiv Mentor');
      assert.equal(lost.conflicts.length, 1, 'one phone lost');
      assert.equal(lost.conflicts[0].field, 'phone');
      assert.equal(await conflict.getByTestId('conflict-value').innerText(), lost.conflicts[0].lost_value);
      await audit(page, '54-contact-conflict');
      await conflict.getByTestId('conflict-keep-lost').click();
      await conflict.waitFor({ state: 'detached' });
      const settled = await contactNamed(bridge, 'Fiktiv Mentor');
      assert.deepEqual(settled.conflicts, []);
      assert.equal(settled.phone, lost.conflicts[0].lost_value, 'the chosen phone stands');
      assert.equal(settled.role, 'klassmentor');

      // The mentor picked as a participant of a new entry, signed.
      const alva = await caseOf(bridge, 'Alva Lindqvist');
      await page.getByRole('button', { name: 'Ärenden' }).first().click();
      await page.getByText('Alva Lindqvist').click();
      await page.getByTestId('case-title').waitFor();
      await page.getByTestId('new-entry').click();
      await page.getByTestId('entry-form').waitFor();
      await hasCount(page.getByTestId('key-person-option'), 2);
      await page.getByLabel('Fiktiv Mentor (klassmentor, Fiktiva skolan)').check();
      await page.getByLabel('Plats').fill('skolan');
      await page.getByLabel('Syfte').fill('samverkan');
      await page.locator('#participants').fill('mamma');
      await page.locator('#entry-text').fill('Fiktivt möte med mentorn om morgnarna.');
      await audit(page, '55-entry-key-persons');
      await page.getByTestId('save-draft').click();
      await page.getByTestId('case-title').waitFor();
      const entries = await bridge.invoke('list_entries', { caseId: alva });
      const written = entries.find((e) => e.text === 'Fiktivt möte med mentorn om morgnarna.');
      assert.ok(written, 'the draft is in the journal');
      assert.deepEqual(
        written.key_persons.map((k) => [k.contact_id, k.name, k.role]),
        [[mentor.id, 'Fiktiv Mentor', 'klassmentor']],
      );
      assert.deepEqual(written.participants, ['mamma']);
      await signInWindow(page, 'mentorn om morgnarna');

      // The kurator picked as a plan action's owner.
      await page.getByTestId('new-plan').click();
      const plan = page.getByTestId('plan-dialog');
      await plan.waitFor();
      await plan.getByLabel('Behov').fill('Fiktivt: behöver stöd på morgnarna.');
      await plan.getByLabel('Mål 1').fill('Närvaro minst 80 %');
      await plan.getByLabel('Huvudansvarig').fill('Skolan');
      await plan.getByLabel('Uppföljning').fill('2027-01-15');
      await plan.locator('#plan-action-0-owner').selectOption({ label: 'Fiktiv Kurator (kurator, Fiktiva skolan)' });
      assert.equal(await plan.locator('#plan-action-0-who').count(), 0, 'no name to type');
      await plan.locator('#plan-action-0-what').fill('Samtal varje måndag');
      await audit(page, '56-plan-owner');
      await plan.getByTestId('save-plan').click();
      await plan.waitFor({ state: 'hidden' });
      const made = (await bridge.invoke('case_detail', { caseId: alva })).plans.find((p) => p.needs.startsWith('Fiktivt: behöver stöd'));
      assert.ok(made, 'the plan is in the journal');
      assert.equal(made.actions[0].owner.contact_id, kurator.id);
      assert.equal(made.actions[0].who, 'Fiktiv Kurator');
      await page.getByTestId('action-owner').filter({ hasText: 'Fiktiv Kurator (kurator, Fiktiva skolan)' }).waitFor();

      // The mentor leaves the role: still on the signed entry, no longer offered.
      await toDirectory(page);
      await page.getByTestId('contact').filter({ hasText: 'Fiktiv Mentor' }).getByTestId('contact-leave').click();
      await hasCount(page.getByTestId('contact'), 1);
      assert.ok((await contactNamed(bridge, 'Fiktiv Mentor')).left_on, 'the journal says they left');
      await page.getByTestId('contacts-all').check();
      await page.getByTestId('contact-left').waitFor();
      await audit(page, '57-contacts-all');
      await page.getByRole('button', { name: 'Ärenden' }).first().click();
      await page.getByText('Alva Lindqvist').click();
      await page.getByTestId('case-title').waitFor();
      const named = page.locator('[data-testid=entry][data-status=signed]').filter({ hasText: 'mentorn om morgnarna' }).getByTestId('entry-key-persons');
      assert.match(await named.innerText(), /Fiktiv Mentor \(klassmentor, Fiktiva skolan\)\s*Lämnade rollen/u);
      await page.getByTestId('new-entry').click();
      await page.getByTestId('entry-form').waitFor();
      await hasCount(page.getByTestId('key-person-option'), 1);
      assert.match(await page.getByTestId('key-person-picker').innerText(), /Fiktiv Kurator/u);

      // English, complete.
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('button', { name: 'Key persons' }).click();
      await page.getByTestId('contacts-screen').waitFor();
      assert.equal(await page.getByTestId('contacts-screen').innerText(), 'Key persons');
      assert.match(await page.getByTestId('contact-org').first().innerText(), /School: Fiktiva skolan|Student health: Fiktiva skolan/u);
      await audit(page, '58-contacts-en');
      await context.close();
    } finally {
      server.stop();
    }
  });
});
