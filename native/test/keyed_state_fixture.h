// keyed_state_fixture.h: shared helpers of the keyed state tests (account region, PRNG, hash).
#pragma once

#include <cstdint>
#include <string>

#include "core/keyed_state_table.h"
#include "core/managed_memory.h"

namespace strom::test {

/** A managed memory account over its own aligned region. */
struct AccountFixture {
  explicit AccountFixture(int64_t budget)
      : account(core::ManagedMemoryAccount::format(words, sizeof words, budget)) {}
  alignas(8) int64_t words[core::kManagedMemoryWords] = {};
  core::ManagedMemoryAccount account;
};

/** SplitMix64: a tiny seeded PRNG, deterministic across platforms. */
struct Rng {
  uint64_t state;
  explicit Rng(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

/** A well-mixed 32-bit hash of key bytes (FNV-1a + murmur3's fmix32), non-negative like
 *  Flink's murmur: stands in for murmur(hashCode). */
inline uint32_t test_hash(const uint8_t* key, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; ++i) h = (h ^ key[i]) * 16777619u;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h & 0x7FFFFFFFu;
}

inline uint32_t test_hash(const std::string& key) {
  return test_hash(reinterpret_cast<const uint8_t*>(key.data()), static_cast<uint32_t>(key.size()));
}

inline const uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

/** Flink's default key group of a hash, for maxParallelism 128. */
inline int32_t test_key_group(uint32_t hash) { return static_cast<int32_t>(hash % 128); }

}  // namespace strom::test
