// keyed_state_table_bench: find_or_insert throughput of KeyedStateTable, beside a
// std::unordered_map baseline in the same run. Built by CMake only (not by binding.gyp, not a
// test):
//
//   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-bench --target keyed_state_table_bench
//   build-bench/keyed_state_table_bench [ops, default 5000000]
//
// For 1k / 100k / 1M keys, Zipf-distributed (s = 1) lookups, 8-byte keys and 10-byte string
// keys ("w" + 9 decimal digits), plus a run of 8-byte keys whose hashes only
// cover the key groups of subtask 2 of 4 (low 7 bits in 32 of 128 values). Each op is
// find_or_insert + an 8-byte add into the value, as a count/sum would do. Hashes are
// precomputed (the caller computes them once per record, outside the table). Prints a table
// and one JSON object per line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/keyed_state_table.h"
#include "core/managed_memory.h"

using namespace strom::core;

namespace {

struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

uint32_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xFF51AFD7ED558CCDull;
  k ^= k >> 33;
  return static_cast<uint32_t>(k) & 0x7FFFFFFF;
}

struct Keys {
  uint32_t width;              // bytes per key slot in `bytes`
  std::vector<uint8_t> bytes;  // key i at i * width, length len[i]
  std::vector<uint32_t> len;
  std::vector<uint32_t> hash;
};

Keys make_keys(size_t n, bool strings, bool restricted) {
  Keys k;
  k.width = strings ? 10 : 8;
  k.bytes.resize(n * k.width);
  k.len.resize(n);
  k.hash.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint8_t* p = &k.bytes[i * k.width];
    if (strings) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "w%09zu", i);
      std::memcpy(p, buf, 10);
      k.len[i] = 10;
    } else {
      const uint64_t v = i * 0x9E3779B97F4A7C15ull + 1;
      std::memcpy(p, &v, 8);
      k.len[i] = 8;
    }
    uint64_t h = 0;
    for (uint32_t b = 0; b < k.len[i]; ++b) h = h * 131 + p[b];
    uint32_t hash = fmix(h);
    if (restricted) hash = (hash & ~127u) | (32 + (hash % 32));  // key groups 32..63 of 128
    k.hash[i] = hash;
  }
  return k;
}

/** `ops` key ids, Zipf(s = 1) over n ranks, ranks mapped to ids by a random permutation. */
std::vector<uint32_t> zipf_ops(size_t n, size_t ops, uint64_t seed) {
  std::vector<double> cdf(n);
  double sum = 0;
  for (size_t r = 0; r < n; ++r) cdf[r] = (sum += 1.0 / static_cast<double>(r + 1));
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  Rng rng{seed};
  for (size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng.next() % i]);
  std::vector<uint32_t> out(ops);
  for (auto& o : out) {
    const double u = rng.unit() * sum;
    const size_t r = std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
    o = perm[std::min(r, n - 1)];
  }
  return out;
}

struct KeyRef {
  const uint8_t* p;
  uint32_t len;
  uint32_t hash;
  bool operator==(const KeyRef& o) const { return len == o.len && std::memcmp(p, o.p, len) == 0; }
};
struct KeyRefHash {
  size_t operator()(const KeyRef& k) const { return k.hash; }
};

template <typename F>
double time_ns(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t ops = argc > 1 ? std::stoul(argv[1]) : 5000000;
  alignas(8) static int64_t region[kManagedMemoryWords];
  ManagedMemoryAccount account = ManagedMemoryAccount::format(region, sizeof region, int64_t{1} << 40);
  std::printf("%-8s %-10s %-10s %9s %10s %12s %12s %9s %10s\n", "keys", "key", "hashes", "distinct", "ops",
              "table ns/op", "umap ns/op", "speedup", "B/key");
  std::vector<std::string> json;
  for (size_t n : {size_t{1000}, size_t{100000}, size_t{1000000}}) {
    const std::vector<uint32_t> seq = zipf_ops(n, ops, 0xC0FFEE + n);
    for (int variant = 0; variant < 3; ++variant) {
      const bool strings = variant == 1;
      const bool restricted = variant == 2;
      const Keys keys = make_keys(n, strings, restricted);
      double best_table = 1e300, best_map = 1e300;
      size_t distinct = 0, bytes = 0;
      int64_t check_table = 0, check_map = 0;
      for (int rep = 0; rep < 3; ++rep) {
        {
          KeyedStateTable table(account, 8);
          int64_t total = 0;
          const double ns = time_ns([&] {
            for (uint32_t id : seq) {
              StateEntry* e = table.find_or_insert(&keys.bytes[size_t{id} * keys.width], keys.len[id], keys.hash[id],
                                                   0, nullptr);
              int64_t v;
              std::memcpy(&v, table.value(e), 8);
              ++v;
              std::memcpy(table.value(e), &v, 8);
            }
          });
          for (size_t i = 0; i < table.size(); ++i) {
            int64_t v;
            std::memcpy(&v, table.value(table.entry_at(i)), 8);
            total += v;
          }
          best_table = std::min(best_table, ns);
          distinct = table.size();
          bytes = table.memory_bytes();
          check_table = total;
        }
        {
          std::unordered_map<KeyRef, int64_t, KeyRefHash> map;
          const double ns = time_ns([&] {
            for (uint32_t id : seq) {
              ++map[KeyRef{&keys.bytes[size_t{id} * keys.width], keys.len[id], keys.hash[id]}];
            }
          });
          int64_t total = 0;
          for (auto& kv : map) total += kv.second;
          best_map = std::min(best_map, ns);
          check_map = total;
        }
      }
      if (check_table != check_map) {
        std::fprintf(stderr, "mismatch: %lld vs %lld\n", static_cast<long long>(check_table),
                     static_cast<long long>(check_map));
        return 1;
      }
      const char* key_name = strings ? "string10" : "int64";
      const char* hash_name = restricted ? "subtask2/4" : "all";
      const double t = best_table / static_cast<double>(ops), m = best_map / static_cast<double>(ops);
      const double per_key = static_cast<double>(bytes) / static_cast<double>(distinct);
      std::printf("%-8zu %-10s %-10s %9zu %10zu %12.1f %12.1f %8.2fx %10.1f\n", n, key_name, hash_name, distinct, ops, t,
                  m, m / t, per_key);
      char line[512];
      std::snprintf(line, sizeof line,
                    "{\"bench\":\"keyed_state_table.find_or_insert\",\"keys\":%zu,\"key\":\"%s\",\"hashes\":\"%s\","
                    "\"distribution\":\"zipf1\",\"distinct\":%zu,\"ops\":%zu,\"tableNsPerOp\":%.2f,"
                    "\"unorderedMapNsPerOp\":%.2f,\"bytesPerKey\":%.2f}",
                    n, key_name, hash_name, distinct, ops, t, m, per_key);
      json.push_back(line);
    }
  }
  for (const auto& line : json) std::printf("%s\n", line.c_str());
  return 0;
}
