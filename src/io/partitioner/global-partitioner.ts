/**
 * Global: every record goes to channel 0, i.e. the first consumer subtask.
 * Mirrors Flink's `GlobalPartitioner`.
 */
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';

export class GlobalPartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'GLOBAL';
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
    return false;
  }
  copy(): GlobalPartitioner<T> {
    return new GlobalPartitioner<T>();
  }
}
