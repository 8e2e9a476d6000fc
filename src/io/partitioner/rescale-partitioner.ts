/**
 * Rescale: round robin from channel 0 over the channels of this producer. The edge is pointwise:
 * each producer is connected to a subset of the consumers (e.g. parallelism 2 -> 4 gives each
 * producer two consumers), chosen by the graph layer, so it is cheaper than rebalance.
 * Mirrors Flink's `RescalePartitioner`.
 */
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';

export class RescalePartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'RESCALE';
  #numberOfChannels = 1;
  #nextChannel = -1;

  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
    this.#numberOfChannels = numberOfChannels;
    this.#nextChannel = -1;
  }
  selectChannel(_record: T): number {
    let next = this.#nextChannel + 1;
    if (next >= this.#numberOfChannels) next = 0;
    this.#nextChannel = next;
    return next;
  }
  isBroadcast(): boolean {
    return false;
  }
  isPointwise(): boolean {
    return true;
  }
  copy(): RescalePartitioner<T> {
    return new RescalePartitioner<T>();
  }
}
