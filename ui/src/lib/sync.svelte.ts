// The sync status shown in the header and the sync panel. The shell's
// background loop emits a new status after every round (SYNC_EVENT); the
// UI also re-reads it after its own writes and on the sync panel.

import { api, onSync } from './api';
import type { SyncStatus } from './bindings/SyncStatus';

export const sync = $state<{ status: SyncStatus | null }>({ status: null });

export async function refreshSync(): Promise<void> {
  try {
    sync.status = await api.syncStatus();
  } catch {
    sync.status = null;
  }
}

export function clearSync(): void {
  sync.status = null;
}

/** Follows the shell's sync events; returns the unlisten function. */
export function followSync(): Promise<() => void> {
  return onSync((s) => (sync.status = s));
}
