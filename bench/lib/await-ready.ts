/**
 * How a standalone producer thread waits for a segment or ring space now that strom never blocks
 * (channel scenarios), as a task slot does (`SlotScheduler`): poll a cheap retry with strom's
 * adaptive `SpinBudget` (50 µs at first, see spin-until.ts; the consumer thread usually frees one within microseconds
 * and a waitAsync wake-up costs an event-loop turn), then await the non-blocking wake-up.
 * Throws when the run was aborted.
 */
import type { SpinBudget } from './strom.js';

export async function awaitReady(
  retry: () => boolean,
  wake: (retry: () => boolean, timeoutMs: number) => Promise<void>,
  spin: SpinBudget,
  waitMs: number,
  aborted: () => boolean,
): Promise<void> {
  if (spin.spin(retry, aborted)) return;
  while (!retry()) {
    if (aborted()) throw new Error('cancelled while waiting for the consumer');
    await wake(retry, waitMs);
  }
  spin.woke();
}
