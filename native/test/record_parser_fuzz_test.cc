// Fuzz test of the record hot path: random schemas, random valid records, and mutated frames
// (bit flips, truncation, random length words, inserted/deleted bytes) fed to FrameCursor,
// parse_payload and the key hashes. Every buffer is a heap copy of exactly its size, so the
// ASan build of `npm run test:native` reports any out-of-bounds read.
//
// Seeded (STROM_FUZZ_SEED overrides; the seed is printed). Runs for about 1.5 s
// (STROM_FUZZ_MS overrides) and at least kMinIterations iterations.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/key_hash.h"
#include "core/record_parser.h"
#include "core/record_schema.h"
#include "record_bytes.h"
#include "test_framework.h"

using namespace strom;
using core::FieldKind;
using core::FieldSpan;
using core::FrameCursor;
using core::FrameStatus;
using core::RecordSchema;
using test::RecordBytes;

namespace {

constexpr int kMinIterations = 300;

/** splitmix64: small, fast, and good enough to drive a fuzzer deterministically. */
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(next() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }

 private:
  uint64_t state_;
};

constexpr int32_t S = 1, D = 2, L = 3, B = 4, T = 5;

void random_descriptor(Random& rng, std::vector<int32_t>& out, int depth) {
  const uint32_t pick = rng.below(depth >= 3 ? 4 : 6);
  if (pick < 4) {
    static constexpr int32_t kinds[] = {S, D, L, B};
    out.push_back(kinds[pick]);
    return;
  }
  const int32_t arity = static_cast<int32_t>(rng.below(5));
  out.push_back(T);
  out.push_back(arity);
  for (int32_t i = 0; i < arity; ++i) random_descriptor(rng, out, depth + 1);
}

/** Appends a random code point as UTF-8 and its UTF-16 units. */
void random_char(Random& rng, std::string& utf8, std::vector<uint16_t>& utf16) {
  uint32_t cp;
  switch (rng.below(4)) {
    case 0: cp = rng.below(0x80); break;
    case 1: cp = 0x80 + rng.below(0x800 - 0x80); break;
    case 2:
      cp = 0x800 + rng.below(0x10000 - 0x800);
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // surrogates are not scalar values
      break;
    default: cp = 0x10000 + rng.below(0x110000 - 0x10000); break;
  }
  if (cp < 0x80) {
    utf8 += static_cast<char>(cp);
  } else if (cp < 0x800) {
    utf8 += static_cast<char>(0xC0 | (cp >> 6));
    utf8 += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    utf8 += static_cast<char>(0xE0 | (cp >> 12));
    utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    utf8 += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    utf8 += static_cast<char>(0xF0 | (cp >> 18));
    utf8 += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    utf8 += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    utf8 += static_cast<char>(0x80 | (cp & 0x3F));
  }
  if (cp < 0x10000) {
    utf16.push_back(static_cast<uint16_t>(cp));
  } else {
    utf16.push_back(static_cast<uint16_t>(0xD800 + ((cp - 0x10000) >> 10)));
    utf16.push_back(static_cast<uint16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
  }
}

double random_double(Random& rng) {
  switch (rng.below(5)) {
    case 0: return static_cast<double>(static_cast<int32_t>(rng.next()));
    case 1: return static_cast<double>(static_cast<int64_t>(rng.next()) >> rng.below(20));
    case 2: return static_cast<double>(rng.next() % 1000) / 7.0;
    case 3: return -0.0;
    default: {
      const uint64_t bits = rng.next();  // any bit pattern, NaNs included
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
  }
}

/**
 * Appends a random value of node `index` to `r`; returns its Java hash computed independently of
 * key_hash.cc for strings and tuples (numbers use the unit-tested scalar hashes).
 */
int32_t random_value(Random& rng, const RecordSchema& schema, uint32_t index, RecordBytes& r) {
  const core::SchemaNode& node = schema.node(index);
  switch (node.kind) {
    case FieldKind::kString: {
      std::string utf8;
      std::vector<uint16_t> utf16;
      const uint32_t n = rng.chance(10) ? 0 : rng.below(12);
      for (uint32_t i = 0; i < n; ++i) random_char(rng, utf8, utf16);
      r.string(utf8);
      uint32_t h = 0;
      for (uint16_t u : utf16) h = h * 31u + u;
      return static_cast<int32_t>(h);
    }
    case FieldKind::kDouble: {
      const double d = random_double(rng);
      r.float64(d);
      return core::java_number_hash(d);
    }
    case FieldKind::kLong: {
      const auto v = static_cast<int64_t>(rng.next());
      r.int64(v);
      return core::java_long_hash(v);
    }
    case FieldKind::kBoolean: {
      const bool b = rng.chance(50);
      r.boolean(b);
      return b ? 1231 : 1237;
    }
    case FieldKind::kTuple: {
      uint32_t h = 0;
      uint32_t child = index + 1;
      for (uint32_t i = 0; i < node.arity; ++i) {
        h = h * 31u + static_cast<uint32_t>(random_value(rng, schema, child, r));
        child = schema.node(child).subtree_end;
      }
      return static_cast<int32_t>(h);
    }
    default:
      return 0;
  }
}

void mutate(Random& rng, std::vector<uint8_t>& bytes) {
  const uint32_t rounds = 1 + rng.below(4);
  for (uint32_t round = 0; round < rounds; ++round) {
    const auto size = static_cast<uint32_t>(bytes.size());
    switch (rng.below(6)) {
      case 0:  // bit flip
        if (size > 0) bytes[rng.below(size)] ^= static_cast<uint8_t>(1u << rng.below(8));
        break;
      case 1:  // truncate
        bytes.resize(rng.below(size + 1));
        break;
      case 2: {  // a random (often nasty) int32 somewhere: length words, string lengths
        if (size < 4) break;
        static constexpr int32_t nasty[] = {0, -1, 1, 2, 4, 5, 0x7fffffff, INT32_MIN, 1 << 30, (1 << 30) + 1};
        const int32_t v = rng.chance(50) ? nasty[rng.below(10)] : static_cast<int32_t>(rng.next());
        std::memcpy(bytes.data() + rng.below(size - 3), &v, 4);
        break;
      }
      case 3: {  // insert random bytes
        const uint32_t at = rng.below(size + 1);
        const uint32_t n = 1 + rng.below(8);
        std::vector<uint8_t> extra(n);
        for (auto& b : extra) b = static_cast<uint8_t>(rng.next());
        bytes.insert(bytes.begin() + at, extra.begin(), extra.end());
        break;
      }
      case 4: {  // delete a range
        if (size == 0) break;
        const uint32_t at = rng.below(size);
        const uint32_t n = 1 + rng.below(std::min<uint32_t>(8, size - at));
        bytes.erase(bytes.begin() + at, bytes.begin() + at + n);
        break;
      }
      default:  // random byte
        if (size > 0) bytes[rng.below(size)] = static_cast<uint8_t>(rng.next());
        break;
    }
  }
}

struct Stats {
  uint64_t iterations = 0, records = 0, parsed = 0, rejected = 0, incomplete = 0, corrupt = 0, bad_descriptors = 0;
};

/** Walks `bytes` (an exact-size heap copy) with every function of the hot path; checks invariants. */
void walk(Random& rng, const RecordSchema& schema, const std::vector<uint8_t>& input, Stats& stats) {
  std::vector<uint8_t> bytes(input);  // exact size: ASan catches any overread
  const uint8_t* begin = bytes.empty() ? nullptr : bytes.data();
  FrameCursor cursor(begin, begin == nullptr ? nullptr : begin + bytes.size());
  std::vector<FieldSpan> spans(schema.num_fields());
  std::vector<uint32_t> key_fields;
  core::Frame frame{};
  for (;;) {
    const FrameStatus status = cursor.next(frame);
    if (status == FrameStatus::kEnd) {
      STROM_CHECK_EQ(cursor.position(), bytes.size());
      return;
    }
    if (status == FrameStatus::kIncomplete) {
      ++stats.incomplete;
      STROM_CHECK(cursor.position() < bytes.size());
      const uint64_t need = cursor.incomplete_frame_bytes();
      STROM_CHECK(need == 0 || need > bytes.size() - cursor.position());
      return;
    }
    if (status == FrameStatus::kCorrupt) {
      ++stats.corrupt;
      return;
    }
    ++stats.records;
    STROM_CHECK(frame.payload >= begin && frame.payload + frame.payload_length <= begin + bytes.size());
    // The payload as its own exact-size allocation, so the parser cannot read the next frame.
    std::vector<uint8_t> payload(frame.payload, frame.payload + frame.payload_length);
    if (!core::parse_payload(schema, payload.data(), frame.payload_length, spans.data())) {
      ++stats.rejected;
      continue;
    }
    ++stats.parsed;
    uint32_t expected_offset = 0;
    for (uint32_t i = 0; i < schema.num_fields(); ++i) {
      STROM_CHECK_EQ(spans[i].offset, expected_offset);
      expected_offset += spans[i].length;
      // Each field's hash from its own exact-size copy of its span.
      std::vector<uint8_t> field(payload.begin() + spans[i].offset,
                                 payload.begin() + spans[i].offset + spans[i].length);
      (void)core::java_hash_of_node(schema, schema.field_node(i), field.data());
    }
    STROM_CHECK_EQ(expected_offset, frame.payload_length);
    if (schema.num_fields() > 0) {
      key_fields.resize(1 + rng.below(4));
      for (auto& f : key_fields) f = rng.below(schema.num_fields());
      (void)core::key_hash_of_fields(schema, payload.data(), spans.data(), key_fields.data(), key_fields.size());
    }
  }
}

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoull(value, nullptr, 0) : fallback;
}

}  // namespace

STROM_TEST(fuzz_frames_payloads_and_hashes) {
  const uint64_t seed = env_or("STROM_FUZZ_SEED", 0x5eed5eedull);
  const uint64_t budget_ms = env_or("STROM_FUZZ_MS", 1500);
  std::fprintf(stderr, "  seed 0x%llx, %llu ms\n", static_cast<unsigned long long>(seed),
               static_cast<unsigned long long>(budget_ms));
  Random rng(seed);
  Stats stats;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  };
  while (stats.iterations < kMinIterations || elapsed_ms() < budget_ms) {
    ++stats.iterations;

    // Random descriptor words: must parse or throw SchemaError, nothing else.
    if (rng.chance(20)) {
      std::vector<int32_t> words(rng.below(10));
      for (auto& w : words) w = rng.chance(80) ? static_cast<int32_t>(rng.below(8)) : static_cast<int32_t>(rng.next());
      try {
        (void)RecordSchema::parse(words.data(), words.size());
      } catch (const core::SchemaError&) {
        ++stats.bad_descriptors;
      }
    }

    std::vector<int32_t> words;
    random_descriptor(rng, words, 0);
    const RecordSchema schema = RecordSchema::parse(words.data(), words.size());

    // Valid frames: every record parses, with the independently computed key hash.
    RecordBytes frames;
    std::vector<int32_t> expected_hashes;
    const uint32_t count = 1 + rng.below(6);
    for (uint32_t i = 0; i < count; ++i) {
      RecordBytes payload;
      uint32_t h = 0;
      std::vector<int32_t> field_hashes;
      for (uint32_t f = 0; f < schema.num_fields(); ++f) {
        field_hashes.push_back(random_value(rng, schema, schema.field_node(f), payload));
      }
      for (int32_t fh : field_hashes) h = h * 31u + static_cast<uint32_t>(fh);
      expected_hashes.push_back(static_cast<int32_t>(h));  // key = all fields, in order
      frames.frame(payload.bytes);
    }
    {
      std::vector<uint8_t> exact(frames.bytes);
      FrameCursor cursor(exact.data(), exact.data() + exact.size());
      std::vector<FieldSpan> spans(schema.num_fields());
      std::vector<uint32_t> all(schema.num_fields());
      for (uint32_t f = 0; f < all.size(); ++f) all[f] = f;
      core::Frame frame{};
      for (uint32_t i = 0; i < count; ++i) {
        STROM_CHECK(cursor.next(frame) == FrameStatus::kRecord);
        STROM_CHECK(core::parse_payload(schema, frame.payload, frame.payload_length, spans.data()));
        if (all.size() >= 2) {
          STROM_CHECK_EQ(core::key_hash_of_fields(schema, frame.payload, spans.data(), all.data(), all.size()),
                         expected_hashes[i]);
        }
      }
      STROM_CHECK(cursor.next(frame) == FrameStatus::kEnd);
    }

    // Split at a random point: the cursor stops at the cut record; reassembling continues.
    {
      const uint32_t cut = rng.below(frames.size() + 1);
      std::vector<uint8_t> first(frames.bytes.begin(), frames.bytes.begin() + cut);
      FrameCursor cursor(first.data(), first.data() + first.size());
      core::Frame frame{};
      uint32_t seen = 0;
      FrameStatus status;
      while ((status = cursor.next(frame)) == FrameStatus::kRecord) ++seen;
      STROM_CHECK(status == FrameStatus::kEnd || status == FrameStatus::kIncomplete);
      std::vector<uint8_t> rest(frames.bytes.begin() + static_cast<std::ptrdiff_t>(cursor.position()),
                                frames.bytes.end());
      FrameCursor second(rest.data(), rest.data() + rest.size());
      while (second.next(frame) == FrameStatus::kRecord) ++seen;
      STROM_CHECK_EQ(seen, count);
    }

    // Mutated frames, and pure noise.
    std::vector<uint8_t> mutated(frames.bytes);
    mutate(rng, mutated);
    walk(rng, schema, mutated, stats);
    if (rng.chance(10)) {
      std::vector<uint8_t> noise(rng.below(64));
      for (auto& b : noise) b = static_cast<uint8_t>(rng.next());
      walk(rng, schema, noise, stats);
    }

    // Random bytes through the UTF-8 hash (exact-size buffer).
    std::vector<uint8_t> text(rng.below(24));
    for (auto& b : text) b = static_cast<uint8_t>(rng.chance(30) ? rng.below(0x80) : rng.next());
    (void)core::java_string_hash_utf8(text.empty() ? nullptr : text.data(), static_cast<uint32_t>(text.size()));
  }
  std::fprintf(stderr,
               "  %llu iterations: %llu mutated records (%llu parsed, %llu rejected), %llu incomplete, "
               "%llu corrupt, %llu bad descriptors\n",
               static_cast<unsigned long long>(stats.iterations), static_cast<unsigned long long>(stats.records),
               static_cast<unsigned long long>(stats.parsed), static_cast<unsigned long long>(stats.rejected),
               static_cast<unsigned long long>(stats.incomplete), static_cast<unsigned long long>(stats.corrupt),
               static_cast<unsigned long long>(stats.bad_descriptors));
  STROM_CHECK(stats.parsed > 0);
  STROM_CHECK(stats.rejected > 0);
  STROM_CHECK(stats.corrupt > 0);
  STROM_CHECK(stats.incomplete > 0);
}

int main() { return test::run_all(); }
