// What the ladder and schedule forms check before they call the shell.
// Kept apart from the components so it can be unit tested.

import { WEEKDAYS, type Weekday } from './calendar';
import { isIsoDate, type Problems } from './caseForms';
import { isClockTime } from './checkin';
import type { FollowupTask } from './bindings/FollowupTask';
import type { LadderStep } from './bindings/LadderStep';
import { dictionaries, type Key, type Lang } from './i18n/translate';


export const FOLLOWUP_TASKS: readonly FollowupTask[] = ['call-guardian', 'book-home-visit'];

export interface LadderDraft {
  step: string;
  note: string;
  /** '' when no next step is planned. */
  nextStep: string;
  nextOn: string;
}

/** A step must be chosen; a planned next step needs both its step and a
 *  real date (the core refuses one without the other). */
export function ladderProblems(d: LadderDraft): Problems {
  const p: Problems = {};
  if (d.step === '') p.step = 'choice';
  const date = d.nextOn.trim();
  if (d.nextStep !== '' && date === '') p.nextOn = 'required';
  else if (date !== '' && !isIsoDate(date)) p.nextOn = 'date';
  else if (date !== '' && d.nextStep === '') p.nextStep = 'choice';
  return p;
}

export interface ScheduleDraft {
  days: Weekday[];
  time: string;
}

export function scheduleProblems(d: ScheduleDraft): Problems {
  const p: Problems = {};
  if (d.days.length === 0) p.days = 'days';
  if (!isClockTime(d.time.trim())) p.time = 'time';
  return p;
}

/** The days in the core's order, each once. */
export function orderedDays(days: readonly string[]): Weekday[] {
  return WEEKDAYS.filter((d) => days.includes(d));
}

/** A step's words: the municipality's name for a step in force, in the
 *  UI's language; else the UI's own words for a built-in step (one no
 *  longer in force still reads in a history); else its key. */
export function stepName(
  key: string,
  steps: readonly LadderStep[],
  t: (key: Key) => string,
  lang: Lang,
): string {
  const step = steps.find((s) => s.key === key);
  if (step) return lang === 'sv' ? step.name_sv : step.name_en;
  const own = `value.step.${key}`;
  return own in dictionaries.sv ? t(own as Key) : key;
}
