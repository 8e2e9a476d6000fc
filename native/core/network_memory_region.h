// network_memory_region.h: typed atomic access to the words of one attached network memory.
//
// Holds the base pointer and a PRIVATE copy of the validated layout: offsets always come from
// this copy, never from the shared header, so corrupting the header from JS cannot redirect
// native accesses out of bounds. Every accessor is an std::atomic_ref (C++20) over shared bytes.
#pragma once

#include <atomic>
#include <cstdint>

#include "network_memory_layout.h"

namespace strom::core {

class NetworkMemoryRegion {
 public:
  NetworkMemoryRegion(uint8_t* base, const NetworkMemoryLayout& layout) noexcept
      : base_(base), layout_(layout) {}

  const NetworkMemoryLayout& layout() const noexcept { return layout_; }
  uint8_t* base() const noexcept { return base_; }

  std::atomic_ref<int32_t> header(int32_t word) const noexcept { return word_at(word * 4); }

  /** FREE_HEAD: low 32 bits = top segment index or -1, high 32 bits = ABA tag. */
  std::atomic_ref<int64_t> free_head() const noexcept {
    return std::atomic_ref<int64_t>(
        *reinterpret_cast<int64_t*>(base_ + header_word::kFreeHead * 4));
  }

  /** `pool` must be in [0, max_local_pools). */
  std::atomic_ref<int32_t> pool(int32_t pool, int32_t word) const noexcept {
    return word_at(layout_.local_pools_offset + (pool * kPoolEntryWords + word) * 4);
  }

  /** `index` must be in [0, num_subpartition_counters). */
  std::atomic_ref<int32_t> counter(int32_t index) const noexcept {
    return word_at(layout_.counters_offset + index * 4);
  }

  /** `segment` must be in [0, num_segments). */
  std::atomic_ref<int32_t> descriptor(int32_t segment, int32_t word) const noexcept {
    return word_at(layout_.descriptors_offset + (segment * kDescriptorWords + word) * 4);
  }

  uint8_t* segment_data(int32_t segment) const noexcept {
    return base_ + layout_.segments_offset + static_cast<int64_t>(segment) * layout_.segment_size;
  }

  bool is_segment(int32_t index) const noexcept {
    return index >= 0 && index < layout_.num_segments;
  }

 private:
  std::atomic_ref<int32_t> word_at(int64_t byte_offset) const noexcept {
    return std::atomic_ref<int32_t>(*reinterpret_cast<int32_t*>(base_ + byte_offset));
  }

  uint8_t* base_;
  NetworkMemoryLayout layout_;
};

}  // namespace strom::core
