// network_buffer_pool.cc: accounting of the global and local network buffer pools.
#include "network_buffer_pool.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <string>

#include "control_lock.h"
#include "free_segment_stack.h"
#include "network_memory_error.h"

namespace strom::core {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kAcquire = std::memory_order_acquire;
constexpr auto kRelease = std::memory_order_release;
constexpr auto kAcqRel = std::memory_order_acq_rel;

/** Raises `word` to at least `value` (CAS max). */
void raise_to(std::atomic_ref<int32_t> word, int32_t value) noexcept {
  int32_t current = word.load(kRelaxed);
  while (current < value && !word.compare_exchange_weak(current, value, kRelaxed, kRelaxed)) {
  }
}

int64_t min_segments_of(int64_t subpartitions, int64_t exclusive, int64_t max_floating) {
  return subpartitions * exclusive + std::min<int64_t>(1, max_floating);
}

std::string insufficient_message(int64_t required, int64_t available, int32_t total,
                                 int32_t segment_size) {
  return "Insufficient number of network buffers: required " + std::to_string(required) +
         ", but only " + std::to_string(available) +
         " available. The total number of network buffers is currently set to " +
         std::to_string(total) + " of " + std::to_string(segment_size) +
         " bytes each. You can increase this number by setting the configuration keys "
         "'taskmanager.memory.network.min' and 'taskmanager.memory.network.max' (or "
         "'taskmanager.memory.network.fraction' when 'taskmanager.memory.process.size' is set), "
         "or lower "
         "'taskmanager.network.memory.buffers-per-channel' or the parallelism.";
}

}  // namespace

NetworkBufferPool NetworkBufferPool::attach(uint8_t* base, size_t length) {
  if (length < static_cast<size_t>(kHeaderWords) * 4) {
    throw_range("view is too small for network memory: " + std::to_string(length) + " bytes");
  }
  if (reinterpret_cast<uintptr_t>(base) % kBaseAlignment != 0) {
    throw_range("view must start on an 8-byte boundary (byteOffset a multiple of 8)");
  }
  NetworkMemoryRegion header_only(base, NetworkMemoryLayout{});
  const int32_t magic = header_only.header(header_word::kMagic).load(kAcquire);
  if (magic != kNetworkMemoryMagic) {
    throw_range("view is not formatted network memory: magic " + std::to_string(magic) +
                ", expected " + std::to_string(kNetworkMemoryMagic) +
                " (call formatNetworkMemory first)");
  }
  const int32_t version = header_only.header(header_word::kVersion).load(kRelaxed);
  if (version != kNetworkMemoryVersion) {
    throw_range("network memory layout version " + std::to_string(version) +
                " is not supported, expected " + std::to_string(kNetworkMemoryVersion));
  }
  auto word = [&](int32_t w) { return header_only.header(w).load(kRelaxed); };
  NetworkMemoryOptions options;
  options.segment_size = word(header_word::kSegmentSize);
  options.num_segments = word(header_word::kNumSegments);
  options.max_local_pools = word(header_word::kMaxLocalPools);
  options.num_subpartition_counters = word(header_word::kNumSubpartitionCounters);
  const NetworkMemoryLayout layout = compute_network_memory_layout(options);
  if (layout.local_pools_offset != word(header_word::kLocalPoolsOffset) ||
      layout.counters_offset != word(header_word::kCountersOffset) ||
      layout.descriptors_offset != word(header_word::kDescriptorsOffset) ||
      layout.segments_offset != word(header_word::kSegmentsOffset) ||
      layout.total_bytes != word(header_word::kTotalBytes)) {
    throw_range("network memory header is inconsistent (offsets do not match its geometry)");
  }
  if (length < static_cast<size_t>(layout.total_bytes)) {
    throw_range("view is too small: network memory needs " + std::to_string(layout.total_bytes) +
                " bytes, the view has " + std::to_string(length));
  }
  return NetworkBufferPool(NetworkMemoryRegion(base, layout));
}

void NetworkBufferPool::check_active_pool(int32_t pool_id) const {
  const NetworkMemoryLayout& layout = region_.layout();
  if (pool_id < 0 || pool_id >= layout.max_local_pools ||
      region_.pool(pool_id, pool_word::kState).load(kAcquire) != pool_state::kActive) {
    throw_range("poolId " + std::to_string(pool_id) + " is not an active local pool");
  }
}

int32_t NetworkBufferPool::create_local_pool(const LocalPoolConfig& config) {
  auto check = [](const char* name, int64_t value, int64_t minimum) {
    if (value < minimum || value > INT32_MAX) {
      throw_range(std::string(name) + " must be an integer in [" + std::to_string(minimum) +
                  ", 2^31), got " + std::to_string(value));
    }
  };
  check("numSubpartitions", config.num_subpartitions, 1);
  check("exclusivePerSubpartition", config.exclusive_per_subpartition, 0);
  check("maxFloating", config.max_floating, 0);
  check("maxPerSubpartition", config.max_per_subpartition, 1);
  if (config.max_per_subpartition < config.exclusive_per_subpartition) {
    throw_range("maxPerSubpartition " + std::to_string(config.max_per_subpartition) +
                " must be at least exclusivePerSubpartition " +
                std::to_string(config.exclusive_per_subpartition));
  }
  const int64_t min_segments = min_segments_of(
      config.num_subpartitions, config.exclusive_per_subpartition, config.max_floating);
  if (min_segments < 1) {
    throw_range("a local pool needs at least one segment: exclusivePerSubpartition and "
                "maxFloating are both 0");
  }
  const NetworkMemoryLayout& layout = region_.layout();
  if (config.num_subpartitions > layout.num_subpartition_counters) {
    throw_range("numSubpartitions " + std::to_string(config.num_subpartitions) +
                " exceeds numSubpartitionCounters " +
                std::to_string(layout.num_subpartition_counters));
  }

  ControlLockGuard lock(region_.header(header_word::kControlLock));
  const int32_t reserved = region_.header(header_word::kReservedMinimum).load(kRelaxed);
  const int64_t available = int64_t{layout.num_segments} - reserved;
  if (min_segments > available) {
    throw NetworkMemoryError(
        NetworkMemoryErrorKind::kInsufficient,
        insufficient_message(min_segments, available, layout.num_segments, layout.segment_size),
        min_segments, available);
  }
  int32_t pool_id = -1;
  for (int32_t i = 0; i < layout.max_local_pools; ++i) {
    if (region_.pool(i, pool_word::kState).load(kRelaxed) == pool_state::kFree) {
      pool_id = i;
      break;
    }
  }
  if (pool_id < 0) {
    throw_state("no free local pool slot: all maxLocalPools " +
                std::to_string(layout.max_local_pools) + " are in use");
  }
  const int32_t subpartitions = static_cast<int32_t>(config.num_subpartitions);
  const int32_t counters_start = find_counter_range_locked(subpartitions);
  if (counters_start < 0) {
    throw_state("no free range of " + std::to_string(subpartitions) +
                " subpartition counters (numSubpartitionCounters " +
                std::to_string(layout.num_subpartition_counters) + ", fragmented or in use)");
  }
  for (int32_t i = 0; i < subpartitions; ++i) region_.counter(counters_start + i).store(0, kRelaxed);
  auto set = [&](int32_t word, int64_t value) {
    region_.pool(pool_id, word).store(static_cast<int32_t>(value), kRelaxed);
  };
  set(pool_word::kNumSubpartitions, subpartitions);
  set(pool_word::kExclusivePerSubpartition, config.exclusive_per_subpartition);
  set(pool_word::kMaxFloating, config.max_floating);
  set(pool_word::kMaxPerSubpartition, config.max_per_subpartition);
  set(pool_word::kFloatingSize, std::min<int64_t>(1, config.max_floating));
  set(pool_word::kFloatingInUse, 0);
  set(pool_word::kHeld, 0);
  set(pool_word::kHighWaterHeld, 0);
  set(pool_word::kCountersStart, counters_start);
  set(pool_word::kRequestsGranted, 0);
  set(pool_word::kRequestsDenied, 0);
  region_.header(header_word::kReservedMinimum)
      .store(reserved + static_cast<int32_t>(min_segments), kRelaxed);
  region_.header(header_word::kNumLocalPools).fetch_add(1, kRelaxed);
  region_.pool(pool_id, pool_word::kState).store(pool_state::kActive, kRelease);
  redistribute_locked();
  return pool_id;
}

int32_t NetworkBufferPool::find_counter_range_locked(int32_t length) const {
  // First fit: move the candidate past every active range it overlaps until none does.
  const NetworkMemoryLayout& layout = region_.layout();
  int32_t candidate = 0;
  bool moved = true;
  while (moved) {
    moved = false;
    if (int64_t{candidate} + length > layout.num_subpartition_counters) return -1;
    for (int32_t i = 0; i < layout.max_local_pools; ++i) {
      if (region_.pool(i, pool_word::kState).load(kRelaxed) != pool_state::kActive) continue;
      const int32_t start = region_.pool(i, pool_word::kCountersStart).load(kRelaxed);
      const int32_t end = start + region_.pool(i, pool_word::kNumSubpartitions).load(kRelaxed);
      if (candidate < end && start < candidate + length) {
        candidate = end;
        moved = true;
      }
    }
  }
  return candidate;
}

void NetworkBufferPool::redistribute_locked() noexcept {
  // Flink's NetworkBufferPool#redistributeBuffers: spare segments go to pools that can take more
  // than their minimum, in proportion to that excess (maxFloating - 1). Cumulative rounding makes
  // the shares sum exactly to what is distributed.
  const NetworkMemoryLayout& layout = region_.layout();
  const int64_t spare =
      int64_t{layout.num_segments} - region_.header(header_word::kReservedMinimum).load(kRelaxed);
  int64_t total_weight = 0;
  for (int32_t i = 0; i < layout.max_local_pools; ++i) {
    if (region_.pool(i, pool_word::kState).load(kRelaxed) != pool_state::kActive) continue;
    total_weight += std::max(0, region_.pool(i, pool_word::kMaxFloating).load(kRelaxed) - 1);
  }
  const int64_t to_distribute = std::max<int64_t>(0, std::min(spare, total_weight));
  int64_t cumulative_weight = 0;
  int64_t handed_out = 0;
  for (int32_t i = 0; i < layout.max_local_pools; ++i) {
    if (region_.pool(i, pool_word::kState).load(kRelaxed) != pool_state::kActive) continue;
    const int32_t max_floating = region_.pool(i, pool_word::kMaxFloating).load(kRelaxed);
    int64_t share = 0;
    if (max_floating > 1 && total_weight > 0) {
      cumulative_weight += max_floating - 1;
      const int64_t until_here = to_distribute * cumulative_weight / total_weight;
      share = until_here - handed_out;
      handed_out = until_here;
    }
    const int64_t size = std::min<int64_t>(1, max_floating) + share;
    region_.pool(i, pool_word::kFloatingSize).store(static_cast<int32_t>(size), kRelaxed);
  }
}

int32_t NetworkBufferPool::destroy_local_pool(int32_t pool_id, bool force) {
  ControlLockGuard lock(region_.header(header_word::kControlLock));
  check_active_pool(pool_id);
  const int32_t held = region_.pool(pool_id, pool_word::kHeld).load(kAcquire);
  if (held != 0 && !force) {
    throw_state("Cannot destroy local pool " + std::to_string(pool_id) + ": " +
                std::to_string(held) +
                " segment(s) are still in use. Recycle them first, or destroy with force after "
                "the task failed.");
  }
  int32_t reclaimed = 0;
  if (held != 0) {
    const int32_t owner = pool_id + 1;
    for (int32_t segment = 0; segment < region_.layout().num_segments; ++segment) {
      int32_t expected = owner;
      if (region_.descriptor(segment, descriptor_word::kOwnerPool)
              .compare_exchange_strong(expected, 0, kAcquire, kRelaxed)) {
        free_segment(segment);
        ++reclaimed;
      }
    }
    if (reclaimed > 0) {
      region_.header(header_word::kRecycleEpoch).fetch_add(1, std::memory_order_seq_cst);
    }
  }
  const int32_t min_segments = static_cast<int32_t>(
      min_segments_of(region_.pool(pool_id, pool_word::kNumSubpartitions).load(kRelaxed),
                      region_.pool(pool_id, pool_word::kExclusivePerSubpartition).load(kRelaxed),
                      region_.pool(pool_id, pool_word::kMaxFloating).load(kRelaxed)));
  region_.pool(pool_id, pool_word::kState).store(pool_state::kFree, kRelease);
  for (int32_t word = 1; word < kPoolEntryWords; ++word) region_.pool(pool_id, word).store(0, kRelaxed);
  region_.header(header_word::kReservedMinimum).fetch_sub(min_segments, kRelaxed);
  region_.header(header_word::kNumLocalPools).fetch_sub(1, kRelaxed);
  redistribute_locked();
  return reclaimed;
}

int32_t NetworkBufferPool::request_segment(int32_t pool_id, int32_t subpartition) {
  check_active_pool(pool_id);
  const int32_t subpartitions = region_.pool(pool_id, pool_word::kNumSubpartitions).load(kRelaxed);
  if (subpartition < 0 || subpartition >= subpartitions) {
    throw_range("subpartition " + std::to_string(subpartition) + " is out of range [0, " +
                std::to_string(subpartitions) + ") for pool " + std::to_string(pool_id));
  }
  const int32_t counter = region_.pool(pool_id, pool_word::kCountersStart).load(kRelaxed) + subpartition;
  if (counter < 0 || counter >= region_.layout().num_subpartition_counters) {
    throw_state("network memory corrupted: counter index " + std::to_string(counter));
  }
  const int32_t exclusive = region_.pool(pool_id, pool_word::kExclusivePerSubpartition).load(kRelaxed);
  const int32_t max_per = region_.pool(pool_id, pool_word::kMaxPerSubpartition).load(kRelaxed);
  auto held_sub = region_.counter(counter);
  auto floating_in_use = region_.pool(pool_id, pool_word::kFloatingInUse);
  auto denied = [&](int32_t status) {
    region_.pool(pool_id, pool_word::kRequestsDenied).fetch_add(1, kRelaxed);
    return status;
  };

  // Bookkeeping rule that keeps FLOATING_IN_USE == sum(max(0, held[s] - exclusive)) once quiet:
  // every increment of held[s] from prev >= exclusive adds one floating segment, every decrement
  // from prev > exclusive removes one, whichever thread does it. Undo paths apply the net delta.
  const int32_t prev = held_sub.fetch_add(1, kAcqRel);
  if (prev >= max_per) {
    const int32_t prev_undo = held_sub.fetch_sub(1, kAcqRel);
    const int32_t delta = (prev >= exclusive ? 1 : 0) - (prev_undo > exclusive ? 1 : 0);
    if (delta != 0) floating_in_use.fetch_add(delta, kRelaxed);
    return denied(request_status::kSubpartitionCap);
  }
  if (prev >= exclusive) {
    const int32_t quota = region_.pool(pool_id, pool_word::kFloatingSize).load(kRelaxed);
    int32_t in_use = floating_in_use.load(kRelaxed);
    do {
      if (in_use >= quota) {
        const int32_t prev_undo = held_sub.fetch_sub(1, kAcqRel);
        if (prev_undo <= exclusive) floating_in_use.fetch_add(1, kRelaxed);
        return denied(request_status::kPoolExhausted);
      }
    } while (!floating_in_use.compare_exchange_weak(in_use, in_use + 1, kRelaxed, kRelaxed));
  }
  const int32_t segment = FreeSegmentStack(region_).pop();
  if (segment < 0) {
    release_subpartition_slot(pool_id, counter, exclusive);
    return denied(request_status::kGlobalEmpty);
  }
  const int32_t available = region_.header(header_word::kAvailableSegments).fetch_sub(1, kRelaxed) - 1;
  raise_to(region_.header(header_word::kHighWaterUsed), region_.layout().num_segments - available);
  const int32_t held = region_.pool(pool_id, pool_word::kHeld).fetch_add(1, kRelaxed) + 1;
  raise_to(region_.pool(pool_id, pool_word::kHighWaterHeld), held);
  region_.pool(pool_id, pool_word::kRequestsGranted).fetch_add(1, kRelaxed);
  region_.descriptor(segment, descriptor_word::kSubpartition).store(subpartition, kRelaxed);
  region_.descriptor(segment, descriptor_word::kOwnerPool).store(pool_id + 1, kRelease);
  return segment;
}

void NetworkBufferPool::release_subpartition_slot(int32_t pool_id, int32_t counter,
                                                  int32_t exclusive) noexcept {
  const int32_t prev = region_.counter(counter).fetch_sub(1, kAcqRel);
  if (prev > exclusive) region_.pool(pool_id, pool_word::kFloatingInUse).fetch_sub(1, kRelaxed);
}

void NetworkBufferPool::free_segment(int32_t segment) noexcept {
  // AVAILABLE goes up before the push (and down after a pop), so it never undercounts.
  region_.header(header_word::kAvailableSegments).fetch_add(1, kRelaxed);
  FreeSegmentStack(region_).push(segment);
}

int32_t NetworkBufferPool::recycle_segment(int32_t segment) {
  if (!region_.is_segment(segment)) {
    throw_range("segment " + std::to_string(segment) + " is out of range [0, " +
                std::to_string(region_.layout().num_segments) + ")");
  }
  auto owner_word = region_.descriptor(segment, descriptor_word::kOwnerPool);
  int32_t owner = owner_word.load(kAcquire);
  for (;;) {
    if (owner == 0) {
      throw_range("segment " + std::to_string(segment) +
                  " is not in use (recycled twice, or never requested)");
    }
    if (owner < 1 || owner > region_.layout().max_local_pools) {
      throw_state("network memory corrupted: segment " + std::to_string(segment) + " owner " +
                  std::to_string(owner));
    }
    // SUBPARTITION was stored before OWNER (release), so this read matches `owner`.
    const int32_t subpartition = region_.descriptor(segment, descriptor_word::kSubpartition).load(kRelaxed);
    if (!owner_word.compare_exchange_strong(owner, 0, kAcqRel, kAcquire)) continue;
    const int32_t pool_id = owner - 1;
    const int32_t subpartitions = region_.pool(pool_id, pool_word::kNumSubpartitions).load(kRelaxed);
    const int32_t counter = region_.pool(pool_id, pool_word::kCountersStart).load(kRelaxed) + subpartition;
    const bool counted = subpartition >= 0 && subpartition < subpartitions && counter >= 0 &&
                         counter < region_.layout().num_subpartition_counters;
    // Order matters: HELD and AVAILABLE move (and the segment goes back on the stack) BEFORE the
    // quota is released; a request takes quota before it pops and counts. So HELD,
    // HIGH_WATER_HELD, used = total - AVAILABLE and HIGH_WATER_USED never exceed what the quotas
    // allow, even transiently. A request denied in between waits for the epoch bump below.
    if (counted) region_.pool(pool_id, pool_word::kHeld).fetch_sub(1, kRelease);
    free_segment(segment);
    if (counted) {
      release_subpartition_slot(
          pool_id, counter, region_.pool(pool_id, pool_word::kExclusivePerSubpartition).load(kRelaxed));
    }
    region_.header(header_word::kRecycleEpoch).fetch_add(1, std::memory_order_seq_cst);
    return region_.header(header_word::kWaiters).load(std::memory_order_seq_cst);
  }
}

NetworkPoolStats NetworkBufferPool::stats() const {
  NetworkPoolStats stats;
  const NetworkMemoryLayout& layout = region_.layout();
  stats.total_segments = layout.num_segments;
  stats.available_segments = region_.header(header_word::kAvailableSegments).load(kRelaxed);
  stats.used_segments = layout.num_segments - stats.available_segments;
  stats.high_water_used = region_.header(header_word::kHighWaterUsed).load(kRelaxed);
  stats.reserved_minimum = region_.header(header_word::kReservedMinimum).load(kRelaxed);
  stats.num_local_pools = region_.header(header_word::kNumLocalPools).load(kRelaxed);
  stats.segment_size = layout.segment_size;
  stats.segments_offset = layout.segments_offset;
  return stats;
}

LocalPoolStats NetworkBufferPool::local_pool_stats(int32_t pool_id) const {
  check_active_pool(pool_id);
  LocalPoolStats stats;
  auto word = [&](int32_t w) { return region_.pool(pool_id, w).load(kRelaxed); };
  stats.num_subpartitions = word(pool_word::kNumSubpartitions);
  stats.exclusive_per_subpartition = word(pool_word::kExclusivePerSubpartition);
  stats.max_floating = word(pool_word::kMaxFloating);
  stats.max_per_subpartition = word(pool_word::kMaxPerSubpartition);
  stats.min_segments = min_segments_of(stats.num_subpartitions, stats.exclusive_per_subpartition,
                                       stats.max_floating);
  stats.max_segments = int64_t{stats.num_subpartitions} * stats.exclusive_per_subpartition +
                       stats.max_floating;
  stats.floating_size = word(pool_word::kFloatingSize);
  stats.floating_in_use = word(pool_word::kFloatingInUse);
  stats.held = word(pool_word::kHeld);
  stats.high_water_held = word(pool_word::kHighWaterHeld);
  stats.requests_granted = word(pool_word::kRequestsGranted);
  stats.requests_denied = word(pool_word::kRequestsDenied);
  const int32_t start = word(pool_word::kCountersStart);
  const int32_t listed = std::min(stats.num_subpartitions, region_.layout().num_subpartition_counters);
  for (int32_t i = 0; i < listed; ++i) {
    const int32_t counter = start + i;
    const bool in_range = counter >= 0 && counter < region_.layout().num_subpartition_counters;
    stats.held_per_subpartition.push_back(in_range ? region_.counter(counter).load(kRelaxed) : 0);
  }
  return stats;
}

}  // namespace strom::core
