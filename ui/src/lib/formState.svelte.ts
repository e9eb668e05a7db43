// The state every checked form shares (the dialogs, the guardian form):
// tried (show problems), busy, the shell's error, and a save that keeps
// everything typed when it fails.

import { tick } from 'svelte';
import { toIpcError } from './api';
import type { IpcError } from './bindings/IpcError';
import type { Problem, Problems } from './caseForms';

export class FormState {
  tried = $state(false);
  busy = $state(false);
  error = $state<IpcError | null>(null);

  /** Checks, then runs `call`; on a problem focuses the first marked field. */
  async submit(form: HTMLFormElement | undefined, problems: Problems, call: () => Promise<void>): Promise<boolean> {
    this.tried = true;
    if (this.busy) return false;
    if (Object.keys(problems).length > 0) {
      await tick();
      // A marked field, or the first radio of a marked group ([data-invalid]).
      form?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid]')?.focus();
      return false;
    }
    this.busy = true;
    this.error = null;
    try {
      await call();
      this.tried = false;
      return true;
    } catch (e) {
      this.error = toIpcError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** A field's problem, once the user has tried to save. */
  shown(problems: Problems, key: string): Problem | null {
    return this.tried ? (problems[key] ?? null) : null;
  }
}
