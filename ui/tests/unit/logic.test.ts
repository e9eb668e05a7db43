import { headerCells, missingRoles } from '../../src/lib/absence';
import { describe, expect, it } from 'vitest';
import { initials, showName, showPersonnummer, HIDDEN } from '../../src/lib/privacy';
import { acceptable, passphraseStrength } from '../../src/lib/strength';
import { ARRIVALS, entryProblems, cleanFields } from '../../src/lib/entryKinds';
import { noteKey, rowKey } from '../../src/lib/checkin';
import { localInputToRfc3339, snippetParts } from '../../src/lib/format';
import { IdleTracker } from '../../src/lib/idle';

describe('privacy mode', () => {
  it('turns names into initials', () => {
    expect(initials('Alva Lindqvist')).toBe('A. L.');
    expect(initials('Karin Lindqvist (fiktiv)')).toBe('K. L.');
    expect(initials('Åsa-Maria Öberg')).toBe('Å. M. Ö.');
    expect(initials('  ')).toBe('•');
    expect(initials('ebba')).toBe('E.');
  });
  it('hides names and personnummer only when on', () => {
    expect(showName('Alva Lindqvist', false)).toBe('Alva Lindqvist');
    expect(showName('Alva Lindqvist', true)).toBe('A. L.');
    expect(showPersonnummer('120417-9939', true)).toBe(HIDDEN);
    expect(showPersonnummer('120417-9939', false)).toBe('120417-9939');
  });
});

describe('passphrase strength', () => {
  it('refuses what the core refuses: fewer than 10 characters', () => {
    const s = passphraseStrength('kort1234');
    expect(s.tooShort).toBe(true);
    expect(s.score).toBe(0);
    expect(acceptable(s)).toBe(false);
  });
  it('rates weak patterns low', () => {
    expect(passphraseStrength('aaaaaaaaaaaa').score).toBeLessThanOrEqual(1);
    expect(passphraseStrength('lösenord1234').score).toBeLessThanOrEqual(1);
    expect(acceptable(passphraseStrength('lösenord1234'))).toBe(false);
  });
  it('rates several unrelated words strong', () => {
    const s = passphraseStrength('kanel cykel fönster hav');
    expect(s.score).toBeGreaterThanOrEqual(3);
    expect(acceptable(s)).toBe(true);
    expect(passphraseStrength('grön tröja under bron i maj 1987').score).toBe(4);
  });
  it('grows with length', () => {
    const a = passphraseStrength('Tolv-tecken1').bits;
    const b = passphraseStrength('Tolv-tecken1 och lite till').bits;
    expect(b).toBeGreaterThan(a);
  });
});

describe('entry fields', () => {
  it('asks for the required fields of a home visit and for text', () => {
    expect(entryProblems('home-visit', {}, '')).toEqual({ place: 'required', purpose: 'required', text: 'required' });
    expect(entryProblems('home-visit', { place: 'hemmet', purpose: 'x' }, 'Text')).toEqual({});
  });
  it('checks values by type and lets a check-in have no text', () => {
    expect(entryProblems('apartment-session', { teacher_present: 'kanske', step: '1', duration_min: '0' }, 't')).toEqual({
      teacher_present: 'choice',
      step: 'choice',
      duration_min: 'minutes',
    });
    expect(entryProblems('morning-checkin', { arrival: 'late', time: '25:00' }, '')).toEqual({ time: 'time' });
    expect(entryProblems('morning-checkin', { arrival: 'late', time: '08:40' }, '')).toEqual({});
  });
  it('sends only the kind’s own, non-empty fields', () => {
    expect(cleanFields('note', { place: 'x' })).toEqual({});
    expect(cleanFields('phone-call', { with_whom: ' mentor ', direction: '' })).toEqual({ with_whom: 'mentor' });
  });
});

describe('check-in board keys', () => {
  it('moves, marks and saves', () => {
    expect(rowKey({ key: 'j' })).toEqual({ type: 'move', by: 1 });
    expect(rowKey({ key: 'ArrowUp' })).toEqual({ type: 'move', by: -1 });
    expect(rowKey({ key: '1' })).toEqual({ type: 'mark', arrival: 'arrived' });
    expect(rowKey({ key: 'l' })).toEqual({ type: 'mark', arrival: 'late' });
    expect(rowKey({ key: 'n' })).toEqual({ type: 'mark', arrival: 'not-seen' });
    expect(rowKey({ key: 'Enter' })).toEqual({ type: 'save' });
    expect(rowKey({ key: 'l', ctrlKey: true })).toBeNull();
    expect(rowKey({ key: 'x' })).toBeNull();
  });
  it('lets a note be typed and leaves it with arrows or Escape', () => {
    expect(noteKey({ key: 'a' })).toBeNull();
    expect(noteKey({ key: 'Enter' })).toEqual({ type: 'save' });
    expect(noteKey({ key: 'ArrowDown' })).toEqual({ type: 'move', by: 1 });
  });
});

describe('formatting', () => {
  it('splits a search snippet into marked parts', () => {
    expect(snippetParts('…att [morgnarna] är [svåra]')).toEqual([
      { text: '…att ', mark: false },
      { text: 'morgnarna', mark: true },
      { text: ' är ', mark: false },
      { text: 'svåra', mark: true },
    ]);
  });
  it('adds the local offset to a datetime-local value', () => {
    const v = localInputToRfc3339('2026-11-25T08:15');
    expect(v).toMatch(/^2026-11-25T08:15:00[+-]\d{2}:\d{2}$/u);
    expect(new Date(v ?? '').getTime()).toBe(new Date('2026-11-25T08:15').getTime());
    expect(localInputToRfc3339('inte ett datum')).toBeNull();
  });
});

describe('idle tracking', () => {
  it('locks after the idle minutes and pings the shell at most every 15 s', () => {
    let now = 0;
    let pings = 0;
    let idle = 0;
    const tracker = new IdleTracker({
      idleMinutes: () => 5,
      active: () => true,
      ping: () => pings++,
      onIdle: () => idle++,
      now: () => now,
    });
    now = 20_000;
    tracker.activity();
    now = 25_000;
    tracker.activity();
    expect(pings).toBe(1);
    now = 20_000 + 4 * 60_000;
    tracker.check();
    expect(idle).toBe(0);
    now = 25_000 + 5 * 60_000;
    tracker.check();
    expect(idle).toBe(1);
  });
});

describe('absence import helpers', () => {
  it('names the required roles a file lacks', () => {
    expect(missingRoles(['personnummer', 'week', 'scheduled', 'valid', 'invalid'])).toEqual([]);
    expect(missingRoles(['from', 'scheduled', 'valid', 'invalid'])).toEqual(['personnummer']);
    expect(missingRoles(['personnummer', 'scheduled'])).toEqual(['valid', 'invalid', 'week']);
  });
  it('reads the header cells of the first non-blank line', () => {
    expect(headerCells('\uFEFF;;;\n"Elev-id";Vecka; Giltig (min)\n1;2;3', null)).toEqual(['Elev-id', 'Vecka', 'Giltig (min)']);
    expect(headerCells('a,b,c\n', ',')).toEqual(['a', 'b', 'c']);
  });
});

describe("the check-in board's keys", () => {
  it('mark exactly the arrivals the core accepts', () => {
    const marked = ['1', '2', '3'].map((key) => rowKey({ key })).map((a) => (a?.type === 'mark' ? a.arrival : null));
    expect([...marked].sort()).toEqual([...ARRIVALS].sort());
  });
});
