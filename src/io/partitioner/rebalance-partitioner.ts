/**
 * Rebalance: round robin over all channels, starting at a random channel so that producers do
 * not all hit consumer 0 first. Mirrors Flink's `RebalancePartitioner`: setup draws
 * `next = random int in [0, n)` and each record goes to `next = (next + 1) % n`, so the first
 * record goes to the channel after the drawn one.
 */
import type { StreamPartitioner } from './stream-partitioner.js';
import { checkNumberOfChannels } from './check-channels.js';
import { nextInt, type RandomSource } from './random-source.js';

export class RebalancePartitioner<T> implements StreamPartitioner<T> {
  readonly name = 'REBALANCE';
  readonly #random: RandomSource;
  #numberOfChannels = 1;
  #nextChannel = 0;

  /** @param random source for the starting channel; default `Math.random`, use `seededRandom` in tests. */
  constructor(random: RandomSource = Math.random) {
    this.#random = random;
  }
  setup(numberOfChannels: number): void {
    checkNumberOfChannels(numberOfChannels);
    this.#numberOfChannels = numberOfChannels;
    this.#nextChannel = nextInt(this.#random, numberOfChannels);
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
    return false;
  }
  /** A fresh instance sharing this one's random source. */
  copy(): RebalancePartitioner<T> {
    return new RebalancePartitioner<T>(this.#random);
  }
}
