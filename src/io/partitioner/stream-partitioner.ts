/**
 * `StreamPartitioner`: a `ChannelSelector` that also describes the edge it partitions, as in
 * Flink (flink-streaming-java/.../runtime/partitioner/StreamPartitioner.java). The record writer
 * needs only `ChannelSelector`; the graph layer uses `isPointwise` and `copy`.
 */
import type { ChannelSelector } from './channel-selector.js';

export interface StreamPartitioner<T> extends ChannelSelector<T> {
  /**
   * True for pointwise edges (forward, rescale): each producer connects to a subset of the
   * consumers rather than to all of them. The graph layer decides the subsets.
   */
  isPointwise(): boolean;
  /** A fresh, un-set-up partitioner with the same settings, for another producer subtask. */
  copy(): StreamPartitioner<T>;
}
