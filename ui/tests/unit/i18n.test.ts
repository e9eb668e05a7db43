import { describe, expect, it } from 'vitest';
import { sv } from '../../src/lib/i18n/sv';
import { en } from '../../src/lib/i18n/en';
import { placeholders, translate } from '../../src/lib/i18n/translate';
import { KIND_FIELDS, KINDS } from '../../src/lib/entryKinds';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationName, quarantineReason, syncFailure } from '../../src/lib/syncWords';
import { importNote } from '../../src/lib/absence';
import { errorWords } from '../../src/lib/words';
import type { LineNote } from '../../src/lib/bindings/LineNote';

/** The string values of a generated union type (`"a" | "b"`). */
function codesOf(binding: string): string[] {
  const src = readFileSync(join(__dirname, '../../src/lib/bindings', binding), 'utf8');
  return [...src.matchAll(/"([a-z_-]+)"/gu)].map((m) => m[1] ?? '');
}

// The operation types of the protocol, read from its source: a new
// payload without words fails here.
const OPERATION_TYPES: string[] = (() => {
  const src = readFileSync(join(__dirname, '../../../crates/protocol/src/op.rs'), 'utf8');
  const body = src.slice(src.indexOf('pub enum Payload {'));
  const end = body.indexOf('\n}\n');
  return [...body.slice(0, end).matchAll(/^ {4}([A-Z][A-Za-z]+) *[{(,]/gmu)].map((m) =>
    (m[1] ?? '').replace(/[A-Z]/gu, (c, i: number) => (i === 0 ? '' : '-') + c.toLowerCase()),
  );
})();

describe('i18n', () => {
  it('sv and en have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
  });

  it('every translation is non-empty and uses the same placeholders', () => {
    for (const key of Object.keys(sv) as (keyof typeof sv)[]) {
      expect(sv[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(sv[key]));
    }
  });

  it('fills placeholders and defaults to Swedish words', () => {
    expect(translate('sv', 'attention.drafts', { n: 3 })).toBe('3 utkast att signera');
    expect(translate('en', 'attention.drafts', { n: 3 })).toBe('3 drafts to sign');
  });

  it('has a label for every entry kind, field and choice', () => {
    const keys = new Set(Object.keys(sv));
    for (const kind of KINDS) {
      expect(keys.has(`kind.${kind}`), kind).toBe(true);
      for (const spec of KIND_FIELDS[kind]) {
        expect(keys.has(`field.${spec.key}`), spec.key).toBe(true);
        if (spec.input.type === 'choice') {
          for (const opt of spec.input.options) expect(keys.has(`value.${spec.key}.${opt}`), opt).toBe(true);
        }
      }
    }
  });

  it('has a message for every error code the shell can send and a sync status can show', () => {
    const all = ['ErrorCode.ts', 'ShellCode.ts', 'SyncErrorCode.ts'].flatMap(codesOf);
    expect(all).toContain('unreachable');
    expect(all).toContain('unknown');
    expect(all.length).toBeGreaterThan(10);
    for (const code of all) expect(Object.keys(sv), code).toContain(`error.${code}`);
  });

  it('has words for every rule the core and the shell can say an input or action broke', () => {
    const all = ['ReasonCode.ts', 'ShellReason.ts'].flatMap(codesOf);
    expect(all).toContain('form-field');
    expect(all).toContain('idle-minutes');
    expect(all.length).toBeGreaterThan(40);
    for (const code of all) expect(Object.keys(sv), code).toContain(`reason.${code}`);
  });

  it('has words for every kind of programme session', () => {
    const all = codesOf('SessionKind.ts');
    expect(all).toContain('school-meeting');
    for (const kind of all) expect(Object.keys(sv), kind).toContain(`programme.kind.${kind}`);
  });

  it('has words for every problem and note an absence import can report', () => {
    const all = codesOf('NoteCode.ts');
    expect(all).toContain('not-a-number');
    expect(all.length).toBeGreaterThanOrEqual(30);
    for (const code of all) expect(Object.keys(sv), code).toContain(`import.note.${code}`);
  });

  it('no component shows a hard-coded string: text between tags is a t() call', () => {
    const dirs = ['../../src/screens', '../../src/components', '../../src'];
    for (const dir of dirs) {
      for (const file of readdirSync(join(__dirname, dir)).filter((f) => f.endsWith('.svelte'))) {
        const src = readFileSync(join(__dirname, dir, file), 'utf8');
        const markup = src.replace(/<script[\s\S]*?<\/script>/gu, '').replace(/<style[\s\S]*?<\/style>/gu, '');
        // Text nodes with letters that are not inside {…} expressions.
        let stripped = markup;
        for (let prev = ''; prev !== stripped; ) {
          prev = stripped;
          stripped = stripped.replace(/\{[^{}]*\}/gu, ' ');
        }
        const text = stripped
          .replace(/<[^>]*>/gu, '\n')
          .split('\n')
          .map((s) => s.trim())
          .filter((s) => /\p{L}{2,}/u.test(s) && s !== 'Brygga');
        expect(text, file).toEqual([]);
      }
    }
  });
});

describe('error words', () => {
  it('words a refusal of the core from its code and reason, never its English', () => {
    const e = {
      code: 'invalid' as const,
      params: { reason: 'form-field', form: 'consent', field: 'given_on', problem: 'future' },
      message: 'invalid input: consent given_on is in the future',
    };
    expect(errorWords(e, 'sv')).toBe('Något i formuläret är inte giltigt. Givet: Det kan inte ligga i framtiden.');
    expect(errorWords(e, 'en')).not.toContain('invalid input');
    const drafts = { code: 'not_allowed' as const, params: { reason: 'case-has-drafts', drafts: '2' }, message: 'not allowed: …' };
    expect(errorWords(drafts, 'sv')).toBe(
      'Det går inte att göra så. Ärendet har 2 osignerade utkast. Signera dem innan ärendet avslutas.',
    );
    const pnr = { code: 'invalid' as const, params: { reason: 'personnummer', flaw: 'check-digit' }, message: '' };
    expect(errorWords(pnr, 'sv')).toMatch(/kontrollsiffra/u);
  });

  it('words a code without a reason alone and keeps a newer core’s reason in its English', () => {
    expect(errorWords({ code: 'damaged', params: { detail: 'torn page' }, message: 'damaged: torn page' }, 'sv')).toBe(
      'Journalen är skadad. Kontakta IT-supporten.',
    );
    const newer = { code: 'invalid', params: { reason: 'from-a-newer-core' }, message: 'invalid input: something new' };
    expect(errorWords(newer, 'sv')).toBe('Något i formuläret är inte giltigt. invalid input: something new');
  });
});

describe('sync words', () => {
  it('words a quarantine code with its parameters in both languages', () => {
    const q = { code: 'bad-signature', params: { device: 'd-1' }, reason: 'the signature does not match device d-1' };
    expect(quarantineReason(q, 'sv')).toBe(
      'Signaturen stämmer inte med datorn d-1. Ändringen kan ha manipulerats och används inte.',
    );
    expect(quarantineReason(q, 'en')).toContain('does not match device d-1');
  });

  it('words the core’s reason an operation did not apply, and the server’s text only as a detail', () => {
    const q = { code: 'not-applicable', params: { reason: 'entry-signed' }, reason: 'entry x is signed and cannot change' };
    expect(quarantineReason(q, 'sv')).toBe(
      'Ändringen går inte att göra i journalen som den ser ut. Anteckningen är signerad och kan inte ändras. Skriv en rättelse i stället.',
    );
    const refused = { code: 'refused-by-server', params: { detail: 'unknown case' }, reason: 'the server refused it: unknown case' };
    expect(quarantineReason(refused, 'sv')).toBe('Servern tog inte emot ändringen.');
    const missing = { code: 'missing-object', params: { what: 'plan action', id: 'a1' }, reason: 'plan action a1 is not here (yet)' };
    expect(quarantineReason(missing, 'sv')).toBe('Det ändringen gäller finns inte här (Åtgärd i planen a1).');
  });

  it('words a server notice that does not verify, with the notice it names', () => {
    const q = { code: 'bad-notice', params: { notice: 'n-1', type: 'case-purged' }, reason: "the server's notice n-1 does not verify" };
    expect(quarantineReason(q, 'sv')).toMatch(/^Meddelandet n-1 från servern är inte signerat/u);
    expect(operationName('case-purged', 'sv')).toBe('Gallring (meddelande från servern)');
  });

  it('words a server notice whose programme template breaks the rules for templates', () => {
    const q = {
      code: 'bad-template-notice',
      params: { notice: 'n-2', type: 'programme-template' },
      reason: "the server's notice n-2 holds a programme template that breaks the rules",
    };
    expect(quarantineReason(q, 'sv')).toMatch(/^Meddelandet n-2 från servern innehåller en programmall/u);
    expect(quarantineReason(q, 'en')).toContain('notice n-2 holds a programme template');
    expect(operationName('programme-template', 'sv')).toBe('Programmall (meddelande från servern)');
  });

  it('falls back to the core’s English for a code it has no words for', () => {
    const q = { code: 'from-a-newer-build', params: {}, reason: 'something new' };
    expect(quarantineReason(q, 'sv')).toBe('something new');
  });

  it('words why the last sync failed and keeps the technical detail out of it', () => {
    const f = {
      code: 'unreachable',
      params: { detail: 'connection refused' },
      message: 'server unreachable: connection refused',
    };
    expect(syncFailure(f, 'sv')).toBe('Servern gick inte att nå. Brygga försöker igen av sig själv.');
    expect(syncFailure(f, 'en')).toBe('The server could not be reached. Brygga tries again by itself.');
  });

  it('words an earlier version’s stored text, and a code from a newer core in its English', () => {
    const old = { code: 'unknown', params: { detail: 'server refused: HTTP 500' }, message: 'server refused: HTTP 500' };
    expect(syncFailure(old, 'sv')).toBe('Synken misslyckades.');
    expect(syncFailure({ code: 'from_the_future', params: {}, message: 'something new' }, 'sv')).toBe('something new');
  });

  it('names every operation type the protocol has', () => {
    expect(OPERATION_TYPES).toContain('conflict-resolved');
    expect(OPERATION_TYPES.length).toBeGreaterThanOrEqual(16);
    for (const type of OPERATION_TYPES) {
      expect(operationName(type, 'sv')).not.toBe(type);
      expect(operationName(type, 'en')).not.toBe(type);
    }
  });
});

describe('import words', () => {
  it('words a problem in its column, with the role and unit in words', () => {
    const n = {
      code: 'not-a-number' as const,
      params: { value: 'abc', column: 'Giltig frånvaro' },
      message: "column 'Giltig frånvaro': 'abc' is not a number",
    };
    expect(importNote(n, 'sv')).toBe('Kolumn ”Giltig frånvaro”: ”abc” är inte ett tal.');
    expect(importNote(n, 'en')).toBe('Column “Giltig frånvaro”: “abc” is not a number.');
    const missing = {
      code: 'no-column' as const,
      params: { role: 'invalid', headers: 'Personnummer, Vecka' },
      message: 'no column for invalid absence',
    };
    expect(importNote(missing, 'sv')).toBe(
      'Ingen kolumn för ”Ogiltig frånvaro”. Välj den under Koppla kolumner. Filens kolumner: Personnummer, Vecka.',
    );
    const unit = { code: 'scheduled-too-large' as const, params: { amount: '1680', unit: 'hours' }, message: '' };
    expect(importNote(unit, 'sv')).toMatch(/^1680 timmar schemalagd tid/u);
  });

  it('keeps the core’s English for a code it has no words for', () => {
    const n = { code: 'from-a-newer-core', params: { column: 'X' }, message: "column 'X': something new" };
    expect(importNote(n as unknown as LineNote, 'sv')).toBe("column 'X': something new");
  });
});
