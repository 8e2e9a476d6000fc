/**
 * Broadcast: every record goes to all channels. The writer sees `isBroadcast()` and writes the
 * record once into every subpartition; `selectChannel` is never valid and throws.
 * Mirrors Flink's `BroadcastPartitioner`.
 */
import { errors } from '../../errors.js';
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';

export class BroadcastPartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'BROADCAST';
  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
  }
  /** @throws StromError (ERR_UNSUPPORTED_OPERATION): a broadcast writes to all channels. */
  selectChannel(_record: T): number {
    throw errors.unsupportedOperation(
      'BroadcastPartitioner does not select channels: a broadcast record is written to all channels (check isBroadcast() first).',
    );
  }
  isBroadcast(): boolean {
    return true;
  }
  isPointwise(): boolean {
    return false;
  }
  copy(): BroadcastPartitioner<T> {
    return new BroadcastPartitioner<T>();
  }
}
