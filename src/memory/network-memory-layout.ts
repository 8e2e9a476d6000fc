/**
 * The layout of strom's shared "network memory", mirrored word for word from the one C++
 * declaration, native/core/network_memory_layout.h (test/native/network-memory-layout-mirror.test.ts
 * checks the two against each other). Bump {@link VERSION} whenever a word moves.
 *
 * Layer: memory (bottom). Imports nothing from strom.
 *
 * All network memory of a TaskManager is ONE SharedArrayBuffer cut into fixed-size segments
 * (Flink's MemorySegments). The global pool (Flink's NetworkBufferPool) keeps free segments on a
 * lock-free Treiber stack; local pools (Flink's LocalBufferPool of one producer's result
 * partition) give each subpartition `exclusivePerSubpartition` guaranteed segments
 * (`buffers-per-channel`), share `maxFloating` floating segments among subpartitions
 * (`floating-buffers-per-gate`), and cap one subpartition at `maxPerSubpartition`
 * (`max-buffers-per-channel`). The consumer reads the producer's segments in place and recycles
 * them (Flink's LocalInputChannel).
 *
 * ```text
 *   0 +---------------------------------------------------------------+
 *     | header: HEADER_WORDS (64) int32 words, see HeaderWord          |
 *     |   words 16-17 FREE_HEAD int64 (low = top index or -1, high = ABA tag)
 *     |   word 32 RECYCLE_EPOCH: futex word on its own 64-byte line    |
 * 256 +---------------------------------------------------------------+ localPoolsOffset
 *     | local pool table: maxLocalPools x POOL_ENTRY_WORDS, see PoolWord |
 *     +---------------------------------------------------------------+ countersOffset
 *     | subpartition counters: numSubpartitionCounters int32           |
 *     |   (segments held per subpartition; contiguous range per pool)  |
 *     +---------------------------------------------------------------+ descriptorsOffset (16-aligned)
 *     | descriptors: numSegments x DESCRIPTOR_WORDS, see DescriptorWord |
 *     +---------------------------------------------------------------+ segmentsOffset (64-aligned)
 *     | segments: numSegments x segmentSize bytes                      |
 *     +---------------------------------------------------------------+ byteLength (< 2^31)
 * ```
 *
 * Who writes what, in which order:
 * - `formatNetworkMemory` (main thread, once, before workers attach) writes every word and MAGIC
 *   last (release). Geometry words are never written again.
 * - Everything else except WAITERS is written only by native code with atomic read-modify-write:
 *   the free stack, AVAILABLE_SEGMENTS (incremented before a push, decremented after a pop, so
 *   it never undercounts), the pool table (configuration under CONTROL_LOCK, STATE set ACTIVE
 *   last), counters, descriptors (OWNER_POOL set last on grant, CASed to 0 first on recycle).
 * - JS may read any word with `Atomics.load` on an Int32Array over the same bytes
 *   ({@link networkMemoryWords}).
 * - Waiting for a segment (JS only, because V8's waiters are not OS futexes and native code
 *   cannot wake them; strom never blocks a task thread, see NetworkBufferPool.whenRecycled):
 *   `Atomics.add(w, WAITERS, 1)`, `epoch = Atomics.load(w, RECYCLE_EPOCH)`, retry
 *   `requestSegment`; still a negative status: `Atomics.waitAsync(w, RECYCLE_EPOCH, epoch)`, and
 *   `Atomics.sub(w, WAITERS, 1)` when it settles. Native code bumps RECYCLE_EPOCH (seq_cst) on
 *   every recycle and `recycleSegment` returns WAITERS (seq_cst load after the bump); when it is
 *   above 0 the recycling thread calls `Atomics.notify(w, RECYCLE_EPOCH)`, which wakes
 *   `waitAsync` waiters of any thread. A forced `destroyLocalPool` that reclaimed segments bumps
 *   the epoch too; notify after it.
 */

/** "STRM": the first word of formatted network memory. */
export const MAGIC = 0x5354524d;
/** Layout version; attach refuses any other. */
export const VERSION = 1;
/** int32 words in the header. */
export const HEADER_WORDS = 64;
/** int32 words per local pool entry. */
export const POOL_ENTRY_WORDS = 16;
/** int32 words per segment descriptor. */
export const DESCRIPTOR_WORDS = 4;
/** Smallest segment size in bytes (segment sizes are powers of two). */
export const MIN_SEGMENT_SIZE = 64;
/** Alignment in bytes of the first segment (relative to the view's start). */
export const SEGMENTS_ALIGNMENT = 64;

/** Word indices of the header (int32 words from the start of the view). */
export const HeaderWord = {
  MAGIC: 0,
  VERSION: 1,
  /** Bytes per segment. */
  SEGMENT_SIZE: 2,
  NUM_SEGMENTS: 3,
  MAX_LOCAL_POOLS: 4,
  NUM_SUBPARTITION_COUNTERS: 5,
  /** Byte offsets of the areas, and the total size in bytes. */
  LOCAL_POOLS_OFFSET: 6,
  COUNTERS_OFFSET: 7,
  DESCRIPTORS_OFFSET: 8,
  SEGMENTS_OFFSET: 9,
  TOTAL_BYTES: 10,
  /** int64 over words 16-17 (read with a BigInt64Array at index 8). Native only. */
  FREE_HEAD: 16,
  /** Free segments (Flink's AvailableMemorySegments). Native only. */
  AVAILABLE_SEGMENTS: 18,
  /** Most segments ever used at once; never above NUM_SEGMENTS. Native only. */
  HIGH_WATER_USED: 19,
  /** Sum of the active pools' required minimums. Native, under CONTROL_LOCK. */
  RESERVED_MINIMUM: 20,
  /** Spin lock of create/destroy/redistribute. Native only. */
  CONTROL_LOCK: 21,
  NUM_LOCAL_POOLS: 22,
  /** Futex word: bumped by native code on every recycle. JS waits on it. */
  RECYCLE_EPOCH: 32,
  /** JS threads sleeping on RECYCLE_EPOCH. Written by JS only. */
  WAITERS: 33,
} as const;

/** {@link HeaderWord.RECYCLE_EPOCH}, as a plain constant for hot loops. */
export const HEADER_RECYCLE_EPOCH = HeaderWord.RECYCLE_EPOCH;
/** {@link HeaderWord.WAITERS}, as a plain constant for hot loops. */
export const HEADER_WAITERS = HeaderWord.WAITERS;

/** Word indices inside one local pool entry (entry i starts at localPoolsOffset + i * 64 bytes). */
export const PoolWord = {
  /** {@link PoolState}. */
  STATE: 0,
  NUM_SUBPARTITIONS: 1,
  EXCLUSIVE_PER_SUBPARTITION: 2,
  MAX_FLOATING: 3,
  MAX_PER_SUBPARTITION: 4,
  /** Current floating quota after redistribution, in [min(1, maxFloating), maxFloating]. */
  FLOATING_SIZE: 5,
  FLOATING_IN_USE: 6,
  HELD: 7,
  HIGH_WATER_HELD: 8,
  /** First index of the pool's range in the subpartition counter area. */
  COUNTERS_START: 9,
  REQUESTS_GRANTED: 10,
  REQUESTS_DENIED: 11,
} as const;

/** Values of {@link PoolWord.STATE}. */
export const PoolState = { FREE: 0, ACTIVE: 1 } as const;

/** Word indices inside one segment descriptor (descriptor i at descriptorsOffset + i * 16 bytes). */
export const DescriptorWord = {
  /** Next free segment on the free stack, or -1. */
  NEXT_FREE: 0,
  /** Owning pool id + 1; 0 = free. */
  OWNER_POOL: 1,
  SUBPARTITION: 2,
} as const;

/** Negative results of `requestSegment` ("not available" is a status, never an exception). */
export const RequestStatus = {
  /** The pool's floating quota is used up. */
  POOL_EXHAUSTED: -1,
  /** The subpartition already holds maxPerSubpartition segments. */
  SUBPARTITION_CAP: -2,
  /** No free segment in the global pool. */
  GLOBAL_EMPTY: -3,
} as const;

/** One of {@link RequestStatus}'s values. */
export type RequestStatusCode = (typeof RequestStatus)[keyof typeof RequestStatus];

/**
 * An Int32Array over the header of `view` (formatted network memory), for `Atomics.load`,
 * `Atomics.wait` and `Atomics.notify` on {@link HeaderWord} indices.
 */
export function networkMemoryWords(view: Uint8Array): Int32Array {
  return new Int32Array(view.buffer, view.byteOffset, HEADER_WORDS);
}
