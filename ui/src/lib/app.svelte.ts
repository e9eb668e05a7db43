// The UI's own state: which screen, privacy mode, the session. Journal data
// lives only in the screen components that show it and is dropped when the
// journal locks; nothing is written to localStorage, IndexedDB or caches.

import type { LockReason } from './bindings/LockReason';
import type { Settings } from './bindings/Settings';
import type { EntryView } from './bindings/EntryView';

export type Screen =
  | { name: 'loading' }
  | { name: 'first-run' }
  | { name: 'unlock' }
  | { name: 'start-again' }
  | { name: 'caseload' }
  | { name: 'case'; caseId: string }
  | { name: 'entry'; caseId: string; entry?: EntryView }
  | { name: 'checkin' }
  | { name: 'search' }
  | { name: 'add-pupil' }
  | { name: 'attendance' }
  | { name: 'contacts' }
  | { name: 'settings' };

export const app = $state<{
  screen: Screen;
  privacy: boolean;
  author: string | null;
  settings: Settings;
  lockReason: LockReason | null;
  /** A short confirmation shown in the status line ("Signerad."). */
  notice: string | null;
}>({
  screen: { name: 'loading' },
  privacy: false,
  author: null,
  settings: { idle_minutes: 5 },
  lockReason: null,
  notice: null,
});

export function go(screen: Screen): void {
  app.notice = null;
  app.screen = screen;
}

export function unlocked(): boolean {
  const n = app.screen.name;
  // Starting again creates and unlocks a journal half-way; it stays one
  // flow, without the menu, until the caseload is in.
  return n !== 'loading' && n !== 'first-run' && n !== 'unlock' && n !== 'start-again';
}

/** Forget everything shown; the next screen is the unlock screen. */
export function showLocked(reason: LockReason | null): void {
  app.author = null;
  app.notice = null;
  app.lockReason = reason;
  app.screen = { name: 'unlock' };
}
