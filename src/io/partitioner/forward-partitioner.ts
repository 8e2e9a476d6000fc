/**
 * Forward: each producer subtask sends to exactly one consumer subtask (same index), so its
 * writer has one channel and every record goes to channel 0. Requires equal parallelism on both
 * sides; the graph layer enforces that and chains such edges when it can.
 * Mirrors Flink's `ForwardPartitioner`.
 */
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';

export class ForwardPartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'FORWARD';
  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
  }
  selectChannel(_record: T): number {
    return 0;
  }
  isBroadcast(): boolean {
    return false;
  }
  isPointwise(): boolean {
    return true;
  }
  copy(): ForwardPartitioner<T> {
    return new ForwardPartitioner<T>();
  }
}
