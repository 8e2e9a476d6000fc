// network_memory_layout.h: the one C++ declaration of strom's shared "network memory".
//
// Mirrored word for word by src/memory/network-memory-layout.ts (the mirror is checked by
// test/native/network-memory-layout-mirror.test.ts through `layoutConstants()`). Bump VERSION
// whenever a word moves.
//
// What it is (strom's mapping of Flink's network buffers)
// -------------------------------------------------------
// All network memory of a TaskManager is ONE SharedArrayBuffer cut into NUM_SEGMENTS segments of
// SEGMENT_SIZE bytes (Flink's MemorySegments). Every worker thread attaches to the same buffer;
// the pool state lives inside it, so no thread owns it.
//  - Global pool = Flink's NetworkBufferPool: all free segments sit on a lock-free Treiber stack
//    (FREE_HEAD, tagged against ABA); counters total / available / used (= total - available) /
//    high-water-used.
//  - Local pool = Flink's LocalBufferPool of one producer's result partition. Every exchange in
//    strom is local (Flink's LocalInputChannel): the consumer reads the producer's segments in
//    place and recycles them, so the consumer gate's buffers ARE the producer's segments. The
//    gate's exclusive buffers (taskmanager.network.memory.buffers-per-channel, 2) become a
//    per-subpartition guarantee, its floating buffers (floating-buffers-per-gate, 8) a floating
//    quota shared by the pool's subpartitions, and max-buffers-per-channel (10) caps what one
//    subpartition may hold so one slow consumer cannot starve the others.
//      required minimum = numSubpartitions * exclusive + min(1, maxFloating)
//      maximum          = numSubpartitions * exclusive + maxFloating
//  - Redistribution (as Flink): after every create/destroy, spare = NUM_SEGMENTS -
//    RESERVED_MINIMUM is shared among pools with maxFloating > 1 in proportion to
//    (maxFloating - 1); FLOATING_SIZE stays in [min(1, maxFloating), maxFloating].
//
// Diagram (offsets in bytes, every field an int32 word except FREE_HEAD)
// ----------------------------------------------------------------------
//   0 +---------------------------------------------------------------+
//     | header: HEADER_WORDS (64) int32 words, see HeaderWord          |
//     |   words 16-17 FREE_HEAD int64 (8-byte aligned)                 |
//     |   word 32 RECYCLE_EPOCH (futex word, starts its own 64 B line) |
// 256 +---------------------------------------------------------------+ LOCAL_POOLS_OFFSET
//     | local pool table: MAX_LOCAL_POOLS x 16 words, see PoolWord      |
//     +---------------------------------------------------------------+ COUNTERS_OFFSET
//     | subpartition counters: NUM_SUBPARTITION_COUNTERS words         |
//     |   (segments held per subpartition; contiguous range per pool)  |
//     +---------------------------------------------------------------+ DESCRIPTORS_OFFSET (16-aligned)
//     | segment descriptors: NUM_SEGMENTS x 4 words, see DescriptorWord |
//     +---------------------------------------------------------------+ SEGMENTS_OFFSET (64-aligned)
//     | segments: NUM_SEGMENTS x SEGMENT_SIZE bytes                    |
//     +---------------------------------------------------------------+ TOTAL_BYTES (< 2^31)
//
// Who writes what, in which order
// -------------------------------
//  - formatNetworkMemory (main thread, once, before any worker attaches) writes every word, then
//    MAGIC last with a release store; attach() loads MAGIC with acquire. Geometry words (1-10)
//    are never written again; attach() copies them and re-derives the offsets, so a later
//    corruption of the header cannot make native code read out of bounds.
//  - FREE_HEAD / descriptors NEXT_FREE: native only (CAS, acq_rel). A push writes NEXT_FREE then
//    CASes the head (release); a pop loads the head (acquire) then reads NEXT_FREE.
//  - AVAILABLE_SEGMENTS: native only. A recycle increments it BEFORE pushing, a request
//    decrements it AFTER popping, so 0 <= AVAILABLE <= NUM_SEGMENTS at every instant and
//    HIGH_WATER_USED (native, CAS max) never exceeds NUM_SEGMENTS. A recycle also lowers HELD
//    and AVAILABLE before it releases the subpartition/floating quota, and a request takes quota
//    before it pops, so used segments never exceed what the quotas allow, even transiently.
//  - RESERVED_MINIMUM, NUM_LOCAL_POOLS, the pool table's configuration words, FLOATING_SIZE and
//    the counter-range allocation: native only, under CONTROL_LOCK (a spin lock taken only by
//    create/destroy/redistribute). A pool's STATE becomes ACTIVE last (release).
//  - FLOATING_IN_USE, HELD, HIGH_WATER_HELD, REQUESTS_*, subpartition counters: native only,
//    atomic read-modify-write from any thread, no lock.
//  - Descriptor OWNER_POOL: set LAST by a granting request (release, after SUBPARTITION and all
//    counters); a recycle CASes it to 0 first (acquire), which detects double recycles.
//  - RECYCLE_EPOCH: native increments it (seq_cst) on every recycle and force-destroy.
//  - WAITERS: JS only. A JS thread that waits for a segment (never blocking, see
//    NetworkBufferPool.whenRecycled): Atomics.add(WAITERS, 1); epoch = Atomics.load(EPOCH); retry
//    the request; on failure Atomics.waitAsync(EPOCH, epoch), Atomics.sub(WAITERS, 1) when it
//    settles. recycleSegment returns WAITERS (seq_cst load after the epoch bump); when it is > 0
//    the recycling JS thread calls Atomics.notify(EPOCH). V8's waiters are not OS futexes, so
//    native code can never wake JS waiters itself.
//  - JS may read any counter with Atomics.load on an Int32Array over the same bytes.
#pragma once

#include <cstdint>

namespace strom::core {

inline constexpr int32_t kNetworkMemoryMagic = 0x5354524D;  // "STRM"
inline constexpr int32_t kNetworkMemoryVersion = 1;

inline constexpr int32_t kHeaderWords = 64;
inline constexpr int32_t kPoolEntryWords = 16;
inline constexpr int32_t kDescriptorWords = 4;
inline constexpr int32_t kSegmentsAlignment = 64;
inline constexpr int32_t kDescriptorsAlignment = 16;
inline constexpr int32_t kMinSegmentSize = 64;
/** Exclusive upper bound of TOTAL_BYTES, so every byte offset fits an int32. */
inline constexpr int64_t kMaxTotalBytes = int64_t{1} << 31;
/** The view's data pointer must be this aligned (FREE_HEAD is an 8-byte atomic). */
inline constexpr int32_t kBaseAlignment = 8;

/** Word indices of the header. */
namespace header_word {
inline constexpr int32_t kMagic = 0;
inline constexpr int32_t kVersion = 1;
inline constexpr int32_t kSegmentSize = 2;
inline constexpr int32_t kNumSegments = 3;
inline constexpr int32_t kMaxLocalPools = 4;
inline constexpr int32_t kNumSubpartitionCounters = 5;
inline constexpr int32_t kLocalPoolsOffset = 6;   // bytes
inline constexpr int32_t kCountersOffset = 7;     // bytes
inline constexpr int32_t kDescriptorsOffset = 8;  // bytes
inline constexpr int32_t kSegmentsOffset = 9;     // bytes
inline constexpr int32_t kTotalBytes = 10;        // bytes
inline constexpr int32_t kFreeHead = 16;          // int64 over words 16-17: low = top index or -1, high = ABA tag
inline constexpr int32_t kAvailableSegments = 18;
inline constexpr int32_t kHighWaterUsed = 19;
inline constexpr int32_t kReservedMinimum = 20;
inline constexpr int32_t kControlLock = 21;
inline constexpr int32_t kNumLocalPools = 22;
inline constexpr int32_t kRecycleEpoch = 32;
inline constexpr int32_t kWaiters = 33;
}  // namespace header_word

/** Word indices inside one local pool entry (relative to the entry's first word). */
namespace pool_word {
inline constexpr int32_t kState = 0;
inline constexpr int32_t kNumSubpartitions = 1;
inline constexpr int32_t kExclusivePerSubpartition = 2;
inline constexpr int32_t kMaxFloating = 3;
inline constexpr int32_t kMaxPerSubpartition = 4;
inline constexpr int32_t kFloatingSize = 5;
inline constexpr int32_t kFloatingInUse = 6;
inline constexpr int32_t kHeld = 7;
inline constexpr int32_t kHighWaterHeld = 8;
inline constexpr int32_t kCountersStart = 9;
inline constexpr int32_t kRequestsGranted = 10;
inline constexpr int32_t kRequestsDenied = 11;
}  // namespace pool_word

/** Values of pool_word::kState. */
namespace pool_state {
inline constexpr int32_t kFree = 0;
inline constexpr int32_t kActive = 1;
}  // namespace pool_state

/** Word indices inside one segment descriptor. */
namespace descriptor_word {
inline constexpr int32_t kNextFree = 0;
inline constexpr int32_t kOwnerPool = 1;  // pool id + 1; 0 = free
inline constexpr int32_t kSubpartition = 2;
}  // namespace descriptor_word

/** Negative results of request_segment ("not available" is a status, never an exception). */
namespace request_status {
inline constexpr int32_t kPoolExhausted = -1;    // floating quota used up
inline constexpr int32_t kSubpartitionCap = -2;  // subpartition holds maxPerSubpartition
inline constexpr int32_t kGlobalEmpty = -3;      // no free segment in the global pool
}  // namespace request_status

/** Caller's sizing of a network memory region. */
struct NetworkMemoryOptions {
  int64_t segment_size = 0;
  int64_t num_segments = 0;
  int64_t max_local_pools = 0;
  int64_t num_subpartition_counters = 0;
};

/** Validated geometry of a network memory region; all offsets in bytes from its start. */
struct NetworkMemoryLayout {
  int32_t segment_size = 0;
  int32_t num_segments = 0;
  int32_t max_local_pools = 0;
  int32_t num_subpartition_counters = 0;
  int32_t local_pools_offset = 0;
  int32_t counters_offset = 0;
  int32_t descriptors_offset = 0;
  int32_t segments_offset = 0;
  int32_t total_bytes = 0;
};

/**
 * Validates `options` and computes the layout. Throws NetworkMemoryError (kRange) naming the bad
 * option and value: segment size not a power of two or below 64, counts below 1, or a total of
 * 2^31 bytes or more.
 */
NetworkMemoryLayout compute_network_memory_layout(const NetworkMemoryOptions& options);

}  // namespace strom::core
