// The check-in board's keyboard map, kept apart from the component so it
// can be unit tested.

import type { Arrival } from './entryKinds';

export type BoardAction =
  | { type: 'move'; by: number }
  | { type: 'first' }
  | { type: 'last' }
  | { type: 'mark'; arrival: Arrival }
  | { type: 'clear' }
  | { type: 'note' }
  | { type: 'save' };

/** What a key pressed on a row (not inside its note) does. */
export function rowKey(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): BoardAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case 'ArrowDown':
    case 'j':
      return { type: 'move', by: 1 };
    case 'ArrowUp':
    case 'k':
      return { type: 'move', by: -1 };
    case 'Home':
      return { type: 'first' };
    case 'End':
      return { type: 'last' };
    case '1':
    case 'a':
      return { type: 'mark', arrival: 'arrived' };
    case '2':
    case 'l':
      return { type: 'mark', arrival: 'late' };
    case '3':
    case 'n':
      return { type: 'mark', arrival: 'not-seen' };
    case '0':
    case 'Backspace':
    case 'Delete':
      return { type: 'clear' };
    case 'ArrowRight':
      return { type: 'note' };
    case 'Enter':
      return { type: 'save' };
    default:
      return null;
  }
}

/** What a key pressed inside a row's note field does (null: type it). */
export function noteKey(e: { key: string }): BoardAction | null {
  switch (e.key) {
    case 'Enter':
      return { type: 'save' };
    case 'ArrowDown':
      return { type: 'move', by: 1 };
    case 'ArrowUp':
      return { type: 'move', by: -1 };
    case 'Escape':
      return { type: 'move', by: 0 };
    default:
      return null;
  }
}

/** A 24-hour HH:MM time, as the core's `time` field takes it. */
export function isClockTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/u.test(s.trim());
}

/** A correction of today's signed check-in, as typed on the board. */
export interface CheckinCorrection {
  arrival: Arrival;
  time: string;
  text: string;
  reason: string;
}

/** What is wrong with a correction (empty: nothing). */
export function correctionProblems(c: CheckinCorrection): Partial<Record<'time' | 'text' | 'reason', 'time' | 'required'>> {
  const p: Partial<Record<'time' | 'text' | 'reason', 'time' | 'required'>> = {};
  if (c.time.trim() !== '' && !isClockTime(c.time)) p.time = 'time';
  if (c.text.trim() === '') p.text = 'required';
  if (c.reason.trim() === '') p.reason = 'required';
  return p;
}

/**
 * The correction text suggested from the choices: "Sen 09:30. Kom med
 * mamma." `arrivalWord` is the arrival in the UI's language.
 */
export function suggestCorrection(arrivalWord: string, time: string, note: string): string {
  const head = `${arrivalWord}${time.trim() ? ` ${time.trim()}` : ''}.`;
  return note.trim() ? `${head} ${note.trim()}` : head;
}
