// network_memory_fixture.h: an aligned, formatted network memory region for the C++ tests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/network_buffer_pool.h"
#include "core/network_memory_format.h"
#include "core/network_memory_layout.h"

namespace strom::test {

struct FreeDeleter {
  void operator()(uint8_t* p) const noexcept { std::free(p); }
};

class NetworkMemoryFixture {
 public:
  NetworkMemoryFixture(int32_t segment_size, int32_t num_segments, int32_t max_local_pools = 8,
                       int32_t counters = 256) {
    core::NetworkMemoryOptions options;
    options.segment_size = segment_size;
    options.num_segments = num_segments;
    options.max_local_pools = max_local_pools;
    options.num_subpartition_counters = counters;
    layout_ = core::compute_network_memory_layout(options);
    const size_t size = (static_cast<size_t>(layout_.total_bytes) + 63) / 64 * 64;
    memory_.reset(static_cast<uint8_t*>(std::aligned_alloc(64, size)));
    std::memset(memory_.get(), 0, size);  // like a fresh SharedArrayBuffer
    core::format_network_memory(memory_.get(), layout_.total_bytes, layout_);
  }

  uint8_t* base() const { return memory_.get(); }
  const core::NetworkMemoryLayout& layout() const { return layout_; }
  core::NetworkBufferPool attach() const { return core::NetworkBufferPool::attach(base(), layout_.total_bytes); }

 private:
  core::NetworkMemoryLayout layout_;
  std::unique_ptr<uint8_t, FreeDeleter> memory_;
};

}  // namespace strom::test
