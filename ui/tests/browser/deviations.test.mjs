// Deviations in collaboration in the real app (bridge.mjs): recorded on a
// case against a partner and a category, moved from open to raised with
// the partner, and the team's summary by partner and category — groups
// under five pupils shown as "<5" — on the attendance screen and in its
// CSV. Every assertion reads the journal through the bridge.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, caseOf, createWithDemo, cspViolations, openApp, useWindow } from './window.mjs';

useWindow();

describe('deviations in collaboration', () => {
  it('are recorded on a case, raised with the partner and summed up for the team', async () => {
    const { context, page, bridge } = await openApp();
    await createWithDemo(page);
    const caseId = await caseOf(bridge, 'Alva Lindqvist');
    await page.getByText('Alva Lindqvist').first().click();
    await page.getByTestId('case-title').waitFor();

    const card = page.getByTestId('deviations');
    await card.scrollIntoViewIfNeeded();
    await card.getByTestId('deviation-add').click();
    await card.getByLabel('Samverkanspart').selectOption('bup');
    await card.getByLabel('Kategori').selectOption('late-contact');
    assert.equal(await card.getByTestId('deviation-save').isDisabled(), true, 'what happened is needed');
    await card.getByLabel('Vad hände').fill('BUP hörde av sig först efter tre veckor (fiktivt).');
    await card.getByTestId('deviation-save').click();
    await card.getByTestId('deviation').waitFor();
    let [d] = await bridge.invoke('list_deviations', { caseId });
    assert.equal(d.partner, 'bup');
    assert.equal(d.category, 'late-contact');
    assert.equal(d.status, 'open');
    assert.match(await card.getByTestId('deviation').innerText(), /BUP.*Sen kontakt/su);
    await audit(page, 'deviations-01-case');

    await card.getByTestId('deviation-status').selectOption('raised');
    await page.getByText('Avvikelsen är nu: Lyft med parten.').waitFor();
    [d] = await bridge.invoke('list_deviations', { caseId });
    assert.equal(d.status, 'raised', 'the status is in the journal');

    await page.getByRole('button', { name: 'Frånvaro' }).click();
    const summary = page.getByTestId('deviation-summary');
    await summary.getByTestId('deviation-group').waitFor();
    const row = await summary.getByTestId('deviation-group').innerText();
    assert.match(row, /BUP/u);
    assert.match(row, /Sen kontakt/u);
    assert.match(row, /<5/u, 'one pupil is under five: suppressed');
    const groups = (await bridge.invoke('deviation_summary')).groups;
    assert.deepEqual(groups.map((g) => [g.partner, g.category, g.pupils.kind]), [['bup', 'late-contact', 'suppressed']]);
    await audit(page, 'deviations-02-summary');

    const folder = mkdtempSync(join(tmpdir(), 'fiktiv-avvikelser-'));
    await page.getByLabel(/Mapp/u).first().fill(folder);
    await page.getByTestId('export-deviations-csv').click();
    await page.getByTestId('export-result').waitFor();
    const saved = /Sparad: (\S*brygga-avvikelser-\d{4}-\d{2}-\d{2}\.csv)/u.exec(await page.getByTestId('export-result').innerText());
    assert.ok(saved, 'the export names its file');
    const csv = readFileSync(saved[1], 'utf8');
    assert.match(csv, /BUP;Sen kontakt;<5;<5;<5;<5;<5/u);
    assert.doesNotMatch(csv, /Alva|fiktivt/u, 'no personal data in the aggregate');
    assert.deepEqual(cspViolations, []);
    await context.close();
  });
});
