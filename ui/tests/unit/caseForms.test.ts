import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIELD_LABELS,
  formFields,
  concernProblems,
  consentInput,
  consentProblems,
  isIsoDate,
  planDraftOf,
  planInput,
  planProblems,
  planRevision,
  PUPIL,
  todayIso,
  withdrawProblem,
  type ConsentDraft,
  type PlanDraft,
} from '../../src/lib/caseForms';
import { correctionProblems, isClockTime, suggestCorrection } from '../../src/lib/checkin';
import { FORM_RULES } from '../../src/lib/bindings/caseFormRules';
import { sv } from '../../src/lib/i18n/sv';

const TODAY = '2026-11-25';

const consent = (over: Partial<ConsentDraft> = {}): ConsentDraft => ({
  givenBy: 'g1',
  scope: 'närvaro',
  recipient: 'mentor',
  purpose: 'planera skolgången',
  form: 'written',
  givenOn: '2026-11-20',
  validUntil: '',
  ...over,
});

const plan = (over: Partial<PlanDraft> = {}): PlanDraft => ({
  needs: 'Svårt med morgnarna.',
  goals: ['Närvaro minst 80 %', ''],
  leadParty: 'Socialtjänsten',
  followUpOn: '2027-01-15',
  actions: [
    { contactId: '', who: 'Familjebehandlare', what: 'Möter vid entrén', dueOn: '' },
    { contactId: '', who: '', what: '', dueOn: '' },
  ],
  ...over,
});

describe('dates', () => {
  it('accepts real YYYY-MM-DD dates only', () => {
    expect(isIsoDate('2027-01-15')).toBe(true);
    expect(isIsoDate(' 2028-02-29 ')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('15/1/2027')).toBe(false);
    expect(isIsoDate('2027-1-5')).toBe(false);
  });
  it('gives today as a local date', () => {
    expect(todayIso(new Date(2026, 10, 5, 23, 30))).toBe('2026-11-05');
  });
});

describe('consent form', () => {
  it('is fine when filled in', () => {
    expect(consentProblems(consent(), TODAY)).toEqual({});
  });
  it('marks every missing field', () => {
    const p = consentProblems(consent({ givenBy: '', scope: ' ', recipient: '', purpose: '', form: '', givenOn: '' }), TODAY);
    expect(p).toEqual({ givenBy: 'choice', scope: 'required', recipient: 'required', purpose: 'required', form: 'choice', givenOn: 'required' });
  });
  it('refuses a consent given in the future or ending before it was given', () => {
    expect(consentProblems(consent({ givenOn: '2026-11-26' }), TODAY)).toEqual({ givenOn: 'future' });
    expect(consentProblems(consent({ validUntil: '2026-11-19' }), TODAY)).toEqual({ validUntil: 'before' });
    expect(consentProblems(consent({ validUntil: '30 juni' }), TODAY)).toEqual({ validUntil: 'date' });
  });
  it('sends the pupil as no guardian and an empty end as none', () => {
    const input = consentInput('c1', consent({ givenBy: PUPIL, scope: ' närvaro ' }));
    expect(input).toMatchObject({ case_id: 'c1', guardian_id: null, scope: 'närvaro', valid_until: null, form: 'written' });
    expect(consentInput('c1', consent({ validUntil: '2027-06-30' })).guardian_id).toBe('g1');
  });
  it('withdraws from a date not in the future and not before the consent', () => {
    expect(withdrawProblem('2026-11-25', '2026-11-20', TODAY)).toBeNull();
    expect(withdrawProblem('2026-11-26', '2026-11-20', TODAY)).toBe('future');
    expect(withdrawProblem('2026-11-19', '2026-11-20', TODAY)).toBe('before');
    expect(withdrawProblem('', '2026-11-20', TODAY)).toBe('required');
  });
});

describe('collaboration plan form', () => {
  it('is fine when filled in, and leaves out blank goals and empty actions', () => {
    expect(planProblems(plan())).toEqual({});
    const input = planInput('c1', plan());
    expect(input.goals).toEqual(['Närvaro minst 80 %']);
    expect(input.actions).toEqual([{ who: 'Familjebehandlare', contact_id: null, what: 'Möter vid entrén', due_on: null }]);
  });
  it('sends a picked key person as the owner, by id and name', () => {
    const picked = plan({ actions: [{ contactId: 'k1', who: 'Fiktiv Mentor', what: 'Ringer hem', dueOn: '' }] });
    expect(planProblems(picked)).toEqual({});
    expect(planInput('c1', picked).actions).toEqual([{ who: 'Fiktiv Mentor', contact_id: 'k1', what: 'Ringer hem', due_on: null }]);
  });
  it('needs a goal, a lead party, a follow-up date and whole actions', () => {
    const p = planProblems(
      plan({ needs: '', goals: ['', ' '], leadParty: '', followUpOn: '15 jan', actions: [{ contactId: '', who: 'Mentor', what: '', dueOn: 'snart' }] }),
    );
    expect(p).toEqual({
      needs: 'required',
      goals: 'items',
      leadParty: 'required',
      followUpOn: 'date',
      'action-0-what': 'row',
      'action-0-dueOn': 'date',
    });
  });
  it('revises a plan from where it stands: its own actions keep their ids, new ones have none', () => {
    const draft = planDraftOf({
      id: 'p1',
      case_id: 'c1',
      needs: 'Svårt med morgnarna.',
      goals: [],
      lead_party: 'Socialtjänsten',
      follow_up_on: '2027-01-15',
      created_at: '2026-12-01T08:00:00.000Z',
      author: 'Fiktiv Handläggare',
      actions: [
        { id: 'a1', who: 'Mentor', owner: null, what: 'Möter vid entrén', due_on: '2027-01-10', status: 'ongoing', conflicts: [], schedule: null, results: [] },
      ],
      version: 1,
      concurrent: false,
    });
    expect(draft.goals).toEqual(['']);
    expect(draft.actions).toEqual([{ id: 'a1', contactId: '', who: 'Mentor', what: 'Möter vid entrén', dueOn: '2027-01-10' }]);
    draft.goals = ['Närvaro minst 80 %'];
    draft.actions.push({ contactId: '', who: '', what: '', dueOn: '' }, { contactId: '', who: 'BUP', what: 'Samtal om sömn', dueOn: '' });
    const revision = planRevision('p1', draft);
    expect(revision.plan_id).toBe('p1');
    expect('case_id' in revision).toBe(false);
    expect(revision.actions).toEqual([
      { id: 'a1', who: 'Mentor', contact_id: null, what: 'Möter vid entrén', due_on: '2027-01-10' },
      { id: null, who: 'BUP', contact_id: null, what: 'Samtal om sömn', due_on: null },
    ]);
  });
});

describe('concern form', () => {
  const now = new Date(2026, 10, 25, 10, 0);
  it('needs when, to whom, by whom and a summary; not in the future', () => {
    expect(concernProblems({ reportedAt: '2026-11-25T09:30', toWhom: 'Mottagningen', byWhom: 'Fiktiv', summary: 'Oro.' }, now)).toEqual({});
    expect(concernProblems({ reportedAt: '', toWhom: '', byWhom: ' ', summary: '' }, now)).toEqual({
      reportedAt: 'required',
      toWhom: 'required',
      byWhom: 'required',
      summary: 'required',
    });
    expect(concernProblems({ reportedAt: '2026-11-26T09:30', toWhom: 'M', byWhom: 'F', summary: 'O' }, now)).toEqual({ reportedAt: 'future' });
  });
});

describe('the core’s form rules', () => {
  it('are the table the forms check with', () => {
    expect(FORM_RULES.map((r) => r.form)).toEqual(['consent', 'withdrawal', 'plan', 'concern']);
    const consentRules = formFields('consent');
    expect(consentRules.find((f) => f.key === 'given_on')?.check).toEqual({ type: 'date', not_future: true, not_before: null });
    expect(consentRules.find((f) => f.key === 'valid_until')).toMatchObject({
      required: false,
      check: { type: 'date', not_future: false, not_before: 'given_on' },
    });
    expect(formFields('concern').find((f) => f.key === 'reported_at')?.check).toEqual({ type: 'moment', slack_seconds: 60 });
  });
  it('ask for every required field the core asks for', () => {
    const empty = consentProblems(consent({ givenBy: '', scope: '', recipient: '', purpose: '', form: '', givenOn: '' }), TODAY);
    const required = formFields('consent').filter((f) => f.required).map((f) => f.key);
    expect(Object.keys(empty).length).toBe(required.length);
  });
  it('refuse text longer than the core takes', () => {
    const max = formFields('plan').find((f) => f.key === 'needs')?.check;
    expect(max?.type).toBe('text');
    const long = 'a'.repeat(max?.type === 'text' ? max.max_chars + 1 : 0);
    expect(planProblems(plan({ needs: long }))).toEqual({ needs: 'too_long' });
  });
  it('have a label for every field and words for every problem', () => {
    const keys = new Set(Object.keys(sv));
    for (const rules of FORM_RULES) {
      for (const f of rules.fields) {
        expect(keys.has(FIELD_LABELS[rules.form][f.key] ?? ''), `${rules.form}.${f.key}`).toBe(true);
      }
    }
    const problems = [...readFileSync(join(__dirname, '../../src/lib/bindings/FormProblem.ts'), 'utf8').matchAll(/"([a-z_]+)"/gu)];
    expect(problems.length).toBeGreaterThanOrEqual(9);
    for (const [, p] of problems) expect(keys.has(`form.problem_${p}`), p).toBe(true);
  });
});

describe('check-in correction', () => {
  it('suggests a text from the choices', () => {
    expect(suggestCorrection('Sen', '09:30', '')).toBe('Sen 09:30.');
    expect(suggestCorrection('Ej sedd', '', ' ')).toBe('Ej sedd.');
    expect(suggestCorrection('Kom', '09:30', 'Kom med mamma')).toBe('Kom 09:30. Kom med mamma');
  });
  it('needs a text and a reason, and a time only as HH:MM', () => {
    expect(correctionProblems({ arrival: 'late', time: '09:30', text: 'Sen 09:30.', reason: 'Kom senare' })).toEqual({});
    expect(correctionProblems({ arrival: 'late', time: '9.30', text: ' ', reason: '' })).toEqual({ time: 'time', text: 'required', reason: 'required' });
    expect(isClockTime('23:59')).toBe(true);
    expect(isClockTime('24:00')).toBe(false);
  });
});
