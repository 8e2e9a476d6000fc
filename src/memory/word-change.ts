/**
 * Waiting for a shared word to change without blocking the thread: the one wake-up primitive of
 * strom's producers (a recycled segment, a freed ring slot). Layer: memory (bottom).
 */

/**
 * Settles once `words[index]` is no longer `expected` (a notify on it, or a change before the
 * wait started) or after `timeoutMs`, via `Atomics.waitAsync`: the event loop keeps running.
 *
 * The caller has already announced itself to the notifying side (a waiter count, a flag) and
 * read `expected` after that; `retry` then re-checks what it waits for, so a change between
 * the read and the wait is never lost. When `retry` returns true the promise settles at once.
 * `done` (withdrawing the announcement) runs exactly once, when the wait ends. While it waits,
 * a timer keeps the event loop alive (a pending waitAsync alone does not).
 */
export function whenWordChanges(
  words: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
  retry: () => boolean,
  done: () => void,
): Promise<void> {
  let waited: ReturnType<typeof Atomics.waitAsync> | undefined;
  try {
    if (!retry()) waited = Atomics.waitAsync(words, index, expected, timeoutMs);
  } finally {
    if (waited === undefined || !waited.async) done();
  }
  if (waited === undefined || !waited.async) return Promise.resolve();
  // A pending waitAsync does not keep Node's event loop alive; this timer does. Its timeout is
  // not a libuv timer and may settle after a timer of the same length fired, so the timer lasts
  // longer: with nothing else alive, the loop would otherwise end in between (exit code 13).
  const keepAlive = setTimeout(noop, timeoutMs + KEEP_ALIVE_SLACK_MS);
  return waited.value.then(() => {
    clearTimeout(keepAlive);
    done();
  });
}

/** How much longer than the wait the keep-alive timer runs (it is cleared when the wait ends). */
const KEEP_ALIVE_SLACK_MS = 1000;

function noop(): void {}
