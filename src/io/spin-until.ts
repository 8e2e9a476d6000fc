/**
 * The bounded synchronous poll strom does before it waits for another thread: a consumer before
 * it sleeps on its input group, a task slot before it awaits input or output availability
 * through the event loop. A sleep/wake or `Atomics.waitAsync` round trip costs tens of µs (a
 * futex wake in the other thread, a thread or event-loop wake-up here); in a busy pipeline the
 * other side publishes or recycles within that, and a poll that sees it saves both sides the
 * syscalls. The poll is bounded by time, not by a count, so its cost does not depend on how
 * cheap `ready` is.
 *
 * It adapts (`SpinBudget`): a poll that found what it waited for doubles the next budget, one
 * that did not halves it, and a wait that ended soon after the thread went to sleep raises the
 * budget to cover such a wait next time. The last matters in a steady stream whose consumer is
 * faster than its producer: it waits once per segment, for a gap longer than a wake-up round
 * trip. Sleeping each time costs a futex wake per segment, and the kernel's wake-affine placement
 * then tends to put both threads on one CPU, where they take turns. Each poll is also bounded by
 * SPIN_WORK_FACTOR times what the thread worked since its last wait (never below SPIN_BASE_MS), so
 * polling costs at most a fixed share of a busy thread's CPU and little for a mostly idle one.
 * When the other thread cannot run (more threads than free cores) or is idle, polls fail and the
 * budget drops to SPIN_MIN_MS, so the thread waits almost at once.
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

/** The first budget, in ms, and the work bound's floor: about one wake-up round trip. */
export const SPIN_BASE_MS = 0.05;
/** The longest poll, in ms: a wait longer than this is not a gap in a stream. */
export const SPIN_MAX_MS = 0.5;
/** The shortest poll, in ms, after polls that found nothing. */
export const SPIN_MIN_MS = 0.002;
/** A poll lasts at most this many times the thread's work since its last wait (or SPIN_BASE_MS). */
export const SPIN_WORK_FACTOR = 2;
/** A short wait raises the budget to this many times its length (jitter). */
const WAIT_MARGIN = 1.5;
/** Waits without raising after a raised budget still found nothing (see `woke`). */
export const RAISE_COOLDOWN = 32;

/** An adaptive poll budget (see the module comment); one per waiting thread and purpose. */
export class SpinBudget {
  /** The learned budget, in ms; the next poll lasts `limit()`. */
  ms = SPIN_BASE_MS;
  /** When the last wait ended (the thread has been working since). */
  private waitEnded: number;
  /** When the current wait started (its poll). */
  private waitStarted: number;
  /** The last `woke()` raised the budget. */
  private raised = false;
  /** Waits left before `woke()` may raise the budget again. */
  private cooldown = 0;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.waitEnded = this.waitStarted = now();
  }

  /** How long the next poll may last, in ms: the learned budget, bounded by the work since the last wait. */
  limit(): number {
    return Math.min(this.ms, Math.max(SPIN_BASE_MS, SPIN_WORK_FACTOR * (this.now() - this.waitEnded)));
  }

  /**
   * Starts a wait: `spinUntil(ready, this.limit(), stop)`, then doubles the budget if it found
   * `ready`, else halves it. When it returns false the caller sleeps, then calls `woke()`.
   */
  spin(ready: () => boolean, stop: () => boolean): boolean {
    this.waitStarted = this.now();
    const found = spinUntil(ready, this.limit(), stop);
    this.ms = found ? Math.min(SPIN_MAX_MS, this.ms * 2) : Math.max(SPIN_MIN_MS, this.ms / 2);
    if (found) {
      this.waitEnded = this.now();
      this.cooldown = 0;
    } else if (this.raised) this.cooldown = RAISE_COOLDOWN;
    else if (this.cooldown > 0) this.cooldown--;
    this.raised = false;
    return found;
  }

  /**
   * Ends the wait after a poll that found nothing (the sleep that followed is over). A wait of at
   * most SPIN_MAX_MS from the poll's start raises the budget to cover it next time; a longer one
   * (a timeout, an idle input) leaves it low. If the next poll still finds nothing, the other
   * thread probably needs this thread's CPU to make progress (both on one CPU: polling only
   * delays it), so no raise for the next RAISE_COOLDOWN waits.
   */
  woke(): void {
    this.waitEnded = this.now();
    const waited = this.waitEnded - this.waitStarted;
    if (waited > SPIN_MAX_MS || this.cooldown > 0) return;
    const ms = Math.min(SPIN_MAX_MS, waited * WAIT_MARGIN);
    if (ms > this.ms) {
      this.ms = ms;
      this.raised = true;
    }
  }
}
