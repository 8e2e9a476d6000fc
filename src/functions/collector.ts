/**
 * Flink's Collector: where a function emits its results (`out.collect(value)`). The records take
 * the timestamp of what is being processed (the input record, or an event-time timer).
 */
export interface Collector<T> {
  collect(value: T): void;
}
