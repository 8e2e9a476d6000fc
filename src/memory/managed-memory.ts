import { loadNativeAddon } from '../native/addon.js';
import { MANAGED_MEMORY_BYTES, managedMemoryWords, readManagedMemoryUsage, type ManagedMemoryUsage } from './managed-memory-layout.js';

/**
 * Flink's managed memory of one TaskManager: the budget (`taskmanager.memory.managed.size`)
 * that keyed state of all its tasks draws from. The account lives in a small SharedArrayBuffer
 * (layout: managed-memory-layout.ts); native state tables in any worker reserve from it with
 * atomics, and anyone can read the counters without a message.
 */
export class ManagedMemory {
  /** Share this with worker threads and `attach` there. */
  readonly buffer: SharedArrayBuffer;
  /** The account's bytes, as native code takes them. */
  readonly view: Uint8Array;
  private readonly words: BigInt64Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.view = new Uint8Array(buffer, 0, MANAGED_MEMORY_BYTES);
    this.words = managedMemoryWords(buffer);
  }

  /** A fresh account with `budget` bytes. */
  static create(budget: number): ManagedMemory {
    const memory = new ManagedMemory(new SharedArrayBuffer(MANAGED_MEMORY_BYTES));
    loadNativeAddon().formatManagedMemory(memory.view, budget);
    return memory;
  }

  /** Views an account created elsewhere (native code checks its magic and version on use). */
  static attach(buffer: SharedArrayBuffer): ManagedMemory {
    return new ManagedMemory(buffer);
  }

  /** Budget, bytes reserved now and the high-water mark. */
  usage(): ManagedMemoryUsage {
    return readManagedMemoryUsage(this.words);
  }
}
