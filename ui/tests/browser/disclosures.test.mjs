// The disclosure register in the real app (bridge.mjs): a sharing told in
// a meeting recorded under the case's active consent, one outside a
// consent only after its ground is named and confirmed, and a journal
// export that asks for its ground and adds its own line. Every assertion
// reads the journal through the bridge.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, caseOf, createWithDemo, cspViolations, hasCount, openApp, useWindow } from './window.mjs';

useWindow();

describe('the disclosure register', () => {
  it('records each sharing with its ground, confirms one outside a consent, and the journal export its own', async () => {
    const { context, page, bridge } = await openApp();
    await createWithDemo(page);
    const caseId = await caseOf(bridge, 'Alva Lindqvist');
    const consent = (await bridge.invoke('case_detail', { caseId })).consents.find((c) => c.active);
    assert.ok(consent, 'the demo gives Alva an active consent');
    await page.getByText('Alva Lindqvist').first().click();
    await page.getByTestId('case-title').waitFor();

    // Told in a meeting, under the consent.
    const card = page.getByTestId('disclosures');
    await card.scrollIntoViewIfNeeded();
    await card.getByTestId('disclosure-add').click();
    await card.getByLabel('Mottagare').fill('Elevhälsan, Fiktiva skolan');
    await card.getByLabel('Vad som lämnades ut').fill('Muntligt om frånvaron vid samverkansmöte');
    await card.getByTestId('disclosure-ground-choice').selectOption(consent.id);
    await card.getByTestId('disclosure-save').click();
    await card.getByTestId('disclosure-row').waitFor();
    let register = await bridge.invoke('list_disclosures', { caseId });
    assert.equal(register.length, 1);
    assert.equal(register[0].consent_id, consent.id);
    assert.equal(register[0].recipient, 'Elevhälsan, Fiktiva skolan');

    // Outside a consent: warned, and saved only once the ground is named and confirmed.
    await card.getByTestId('disclosure-add').click();
    await card.getByLabel('Mottagare').fill('Polisen (fiktiv)');
    await card.getByLabel('Vad som lämnades ut').fill('Uppgift om skolgången');
    await card.getByTestId('disclosure-ground-choice').selectOption('other');
    await card.getByTestId('disclosure-ground-warning').waitFor();
    await card.getByTestId('disclosure-ground-named').fill('OSL 10 kap. 21 § (fiktivt)');
    assert.equal(await card.getByTestId('disclosure-save').isDisabled(), true, 'not before it is confirmed');
    await audit(page, 'disclosures-01-outside-consent');
    await card.getByTestId('disclosure-ground-confirm').check();
    await card.getByTestId('disclosure-save').click();
    await hasCount(card.getByTestId('disclosure-row'), 2);
    register = await bridge.invoke('list_disclosures', { caseId });
    assert.equal(register[1].ground, 'OSL 10 kap. 21 § (fiktivt)');
    assert.equal(register[1].consent_id, null);

    // The journal export asks for its ground and records it.
    const exporter = page.getByTestId('journal-export');
    await exporter.scrollIntoViewIfNeeded();
    assert.equal(await page.getByTestId('export-journal').isDisabled(), true, 'no export without a ground');
    await page.getByTestId('journal-ground-choice').selectOption(consent.id);
    await page.locator('#journal-folder').fill(mkdtempSync(join(tmpdir(), 'fiktiv-journal-')));
    await page.getByTestId('export-journal').click();
    await page.getByTestId('export-result').waitFor();
    const saved = /Sparad: (\S*brygga-journal-\d{4}-\d{2}-\d{2}\.pdf)/u.exec(await page.getByTestId('export-result').innerText());
    assert.ok(saved, 'the export names its file');
    assert.equal(readFileSync(saved[1]).subarray(0, 5).toString(), '%PDF-');
    await hasCount(card.getByTestId('disclosure-row'), 3);
    register = await bridge.invoke('list_disclosures', { caseId });
    assert.equal(register[2].consent_id, consent.id);
    assert.equal(register[2].recipient, consent.recipient, "the consent's recipient");
    assert.match(register[2].what, /^Journalutdrag \(PDF\)/u);
    await card.scrollIntoViewIfNeeded();
    await audit(page, 'disclosures-02-register');
    assert.deepEqual(cspViolations, []);
    await context.close();
  });
});
