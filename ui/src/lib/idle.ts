// Idle tracking in the UI. The shell enforces the auto-lock with its own
// timer (src-tauri); the UI reports activity to it, throttled, and also
// locks by itself when it sees no input for the idle time.

export const PING_EVERY_MS = 15_000;
const EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;

export interface IdleOptions {
  idleMinutes: () => number;
  active: () => boolean;
  ping: () => void;
  onIdle: () => void;
  now?: () => number;
}

export class IdleTracker {
  private last: number;
  private lastPing = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: IdleOptions) {
    this.now = opts.now ?? (() => Date.now());
    this.last = this.now();
  }

  /** Records user input; pings the shell at most every PING_EVERY_MS. */
  activity = (): void => {
    const now = this.now();
    this.last = now;
    if (this.opts.active() && now - this.lastPing >= PING_EVERY_MS) {
      this.lastPing = now;
      this.opts.ping();
    }
  };

  /** Calls onIdle when active and idle for the configured minutes. */
  check = (): void => {
    if (!this.opts.active()) {
      this.last = this.now();
      return;
    }
    if (this.now() - this.last >= this.opts.idleMinutes() * 60_000) {
      this.last = this.now();
      this.opts.onIdle();
    }
  };

  start(target: Window): () => void {
    for (const e of EVENTS) target.addEventListener(e, this.activity, { passive: true, capture: true });
    this.timer = setInterval(this.check, 5_000);
    return () => {
      for (const e of EVENTS) target.removeEventListener(e, this.activity, { capture: true });
      if (this.timer) clearInterval(this.timer);
    };
  }
}
