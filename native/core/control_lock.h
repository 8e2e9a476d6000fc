// control_lock.h: spin lock on the CONTROL_LOCK word for rare control operations.
//
// Only create/destroy/redistribute take it; the request/recycle hot paths never do. Holders do
// bounded work and release through RAII (also when they throw), so spinning with a yield is fine.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace strom::core {

class ControlLockGuard {
 public:
  explicit ControlLockGuard(std::atomic_ref<int32_t> word) noexcept : word_(word) {
    for (;;) {
      int32_t expected = 0;
      if (word_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return;
      }
      std::this_thread::yield();
    }
  }
  ~ControlLockGuard() { word_.store(0, std::memory_order_release); }
  ControlLockGuard(const ControlLockGuard&) = delete;
  ControlLockGuard& operator=(const ControlLockGuard&) = delete;

 private:
  std::atomic_ref<int32_t> word_;
};

}  // namespace strom::core
