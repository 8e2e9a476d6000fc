/**
 * The bounded synchronous poll strom does before it waits for another thread: a consumer before
 * it sleeps on its input group, a task slot before it awaits input or output availability
 * through the event loop. A sleep/wake or `Atomics.waitAsync` round trip costs tens of µs (a
 * futex wake in the other thread, a thread or event-loop wake-up here); in a busy pipeline the
 * other side publishes or recycles within that, and a poll that sees it saves both sides the
 * syscalls. The poll is bounded by time, not by a count, so its cost does not depend on how
 * cheap `ready` is, and it is about one round trip long: polling in vain costs at most what
 * waiting at once would have. It adapts (`SpinBudget`): a poll that found what it waited for
 * doubles the next budget, one that did not halves it. When the other thread cannot run (more
 * threads than free cores: polling only delays it) or is idle, polls fail and the budget drops
 * to SPIN_MIN_MS, so the thread waits almost at once; in a busy pipeline on free cores they
 * succeed and it stays at SPIN_MAX_MS.
 */

/** Polls between two clock reads (and `stop` checks). */
export const POLLS_PER_CHECK = 16;

/**
 * Calls `ready` until it returns true, for up to `budgetMs`; true when it did. False when the
 * time ran out or `stop` (checked every POLLS_PER_CHECK polls, before the clock) returned true.
 * Blocks the thread for at most about `budgetMs`.
 */
export function spinUntil(ready: () => boolean, budgetMs: number, stop: () => boolean): boolean {
  const started = performance.now();
  for (;;) {
    for (let i = 0; i < POLLS_PER_CHECK; i++) if (ready()) return true;
    if (stop() || performance.now() - started >= budgetMs) return false;
  }
}

/** The longest poll, in ms: about one wake-up round trip. */
export const SPIN_MAX_MS = 0.05;
/** The shortest poll, in ms, after polls that found nothing. */
export const SPIN_MIN_MS = 0.002;

/** An adaptive poll budget (see the module comment); one per waiting thread and purpose. */
export class SpinBudget {
  /** The budget of the next poll, in ms. */
  ms = SPIN_MAX_MS;

  /** `spinUntil(ready, this.ms, stop)`, then doubles the budget if it found `ready`, else halves it. */
  spin(ready: () => boolean, stop: () => boolean): boolean {
    const found = spinUntil(ready, this.ms, stop);
    this.ms = found ? Math.min(SPIN_MAX_MS, this.ms * 2) : Math.max(SPIN_MIN_MS, this.ms / 2);
    return found;
  }
}
