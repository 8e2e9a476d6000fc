/**
 * A clock that only measures elapsed time (Flink's RelativeClock), in milliseconds. A generator
 * gets the task's processing-time clock through it (WatermarkGeneratorSupplier.Context), so tests
 * that run on a manual processing-time service drive idleness too.
 */
export interface RelativeClock {
  /** Milliseconds from an arbitrary fixed start; never goes backwards. */
  relativeTimeMillis(): number;
}
