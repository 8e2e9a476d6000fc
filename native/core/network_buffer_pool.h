// network_buffer_pool.h: strom's NetworkBufferPool and its local pools, over shared memory.
//
// One NetworkBufferPool object per thread attaches to the shared network memory (see
// network_memory_layout.h for the layout, the Flink mapping and who writes which word). All
// state is in the shared bytes; the object only holds the base pointer and a private copy of
// the validated geometry, so any number of threads may each hold one over the same region.
//
// Concurrency rules
//  - request_segment: lock-free; for one pool normally called by its producer thread, but safe
//    from several threads at once.
//  - recycle_segment: lock-free; any thread.
//  - create_local_pool / destroy_local_pool: take CONTROL_LOCK. destroy is only allowed while no
//    thread requests from or recycles into that pool (after its task finished or failed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "network_memory_layout.h"
#include "network_memory_region.h"

namespace strom::core {

/** Arguments of create_local_pool (Flink: buffers-per-channel, floating-buffers-per-gate, ...). */
struct LocalPoolConfig {
  int64_t num_subpartitions = 0;
  int64_t exclusive_per_subpartition = 0;
  int64_t max_floating = 0;
  int64_t max_per_subpartition = 0;
};

/** Snapshot of the global counters (TaskManager metrics *MemorySegments). */
struct NetworkPoolStats {
  int32_t total_segments = 0;
  int32_t available_segments = 0;
  int32_t used_segments = 0;
  int32_t high_water_used = 0;
  int32_t reserved_minimum = 0;
  int32_t num_local_pools = 0;
  int32_t segment_size = 0;
  int32_t segments_offset = 0;
};

/** Snapshot of one local pool. Counters read one by one: not atomic as a whole while busy. */
struct LocalPoolStats {
  int32_t num_subpartitions = 0;
  int32_t exclusive_per_subpartition = 0;
  int32_t max_floating = 0;
  int32_t max_per_subpartition = 0;
  int64_t min_segments = 0;
  int64_t max_segments = 0;
  int32_t floating_size = 0;
  int32_t floating_in_use = 0;
  int32_t held = 0;
  int32_t high_water_held = 0;
  int32_t requests_granted = 0;
  int32_t requests_denied = 0;
  std::vector<int32_t> held_per_subpartition;
};

class NetworkBufferPool {
 public:
  /**
   * Attaches to formatted memory. Throws NetworkMemoryError (kRange) if `length` is too small,
   * `base` is not 8-byte aligned, MAGIC/VERSION do not match, or the header's geometry is not
   * self-consistent.
   */
  static NetworkBufferPool attach(uint8_t* base, size_t length);

  /**
   * Creates a local pool and redistributes spare segments. Returns its id in
   * [0, max_local_pools). Throws kRange for bad arguments, kInsufficient (with Flink's message)
   * when the required minimum does not fit, kState when no pool slot or counter range is free.
   */
  int32_t create_local_pool(const LocalPoolConfig& config);

  /**
   * Destroys a local pool and redistributes. If it still holds segments: throws kState unless
   * `force`, which reclaims every segment whose descriptor names this pool. Returns the number
   * of segments reclaimed.
   */
  int32_t destroy_local_pool(int32_t pool_id, bool force);

  /**
   * Non-blocking. Returns a segment index >= 0, or request_status::kPoolExhausted,
   * kSubpartitionCap or kGlobalEmpty. Throws kRange only for an unknown pool or subpartition.
   */
  int32_t request_segment(int32_t pool_id, int32_t subpartition);

  /**
   * Returns `segment` to the free stack and bumps RECYCLE_EPOCH. Returns WAITERS (JS threads
   * sleeping on the epoch; the caller notifies them). Throws kRange for an index out of range or
   * a segment that is not in use (double recycle); state is left untouched then.
   */
  int32_t recycle_segment(int32_t segment);

  NetworkPoolStats stats() const;
  LocalPoolStats local_pool_stats(int32_t pool_id) const;

  const NetworkMemoryRegion& region() const noexcept { return region_; }

 private:
  explicit NetworkBufferPool(const NetworkMemoryRegion& region) noexcept : region_(region) {}

  void check_active_pool(int32_t pool_id) const;
  void release_subpartition_slot(int32_t pool_id, int32_t counter, int32_t exclusive) noexcept;
  void free_segment(int32_t segment) noexcept;
  void redistribute_locked() noexcept;
  int32_t find_counter_range_locked(int32_t length) const;

  NetworkMemoryRegion region_;
};

}  // namespace strom::core
