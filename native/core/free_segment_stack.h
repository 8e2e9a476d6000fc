// free_segment_stack.h: the global pool's lock-free Treiber stack of free segments.
//
// Contract: any number of threads push and pop concurrently. The head is one 64-bit word
// (FREE_HEAD): low 32 bits = index of the top segment or -1, high 32 bits = a tag bumped by
// every successful CAS, so a pop that read a stale NEXT_FREE fails its CAS instead of linking a
// segment that was popped and pushed back meanwhile (ABA). The tag wraps after 2^32 operations;
// a thread would have to stall across exactly that many to be fooled.
// Links live in the descriptors' NEXT_FREE words; descriptors are never freed, so reading a stale
// link is always in bounds. A popped index outside [0, num_segments) means the shared memory was
// corrupted from outside: pop throws instead of trusting it.
#pragma once

#include <cstdint>
#include <string>

#include "network_memory_error.h"
#include "network_memory_region.h"

namespace strom::core {

class FreeSegmentStack {
 public:
  explicit FreeSegmentStack(const NetworkMemoryRegion& region) noexcept : region_(region) {}

  static constexpr int64_t pack(int32_t top, uint32_t tag) noexcept {
    return static_cast<int64_t>((static_cast<uint64_t>(tag) << 32) | static_cast<uint32_t>(top));
  }
  static constexpr int32_t top_of(int64_t head) noexcept {
    return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(head)));
  }
  static constexpr uint32_t tag_of(int64_t head) noexcept {
    return static_cast<uint32_t>(static_cast<uint64_t>(head) >> 32);
  }

  /** Returns the popped segment index, or -1 when the stack is empty. */
  int32_t pop() const {
    auto head = region_.free_head();
    int64_t current = head.load(std::memory_order_acquire);
    for (;;) {
      const int32_t top = top_of(current);
      if (top < 0) return -1;
      if (!region_.is_segment(top)) {
        throw_state("network memory corrupted: free stack top " + std::to_string(top));
      }
      const int32_t next =
          region_.descriptor(top, descriptor_word::kNextFree).load(std::memory_order_relaxed);
      const int64_t replacement = pack(next, tag_of(current) + 1);
      if (head.compare_exchange_weak(current, replacement, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
        return top;
      }
    }
  }

  /** Pushes `segment` (must be in range and owned by the caller). */
  void push(int32_t segment) const noexcept {
    auto head = region_.free_head();
    auto next = region_.descriptor(segment, descriptor_word::kNextFree);
    int64_t current = head.load(std::memory_order_relaxed);
    for (;;) {
      next.store(top_of(current), std::memory_order_relaxed);
      const int64_t replacement = pack(segment, tag_of(current) + 1);
      if (head.compare_exchange_weak(current, replacement, std::memory_order_release,
                                     std::memory_order_relaxed)) {
        return;
      }
    }
  }

 private:
  const NetworkMemoryRegion& region_;
};

}  // namespace strom::core
