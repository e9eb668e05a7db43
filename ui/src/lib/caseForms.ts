// What the case view's forms check before they call the shell: consent,
// withdrawal, collaboration plan, concern report. The rules are the core's
// own table (form_rules::rules, generated into bindings/caseFormRules.ts), the
// one the core checks every input with; this interprets it on the text as
// typed, so that the form says what is wrong, in the user's language, next
// to the field, without losing anything typed. Kept apart from the
// components so it can be unit tested.

import type { Form } from './bindings/Form';
import type { FormField } from './bindings/FormField';
import type { FormProblem } from './bindings/FormProblem';
import type { NewAction } from './bindings/NewAction';
import type { ConsentForm } from './bindings/ConsentForm';
import type { NewConsent } from './bindings/NewConsent';
import type { NewPlan } from './bindings/NewPlan';
import type { PlanRevision } from './bindings/PlanRevision';
import type { PlanView } from './bindings/PlanView';
import { FORM_RULES } from './bindings/caseFormRules';
import type { Key } from './i18n/translate';

/** A problem with one field; the form shows `form.problem_<name>`. The
 *  check-in correction, the entry form, the schedule and the programme
 *  forms add their own. */
export type Problem = FormProblem | 'time' | 'minutes' | 'days' | 'past';
export type Problems = Record<string, Problem>;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Today's local date, YYYY-MM-DD. */
export function todayIso(now = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A real calendar date written YYYY-MM-DD (the Swedish way), trimmed. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(s.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d;
}

const blank = (s: string): boolean => s.trim() === '';
/** Characters as the core counts them (code points, not UTF-16 units). */
const chars = (s: string): number => [...s.trim()].length;

/** A form's values as typed, by the core's field names: text, the items
 *  of a list, or rows of such values. A choice not made is ''. */
type Typed = string | string[] | Values[];
type Values = Record<string, Typed>;

/** What the interpreter needs besides the form: today and now. */
interface Clock {
  today: string;
  now: Date;
}

function rulesByForm(): Record<Form, readonly FormField[]> {
  const byForm = {} as Record<Form, readonly FormField[]>;
  for (const r of FORM_RULES) byForm[r.form] = r.fields;
  return byForm;
}

const RULES = rulesByForm();

/** The core's rules of `form`, for a test that holds the UI to them. */
export function formFields(form: Form): readonly FormField[] {
  return RULES[form];
}

const text = (v: Typed | undefined): string => (typeof v === 'string' ? v : '');

function rowBlank(row: Values): boolean {
  return Object.values(row).every((v) => blank(text(v)));
}

/** The problem of one field's value under its rule, or null. */
function problemOf(f: FormField, value: Typed | undefined, all: Values, clock: Clock): FormProblem | null {
  const check = f.check;
  switch (check.type) {
    case 'text': {
      const s = text(value);
      if (blank(s)) return f.required ? 'required' : null;
      return chars(s) > check.max_chars ? 'too_long' : null;
    }
    case 'choice':
      return f.required && text(value) === '' ? 'choice' : null;
    case 'date': {
      const s = text(value).trim();
      if (s === '') return f.required ? 'required' : null;
      if (!isIsoDate(s)) return 'date';
      if (check.not_future && s > clock.today) return 'future';
      const other = check.not_before === null ? '' : text(all[check.not_before]).trim();
      // Compared only with a real date: a broken one is its own field's problem.
      return isIsoDate(other) && s < other ? 'before' : null;
    }
    case 'moment': {
      const s = text(value);
      if (blank(s)) return f.required ? 'required' : null;
      const at = new Date(s);
      if (Number.isNaN(at.getTime())) return 'datetime';
      return at.getTime() > clock.now.getTime() + check.slack_seconds * 1000 ? 'future' : null;
    }
    case 'items': {
      const given = (Array.isArray(value) ? value : []).filter((s): s is string => typeof s === 'string' && !blank(s));
      if (given.length < check.min) return 'items';
      return given.some((s) => chars(s) > check.max_chars) ? 'too_long' : null;
    }
    case 'rows':
      // Rows are checked column by column in `check`.
      return null;
  }
}

/** Every problem of `values` under `form`'s rules, by field name; a row's
 *  by `<field>.<row>.<column>`. */
function check(form: Form, values: Values, clock: Clock): Record<string, FormProblem> {
  const problems: Record<string, FormProblem> = {};
  for (const f of RULES[form]) {
    if (f.check.type === 'rows') {
      const columns = f.check.fields;
      const rows = (Array.isArray(values[f.key]) ? values[f.key] : []) as Values[];
      rows.forEach((row, i) => {
        // A row left wholly empty is simply not sent.
        if (rowBlank(row)) return;
        for (const c of columns) {
          const p = problemOf(c, row[c.key], values, clock);
          if (p) problems[`${f.key}.${i}.${c.key}`] = p === 'required' ? 'row' : p;
        }
      });
      continue;
    }
    const p = problemOf(f, values[f.key], values, clock);
    if (p) problems[f.key] = p;
  }
  return problems;
}

/** A draft's key by the core's name of the field, where they differ. */
type Names = Record<string, string>;

/** A draft (and its rows) under the core's field names. */
function coreValues(draft: object, names: Names): Values {
  const core = Object.fromEntries(Object.entries(names).map(([c, d]) => [d, c]));
  const values: Values = {};
  for (const [key, value] of Object.entries(draft) as [string, unknown][]) {
    const rows = Array.isArray(value) && value.some((v) => typeof v === 'object');
    values[core[key] ?? key] = rows ? (value as object[]).map((r) => coreValues(r, names)) : (value as Typed);
  }
  return values;
}

/** Every problem of `draft` under `form`'s rules, by the draft's keys; a
 *  row's column by `rowKey`. */
function draftProblems(
  form: Form,
  draft: object,
  names: Names,
  clock: Clock,
  rowKey: (i: string, column: string) => string = (i, c) => `${i}-${c}`,
): Problems {
  const out: Problems = {};
  for (const [key, p] of Object.entries(check(form, coreValues(draft, names), clock))) {
    const [field = key, i, column] = key.split('.');
    out[i === undefined || column === undefined ? (names[field] ?? field) : rowKey(i, names[column] ?? column)] = p;
  }
  return out;
}

/** The consent form as typed. `givenBy` is a guardian id, 'pupil', or ''. */
export interface ConsentDraft {
  givenBy: string;
  scope: string;
  recipient: string;
  purpose: string;
  form: ConsentForm | '';
  givenOn: string;
  validUntil: string;
}

export const PUPIL = 'pupil';

const CONSENT_KEYS: Names = { guardian_id: 'givenBy', given_on: 'givenOn', valid_until: 'validUntil' };

export function consentProblems(c: ConsentDraft, today = todayIso()): Problems {
  return draftProblems('consent', c, CONSENT_KEYS, { today, now: new Date() });
}

export function consentInput(caseId: string, c: ConsentDraft): NewConsent {
  return {
    case_id: caseId,
    guardian_id: c.givenBy === PUPIL ? null : c.givenBy,
    scope: c.scope.trim(),
    recipient: c.recipient.trim(),
    purpose: c.purpose.trim(),
    form: c.form === '' ? 'oral' : c.form,
    given_on: c.givenOn.trim(),
    valid_until: blank(c.validUntil) ? null : c.validUntil.trim(),
  };
}

/** The withdrawal date, under the rules of the consent given on `givenOn`. */
export function withdrawProblem(on: string, givenOn: string, today = todayIso()): Problem | null {
  return check('withdrawal', { on, given_on: givenOn }, { today, now: new Date() }).on ?? null;
}

export interface ActionDraft {
  /** The plan's own action, when revising; none for a new one. */
  id?: string;
  /** A key person of the team who does it, by id; '' when `who` is typed. */
  contactId: string;
  /** Typed, or the picked key person's name. */
  who: string;
  what: string;
  dueOn: string;
}

export interface PlanDraft {
  needs: string;
  goals: string[];
  leadParty: string;
  followUpOn: string;
  actions: ActionDraft[];
}

const emptyAction = (a: ActionDraft): boolean =>
  a.contactId === '' && blank(a.who) && blank(a.what) && blank(a.dueOn);

const PLAN_KEYS: Names = { lead_party: 'leadParty', follow_up_on: 'followUpOn', due_on: 'dueOn' };

/** Keys: needs, goals, leadParty, followUpOn, action-<i>-who/what/dueOn. */
export function planProblems(plan: PlanDraft, today = todayIso()): Problems {
  return draftProblems('plan', plan, PLAN_KEYS, { today, now: new Date() }, (i, c) => `action-${i}-${c}`);
}

export function planInput(caseId: string, plan: PlanDraft): NewPlan {
  const actions: NewAction[] = plan.actions
    .filter((a) => !emptyAction(a))
    .map((a) => ({
      who: a.who.trim(),
      contact_id: a.contactId === '' ? null : a.contactId,
      what: a.what.trim(),
      due_on: blank(a.dueOn) ? null : a.dueOn.trim(),
    }));
  return {
    case_id: caseId,
    needs: plan.needs.trim(),
    goals: plan.goals.map((g) => g.trim()).filter((g) => g !== ''),
    lead_party: plan.leadParty.trim(),
    follow_up_on: plan.followUpOn.trim(),
    actions,
  };
}

/** A plan as it stands, to revise. */
export function planDraftOf(plan: PlanView): PlanDraft {
  return {
    needs: plan.needs,
    goals: plan.goals.length > 0 ? [...plan.goals] : [''],
    leadParty: plan.lead_party,
    followUpOn: plan.follow_up_on,
    actions: plan.actions.map((a) => ({
      id: a.id,
      contactId: a.owner?.contact_id ?? '',
      who: a.who,
      what: a.what,
      dueOn: a.due_on ?? '',
    })),
  };
}

/** The new version of a plan from its draft; its own actions keep their ids. */
export function planRevision(planId: string, plan: PlanDraft): PlanRevision {
  const { case_id: _, ...rest } = planInput('', plan);
  const kept = plan.actions.filter((a) => !emptyAction(a));
  return {
    ...rest,
    plan_id: planId,
    actions: rest.actions.map((a, i) => ({ ...a, id: kept[i]?.id ?? null })),
  };
}

export interface ConcernDraft {
  /** A datetime-local value. */
  reportedAt: string;
  toWhom: string;
  byWhom: string;
  summary: string;
}

const CONCERN_KEYS: Names = { reported_at: 'reportedAt', to_whom: 'toWhom', by_whom: 'byWhom' };

export function concernProblems(c: ConcernDraft, now = new Date()): Problems {
  return draftProblems('concern', c, CONCERN_KEYS, { today: todayIso(now), now });
}

/** The label of a form's field, by the core's name: what a refusal of the
 *  core names (`reason.form-field`). */
export const FIELD_LABELS: Record<Form, Record<string, Key>> = {
  consent: {
    guardian_id: 'consent.given_by',
    scope: 'consent.scope',
    recipient: 'consent.recipient',
    purpose: 'consent.purpose',
    form: 'consent.form',
    given_on: 'consent.given_on',
    valid_until: 'consent.valid_until',
  },
  withdrawal: { on: 'consent.withdrawn_on' },
  plan: {
    needs: 'plan.needs',
    goals: 'plan.goals',
    lead_party: 'plan.lead',
    follow_up_on: 'plan.follow_up',
    actions: 'plan.actions',
  },
  concern: {
    reported_at: 'concern.reported_at',
    to_whom: 'concern.to_whom',
    by_whom: 'concern.by_whom',
    summary: 'concern.summary',
  },
};
