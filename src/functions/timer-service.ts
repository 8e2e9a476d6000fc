/**
 * Flink's TimerService, as process functions see it through `ctx.timerService()`: the current
 * processing time and watermark, and timers for the current key. Timers are per (key, timestamp)
 * and deduplicated: registering the same time twice for a key fires once. Only keyed streams
 * have timers; on a non-keyed stream registering or deleting one throws.
 */
export interface TimerService {
  /** The processing time of the slot's clock, epoch ms. */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark (-Infinity before the first one). */
  currentWatermark(): number;
  /** Calls `onTimer` once the processing time reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Calls `onTimer` once the watermark reaches `time`. */
  registerEventTimeTimer(time: number): void;
  /** Removes the current key's processing-time timer at `time`, if any. */
  deleteProcessingTimeTimer(time: number): void;
  /** Removes the current key's event-time timer at `time`, if any. */
  deleteEventTimeTimer(time: number): void;
}

/** Which clock a timer fired on (Flink's TimeDomain). */
export const TimeDomain = Object.freeze({ EVENT_TIME: 'EVENT_TIME', PROCESSING_TIME: 'PROCESSING_TIME' } as const);
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];
