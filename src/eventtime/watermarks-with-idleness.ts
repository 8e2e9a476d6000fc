/**
 * Wraps a generator so that a stream without events for `idleTimeout` ms of processing time is
 * marked idle (Flink's WatermarksWithIdleness): downstream event time then stops waiting for it.
 * Inactivity is checked on the periodic emit (Flink's IdlenessTimer): the first periodic call
 * without events since the last one starts the timer, and a later one more than `idleTimeout`
 * after that start marks the output idle (once) instead of asking the inner generator. So idleness
 * needs periodic emission (`pipeline.auto-watermark-interval` > 0).
 *
 * Where strom differs: the first event after idleness marks the output active at once; Flink
 * waits for the next watermark that moves forward, so a late event would leave the stream idle.
 */
import { errors } from '../errors.js';
import type { RelativeClock } from './relative-clock.js';
import type { WatermarkGenerator } from './watermark-generator.js';
import type { WatermarkOutput } from './watermark-output.js';

export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly idlenessTimer: IdlenessTimer;
  private isIdleNow = false;

  constructor(
    private readonly watermarks: WatermarkGenerator<T>,
    idleTimeout: number,
    clock: RelativeClock,
  ) {
    this.idlenessTimer = new IdlenessTimer(clock, checkIdleTimeout(idleTimeout));
  }

  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, eventTimestamp, output);
    this.idlenessTimer.activity();
    if (this.isIdleNow) {
      this.isIdleNow = false;
      output.markActive();
    }
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.idlenessTimer.checkIfIdle()) {
      if (!this.isIdleNow) {
        output.markIdle();
        this.isIdleNow = true;
      }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }
}

/** Counts events between periodic checks and measures how long none came. */
export class IdlenessTimer {
  private counter = 0;
  private lastCounter = 0;
  /** When the current stretch without events was first seen; undefined while events come. */
  private startOfInactivity: number | undefined;

  constructor(
    private readonly clock: RelativeClock,
    private readonly maxIdleTime: number,
  ) {}

  activity(): void {
    this.counter++;
  }

  /** True once no event came for more than the idle timeout, measured from the first check that saw none. */
  checkIfIdle(): boolean {
    if (this.counter !== this.lastCounter) {
      this.lastCounter = this.counter;
      this.startOfInactivity = undefined;
      return false;
    }
    if (this.startOfInactivity === undefined) {
      this.startOfInactivity = this.clock.relativeTimeMillis();
      return false;
    }
    return this.clock.relativeTimeMillis() - this.startOfInactivity > this.maxIdleTime;
  }
}

/** `ms` when it is a valid idle timeout; a RangeError saying what is accepted otherwise. */
export function checkIdleTimeout(ms: number): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms <= 0) {
    throw errors.argumentOutOfRange('idleTimeout', ms, 'expected milliseconds as an integer > 0');
  }
  return ms;
}
