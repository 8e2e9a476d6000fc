// network_memory_layout.cc: validation and geometry of a network memory region.
#include "network_memory_layout.h"

#include <string>

#include "network_memory_error.h"

namespace strom::core {
namespace {

int64_t align_up(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

void require_at_least(const char* name, int64_t value, int64_t minimum) {
  if (value < minimum) {
    throw_range(std::string(name) + " must be at least " + std::to_string(minimum) + ", got " +
                std::to_string(value));
  }
}

}  // namespace

NetworkMemoryLayout compute_network_memory_layout(const NetworkMemoryOptions& options) {
  const int64_t segment_size = options.segment_size;
  if (segment_size < kMinSegmentSize || segment_size >= kMaxTotalBytes ||
      (segment_size & (segment_size - 1)) != 0) {
    throw_range("segmentSize must be a power of two of at least " + std::to_string(kMinSegmentSize) +
                " bytes, got " + std::to_string(segment_size));
  }
  require_at_least("numSegments", options.num_segments, 1);
  require_at_least("maxLocalPools", options.max_local_pools, 1);
  require_at_least("numSubpartitionCounters", options.num_subpartition_counters, 1);
  // Each count is bounded before multiplying so no int64 product can overflow.
  const int64_t limit = kMaxTotalBytes;
  if (options.num_segments >= limit || options.max_local_pools >= limit ||
      options.num_subpartition_counters >= limit) {
    throw_range("network memory must stay below 2^31 bytes; numSegments " +
                std::to_string(options.num_segments) + ", maxLocalPools " +
                std::to_string(options.max_local_pools) + ", numSubpartitionCounters " +
                std::to_string(options.num_subpartition_counters) + " are too large");
  }
  const int64_t local_pools_offset = int64_t{kHeaderWords} * 4;
  const int64_t counters_offset =
      local_pools_offset + options.max_local_pools * kPoolEntryWords * 4;
  const int64_t descriptors_offset =
      align_up(counters_offset + options.num_subpartition_counters * 4, kDescriptorsAlignment);
  const int64_t segments_offset =
      align_up(descriptors_offset + options.num_segments * kDescriptorWords * 4, kSegmentsAlignment);
  const int64_t total_bytes = segments_offset + options.num_segments * segment_size;
  if (total_bytes >= limit) {
    throw_range("network memory must stay below 2^31 bytes so int32 offsets hold, but numSegments " +
                std::to_string(options.num_segments) + " x segmentSize " +
                std::to_string(segment_size) + " plus bookkeeping needs " +
                std::to_string(total_bytes) + " bytes");
  }
  NetworkMemoryLayout layout;
  layout.segment_size = static_cast<int32_t>(segment_size);
  layout.num_segments = static_cast<int32_t>(options.num_segments);
  layout.max_local_pools = static_cast<int32_t>(options.max_local_pools);
  layout.num_subpartition_counters = static_cast<int32_t>(options.num_subpartition_counters);
  layout.local_pools_offset = static_cast<int32_t>(local_pools_offset);
  layout.counters_offset = static_cast<int32_t>(counters_offset);
  layout.descriptors_offset = static_cast<int32_t>(descriptors_offset);
  layout.segments_offset = static_cast<int32_t>(segments_offset);
  layout.total_bytes = static_cast<int32_t>(total_bytes);
  return layout;
}

}  // namespace strom::core
