// The date picker's calendar: months as weeks Monday first, and moving a
// day, a week or a month, on dates written YYYY-MM-DD (the Swedish way,
// the core's and the journal's). Local calendar days only: no time, no
// time zone. Kept apart from the component so it can be unit tested.

import { isIsoDate, todayIso } from './caseForms';

/** The weekdays as the core takes them and the words are keyed, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function parts(iso: string): [number, number, number] {
  const [y, m, d] = iso.split('-').map(Number);
  return [y ?? 1970, m ?? 1, d ?? 1];
}

function iso(y: number, m: number, d: number): string {
  // Through Date so that overflow (day 32, month 13) rolls over.
  const date = new Date(y, m - 1, d, 12);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(y, m, 0, 12).getDate();
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = parts(day);
  return iso(y, m, d + n);
}

/** The same day `n` months on, or the month's last day when it is shorter
 *  (31 January + 1 month = 28 or 29 February). */
export function addMonths(day: string, n: number): string {
  const [y, m, d] = parts(day);
  const first = iso(y, m + n, 1);
  const [fy, fm] = parts(first);
  return iso(fy, fm, Math.min(d, daysInMonth(fy, fm)));
}

/** Monday = 0 … Sunday = 6. */
export function weekdayIndex(day: string): number {
  const [y, m, d] = parts(day);
  return (new Date(y, m - 1, d, 12).getDay() + 6) % 7;
}

/** The month of `day` as weeks, Monday first; days outside it are null. */
export function monthWeeks(day: string): (string | null)[][] {
  const [y, m] = parts(day);
  const first = iso(y, m, 1);
  const cells: (string | null)[] = Array(weekdayIndex(first)).fill(null);
  for (let d = 1; d <= daysInMonth(y, m); d++) cells.push(iso(y, m, d));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Where the calendar opens: the field's date when it is one, else today. */
export function startDay(value: string, today = todayIso()): string {
  return isIsoDate(value) ? value.trim() : today;
}

export type CalendarKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'PageUp' | 'PageDown' | 'Home' | 'End';

/** The day a key moves to in the calendar grid (the WAI-ARIA date picker
 *  keys); null for a key the grid does not move on. */
export function moveKey(day: string, key: string): string | null {
  switch (key as CalendarKey) {
    case 'ArrowLeft':
      return addDays(day, -1);
    case 'ArrowRight':
      return addDays(day, 1);
    case 'ArrowUp':
      return addDays(day, -7);
    case 'ArrowDown':
      return addDays(day, 7);
    case 'PageUp':
      return addMonths(day, -1);
    case 'PageDown':
      return addMonths(day, 1);
    case 'Home':
      return addDays(day, -weekdayIndex(day));
    case 'End':
      return addDays(day, 6 - weekdayIndex(day));
    default:
      return null;
  }
}

export function monthOf(day: string): { year: number; month: number } {
  const [year, month] = parts(day);
  return { year, month };
}
