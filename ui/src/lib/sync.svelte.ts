// The sync status shown in the header and the sync panel. The shell's
// background loop emits a new status after every round (SYNC_EVENT) and,
// while a round runs, how far it has come (PROGRESS_EVENT); the UI also
// re-reads the status after its own writes and on the sync panel.

import { api, onProgress, onSync } from './api';
import type { SyncProgress } from './bindings/SyncProgress';
import type { SyncStatus } from './bindings/SyncStatus';

export const sync = $state<{ status: SyncStatus | null; progress: SyncProgress | null }>({
  status: null,
  progress: null,
});

export async function refreshSync(): Promise<void> {
  try {
    sync.status = await api.syncStatus();
  } catch {
    sync.status = null;
  }
}

export function clearSync(): void {
  sync.status = null;
  sync.progress = null;
}

/**
 * Follows the shell's sync events; returns the unlisten function. A
 * round's last progress stays until another round reports its own, so a
 * bar shows where the last one ended.
 */
export async function followSync(): Promise<() => void> {
  const stops = await Promise.all([
    onSync((s) => (sync.status = s)),
    onProgress((p) => (sync.progress = p)),
  ]);
  return () => stops.forEach((stop) => stop());
}
