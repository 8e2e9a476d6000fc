/**
 * Shuffle: each record goes to a uniformly random channel. Mirrors Flink's `ShufflePartitioner`.
 */
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';
import type { RandomSource } from './random-source.js';

export class ShufflePartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'SHUFFLE';
  readonly #random: RandomSource;
  #numberOfChannels = 1;

  /** @param random source of channel choices; default `Math.random`, use `seededRandom` in tests. */
  constructor(random: RandomSource = Math.random) {
    this.#random = random;
  }
  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
    this.#numberOfChannels = numberOfChannels;
  }
  selectChannel(_record: T): number {
    return Math.floor(this.#random() * this.#numberOfChannels);
  }
  isBroadcast(): boolean {
    return false;
  }
  isPointwise(): boolean {
    return false;
  }
  /** A fresh instance sharing this one's random source. */
  copy(): ShufflePartitioner<T> {
    return new ShufflePartitioner<T>(this.#random);
  }
}
