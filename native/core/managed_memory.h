// managed_memory.h: Flink's managed memory, as one shared account per TaskManager.
//
// Mirrored word for word by src/memory/managed-memory-layout.ts. Bump kManagedMemoryVersion
// whenever a word moves.
//
// What it is
// ----------
// Flink gives each TaskManager a budget of "managed memory" (taskmanager.memory.managed.size)
// that state backends, sorters and hash tables reserve from before they allocate. strom keeps
// only the ACCOUNT in shared memory: a few int64 words in a caller-provided, 8-byte aligned
// region of a SharedArrayBuffer, so every worker thread (each with its own keyed state tables)
// reserves from the same budget lock-free, and JS reads the counters with Atomics.load without
// calling native code. The memory itself is allocated by each owner with the system allocator
// AFTER a successful reservation (see state_arena.h); the account never hands out bytes.
//
// Layout (int64 words, i.e. a BigInt64Array of kManagedMemoryWords over the region)
// -------------------------------------------------------------------------------
//   word 0  MAGIC       "STMM" (0x53544D4D)
//   word 1  VERSION     kManagedMemoryVersion
//   word 2  BUDGET      bytes that may be reserved at once (>= 0, < 2^53 so JS reads it exactly)
//   word 3  USED        bytes reserved now; 0 <= USED <= BUDGET at every instant
//   word 4  HIGH_WATER  most bytes ever reserved at once; <= BUDGET
//   words 5-7 reserved (0)                                            total: 64 bytes, one line
//
// Who writes what, in which order
// -------------------------------
//  - format() (one thread, once, before any other thread attaches) writes every word, MAGIC
//    last with a release store. attach() loads MAGIC with acquire and checks VERSION.
//  - BUDGET: written only by format().
//  - USED: native only. try_reserve() is a CAS loop that never lets USED exceed BUDGET (a
//    refused reservation leaves no trace); release() is an atomic subtract.
//  - HIGH_WATER: native only, CAS-max after every successful reservation (so it may lag USED for
//    an instant, but never exceeds BUDGET).
//  - JS only reads, with Atomics.load on a BigInt64Array over the region.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace strom::core {

inline constexpr int64_t kManagedMemoryMagic = 0x53544D4D;  // "STMM"
inline constexpr int64_t kManagedMemoryVersion = 1;
/** int64 words of the account. */
inline constexpr int32_t kManagedMemoryWords = 8;
/** Bytes the caller must provide (8-byte aligned). */
inline constexpr int32_t kManagedMemoryBytes = kManagedMemoryWords * 8;
/** Largest budget: JS reads the words as Numbers, exact below 2^53. */
inline constexpr int64_t kMaxManagedMemoryBudget = (int64_t{1} << 53) - 1;

/** Word indices (int64 words from the start of the region). */
namespace managed_memory_word {
inline constexpr int32_t kMagic = 0;
inline constexpr int32_t kVersion = 1;
inline constexpr int32_t kBudget = 2;
inline constexpr int32_t kUsed = 3;
inline constexpr int32_t kHighWater = 4;
}  // namespace managed_memory_word

/**
 * A view of one managed memory account in shared memory. Holds only the region's address: any
 * number of objects, on any threads, may view the same account; all methods are thread-safe and
 * lock-free. The region must outlive every view (JS keeps the SharedArrayBuffer alive).
 */
class ManagedMemoryAccount {
 public:
  /**
   * Formats `region` (at least kManagedMemoryBytes, 8-byte aligned) as an empty account with
   * `budget` bytes. Throws NetworkMemoryError (kRange) on a null, misaligned or short region or
   * a budget outside [0, kMaxManagedMemoryBudget]. Not thread-safe against attach(): format
   * before publishing the region to other threads.
   */
  static ManagedMemoryAccount format(void* region, size_t region_bytes, int64_t budget);

  /** Views an account formatted by format(). Throws NetworkMemoryError (kRange) on a bad
   *  region, magic or version. */
  static ManagedMemoryAccount attach(void* region, size_t region_bytes);

  /** Reserves `bytes` (>= 0) if USED + bytes <= BUDGET; false (no change) otherwise. */
  bool try_reserve(int64_t bytes) noexcept;

  /** Returns `bytes` reserved earlier by the caller. */
  void release(int64_t bytes) noexcept;

  int64_t budget() const noexcept { return word(managed_memory_word::kBudget).load(std::memory_order_relaxed); }
  int64_t used() const noexcept { return word(managed_memory_word::kUsed).load(std::memory_order_relaxed); }
  int64_t high_water() const noexcept {
    return word(managed_memory_word::kHighWater).load(std::memory_order_relaxed);
  }
  /** BUDGET - USED (a moment's view while other threads reserve). */
  int64_t available() const noexcept { return budget() - used(); }

 private:
  explicit ManagedMemoryAccount(int64_t* words) noexcept : words_(words) {}
  std::atomic_ref<int64_t> word(int32_t index) const noexcept { return std::atomic_ref<int64_t>(words_[index]); }

  int64_t* words_;
};

}  // namespace strom::core
