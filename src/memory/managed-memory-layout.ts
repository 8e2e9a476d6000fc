/**
 * The layout of strom's managed memory account, mirrored word for word from the one C++
 * declaration, native/core/managed_memory.h. Bump {@link MANAGED_MEMORY_VERSION} whenever a word
 * moves.
 *
 * Layer: memory (bottom). Imports nothing from strom.
 *
 * Flink's managed memory (`taskmanager.memory.managed.size`) is the budget keyed state and other
 * operator memory reserve from before they allocate. strom keeps the ACCOUNT in shared memory so
 * every worker thread's native keyed state tables reserve from one budget lock-free; the bytes
 * themselves are allocated natively after a successful reservation.
 *
 * ```text
 *   int64 words (a BigInt64Array of MANAGED_MEMORY_WORDS over an 8-byte aligned region)
 *   word 0  MAGIC       "STMM" (0x53544d4d)
 *   word 1  VERSION
 *   word 2  BUDGET      bytes that may be reserved at once (< 2^53)
 *   word 3  USED        bytes reserved now, 0 <= USED <= BUDGET at every instant
 *   word 4  HIGH_WATER  most bytes ever reserved at once, <= BUDGET
 *   words 5-7 reserved (0)                                            64 bytes in all
 * ```
 *
 * Who writes what, in which order:
 * - format (native, one thread, before the region is shared) writes every word and MAGIC last
 *   (release); attach checks MAGIC (acquire) and VERSION.
 * - BUDGET is written only by format. USED and HIGH_WATER only by native code, with atomic
 *   compare-and-swap (a reservation never lets USED pass BUDGET) and subtraction.
 * - JS only reads, with `Atomics.load` on {@link managedMemoryWords}.
 */

/** "STMM": word {@link ManagedMemoryWord.MAGIC} of a formatted account. */
export const MANAGED_MEMORY_MAGIC = 0x53544d4d;
/** Layout version; attach refuses any other. */
export const MANAGED_MEMORY_VERSION = 1;
/** int64 words of the account. */
export const MANAGED_MEMORY_WORDS = 8;
/** Bytes of the account region (8-byte aligned). */
export const MANAGED_MEMORY_BYTES = MANAGED_MEMORY_WORDS * 8;

/** Word indices (int64 words from the start of the region). */
export const ManagedMemoryWord = {
  MAGIC: 0,
  VERSION: 1,
  /** Bytes that may be reserved at once. Written by format only. */
  BUDGET: 2,
  /** Bytes reserved now. Native only (CAS). */
  USED: 3,
  /** Most bytes ever reserved at once. Native only (CAS max). */
  HIGH_WATER: 4,
} as const;

/** A BigInt64Array over the account at `byteOffset` of `buffer`, for `Atomics.load`. */
export function managedMemoryWords(buffer: SharedArrayBuffer, byteOffset = 0): BigInt64Array {
  return new BigInt64Array(buffer, byteOffset, MANAGED_MEMORY_WORDS);
}

/** A moment's view of an account's counters, in bytes. */
export interface ManagedMemoryUsage {
  /** Bytes that may be reserved at once. */
  budget: number;
  /** Bytes reserved now. */
  used: number;
  /** Most bytes ever reserved at once. */
  highWater: number;
}

/** Reads the counters of an account (each word atomically; not one atomic view of all three). */
export function readManagedMemoryUsage(words: BigInt64Array): ManagedMemoryUsage {
  return {
    budget: Number(Atomics.load(words, ManagedMemoryWord.BUDGET)),
    used: Number(Atomics.load(words, ManagedMemoryWord.USED)),
    highWater: Number(Atomics.load(words, ManagedMemoryWord.HIGH_WATER)),
  };
}
