// KeyedByteMap: values, lists, maps, removal and reuse, growth, iteration, budget refusals, and
// a randomized run against std::unordered_map / std::map.
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/keyed_byte_map.h"
#include "core/network_memory_error.h"
#include "keyed_state_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::EntryKind;
using core::EntryName;
using core::KeyedByteMap;

namespace {

EntryName value_name(uint16_t state, const std::string& key, const std::string& ns = "") {
  EntryName n;
  n.state_id = state;
  n.key = test::bytes_of(key);
  n.key_len = static_cast<uint32_t>(key.size());
  n.ns = test::bytes_of(ns);
  n.ns_len = static_cast<uint32_t>(ns.size());
  return n;
}

EntryName element_name(uint16_t state, const std::string& key, const std::string& user_key) {
  EntryName n = value_name(state, key);
  n.kind = EntryKind::kMapElement;
  n.user_key = test::bytes_of(user_key);
  n.user_key_len = static_cast<uint32_t>(user_key.size());
  return n;
}

EntryName head_name(uint16_t state, const std::string& key) {
  EntryName n = value_name(state, key);
  n.kind = EntryKind::kMapHead;
  return n;
}

std::string get(const KeyedByteMap& map, const EntryName& n) {
  uint32_t len = 0;
  const uint8_t* v = map.find(n, &len);
  return v == nullptr ? std::string("<absent>") : std::string(reinterpret_cast<const char*>(v), len);
}

bool put(KeyedByteMap& map, const EntryName& n, const std::string& value, int32_t kg = 1) {
  return map.put(n, kg, test::bytes_of(value), static_cast<uint32_t>(value.size()));
}

}  // namespace

STROM_TEST(values_are_named_by_state_key_and_namespace) {
  test::AccountFixture f(1 << 24);
  KeyedByteMap map(f.account);
  STROM_CHECK(put(map, value_name(1, "k"), "a"));
  STROM_CHECK(put(map, value_name(2, "k"), "b"));
  STROM_CHECK(put(map, value_name(1, "k", "w1"), "c"));
  STROM_CHECK(put(map, value_name(1, ""), "empty key"));
  STROM_CHECK_EQ(get(map, value_name(1, "k")), std::string("a"));
  STROM_CHECK_EQ(get(map, value_name(2, "k")), std::string("b"));
  STROM_CHECK_EQ(get(map, value_name(1, "k", "w1")), std::string("c"));
  STROM_CHECK_EQ(get(map, value_name(1, "")), std::string("empty key"));
  STROM_CHECK_EQ(get(map, value_name(3, "k")), std::string("<absent>"));
  STROM_CHECK(put(map, value_name(1, "k"), std::string(500, 'x')));  // grows into a bigger block
  STROM_CHECK_EQ(get(map, value_name(1, "k")), std::string(500, 'x'));
  STROM_CHECK(put(map, value_name(1, "k"), "short"));
  STROM_CHECK_EQ(get(map, value_name(1, "k")), std::string("short"));
  STROM_CHECK_EQ(map.size(), 4u);
  STROM_CHECK(map.remove(value_name(1, "k")));
  STROM_CHECK(!map.remove(value_name(1, "k")));
  STROM_CHECK_EQ(get(map, value_name(1, "k")), std::string("<absent>"));
  STROM_CHECK_EQ(map.size(), 3u);
  STROM_CHECK_EQ(static_cast<int64_t>(map.memory_bytes()), f.account.used());
}

STROM_TEST(append_extends_lists_in_place_and_across_blocks) {
  test::AccountFixture f(1 << 24);
  KeyedByteMap map(f.account);
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string element = "e" + std::to_string(i) + ";";
    STROM_CHECK(map.append(value_name(7, "list"), 3, test::bytes_of(element), static_cast<uint32_t>(element.size())));
    expected += element;
  }
  STROM_CHECK_EQ(get(map, value_name(7, "list")), expected);
  // Appending reuses the growing block: far fewer bytes than one block per append.
  STROM_CHECK(map.memory_bytes() < 4 * expected.size() + 70000);
}

STROM_TEST(removed_entries_memory_is_reused) {
  test::AccountFixture f(1 << 26);
  KeyedByteMap map(f.account);
  for (int i = 0; i < 10000; ++i) STROM_CHECK(put(map, value_name(1, "key" + std::to_string(i)), "12345678"));
  const size_t after_fill = map.memory_bytes();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 10000; ++i) STROM_CHECK(map.remove(value_name(1, "key" + std::to_string(i))));
    STROM_CHECK_EQ(map.size(), 0u);
    STROM_CHECK(map.bytes_free() > 0);
    for (int i = 0; i < 10000; ++i) STROM_CHECK(put(map, value_name(1, "key" + std::to_string(i)), "abcdefgh"));
  }
  STROM_CHECK_EQ(map.memory_bytes(), after_fill);  // no new memory: the free lists served it
  STROM_CHECK_EQ(get(map, value_name(1, "key9999")), std::string("abcdefgh"));
}

STROM_TEST(map_state_elements_link_and_iterate_per_map) {
  test::AccountFixture f(1 << 24);
  KeyedByteMap map(f.account);
  for (int i = 0; i < 100; ++i) STROM_CHECK(put(map, element_name(4, "a", "u" + std::to_string(i)), std::to_string(i)));
  STROM_CHECK(put(map, element_name(4, "b", "u1"), "other map"));
  STROM_CHECK_EQ(map.map_size(head_name(4, "a")), 100u);
  STROM_CHECK_EQ(map.map_size(head_name(4, "b")), 1u);
  STROM_CHECK_EQ(get(map, element_name(4, "a", "u42")), std::string("42"));
  STROM_CHECK(put(map, element_name(4, "a", "u42"), std::string(300, 'z')));  // regrow relinks
  STROM_CHECK(map.remove(element_name(4, "a", "u0")));
  STROM_CHECK(map.remove(element_name(4, "a", "u99")));  // the list's first (linked at the front)
  std::map<std::string, std::string> seen;
  map.for_each_map_element(head_name(4, "a"), [&](const core::EntryInfo& e) {
    seen[std::string(reinterpret_cast<const char*>(e.user_key), e.user_key_len)] =
        std::string(reinterpret_cast<const char*>(e.value), e.value_len);
  });
  STROM_CHECK_EQ(seen.size(), 98u);
  STROM_CHECK_EQ(seen["u42"], std::string(300, 'z'));
  STROM_CHECK(seen.count("u0") == 0 && seen.count("u99") == 0);
  STROM_CHECK(map.remove(head_name(4, "a")));  // clear the whole map
  STROM_CHECK_EQ(map.map_size(head_name(4, "a")), 0u);
  STROM_CHECK_EQ(get(map, element_name(4, "a", "u5")), std::string("<absent>"));
  STROM_CHECK_EQ(map.size(), 2u);  // b's head and element
  STROM_CHECK(map.remove(element_name(4, "b", "u1")));
  STROM_CHECK_EQ(map.size(), 0u);  // an empty map has no head
}

STROM_TEST(iteration_shows_every_entry_with_its_key_group) {
  test::AccountFixture f(1 << 24);
  KeyedByteMap map(f.account);
  for (int i = 0; i < 500; ++i) STROM_CHECK(put(map, value_name(1, "k" + std::to_string(i)), "v", i % 16));
  std::map<std::string, int32_t> groups;
  map.for_each([&](const core::EntryInfo& e) {
    groups[std::string(reinterpret_cast<const char*>(e.key), e.key_len)] = e.key_group;
  });
  STROM_CHECK_EQ(groups.size(), 500u);
  STROM_CHECK_EQ(groups["k37"], 37 % 16);
}

STROM_TEST(refusals_leave_the_map_consistent) {
  test::AccountFixture f(200000);
  KeyedByteMap map(f.account);
  int stored = 0;
  for (int i = 0; i < 100000; ++i) {
    const bool ok = put(map, value_name(1, "key" + std::to_string(i)), "value!!!");
    if (!ok) {
      STROM_CHECK(map.bytes_needed() > 0);
      break;
    }
    ++stored;
  }
  STROM_CHECK(stored > 1000 && stored < 100000);
  STROM_CHECK_EQ(map.size(), static_cast<size_t>(stored));
  for (int i = 0; i < stored; ++i) STROM_CHECK_EQ(get(map, value_name(1, "key" + std::to_string(i))), std::string("value!!!"));
  STROM_CHECK(f.account.used() <= f.account.budget());
  // A big value is refused too, and the old one kept.
  STROM_CHECK(!put(map, value_name(1, "key0"), std::string(300000, 'q')));
  STROM_CHECK_EQ(get(map, value_name(1, "key0")), std::string("value!!!"));
  // Removing frees room for more.
  for (int i = 0; i < 100; ++i) STROM_CHECK(map.remove(value_name(1, "key" + std::to_string(i))));
  STROM_CHECK(put(map, value_name(1, "fresh"), "value!!!"));
}

STROM_TEST(limits_throw_range_errors) {
  test::AccountFixture f(1 << 20);
  KeyedByteMap map(f.account);
  const std::string ns(300, 'n');
  STROM_CHECK_THROWS(put(map, value_name(1, "k", ns), "v"), core::NetworkMemoryErrorKind::kRange);
  STROM_CHECK_EQ(get(map, value_name(1, "k", ns)), std::string("<absent>"));
}

STROM_TEST(randomized_against_std_maps) {
  test::AccountFixture f(int64_t{1} << 30);
  KeyedByteMap map(f.account);
  test::Rng rng(42);
  // (state, key, ns, user key or "\x01" for values) -> value
  std::unordered_map<std::string, std::string> values;
  std::map<std::string, std::map<std::string, std::string>> maps;  // state|key -> elements
  for (int step = 0; step < 200000; ++step) {
    const uint16_t state = static_cast<uint16_t>(rng.below(3));
    const std::string key = "k" + std::to_string(rng.below(2000));
    const std::string ns = rng.below(4) == 0 ? "w" + std::to_string(rng.below(3)) : "";
    const std::string id = std::to_string(state) + "|" + key + "|" + ns;
    const std::string value(rng.below(40), static_cast<char>('a' + rng.below(26)));
    const uint32_t op = rng.below(10);
    if (op < 3) {
      STROM_CHECK(put(map, value_name(state, key, ns), value));
      values[id] = value;
    } else if (op < 4) {
      STROM_CHECK(map.append(value_name(state, key, ns), 0, test::bytes_of(value), static_cast<uint32_t>(value.size())));
      values[id] += value;
    } else if (op < 5) {
      STROM_CHECK_EQ(map.remove(value_name(state, key, ns)), values.erase(id) == 1);
    } else if (op < 7) {
      const std::string user_key = "u" + std::to_string(rng.below(30));
      STROM_CHECK(put(map, element_name(state, key, user_key), value));
      maps[std::to_string(state) + "|" + key][user_key] = value;
    } else if (op < 8) {
      const std::string user_key = "u" + std::to_string(rng.below(30));
      auto it = maps.find(std::to_string(state) + "|" + key);
      const bool had = it != maps.end() && it->second.erase(user_key) == 1;
      STROM_CHECK_EQ(map.remove(element_name(state, key, user_key)), had);
      if (it != maps.end() && it->second.empty()) maps.erase(it);
    } else if (op < 9) {
      if (rng.below(20) == 0) {
        STROM_CHECK_EQ(map.remove(head_name(state, key)), maps.erase(std::to_string(state) + "|" + key) == 1);
      }
    } else {
      auto it = values.find(id);
      STROM_CHECK_EQ(get(map, value_name(state, key, ns)), it == values.end() ? std::string("<absent>") : it->second);
    }
  }
  size_t elements = 0;
  for (auto& [id, m] : maps) {
    const size_t bar = id.find('|');
    const uint16_t state = static_cast<uint16_t>(std::stoi(id.substr(0, bar)));
    const std::string key = id.substr(bar + 1);
    STROM_CHECK_EQ(map.map_size(head_name(state, key)), m.size());
    std::map<std::string, std::string> seen;
    map.for_each_map_element(head_name(state, key), [&](const core::EntryInfo& e) {
      seen[std::string(reinterpret_cast<const char*>(e.user_key), e.user_key_len)] =
          std::string(reinterpret_cast<const char*>(e.value), e.value_len);
    });
    STROM_CHECK(seen == m);
    elements += m.size();
  }
  for (auto& [id, v] : values) {
    const size_t a = id.find('|');
    const size_t b = id.find('|', a + 1);
    STROM_CHECK_EQ(get(map, value_name(static_cast<uint16_t>(std::stoi(id.substr(0, a))), id.substr(a + 1, b - a - 1),
                                        id.substr(b + 1))),
                   v);
  }
  STROM_CHECK_EQ(map.size(), values.size() + maps.size() + elements);
  STROM_CHECK_EQ(static_cast<int64_t>(map.memory_bytes()), f.account.used());
}

STROM_TEST(bytes_per_key_of_a_double_value_state) {
  for (const int keys : {100000, 1000000}) {
    test::AccountFixture f(int64_t{1} << 30);
    KeyedByteMap map(f.account);
    const double value = 1.5;
    for (int64_t i = 0; i < keys; ++i) {
      STROM_CHECK(map.put(core::EntryName{1, EntryKind::kValue, reinterpret_cast<const uint8_t*>(&i), 8, nullptr, 0,
                                          nullptr, 0},
                          0, reinterpret_cast<const uint8_t*>(&value), 8));
    }
    const double per_key = static_cast<double>(map.memory_bytes()) / keys;
    std::fprintf(stderr, "  %d 8-byte keys, 8-byte values: %.1f bytes per key (key + %.1f)\n", keys, per_key,
                 per_key - 8);
    STROM_CHECK(per_key <= 8 + 48);
  }
}

int main() { return test::run_all(); }
