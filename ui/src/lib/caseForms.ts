// What the case view's forms check before they call the shell: consent,
// collaboration plan, concern report, withdrawal. The core checks again;
// this only lets the form say what is wrong, in the user's language, next
// to the field, without losing anything typed. Kept apart from the
// components so it can be unit tested.

import type { NewAction } from './bindings/NewAction';
import type { ConsentForm } from './bindings/ConsentForm';
import type { NewConsent } from './bindings/NewConsent';
import type { NewPlan } from './bindings/NewPlan';

/** A problem with one field; the form shows `form.problem_<name>`. */
export type Problem = 'required' | 'choice' | 'date' | 'future' | 'before_given' | 'goal' | 'action' | 'datetime' | 'time';
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

/** A required date, not after `today` when `notFuture`. */
function dateProblem(s: string, today: string, notFuture: boolean): Problem | null {
  if (blank(s)) return 'required';
  if (!isIsoDate(s)) return 'date';
  if (notFuture && s.trim() > today) return 'future';
  return null;
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

export function consentProblems(c: ConsentDraft, today = todayIso()): Problems {
  const p: Problems = {};
  if (c.givenBy === '') p.givenBy = 'choice';
  for (const key of ['scope', 'recipient', 'purpose'] as const) if (blank(c[key])) p[key] = 'required';
  if (c.form === '') p.form = 'choice';
  const given = dateProblem(c.givenOn, today, true);
  if (given) p.givenOn = given;
  if (!blank(c.validUntil)) {
    if (!isIsoDate(c.validUntil)) p.validUntil = 'date';
    else if (!given && c.validUntil.trim() < c.givenOn.trim()) p.validUntil = 'before_given';
  }
  return p;
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

/** The withdrawal date: a date, not in the future, not before the consent. */
export function withdrawProblem(on: string, givenOn: string, today = todayIso()): Problem | null {
  const p = dateProblem(on, today, true);
  if (p) return p;
  return on.trim() < givenOn ? 'before_given' : null;
}

export interface ActionDraft {
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

const emptyAction = (a: ActionDraft): boolean => blank(a.who) && blank(a.what) && blank(a.dueOn);

/** Keys: needs, goals, leadParty, followUpOn, action-<i>-who/what/dueOn. */
export function planProblems(plan: PlanDraft): Problems {
  const p: Problems = {};
  if (blank(plan.needs)) p.needs = 'required';
  if (plan.goals.every(blank)) p.goals = 'goal';
  if (blank(plan.leadParty)) p.leadParty = 'required';
  if (blank(plan.followUpOn)) p.followUpOn = 'required';
  else if (!isIsoDate(plan.followUpOn)) p.followUpOn = 'date';
  plan.actions.forEach((a, i) => {
    // A row left wholly empty is simply not sent.
    if (emptyAction(a)) return;
    if (blank(a.who)) p[`action-${i}-who`] = 'action';
    if (blank(a.what)) p[`action-${i}-what`] = 'action';
    if (!blank(a.dueOn) && !isIsoDate(a.dueOn)) p[`action-${i}-dueOn`] = 'date';
  });
  return p;
}

export function planInput(caseId: string, plan: PlanDraft): NewPlan {
  const actions: NewAction[] = plan.actions
    .filter((a) => !emptyAction(a))
    .map((a) => ({ who: a.who.trim(), what: a.what.trim(), due_on: blank(a.dueOn) ? null : a.dueOn.trim() }));
  return {
    case_id: caseId,
    needs: plan.needs.trim(),
    goals: plan.goals.map((g) => g.trim()).filter((g) => g !== ''),
    lead_party: plan.leadParty.trim(),
    follow_up_on: plan.followUpOn.trim(),
    actions,
  };
}

export interface ConcernDraft {
  /** A datetime-local value. */
  reportedAt: string;
  toWhom: string;
  byWhom: string;
  summary: string;
}

export function concernProblems(c: ConcernDraft, now = new Date()): Problems {
  const p: Problems = {};
  const at = new Date(c.reportedAt);
  if (blank(c.reportedAt)) p.reportedAt = 'required';
  else if (Number.isNaN(at.getTime())) p.reportedAt = 'datetime';
  else if (at.getTime() > now.getTime() + 60_000) p.reportedAt = 'future';
  for (const key of ['toWhom', 'byWhom', 'summary'] as const) if (blank(c[key])) p[key] = 'required';
  return p;
}
