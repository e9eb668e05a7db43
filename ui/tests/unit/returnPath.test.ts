import { describe, expect, it } from 'vitest';
import { ladderProblems, orderedDays, scheduleProblems, stepName } from '../../src/lib/returnPath';
import { translate, type Key } from '../../src/lib/i18n/translate';

const draft = { step: 'calmer-unit', note: '', nextStep: '', nextOn: '' };

describe('ladderProblems', () => {
  it('needs a step', () => {
    expect(ladderProblems({ ...draft, step: '' })).toEqual({ step: 'choice' });
    expect(ladderProblems(draft)).toEqual({});
  });

  it('needs both the next step and its date, or neither', () => {
    expect(ladderProblems({ ...draft, nextStep: 'part-time-class' })).toEqual({ nextOn: 'required' });
    expect(ladderProblems({ ...draft, nextOn: '2026-12-14' })).toEqual({ nextStep: 'choice' });
    expect(ladderProblems({ ...draft, nextStep: 'part-time-class', nextOn: '2026-12-14' })).toEqual({});
  });

  it('refuses a date that is not a real day', () => {
    expect(ladderProblems({ ...draft, nextStep: 'part-time-class', nextOn: '2026-02-30' })).toEqual({ nextOn: 'date' });
    expect(ladderProblems({ ...draft, nextStep: 'part-time-class', nextOn: '14/12/2026' })).toEqual({ nextOn: 'date' });
  });
});

describe('scheduleProblems', () => {
  it('needs a weekday and a time of day', () => {
    expect(scheduleProblems({ days: [], time: '8.10' })).toEqual({ days: 'days', time: 'time' });
    expect(scheduleProblems({ days: ['mon'], time: '24:00' })).toEqual({ time: 'time' });
    expect(scheduleProblems({ days: ['mon', 'wed'], time: ' 08:10 ' })).toEqual({});
  });
});

describe('orderedDays', () => {
  it('keeps Monday first and each day once, dropping what is not a day', () => {
    expect(orderedDays(['fri', 'mon', 'fri', 'holiday'])).toEqual(['mon', 'fri']);
  });
});

describe('stepName', () => {
  const t = (k: Key): string => translate('sv', k);
  const steps = [{ key: 'calmer-unit', name_sv: 'Lugna rummet', name_en: 'The quiet room' }];
  it("uses the municipality's name of a step in force, in the UI's language", () => {
    expect(stepName('calmer-unit', steps, t, 'sv')).toBe('Lugna rummet');
    expect(stepName('calmer-unit', steps, t, 'en')).toBe('The quiet room');
  });

  it('words a built-in step no longer in force, else shows its key', () => {
    expect(stepName('home-visits', steps, t, 'sv')).toBe('Hembesök');
    expect(stepName('gone-step', steps, t, 'sv')).toBe('gone-step');
  });
});
