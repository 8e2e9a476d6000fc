// StateArena: alignment, refs, chunking, big allocations, refusal, release on destruction.
#include <cstring>
#include <vector>

#include "core/network_memory_error.h"
#include "core/state_arena.h"
#include "keyed_state_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::StateArena;

STROM_TEST(allocations_are_aligned_and_refs_resolve) {
  test::AccountFixture f(1 << 24);
  StateArena arena(f.account);
  test::Rng rng(7);
  std::vector<std::pair<uint8_t*, uint32_t>> seen;
  for (int i = 0; i < 20000; ++i) {
    const size_t align = size_t{1} << rng.below(8);  // 1 .. 128
    const size_t size = rng.below(300);
    uint32_t ref = 0;
    uint8_t* p = arena.allocate(size, align < 8 ? 8 : align, &ref);
    STROM_CHECK(p != nullptr);
    STROM_CHECK_EQ(reinterpret_cast<uintptr_t>(p) % (align < 8 ? 8 : align), 0u);
    STROM_CHECK(ref != 0);
    STROM_CHECK(arena.resolve(ref) == p);
    std::memset(p, i & 0xFF, size);  // ASan: the whole allocation is addressable
    seen.emplace_back(p, ref);
    uint8_t* q = arena.allocate(rng.below(20), align);  // no ref, any alignment
    STROM_CHECK_EQ(reinterpret_cast<uintptr_t>(q) % align, 0u);
  }
  for (auto& [p, ref] : seen) STROM_CHECK(arena.resolve(ref) == p);  // chunks never move
  STROM_CHECK_EQ(static_cast<int64_t>(arena.bytes_reserved()), f.account.used());
  STROM_CHECK_EQ(arena.bytes_reserved(), arena.chunk_count() * StateArena::kDefaultChunkSize);
  STROM_CHECK(arena.bytes_used() <= arena.bytes_reserved());
}

STROM_TEST(big_allocations_get_their_own_chunk) {
  test::AccountFixture f(1 << 24);
  StateArena arena(f.account, 4096);
  uint8_t* small = arena.allocate(100);
  STROM_CHECK(small != nullptr);
  STROM_CHECK_EQ(arena.chunk_count(), 1u);
  uint32_t ref = 0;
  uint8_t* big = arena.allocate(200000, 64, &ref);  // > chunk: exactly sized chunk
  STROM_CHECK(big != nullptr);
  STROM_CHECK_EQ(reinterpret_cast<uintptr_t>(big) % 64, 0u);
  STROM_CHECK(arena.resolve(ref) == big);
  std::memset(big, 1, 200000);
  STROM_CHECK_EQ(arena.chunk_count(), 2u);
  STROM_CHECK_EQ(arena.bytes_reserved(), 4096u + 200000u + 63u);
  uint8_t* next = arena.allocate(100);  // the shared chunk keeps its cursor
  STROM_CHECK(next == small + 104);
  STROM_CHECK_EQ(arena.chunk_count(), 2u);
  STROM_CHECK(arena.allocate(2000) != nullptr);  // > chunk / 4 but fits the tail: no new chunk
  STROM_CHECK_EQ(arena.chunk_count(), 2u);
  STROM_CHECK(arena.allocate(2000) != nullptr);  // does not fit: its own chunk, tail kept
  STROM_CHECK_EQ(arena.chunk_count(), 3u);
  STROM_CHECK_EQ(arena.bytes_reserved(), 4096u + 200000u + 63u + 2000u);
  STROM_CHECK(arena.allocate(1000) != nullptr);  // the shared tail is still used
  STROM_CHECK_EQ(arena.chunk_count(), 3u);
  STROM_CHECK_EQ(arena.bytes_used(), 100u + 200000u + 100u + 2000u + 2000u + 1000u);
  arena.abandon(2000);
  STROM_CHECK_EQ(arena.bytes_wasted(), 2000u);
}

STROM_TEST(refusal_returns_null_and_keeps_the_arena_usable) {
  test::AccountFixture f(3 * 1024);
  StateArena arena(f.account, 1024);
  int granted = 0;
  while (arena.allocate(200) != nullptr) ++granted;
  STROM_CHECK_EQ(granted, 3 * 5);  // 5 x 200 per 1 KiB chunk, 3 chunks
  STROM_CHECK_EQ(arena.bytes_needed(), 1024u);
  STROM_CHECK_EQ(f.account.used(), 3 * 1024);
  STROM_CHECK(arena.allocate(24) != nullptr);  // still fits the current chunk's tail
  STROM_CHECK(arena.allocate(5000) == nullptr);
  STROM_CHECK_EQ(arena.bytes_needed(), 5000u);
  STROM_CHECK(arena.allocate(SIZE_MAX - 8) == nullptr);  // no overflow
}

STROM_TEST(destruction_releases_everything) {
  test::AccountFixture f(1 << 24);
  {
    StateArena arena(f.account);
    for (int i = 0; i < 1000; ++i) STROM_CHECK(arena.allocate(500) != nullptr);
    STROM_CHECK(arena.allocate(1 << 20) != nullptr);
    STROM_CHECK(f.account.used() > (1 << 20));
  }
  STROM_CHECK_EQ(f.account.used(), 0);
  STROM_CHECK_THROWS(StateArena(f.account, 32), core::NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(StateArena(f.account, 128 * 1024), core::NetworkMemoryErrorKind::kRange);
}

int main() { return strom::test::run_all(); }
