/**
 * How a standalone producer thread waits for a segment or ring space now that strom never blocks
 * (channel scenarios): spin on a cheap retry briefly, since the consumer thread usually frees
 * one within microseconds and a waitAsync wake-up costs an event-loop turn, then await the
 * non-blocking wake-up. Throws when the run was aborted.
 */
export async function awaitReady(
  retry: () => boolean,
  wake: (retry: () => boolean, timeoutMs: number) => Promise<void>,
  spins: number,
  waitMs: number,
  aborted: () => boolean,
): Promise<void> {
  for (let i = 0; i < spins; i++) if (retry()) return;
  while (!retry()) {
    if (aborted()) throw new Error('cancelled while waiting for the consumer');
    await wake(retry, waitMs);
  }
}
