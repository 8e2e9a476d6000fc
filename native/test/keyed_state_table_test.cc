// KeyedStateTable: against std::unordered_map, growth, blobs, insertion order, refusal, memory.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/keyed_state_table.h"
#include "core/network_memory_error.h"
#include "keyed_state_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::KeyedStateTable;
using core::StateEntry;
using test::bytes_of;
using test::test_hash;

namespace {

int64_t load_i64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

void add_i64(uint8_t* p, int64_t delta) {
  const int64_t v = load_i64(p) + delta;
  std::memcpy(p, &v, 8);
}

std::string random_key(test::Rng& rng) {
  const uint32_t kind = rng.below(100);
  size_t len;
  if (kind < 2) len = 0;
  else if (kind < 40) len = 8;
  else if (kind < 99) len = rng.below(40);
  else len = rng.below(8) == 0 ? 65536 + rng.below(20000) : 100 + rng.below(3000);
  std::string key(len, '\0');
  // Few distinct byte values: many keys share prefixes and lengths.
  for (auto& c : key) c = static_cast<char>('a' + rng.below(kind < 40 ? 256 : 3));
  return key;
}

StateEntry* upsert(KeyedStateTable& table, const std::string& key, bool* inserted) {
  const uint32_t h = test_hash(key);
  return table.find_or_insert(bytes_of(key), static_cast<uint32_t>(key.size()), h, test::test_key_group(h), inserted);
}

/** Every entry is found by its own key and the order matches `order`. */
void check_consistent(const KeyedStateTable& table, const std::vector<std::string>& order) {
  STROM_CHECK_EQ(table.size(), order.size());
  for (size_t i = 0; i < table.size(); ++i) {
    StateEntry* entry = table.entry_at(i);
    const std::string key(reinterpret_cast<const char*>(table.key(entry)), KeyedStateTable::key_length(entry));
    STROM_CHECK(key == order[i]);
    STROM_CHECK(table.find(bytes_of(key), static_cast<uint32_t>(key.size()), test_hash(key)) == entry);
    STROM_CHECK_EQ(KeyedStateTable::key_group(entry), test::test_key_group(test_hash(key)));
  }
  STROM_CHECK(table.capacity() == 0 || table.size() * 4 <= table.capacity() * 3);
}

}  // namespace

STROM_TEST(random_keys_match_unordered_map) {
  test::AccountFixture f(int64_t{1} << 32);
  KeyedStateTable table(f.account, 8);
  std::unordered_map<std::string, int64_t> reference;
  std::vector<std::string> order;
  test::Rng rng(42);
  std::vector<std::string> pool;
  for (int i = 0; i < 6000; ++i) pool.push_back(random_key(rng));
  for (int op = 0; op < 60000; ++op) {
    const std::string& key = pool[rng.below(static_cast<uint32_t>(pool.size()))];
    bool inserted = false;
    StateEntry* entry = upsert(table, key, &inserted);
    STROM_CHECK(entry != nullptr);
    const bool expected_new = reference.find(key) == reference.end();
    STROM_CHECK_EQ(inserted, expected_new);
    if (expected_new) {
      STROM_CHECK_EQ(load_i64(table.value(entry)), 0);
      order.push_back(key);
    }
    STROM_CHECK_EQ(reinterpret_cast<uintptr_t>(table.value(entry)) % 8, 0u);
    add_i64(table.value(entry), 1);
    reference[key] += 1;
  }
  check_consistent(table, order);
  for (const auto& [key, count] : reference) {
    StateEntry* entry = table.find(bytes_of(key), static_cast<uint32_t>(key.size()), test_hash(key));
    STROM_CHECK(entry != nullptr);
    if (entry != nullptr) STROM_CHECK_EQ(load_i64(table.value(entry)), count);
  }
  for (int i = 0; i < 2000; ++i) {  // absent keys
    std::string key = random_key(rng) + "#absent";
    STROM_CHECK(table.find(bytes_of(key), static_cast<uint32_t>(key.size()), test_hash(key)) == nullptr);
  }
  STROM_CHECK_EQ(static_cast<int64_t>(table.memory_bytes()), f.account.used());
}

STROM_TEST(colliding_hashes_and_restricted_key_groups) {
  // Every key has the same hash, then hashes whose low 7 bits take 1 of 4 values (a subtask
  // owning 32 of 128 key groups): lookups stay correct.
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable same(f.account, 8);
  for (uint64_t i = 0; i < 500; ++i) {
    bool inserted = false;
    STROM_CHECK(same.find_or_insert(reinterpret_cast<const uint8_t*>(&i), 8, 12345, 0, &inserted) != nullptr);
    STROM_CHECK(inserted);
  }
  for (uint64_t i = 0; i < 500; ++i) {
    StateEntry* e = same.find(reinterpret_cast<const uint8_t*>(&i), 8, 12345);
    STROM_CHECK(e != nullptr && e == same.entry_at(i));
  }
  KeyedStateTable restricted(f.account, 8);
  for (uint64_t i = 0; i < 100000; ++i) {
    const uint32_t h = (test_hash(reinterpret_cast<const uint8_t*>(&i), 8) & ~127u) | static_cast<uint32_t>(i % 4);
    bool inserted = false;
    STROM_CHECK(restricted.find_or_insert(reinterpret_cast<const uint8_t*>(&i), 8, h, static_cast<int32_t>(i % 4), &inserted) != nullptr);
    STROM_CHECK(inserted);
  }
  STROM_CHECK_EQ(restricted.size(), 100000u);
  STROM_CHECK_EQ(restricted.capacity(), 262144u);
}

STROM_TEST(growth_keeps_entries_and_doubles) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable table(f.account, 16);
  STROM_CHECK_EQ(table.capacity(), 0u);
  STROM_CHECK(table.find(nullptr, 0, 0) == nullptr);
  std::vector<std::string> order;
  size_t last_capacity = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string key = "key-" + std::to_string(i);
    bool inserted = false;
    StateEntry* entry = upsert(table, key, &inserted);
    STROM_CHECK(inserted);
    std::memcpy(table.value(entry) + 8, &i, sizeof i);
    order.push_back(key);
    if (table.capacity() != last_capacity) {
      STROM_CHECK(last_capacity == 0 ? table.capacity() == 16 : table.capacity() == last_capacity * 2);
      last_capacity = table.capacity();
    }
  }
  STROM_CHECK_EQ(table.capacity(), 65536u * 2);  // 50000 > 0.75 x 65536
  check_consistent(table, order);
  for (int i = 0; i < 50000; i += 997) {
    int stored;
    std::memcpy(&stored, table.value(table.entry_at(i)) + 8, sizeof stored);
    STROM_CHECK_EQ(stored, i);
  }
}

STROM_TEST(blobs_are_replaced_bigger_and_smaller) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedStateTable table(f.account, 8, true);
  bool inserted = false;
  StateEntry* a = upsert(table, "a", &inserted);
  StateEntry* b = upsert(table, "b", &inserted);
  STROM_CHECK(!table.has_blob(a));
  STROM_CHECK(table.blob(a) == nullptr);
  STROM_CHECK_EQ(table.blob_length(a), 0u);
  const std::string r1 = "first record", r2(100, 'x'), r3 = "small", r4(200000, 'y');
  STROM_CHECK(table.set_blob(a, bytes_of(r1), static_cast<uint32_t>(r1.size())));
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(a)), table.blob_length(a)) == r1);
  const size_t wasted0 = table.arena().bytes_wasted();
  STROM_CHECK(table.set_blob(a, bytes_of(r2), static_cast<uint32_t>(r2.size())));  // bigger: moves
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(a)), table.blob_length(a)) == r2);
  STROM_CHECK_EQ(table.arena().bytes_wasted(), wasted0 + 8 + r1.size());
  const uint8_t* where = table.blob(a);
  STROM_CHECK(table.set_blob(a, bytes_of(r3), static_cast<uint32_t>(r3.size())));  // smaller: in place
  STROM_CHECK(table.blob(a) == where);
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(a)), table.blob_length(a)) == r3);
  STROM_CHECK(table.set_blob(a, table.blob(a) + 1, 3));  // aliasing the current blob
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(a)), table.blob_length(a)) == "mal");
  STROM_CHECK(table.set_blob(b, bytes_of(r4), static_cast<uint32_t>(r4.size())));  // > 64 KiB
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(b)), table.blob_length(b)) == r4);
  STROM_CHECK(table.set_blob(b, table.blob(b), 100));  // aliasing, shrinking
  STROM_CHECK_EQ(table.blob_length(b), 100u);
  STROM_CHECK(table.set_blob(a, nullptr, 0));
  STROM_CHECK(table.has_blob(a));
  STROM_CHECK_EQ(table.blob_length(a), 0u);
  // Creeping growth wastes O(final size), not O(n^2).
  std::string creep;
  StateEntry* c = upsert(table, "c", &inserted);
  const size_t before = table.arena().bytes_wasted();
  for (int i = 0; i < 2000; ++i) {
    creep.push_back('z');
    STROM_CHECK(table.set_blob(c, bytes_of(creep), static_cast<uint32_t>(creep.size())));
  }
  STROM_CHECK(table.arena().bytes_wasted() - before < 8 * 2000);
  STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(c)), table.blob_length(c)) == creep);

  KeyedStateTable plain(f.account, 8);
  StateEntry* p = upsert(plain, "p", &inserted);
  STROM_CHECK(plain.blob(p) == nullptr);
  STROM_CHECK_THROWS(plain.set_blob(p, bytes_of(r1), 3), core::NetworkMemoryErrorKind::kState);
  STROM_CHECK_THROWS(KeyedStateTable(f.account, KeyedStateTable::kMaxValueSize + 1), core::NetworkMemoryErrorKind::kRange);
}

STROM_TEST(refusal_leaves_the_table_consistent_and_usable) {
  test::AccountFixture f(300 * 1024);
  std::vector<std::string> order;
  {
    KeyedStateTable table(f.account, 8, true);
    int refusals = 0;
    for (int i = 0; refusals < 50 && i < 1000000; ++i) {
      std::string key = "k" + std::to_string(i) + std::string(i % 50, 'p');
      bool inserted = true;
      StateEntry* entry = upsert(table, key, &inserted);
      if (entry == nullptr) {
        ++refusals;
        STROM_CHECK(!inserted);
        STROM_CHECK(table.bytes_needed() > 0);
        STROM_CHECK(static_cast<int64_t>(table.bytes_needed()) > f.account.available());
        STROM_CHECK(table.find(bytes_of(key), static_cast<uint32_t>(key.size()), test_hash(key)) == nullptr);
        continue;
      }
      STROM_CHECK(inserted);
      order.push_back(key);
      add_i64(table.value(entry), i);
      if (i % 7 == 0 && !table.set_blob(entry, bytes_of(key), static_cast<uint32_t>(key.size()))) {
        STROM_CHECK(!table.has_blob(entry));
      }
      STROM_CHECK(f.account.used() <= f.account.budget());
      STROM_CHECK_EQ(static_cast<int64_t>(table.memory_bytes()), f.account.used());
    }
    STROM_CHECK_EQ(refusals, 50);
    check_consistent(table, order);
    // Usable: existing keys are found and updated without memory; a refused blob keeps the old.
    for (size_t i = 0; i < order.size(); i += 13) {
      bool inserted = true;
      StateEntry* entry = upsert(table, order[i], &inserted);
      STROM_CHECK(entry != nullptr && !inserted);
    }
    StateEntry* first = table.entry_at(0);
    const std::string big(1 << 20, 'b');
    STROM_CHECK(table.set_blob(first, bytes_of("keep"), 4));
    STROM_CHECK(!table.set_blob(first, bytes_of(big), static_cast<uint32_t>(big.size())));
    STROM_CHECK_EQ(table.bytes_needed(), big.size() + 8);
    STROM_CHECK(std::string(reinterpret_cast<const char*>(table.blob(first)), table.blob_length(first)) == "keep");
  }
  STROM_CHECK_EQ(f.account.used(), 0);  // the destructor gave everything back
  STROM_CHECK(f.account.high_water() <= f.account.budget());
}

namespace {

/** Inserts n distinct keys of `key_len` bytes; prints and returns charged bytes per key. */
double measure_bytes_per_key(size_t n, uint32_t key_len, bool strings) {
  test::AccountFixture f(int64_t{1} << 34);
  KeyedStateTable table(f.account, 8);
  std::vector<uint8_t> key(key_len + 1);  // + the NUL snprintf writes
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    if (strings) {
      std::snprintf(reinterpret_cast<char*>(key.data()), key.size(), "w%0*llu",
                    static_cast<int>(key_len - 1), static_cast<unsigned long long>(i));
    } else {
      const uint64_t v = i * 0x9E3779B97F4A7C15ull;
      std::memcpy(key.data(), &v, 8);
    }
    const uint32_t h = test_hash(key.data(), key_len);
    bool inserted = false;
    StateEntry* e = table.find_or_insert(key.data(), key_len, h, test::test_key_group(h), &inserted);
    STROM_CHECK(e != nullptr && inserted);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  STROM_CHECK_EQ(table.size(), n);
  STROM_CHECK_EQ(static_cast<int64_t>(table.memory_bytes()), f.account.used());
  const double per_key = static_cast<double>(table.memory_bytes()) / static_cast<double>(n);
  std::fprintf(stderr,
               "  %7zu keys of %2u bytes (%s): %.2f bytes/key = key + %.2f (slots %.2f, arena %.2f), "
               "capacity %zu, %.0f ms\n",
               n, key_len, strings ? "string" : "8-byte", per_key, per_key - key_len,
               static_cast<double>(table.capacity() * 8) / static_cast<double>(n),
               static_cast<double>(table.arena().bytes_reserved()) / static_cast<double>(n), table.capacity(), ms);
  return per_key;
}

}  // namespace

STROM_TEST(memory_per_key_is_at_most_key_plus_48) {
  for (size_t n : {size_t{100000}, size_t{1000000}}) {
    STROM_CHECK(measure_bytes_per_key(n, 8, false) <= 8 + 48);
    STROM_CHECK(measure_bytes_per_key(n, 10, true) <= 10 + 48);
  }
}

int main() { return strom::test::run_all(); }
