// Layout validation, formatting and attach checks.
#include <cstring>

#include "core/network_memory_error.h"
#include "network_memory_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::NetworkMemoryErrorKind;

namespace {
core::NetworkMemoryOptions options(int64_t segment_size, int64_t segments, int64_t pools = 4, int64_t counters = 16) {
  core::NetworkMemoryOptions o;
  o.segment_size = segment_size;
  o.num_segments = segments;
  o.max_local_pools = pools;
  o.num_subpartition_counters = counters;
  return o;
}
}  // namespace

STROM_TEST(layout_offsets_are_aligned_and_ordered) {
  const auto layout = core::compute_network_memory_layout(options(1024, 8, 4, 16));
  STROM_CHECK_EQ(layout.local_pools_offset, 256);
  STROM_CHECK_EQ(layout.counters_offset, 256 + 4 * 16 * 4);
  STROM_CHECK_EQ(layout.descriptors_offset % 16, 0);
  STROM_CHECK(layout.descriptors_offset >= layout.counters_offset + 16 * 4);
  STROM_CHECK_EQ(layout.segments_offset % 64, 0);
  STROM_CHECK(layout.segments_offset >= layout.descriptors_offset + 8 * 16);
  STROM_CHECK_EQ(layout.total_bytes, layout.segments_offset + 8 * 1024);
}

STROM_TEST(layout_rejects_bad_options) {
  auto message = STROM_CHECK_THROWS(core::compute_network_memory_layout(options(0, 8)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("segmentSize") != std::string::npos);
  STROM_CHECK_THROWS(core::compute_network_memory_layout(options(100, 8)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(core::compute_network_memory_layout(options(32, 8)), NetworkMemoryErrorKind::kRange);
  message = STROM_CHECK_THROWS(core::compute_network_memory_layout(options(1024, 0)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("numSegments") != std::string::npos);
  STROM_CHECK_THROWS(core::compute_network_memory_layout(options(1024, 8, 0)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(core::compute_network_memory_layout(options(1024, 8, 4, 0)), NetworkMemoryErrorKind::kRange);
  // 2^31 bytes or more does not fit int32 offsets.
  message = STROM_CHECK_THROWS(core::compute_network_memory_layout(options(32768, 65536)), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("2^31") != std::string::npos);
  STROM_CHECK_THROWS(core::compute_network_memory_layout(options(1024, int64_t{1} << 40)), NetworkMemoryErrorKind::kRange);
  // Just below the limit is fine.
  const auto big = core::compute_network_memory_layout(options(32768, 65500));
  STROM_CHECK(big.total_bytes > 0);
}

STROM_TEST(format_builds_full_free_stack_and_attach_validates) {
  test::NetworkMemoryFixture fixture(256, 5);
  auto pool = fixture.attach();
  STROM_CHECK_EQ(pool.stats().available_segments, 5);
  STROM_CHECK_EQ(pool.stats().total_segments, 5);
  STROM_CHECK_EQ(pool.stats().used_segments, 0);

  // Too small, unaligned, bad magic, bad version, inconsistent header.
  STROM_CHECK_THROWS(core::NetworkBufferPool::attach(fixture.base(), 100), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(core::NetworkBufferPool::attach(fixture.base(), fixture.layout().total_bytes - 1),
                     NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(core::NetworkBufferPool::attach(fixture.base() + 4, fixture.layout().total_bytes - 4),
                     NetworkMemoryErrorKind::kRange);
  auto* words = reinterpret_cast<int32_t*>(fixture.base());
  words[core::header_word::kVersion] = 2;
  auto message = STROM_CHECK_THROWS(fixture.attach(), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("version 2") != std::string::npos);
  words[core::header_word::kVersion] = core::kNetworkMemoryVersion;
  words[core::header_word::kSegmentsOffset] += 64;
  STROM_CHECK_THROWS(fixture.attach(), NetworkMemoryErrorKind::kRange);
  words[core::header_word::kSegmentsOffset] -= 64;
  words[core::header_word::kMagic] = 0;
  message = STROM_CHECK_THROWS(fixture.attach(), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("formatNetworkMemory") != std::string::npos);
}

STROM_TEST(format_rejects_small_or_unaligned_memory) {
  test::NetworkMemoryFixture fixture(256, 5);
  STROM_CHECK_THROWS(core::format_network_memory(fixture.base(), 64, fixture.layout()), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(core::format_network_memory(fixture.base() + 4, fixture.layout().total_bytes, fixture.layout()),
                     NetworkMemoryErrorKind::kRange);
}

int main() { return strom::test::run_all(); }
