/**
 * Wait helper for the ringbuf.js baselines. ringbuf.js is wait-free and cannot sleep until
 * data arrives (its users poll, e.g. from an audio callback), so its producer and consumer poll.
 * With one free core per worker pure polling is its fastest mode; when another process takes a
 * core, two pollers sharing one core collapse, so after a long idle streak the poller backs off
 * with a short sleep, as a careful ringbuf.js user would.
 */
import { AbortedError } from './scenario.js';

/** Polls between abort checks. */
const SPINS_PER_CHECK = 4096;
/** Consecutive idle polls (tens of µs) before backing off with a sleep. */
const SPINS_BEFORE_SLEEP = 1 << 14;
/** Back-off sleep in ms. */
const SLEEP_MS = 0.05;

/** Counts idle polls, backs off after a long idle streak, and throws once the peer failed. */
export class Spinner {
  /** Polls that found nothing to do. */
  idle = 0;
  /** Back-off sleeps taken. */
  sleeps = 0;
  private streak = 0;
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly aborted: () => boolean) {}

  /** Call after a poll that made no progress. */
  spin(): void {
    if ((++this.idle & (SPINS_PER_CHECK - 1)) === 0 && this.aborted()) throw new AbortedError();
    if (++this.streak >= SPINS_BEFORE_SLEEP) {
      this.sleeps++;
      // Nobody notifies this word: a plain timed sleep that frees the core.
      Atomics.wait(this.sleepWord, 0, 0, SLEEP_MS);
    }
  }

  /** Call after a poll that made progress: ends the idle streak. */
  progress(): void {
    this.streak = 0;
  }
}
