// managed_memory.cc: format/attach checks and the lock-free reserve/release of the account.
#include "managed_memory.h"

#include <string>

#include "network_memory_error.h"

namespace strom::core {

namespace {

int64_t* checked_words(void* region, size_t region_bytes) {
  if (region == nullptr) throw_range("managed memory region is null");
  if (reinterpret_cast<uintptr_t>(region) % 8 != 0) {
    throw_range("managed memory region must be 8-byte aligned");
  }
  if (region_bytes < static_cast<size_t>(kManagedMemoryBytes)) {
    throw_range("managed memory region has " + std::to_string(region_bytes) + " bytes, needs " +
                std::to_string(kManagedMemoryBytes));
  }
  return static_cast<int64_t*>(region);
}

}  // namespace

ManagedMemoryAccount ManagedMemoryAccount::format(void* region, size_t region_bytes, int64_t budget) {
  int64_t* words = checked_words(region, region_bytes);
  if (budget < 0 || budget > kMaxManagedMemoryBudget) {
    throw_range("managed memory budget must be in [0, 2^53 - 1] bytes, got " + std::to_string(budget));
  }
  ManagedMemoryAccount account(words);
  account.word(managed_memory_word::kMagic).store(0, std::memory_order_relaxed);
  for (int32_t i = 1; i < kManagedMemoryWords; ++i) account.word(i).store(0, std::memory_order_relaxed);
  account.word(managed_memory_word::kVersion).store(kManagedMemoryVersion, std::memory_order_relaxed);
  account.word(managed_memory_word::kBudget).store(budget, std::memory_order_relaxed);
  account.word(managed_memory_word::kMagic).store(kManagedMemoryMagic, std::memory_order_release);
  return account;
}

ManagedMemoryAccount ManagedMemoryAccount::attach(void* region, size_t region_bytes) {
  ManagedMemoryAccount account(checked_words(region, region_bytes));
  const int64_t magic = account.word(managed_memory_word::kMagic).load(std::memory_order_acquire);
  if (magic != kManagedMemoryMagic) {
    throw_range("not a managed memory account (bad magic " + std::to_string(magic) + ")");
  }
  const int64_t version = account.word(managed_memory_word::kVersion).load(std::memory_order_relaxed);
  if (version != kManagedMemoryVersion) {
    throw_range("managed memory layout version " + std::to_string(version) + " is not the supported " +
                std::to_string(kManagedMemoryVersion));
  }
  return account;
}

bool ManagedMemoryAccount::try_reserve(int64_t bytes) noexcept {
  if (bytes < 0) return false;
  const int64_t budget = this->budget();
  auto used = word(managed_memory_word::kUsed);
  int64_t current = used.load(std::memory_order_relaxed);
  int64_t next;
  do {
    if (bytes > budget - current) return false;  // never exceeds BUDGET, even transiently
    next = current + bytes;
  } while (!used.compare_exchange_weak(current, next, std::memory_order_acq_rel, std::memory_order_relaxed));
  auto high_water = word(managed_memory_word::kHighWater);
  int64_t seen = high_water.load(std::memory_order_relaxed);
  while (seen < next &&
         !high_water.compare_exchange_weak(seen, next, std::memory_order_relaxed, std::memory_order_relaxed)) {
  }
  return true;
}

void ManagedMemoryAccount::release(int64_t bytes) noexcept {
  if (bytes <= 0) return;
  word(managed_memory_word::kUsed).fetch_sub(bytes, std::memory_order_acq_rel);
}

}  // namespace strom::core
