// Single-thread accounting of the global and local network buffer pools.
#include <set>
#include <vector>

#include "core/network_memory_error.h"
#include "network_memory_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::LocalPoolConfig;
using core::NetworkMemoryErrorKind;
namespace status = core::request_status;

namespace {
LocalPoolConfig config(int64_t subpartitions, int64_t exclusive, int64_t max_floating, int64_t max_per) {
  LocalPoolConfig c;
  c.num_subpartitions = subpartitions;
  c.exclusive_per_subpartition = exclusive;
  c.max_floating = max_floating;
  c.max_per_subpartition = max_per;
  return c;
}
}  // namespace

STROM_TEST(exclusive_then_floating_then_caps) {
  test::NetworkMemoryFixture fixture(64, 32);
  auto pool = fixture.attach();
  // 2 subpartitions, 2 exclusive each, up to 3 floating, 4 per subpartition.
  const int32_t id = pool.create_local_pool(config(2, 2, 3, 4));
  auto s = pool.local_pool_stats(id);
  STROM_CHECK_EQ(s.min_segments, 5);
  STROM_CHECK_EQ(s.max_segments, 7);
  STROM_CHECK_EQ(s.floating_size, 3);  // plenty of spare: the full maxFloating
  STROM_CHECK_EQ(pool.stats().reserved_minimum, 5);

  std::vector<int32_t> got;
  std::set<int32_t> distinct;
  for (int i = 0; i < 4; ++i) got.push_back(pool.request_segment(id, 0));  // 2 exclusive + 2 floating
  STROM_CHECK_EQ(pool.request_segment(id, 0), status::kSubpartitionCap);
  got.push_back(pool.request_segment(id, 1));
  got.push_back(pool.request_segment(id, 1));  // exclusive of subpartition 1
  got.push_back(pool.request_segment(id, 1));  // third floating
  STROM_CHECK_EQ(pool.request_segment(id, 1), status::kPoolExhausted);
  for (int32_t segment : got) {
    STROM_CHECK(segment >= 0 && segment < 32);
    distinct.insert(segment);
  }
  STROM_CHECK_EQ(distinct.size(), size_t{7});
  s = pool.local_pool_stats(id);
  STROM_CHECK_EQ(s.held, 7);
  STROM_CHECK_EQ(s.floating_in_use, 3);
  STROM_CHECK_EQ(s.held_per_subpartition[0], 4);
  STROM_CHECK_EQ(s.held_per_subpartition[1], 3);
  STROM_CHECK_EQ(s.requests_granted, 7);
  STROM_CHECK_EQ(s.requests_denied, 2);
  STROM_CHECK_EQ(pool.stats().used_segments, 7);
  STROM_CHECK_EQ(pool.stats().available_segments, 25);

  // Recycling one floating segment of subpartition 0 frees floating quota for subpartition 1.
  STROM_CHECK_EQ(pool.recycle_segment(got[0]), 0);
  STROM_CHECK_EQ(pool.local_pool_stats(id).floating_in_use, 2);
  const int32_t again = pool.request_segment(id, 1);
  STROM_CHECK(again >= 0);
  got[0] = again;
  for (int32_t segment : got) pool.recycle_segment(segment);
  s = pool.local_pool_stats(id);
  STROM_CHECK_EQ(s.held, 0);
  STROM_CHECK_EQ(s.floating_in_use, 0);
  STROM_CHECK_EQ(s.high_water_held, 7);
  STROM_CHECK_EQ(pool.stats().available_segments, 32);
  STROM_CHECK_EQ(pool.stats().high_water_used, 7);
  STROM_CHECK_EQ(pool.destroy_local_pool(id, false), 0);
  STROM_CHECK_EQ(pool.stats().reserved_minimum, 0);
  STROM_CHECK_EQ(pool.stats().num_local_pools, 0);
}

STROM_TEST(global_empty_when_segments_run_out) {
  test::NetworkMemoryFixture fixture(64, 4);
  auto pool = fixture.attach();
  const int32_t a = pool.create_local_pool(config(1, 1, 0, 4));  // min 1, max 1
  const int32_t b = pool.create_local_pool(config(1, 0, 8, 8));  // min 1, floating up to 3 after redistribution
  STROM_CHECK_EQ(pool.local_pool_stats(b).floating_size, 3);
  STROM_CHECK(pool.request_segment(a, 0) >= 0);
  STROM_CHECK_EQ(pool.request_segment(a, 0), status::kPoolExhausted);  // maxFloating 0: no floating at all
  for (int i = 0; i < 3; ++i) STROM_CHECK(pool.request_segment(b, 0) >= 0);
  STROM_CHECK_EQ(pool.request_segment(b, 0), status::kPoolExhausted);
  STROM_CHECK_EQ(pool.stats().available_segments, 0);
  STROM_CHECK_EQ(pool.stats().high_water_used, 4);
  // Destroying a (with force: it still holds one) hands its reserve to b's floating quota.
  pool.destroy_local_pool(a, true);
  STROM_CHECK_EQ(pool.local_pool_stats(b).floating_size, 4);  // (spare 3 capped by maxFloating-1=7) + 1
  STROM_CHECK(pool.request_segment(b, 0) >= 0);                // the segment a held came back
  STROM_CHECK_EQ(pool.request_segment(b, 0), status::kPoolExhausted);
  const auto s = pool.local_pool_stats(b);
  STROM_CHECK_EQ(s.requests_denied, 2);
  STROM_CHECK(pool.stats().high_water_used <= pool.stats().total_segments);
}

STROM_TEST(global_empty_status) {
  // Quotas sized by redistribution never add up to more than the total, so GLOBAL_EMPTY only
  // happens after a shrink: a pool still holds segments beyond its new floating size.
  test::NetworkMemoryFixture fixture(64, 4);
  auto pool = fixture.attach();
  const int32_t floating = pool.create_local_pool(config(1, 0, 8, 8));  // floating size 4
  STROM_CHECK_EQ(pool.local_pool_stats(floating).floating_size, 4);
  std::vector<int32_t> held;
  for (int i = 0; i < 4; ++i) held.push_back(pool.request_segment(floating, 0));
  // A new pool reserves 2 exclusive: floating shrinks to 2, but still holds 4 until recycled.
  const int32_t exclusive = pool.create_local_pool(config(2, 1, 0, 1));
  STROM_CHECK_EQ(pool.local_pool_stats(floating).floating_size, 2);
  STROM_CHECK_EQ(pool.request_segment(exclusive, 0), status::kGlobalEmpty);
  STROM_CHECK_EQ(pool.request_segment(floating, 0), status::kPoolExhausted);
  STROM_CHECK_EQ(pool.local_pool_stats(exclusive).held_per_subpartition[0], 0);  // undone
  pool.recycle_segment(held[0]);
  STROM_CHECK(pool.request_segment(exclusive, 0) >= 0);
  pool.recycle_segment(held[1]);
  pool.recycle_segment(held[2]);
  // floating now holds 1 of its new size 2: it may take one more, not more.
  STROM_CHECK(pool.request_segment(floating, 0) >= 0);
  STROM_CHECK_EQ(pool.request_segment(floating, 0), status::kPoolExhausted);
  STROM_CHECK_EQ(pool.destroy_local_pool(floating, true), 2);
  STROM_CHECK_EQ(pool.destroy_local_pool(exclusive, true), 1);
  STROM_CHECK_EQ(pool.stats().available_segments, 4);
}

STROM_TEST(redistribution_is_proportional_to_max_floating_minus_one) {
  test::NetworkMemoryFixture fixture(64, 20);
  auto pool = fixture.attach();
  const int32_t a = pool.create_local_pool(config(2, 2, 8, 10));  // min 5, weight 7
  const int32_t b = pool.create_local_pool(config(1, 2, 4, 10));  // min 3, weight 3
  const int32_t c = pool.create_local_pool(config(1, 1, 1, 10));  // min 2, weight 0
  // spare = 20 - 10 = 10 = total weight: everyone gets the full maxFloating.
  STROM_CHECK_EQ(pool.local_pool_stats(a).floating_size, 8);
  STROM_CHECK_EQ(pool.local_pool_stats(b).floating_size, 4);
  STROM_CHECK_EQ(pool.local_pool_stats(c).floating_size, 1);
  const int32_t d = pool.create_local_pool(config(1, 4, 1, 10));  // min 5 -> spare 5
  const int32_t sa = pool.local_pool_stats(a).floating_size;
  const int32_t sb = pool.local_pool_stats(b).floating_size;
  STROM_CHECK_EQ((sa - 1) + (sb - 1), 5);  // all spare handed out
  STROM_CHECK(sa - 1 >= 3 && sa - 1 <= 4); // 5 * 7/10 = 3.5
  STROM_CHECK_EQ(pool.local_pool_stats(d).floating_size, 1);
  const auto stats = pool.stats();
  STROM_CHECK_EQ(stats.reserved_minimum, 15);
  // The sum of every pool's maximum under current sizes never exceeds the total.
  int64_t capacity = 0;
  for (int32_t id : {a, b, c, d}) {
    const auto s = pool.local_pool_stats(id);
    capacity += int64_t{s.num_subpartitions} * s.exclusive_per_subpartition + s.floating_size;
  }
  STROM_CHECK_EQ(capacity, int64_t{20});
  pool.destroy_local_pool(d, false);
  STROM_CHECK_EQ(pool.local_pool_stats(a).floating_size, 8);
}

STROM_TEST(insufficient_buffers_uses_flinks_message) {
  test::NetworkMemoryFixture fixture(32768, 8);
  auto pool = fixture.attach();
  try {
    pool.create_local_pool(config(5, 2, 8, 10));  // min 11
    strom::test::fail(__FILE__, __LINE__, "expected insufficient buffers");
  } catch (const core::NetworkMemoryError& error) {
    STROM_CHECK(error.kind() == NetworkMemoryErrorKind::kInsufficient);
    STROM_CHECK_EQ(error.required(), 11);
    STROM_CHECK_EQ(error.available(), 8);
    STROM_CHECK_EQ(std::string(error.what()),
                   std::string("Insufficient number of network buffers: required 11, but only 8 available. "
                               "The total number of network buffers is currently set to 8 of 32768 bytes each. "
                               "You can increase this number by setting the configuration keys "
                               "'taskmanager.memory.network.min' and 'taskmanager.memory.network.max' (or "
                               "'taskmanager.memory.network.fraction' when 'taskmanager.memory.process.size' is set), "
                               "or lower "
                               "'taskmanager.network.memory.buffers-per-channel' or the parallelism."));
  }
  STROM_CHECK_EQ(pool.stats().reserved_minimum, 0);
  STROM_CHECK_EQ(pool.stats().num_local_pools, 0);
  pool.create_local_pool(config(2, 2, 8, 10));  // min 5
  // 5 of 8 reserved: another minimum of 5 does not fit in the remaining 3.
  auto message = STROM_CHECK_THROWS(pool.create_local_pool(config(2, 2, 8, 10)), NetworkMemoryErrorKind::kInsufficient);
  STROM_CHECK(message.find("required 5, but only 3 available") != std::string::npos);
}

STROM_TEST(bad_arguments_and_capacity_limits) {
  test::NetworkMemoryFixture fixture(64, 16, 2, 4);
  auto pool = fixture.attach();
  STROM_CHECK_THROWS(pool.create_local_pool(config(0, 2, 8, 10)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.create_local_pool(config(1, -1, 8, 10)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.create_local_pool(config(1, 2, -1, 10)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.create_local_pool(config(1, 3, 8, 2)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.create_local_pool(config(1, 0, 0, 2)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.create_local_pool(config(5, 1, 1, 2)), NetworkMemoryErrorKind::kRange);  // > 4 counters
  const int32_t a = pool.create_local_pool(config(2, 1, 1, 2));
  const int32_t b = pool.create_local_pool(config(1, 1, 1, 2));
  STROM_CHECK_THROWS(pool.create_local_pool(config(1, 1, 1, 2)), NetworkMemoryErrorKind::kState);  // no slot
  STROM_CHECK_THROWS(pool.request_segment(7, 0), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.request_segment(-1, 0), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.request_segment(a, 2), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.request_segment(b, -1), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.recycle_segment(16), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.recycle_segment(-1), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(pool.local_pool_stats(5), NetworkMemoryErrorKind::kRange);
  // Counter ranges: a = [0,2), b = [2,3). Destroy a, then a 3-subpartition pool does not fit
  // at 0 (overlaps b at 2) and not at 3 (only 4 counters).
  pool.destroy_local_pool(a, false);
  STROM_CHECK_THROWS(pool.create_local_pool(config(3, 1, 1, 2)), NetworkMemoryErrorKind::kState);
  const int32_t c = pool.create_local_pool(config(2, 1, 1, 2));
  STROM_CHECK_EQ(pool.local_pool_stats(c).num_subpartitions, 2);
  STROM_CHECK_THROWS(pool.destroy_local_pool(9, false), NetworkMemoryErrorKind::kRange);
}

STROM_TEST(double_recycle_is_detected_and_harmless) {
  test::NetworkMemoryFixture fixture(64, 8);
  auto pool = fixture.attach();
  const int32_t id = pool.create_local_pool(config(1, 2, 2, 4));
  const int32_t segment = pool.request_segment(id, 0);
  pool.recycle_segment(segment);
  const auto before = pool.stats();
  const auto message = STROM_CHECK_THROWS(pool.recycle_segment(segment), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("segment " + std::to_string(segment)) != std::string::npos);
  STROM_CHECK_THROWS(pool.recycle_segment(7), NetworkMemoryErrorKind::kRange);  // never requested
  const auto after = pool.stats();
  STROM_CHECK_EQ(after.available_segments, before.available_segments);
  STROM_CHECK_EQ(pool.local_pool_stats(id).held, 0);
  STROM_CHECK_EQ(pool.local_pool_stats(id).held_per_subpartition[0], 0);
  // The free stack is intact: all 8 segments can still be handed out exactly once.
  const int32_t other = pool.create_local_pool(config(1, 0, 6, 6));
  std::set<int32_t> seen;
  // Quotas after redistribution: id 2 exclusive + 1 floating, other 5 floating.
  for (int i = 0; i < 3; ++i) seen.insert(pool.request_segment(id, 0));
  for (int i = 0; i < 5; ++i) seen.insert(pool.request_segment(other, 0));
  STROM_CHECK_EQ(seen.size(), size_t{8});
  STROM_CHECK(*seen.begin() >= 0);
}

STROM_TEST(destroy_refuses_while_held_and_force_reclaims) {
  test::NetworkMemoryFixture fixture(64, 8);
  auto pool = fixture.attach();
  const int32_t id = pool.create_local_pool(config(2, 1, 4, 4));
  for (int i = 0; i < 5; ++i) STROM_CHECK(pool.request_segment(id, i % 2) >= 0);
  const auto message = STROM_CHECK_THROWS(pool.destroy_local_pool(id, false), NetworkMemoryErrorKind::kState);
  STROM_CHECK(message.find("5 segment(s) are still in use") != std::string::npos);
  STROM_CHECK_EQ(pool.stats().num_local_pools, 1);
  const int32_t epoch_before = pool.region().header(core::header_word::kRecycleEpoch).load();
  STROM_CHECK_EQ(pool.destroy_local_pool(id, true), 5);
  STROM_CHECK(pool.region().header(core::header_word::kRecycleEpoch).load() > epoch_before);
  const auto stats = pool.stats();
  STROM_CHECK_EQ(stats.available_segments, 8);
  STROM_CHECK_EQ(stats.reserved_minimum, 0);
  STROM_CHECK_EQ(stats.num_local_pools, 0);
  STROM_CHECK_THROWS(pool.local_pool_stats(id), NetworkMemoryErrorKind::kRange);
  // Reclaimed segments are free: a new pool gets all 8.
  const int32_t again = pool.create_local_pool(config(1, 0, 8, 8));
  for (int i = 0; i < 8; ++i) STROM_CHECK(pool.request_segment(again, 0) >= 0);
}

int main() { return strom::test::run_all(); }
