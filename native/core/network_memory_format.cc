// network_memory_format.cc: one-time initialisation of a network memory region.
#include "network_memory_format.h"

#include <atomic>
#include <cstring>
#include <string>

#include "free_segment_stack.h"
#include "network_memory_error.h"
#include "network_memory_region.h"

namespace strom::core {

void format_network_memory(uint8_t* base, size_t length, const NetworkMemoryLayout& layout) {
  if (length < static_cast<size_t>(layout.total_bytes)) {
    throw_range("view is too small: network memory needs " + std::to_string(layout.total_bytes) +
                " bytes, the view has " + std::to_string(length));
  }
  if (reinterpret_cast<uintptr_t>(base) % kBaseAlignment != 0) {
    throw_range("view must start on an 8-byte boundary (byteOffset a multiple of 8)");
  }
  // Clear the magic first so a concurrent attach never accepts a half-written region, then all
  // bookkeeping (header, pool table, counters, descriptors); segment payloads stay as they are.
  NetworkMemoryRegion region(base, layout);
  region.header(header_word::kMagic).store(0, std::memory_order_release);
  std::memset(base + 4, 0, static_cast<size_t>(layout.segments_offset) - 4);

  auto set = [&](int32_t word, int32_t value) {
    region.header(word).store(value, std::memory_order_relaxed);
  };
  set(header_word::kVersion, kNetworkMemoryVersion);
  set(header_word::kSegmentSize, layout.segment_size);
  set(header_word::kNumSegments, layout.num_segments);
  set(header_word::kMaxLocalPools, layout.max_local_pools);
  set(header_word::kNumSubpartitionCounters, layout.num_subpartition_counters);
  set(header_word::kLocalPoolsOffset, layout.local_pools_offset);
  set(header_word::kCountersOffset, layout.counters_offset);
  set(header_word::kDescriptorsOffset, layout.descriptors_offset);
  set(header_word::kSegmentsOffset, layout.segments_offset);
  set(header_word::kTotalBytes, layout.total_bytes);
  set(header_word::kAvailableSegments, layout.num_segments);

  // Link every segment: i -> i + 1, the last one -> -1; segment 0 on top.
  for (int32_t i = 0; i < layout.num_segments; ++i) {
    const int32_t next = i + 1 < layout.num_segments ? i + 1 : -1;
    region.descriptor(i, descriptor_word::kNextFree).store(next, std::memory_order_relaxed);
  }
  region.free_head().store(FreeSegmentStack::pack(0, 0), std::memory_order_relaxed);

  region.header(header_word::kMagic).store(kNetworkMemoryMagic, std::memory_order_release);
}

}  // namespace strom::core
