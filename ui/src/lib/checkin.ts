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
