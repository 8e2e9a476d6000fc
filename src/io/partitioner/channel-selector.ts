/**
 * `ChannelSelector`: decides which output channel (subpartition) of a producer each record goes
 * to. Mirrors Flink's `ChannelSelector` / `StreamPartitioner`
 * (flink-runtime/.../io/network/api/writer/ChannelSelector.java,
 * flink-streaming-java/.../runtime/partitioner/).
 *
 * Contract:
 * - `setup(n)` is called once per producer subtask before the first record, with the number of
 *   channels that producer writes to; it may throw (RangeError) on a bad count.
 * - `selectChannel` is the per-record hot path: it returns a channel index in `[0, n)`, allocates
 *   nothing and does not throw (except when a user key selector throws, or for broadcast).
 * - A selector instance belongs to one producer subtask (round-robin state is per producer).
 *   strom's partitioners implement the wider `StreamPartitioner` (stream-partitioner.ts), whose
 *   `copy()` gives an independent instance for each subtask.
 *
 * Depends on nothing.
 */
export interface ChannelSelector<T> {
  /** Flink's name for the partitioning, as shown in plans: `FORWARD`, `REBALANCE`, `HASH`, ... */
  readonly name: string;
  /** Prepares the selector for a producer writing to `numberOfChannels` channels. */
  setup(numberOfChannels: number): void;
  /** Channel index in `[0, numberOfChannels)` for `record`. Not valid for broadcast selectors. */
  selectChannel(record: T): number;
  /** True when every record goes to all channels (the writer must not call `selectChannel`). */
  isBroadcast(): boolean;
}
