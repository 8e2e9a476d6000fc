// KeyedStateTable snapshot/restore: round trips (whole, by key-group range), validation, fuzz.
#include <cstring>
#include <string>
#include <vector>

#include "core/keyed_state_snapshot.h"
#include "core/keyed_state_table.h"
#include "keyed_state_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::KeyedStateTable;
using core::StateEntry;
using core::StateSnapshotError;
using test::bytes_of;
using test::test_hash;

namespace {

const core::KeyHashFunction kHash = [](const uint8_t* key, uint32_t len) { return test_hash(key, len); };

std::string key_of(const KeyedStateTable& t, const StateEntry* e) {
  return std::string(reinterpret_cast<const char*>(t.key(e)), KeyedStateTable::key_length(e));
}
std::string blob_of(const KeyedStateTable& t, const StateEntry* e) {
  return t.has_blob(e) ? std::string(reinterpret_cast<const char*>(t.blob(e)), t.blob_length(e)) : "<none>";
}
std::string value_of(const KeyedStateTable& t, const StateEntry* e) {
  return std::string(reinterpret_cast<const char*>(t.value(e)), t.value_size());
}

/** A table with `n` keys (some empty, some > 64 KiB), values and blobs on some. */
void fill(KeyedStateTable& t, int n, uint64_t seed) {
  test::Rng rng(seed);
  for (int i = 0; i < n; ++i) {
    std::string key = i == 0 ? std::string() : "key/" + std::to_string(i) + std::string(rng.below(20), 'x');
    if (i == 7) key = std::string(70000, 'K');
    const uint32_t h = test_hash(key);
    bool inserted = false;
    StateEntry* e = t.find_or_insert(bytes_of(key), static_cast<uint32_t>(key.size()), h, test::test_key_group(h), &inserted);
    STROM_CHECK(e != nullptr && inserted);
    for (uint32_t b = 0; b < t.value_size(); ++b) t.value(e)[b] = static_cast<uint8_t>(rng.next());
    if (t.with_blobs() && rng.below(3) != 0) {
      const std::string blob = i == 9 ? std::string(100000, 'B') : "record " + std::to_string(rng.next());
      STROM_CHECK(t.set_blob(e, bytes_of(blob), static_cast<uint32_t>(blob.size())));
    }
  }
}

/** Same keys, values, blobs and key groups, in the same order. */
void check_same(const KeyedStateTable& a, const KeyedStateTable& b) {
  STROM_CHECK_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const StateEntry* x = a.entry_at(i);
    const StateEntry* y = b.entry_at(i);
    STROM_CHECK(key_of(a, x) == key_of(b, y));
    STROM_CHECK(value_of(a, x) == value_of(b, y));
    STROM_CHECK(blob_of(a, x) == blob_of(b, y));
    STROM_CHECK_EQ(KeyedStateTable::key_group(x), KeyedStateTable::key_group(y));
  }
}

/** Every entry is found through the index by its own key. */
bool consistent(const KeyedStateTable& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    StateEntry* e = t.entry_at(i);
    if (t.find(t.key(e), KeyedStateTable::key_length(e), test_hash(t.key(e), KeyedStateTable::key_length(e))) != e) {
      return false;
    }
  }
  return true;
}

template <typename F>
std::string expect_snapshot_error(F&& f) {
  try {
    f();
  } catch (const StateSnapshotError& error) {
    return error.what();
  }
  test::fail(__FILE__, __LINE__, "expected a StateSnapshotError");
  return {};
}

void fix_checksum(std::vector<uint8_t>& s) {
  if (s.size() < 8) return;
  const uint64_t sum = core::snapshot_checksum(s.data(), s.size() - 8);
  std::memcpy(s.data() + s.size() - 8, &sum, 8);
}

}  // namespace

STROM_TEST(whole_round_trip) {
  test::AccountFixture f(int64_t{1} << 30);
  for (bool blobs : {false, true}) {
    KeyedStateTable original(f.account, 16, blobs);
    fill(original, 3000, 5);
    std::vector<uint8_t> snap = {0xAA};  // snapshot appends
    original.snapshot(snap);
    STROM_CHECK_EQ(snap[0], 0xAA);
    KeyedStateTable restored(f.account, 16, blobs);
    STROM_CHECK(restored.restore(snap.data() + 1, snap.size() - 1, kHash));
    check_same(original, restored);
    STROM_CHECK(consistent(restored));
    std::vector<uint8_t> again;
    restored.snapshot(again);
    STROM_CHECK(std::vector<uint8_t>(snap.begin() + 1, snap.end()) == again);  // byte-identical
  }
  KeyedStateTable empty(f.account, 8);
  std::vector<uint8_t> snap;
  empty.snapshot(snap);
  STROM_CHECK_EQ(snap.size(), core::kStateSnapshotHeaderBytes + core::kStateSnapshotTrailerBytes);
  KeyedStateTable into(f.account, 8);
  STROM_CHECK(into.restore(snap.data(), snap.size(), kHash));
  STROM_CHECK_EQ(into.size(), 0u);
}

STROM_TEST(key_group_ranges_partition_the_state) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable original(f.account, 8, true);
  fill(original, 5000, 9);
  // Rescale to 4 subtasks: ranges of 32 key groups each, restored into one table per range, and
  // all ranges restored into one table (which then holds the same entries, grouped by range).
  KeyedStateTable merged(f.account, 8, true);
  size_t total = 0;
  for (int32_t start = 0; start < 128; start += 32) {
    std::vector<uint8_t> snap;
    original.snapshot(snap, start, start + 31);
    KeyedStateTable part(f.account, 8, true);
    STROM_CHECK(part.restore(snap.data(), snap.size(), kHash));
    STROM_CHECK(merged.restore(snap.data(), snap.size(), kHash));
    total += part.size();
    size_t previous = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      const StateEntry* e = part.entry_at(i);
      STROM_CHECK(KeyedStateTable::key_group(e) >= start && KeyedStateTable::key_group(e) <= start + 31);
      const StateEntry* o = original.find(part.key(e), KeyedStateTable::key_length(e),
                                          test_hash(part.key(e), KeyedStateTable::key_length(e)));
      STROM_CHECK(o != nullptr);
      if (o == nullptr) continue;
      STROM_CHECK(value_of(part, e) == value_of(original, o));
      STROM_CHECK(blob_of(part, e) == blob_of(original, o));
      size_t index = 0;  // relative insertion order is kept
      while (original.entry_at(index) != o) ++index;
      STROM_CHECK(i == 0 || index > previous);
      previous = index;
    }
  }
  STROM_CHECK_EQ(total, original.size());
  STROM_CHECK_EQ(merged.size(), original.size());
  STROM_CHECK(consistent(merged));
  // Restoring the same range twice meets keys already present.
  std::vector<uint8_t> snap;
  original.snapshot(snap, 0, 31);
  const std::string message = expect_snapshot_error([&] { merged.restore(snap.data(), snap.size(), kHash); });
  STROM_CHECK(message.find("already holds") != std::string::npos);
  STROM_CHECK(consistent(merged));
}

STROM_TEST(restore_validates_the_header) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable original(f.account, 8, true);
  fill(original, 100, 3);
  std::vector<uint8_t> snap;
  original.snapshot(snap);
  KeyedStateTable other_size(f.account, 16, true);
  STROM_CHECK(expect_snapshot_error([&] { other_size.restore(snap.data(), snap.size(), kHash); }).find("value size") != std::string::npos);
  KeyedStateTable no_blobs(f.account, 8, false);
  STROM_CHECK(expect_snapshot_error([&] { no_blobs.restore(snap.data(), snap.size(), kHash); }).find("blobs") != std::string::npos);
  KeyedStateTable t(f.account, 8, true);
  STROM_CHECK(expect_snapshot_error([&] { t.restore(nullptr, 0, kHash); }).find("truncated") != std::string::npos);
  STROM_CHECK(expect_snapshot_error([&] { t.restore(snap.data(), snap.size() - 1, kHash); }).find("checksum") != std::string::npos);
  std::vector<uint8_t> bad = snap;
  bad[0] ^= 1;
  STROM_CHECK(expect_snapshot_error([&] { t.restore(bad.data(), bad.size(), kHash); }).find("magic") != std::string::npos);
  bad = snap;
  bad[30] ^= 0x40;  // a key-length byte, checksum not fixed
  STROM_CHECK(expect_snapshot_error([&] { t.restore(bad.data(), bad.size(), kHash); }).find("checksum") != std::string::npos);
  bad = snap;
  bad[23] = 0x7F;  // count's top byte, checksum fixed
  fix_checksum(bad);
  STROM_CHECK(expect_snapshot_error([&] { t.restore(bad.data(), bad.size(), kHash); }).find("claims") != std::string::npos);
  STROM_CHECK_EQ(t.size(), 0u);  // nothing restored from a rejected snapshot
}

STROM_TEST(restore_refused_memory_returns_false) {
  test::AccountFixture big(int64_t{1} << 30);
  KeyedStateTable original(big.account, 8, true);
  fill(original, 20000, 11);
  std::vector<uint8_t> snap;
  original.snapshot(snap);
  test::AccountFixture small(256 * 1024);
  KeyedStateTable t(small.account, 8, true);
  STROM_CHECK(!t.restore(snap.data(), snap.size(), kHash));
  STROM_CHECK(t.bytes_needed() > 0);
  STROM_CHECK(t.size() > 0 && t.size() < original.size());
  STROM_CHECK(consistent(t));
  STROM_CHECK(small.account.used() <= small.account.budget());
}

STROM_TEST(corrupt_snapshots_fail_cleanly) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable original(f.account, 8, true);
  fill(original, 60, 21);
  std::vector<uint8_t> valid;
  original.snapshot(valid);
  test::Rng rng(2024);
  int errors = 0, restored = 0, refused = 0;
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::vector<uint8_t> s = valid;
    const uint32_t kind = rng.below(4);
    const int mutations = 1 + static_cast<int>(rng.below(4));
    for (int m = 0; m < mutations; ++m) {
      if (s.empty()) break;
      const size_t at = rng.below(static_cast<uint32_t>(s.size()));
      if (kind == 0) s[at] ^= static_cast<uint8_t>(1 + rng.below(255));             // flip
      else if (kind == 1) s.resize(at);                                              // truncate
      else if (kind == 2) s.insert(s.begin() + static_cast<long>(at), static_cast<uint8_t>(rng.next()));  // insert
      else s[at] = rng.below(2) ? 0xFF : 0x00;                                       // extreme byte
    }
    if (rng.below(4) != 0) fix_checksum(s);  // mostly get past the checksum to the parser
    test::AccountFixture budget(1 << 22);
    KeyedStateTable t(budget.account, 8, true);
    // A copy of exactly s.size() bytes, so ASan sees any read past the end.
    std::vector<uint8_t> exact(s.begin(), s.end());
    try {
      if (t.restore(exact.empty() ? nullptr : exact.data(), exact.size(), kHash)) ++restored;
      else ++refused;
    } catch (const StateSnapshotError&) {
      ++errors;
    }
    STROM_CHECK(consistent(t));
    STROM_CHECK_EQ(static_cast<int64_t>(t.memory_bytes()), budget.account.used());
    if (t.size() != 0) {  // and usable
      bool inserted = false;
      STROM_CHECK(t.find_or_insert(bytes_of("fresh key!"), 10, test_hash(bytes_of("fresh key!"), 10), 0, &inserted) != nullptr ||
                  t.bytes_needed() > 0);
    }
  }
  std::fprintf(stderr, "  3000 corrupt snapshots: %d errors, %d restored, %d refused\n", errors, restored, refused);
  // Flipped key, value or blob bytes under a fixed checksum still form a valid snapshot.
  STROM_CHECK(errors > 1500);
  STROM_CHECK(restored > 0);
}

int main() { return strom::test::run_all(); }
