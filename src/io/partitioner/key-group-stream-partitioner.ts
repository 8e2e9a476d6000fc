/**
 * Key-group hash partitioning (`keyBy`): a record goes to the subtask that owns its key's key
 * group, `assignKeyToParallelOperator(keySelector(record), maxParallelism, numberOfChannels)`,
 * exactly as in Flink, so the same key always meets the same keyed state.
 * Mirrors Flink's `KeyGroupStreamPartitioner`.
 */
import { errors } from '../../errors.js';
import { assignKeyToParallelOperatorUnchecked, UPPER_BOUND_MAX_PARALLELISM } from '../key-group-assignment.js';
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';

/** Extracts the key of a record; the key's Java hashCode is computed per key-hash.ts. */
export type KeySelector<T> = (record: T) => unknown;

export class KeyGroupStreamPartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'HASH';
  readonly #keySelector: KeySelector<T>;
  readonly #maxParallelism: number;
  #numberOfChannels = 1;

  /**
   * @param keySelector returns the record's key (string, number, bigint, boolean or a tuple array).
   * @param maxParallelism number of key groups, 1..32768 (use `computeDefaultMaxParallelism`).
   * @throws RangeError for a max parallelism out of range.
   */
  constructor(keySelector: KeySelector<T>, maxParallelism: number) {
    if (typeof keySelector !== 'function') {
      throw errors.invalidArgumentType('keySelector', keySelector, 'expected a function returning the key');
    }
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
      throw errors.argumentOutOfRange('maxParallelism', maxParallelism, `expected an integer from 1 to ${UPPER_BOUND_MAX_PARALLELISM}`);
    }
    this.#keySelector = keySelector;
    this.#maxParallelism = maxParallelism;
  }

  /** The number of key groups. */
  get maxParallelism(): number {
    return this.#maxParallelism;
  }

  /** @throws RangeError when there are more channels than key groups. */
  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
    if (numberOfChannels > this.#maxParallelism) {
      throw errors.argumentOutOfRange(
        'numberOfChannels',
        numberOfChannels,
        `a keyed edge cannot have more channels than maxParallelism (${this.#maxParallelism}); raise 'pipeline.max-parallelism'`,
      );
    }
    this.#numberOfChannels = numberOfChannels;
  }

  /** @throws TypeError when the key is null/undefined or of an unsupported type. */
  selectChannel(record: T): number {
    const key = this.#keySelector(record);
    // One consumer: every key goes to it; skip the hashing (other key types still get checked).
    if (this.#numberOfChannels === 1 && (typeof key === 'string' || typeof key === 'number')) return 0;
    return assignKeyToParallelOperatorUnchecked(key, this.#maxParallelism, this.#numberOfChannels);
  }
  isBroadcast(): boolean {
    return false;
  }
  isPointwise(): boolean {
    return false;
  }
  copy(): KeyGroupStreamPartitioner<T> {
    return new KeyGroupStreamPartitioner<T>(this.#keySelector, this.#maxParallelism);
  }
}
