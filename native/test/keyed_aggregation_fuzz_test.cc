// Fuzz test of KeyedAggregation (keyed_aggregation.h): valid frame streams for a few schemas and
// every aggregation kind, mutated (bit flips, byte overwrites, truncation, inserted garbage,
// length words set to huge/negative values), fed to process() with random output-range sizes
// and random split points. Every call must return a sane ProcessResult (consumed <= input,
// produced <= output, the produced bytes are whole valid frames of the output record type) or
// throw AggregationError kCorrupt; never crash, hang or trip ASan/UBSan. Every buffer is a heap
// copy of exactly its size so ASan sees any read or write past it. restore() is fuzzed with
// mutated snapshots, raw and with the table checksum recomputed (so the damage reaches the
// aggregation's own checks): it must throw kCorrupt or succeed with a state that then processes,
// emits and snapshots without fault.
//
// Seeded (STROM_FUZZ_SEED overrides; the seed is printed). Runs for about 1.5 s (STROM_FUZZ_MS
// overrides) and at least kMinIterations iterations.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/keyed_aggregation.h"
#include "core/keyed_state_snapshot.h"
#include "core/record_parser.h"
#include "core/record_schema.h"
#include "keyed_state_fixture.h"
#include "record_bytes.h"
#include "test_framework.h"

using namespace strom;
using core::AggregationError;
using core::AggregationErrorKind;
using core::AggregationKind;
using core::AggregationSpec;
using core::FieldKind;
using core::FrameCursor;
using core::FrameStatus;
using core::KeyedAggregation;
using core::ProcessResult;
using core::ProcessStatus;
using core::RecordSchema;
using test::RecordBytes;

namespace {

constexpr int kMinIterations = 200;
constexpr int32_t S = 1, D = 2, L = 3, B = 4, T = 5;

struct SchemaCase {
  std::vector<int32_t> words;            // descriptor
  std::vector<std::vector<uint32_t>> keys;  // candidate key field lists
  std::vector<int32_t> value_fields;     // candidate aggregated fields (DOUBLE/LONG, not keys)
};

std::vector<SchemaCase> schema_cases() {
  return {
      {{T, 2, S, D}, {{0}}, {1}},
      {{T, 4, L, S, L, B}, {{1}, {3, 1}, {3, 0, 1}}, {2}},
      {{T, 2, S, L}, {{0}}, {1}},
      {{T, 3, D, D, S}, {{0}, {2, 0}}, {1}},
      {{T, 3, S, T, 2, L, B, D}, {{0}}, {2}},  // a nested tuple as a non-key field
  };
}

struct Stats {
  uint64_t iterations = 0;
  uint64_t process_calls = 0;
  uint64_t records_applied = 0;
  uint64_t output_frames = 0;
  uint64_t corrupt = 0;
  uint64_t output_full = 0;
  uint64_t incomplete = 0;
  uint64_t budget = 0;
  uint64_t restores_ok = 0;
  uint64_t restores_corrupt = 0;
  uint64_t emitted_finals = 0;
};

void random_value(test::Rng& rng, FieldKind kind, RecordBytes& r) {
  switch (kind) {
    case FieldKind::kString: {
      static const char* strings[] = {"a", "b", "", "\xce\xba", "key", "zz", "\xff\xfe"};
      if (rng.below(10) == 0) {
        std::string s(rng.below(40), 'x');
        for (char& c : s) c = static_cast<char>(rng.next());
        r.string(s);
      } else {
        r.string(strings[rng.below(7)]);
      }
      break;
    }
    case FieldKind::kDouble: {
      static const double doubles[] = {0.0, -0.0, 1.5, -3, 1e308, 7};
      if (rng.below(6) == 0) {
        const uint64_t bits = rng.next();
        double d;
        std::memcpy(&d, &bits, 8);
        r.float64(d);
      } else {
        r.float64(doubles[rng.below(6)]);
      }
      break;
    }
    case FieldKind::kLong: r.int64(rng.below(4) == 0 ? static_cast<int64_t>(rng.next()) : rng.below(5)); break;
    case FieldKind::kBoolean: r.boolean(rng.below(2) == 1); break;
    default: break;
  }
}

/** A random valid payload of the schema (top-level fields; nested tuples of primitives). */
std::vector<uint8_t> random_payload(test::Rng& rng, const RecordSchema& schema) {
  RecordBytes r;
  for (uint32_t f = 0; f < schema.num_fields(); f++) {
    const uint32_t node = schema.field_node(f);
    if (schema.node(node).kind == FieldKind::kTuple) {
      for (uint32_t n = node + 1; n < schema.node(node).subtree_end; n++) random_value(rng, schema.node(n).kind, r);
    } else {
      random_value(rng, schema.node(node).kind, r);
    }
  }
  return r.bytes;
}

void mutate(test::Rng& rng, std::vector<uint8_t>& bytes) {
  const uint32_t n = 1 + rng.below(4);
  for (uint32_t m = 0; m < n; m++) {
    switch (rng.below(7)) {
      case 0:  // bit flip
        if (!bytes.empty()) bytes[rng.below(static_cast<uint32_t>(bytes.size()))] ^= static_cast<uint8_t>(1u << rng.below(8));
        break;
      case 1:  // byte overwrite
        if (!bytes.empty()) bytes[rng.below(static_cast<uint32_t>(bytes.size()))] = static_cast<uint8_t>(rng.next());
        break;
      case 2:  // truncation
        bytes.resize(rng.below(static_cast<uint32_t>(bytes.size()) + 1));
        break;
      case 3: {  // inserted garbage
        const uint32_t at = rng.below(static_cast<uint32_t>(bytes.size()) + 1);
        std::vector<uint8_t> garbage(1 + rng.below(12));
        for (uint8_t& b : garbage) b = static_cast<uint8_t>(rng.next());
        bytes.insert(bytes.begin() + at, garbage.begin(), garbage.end());
        break;
      }
      case 4:
      case 5: {  // a 32-bit word (length words, string lengths) set to a huge/negative/off-by-one value
        if (bytes.size() < 4) break;
        const uint32_t at = rng.below(static_cast<uint32_t>(bytes.size()) - 3);
        static const int32_t values[] = {-1, INT32_MIN, INT32_MAX, 0, 1, 1 << 30, (1 << 30) + 1, 5, 0x7FFFFFF0};
        int32_t v;
        if (rng.below(3) == 0) {
          std::memcpy(&v, bytes.data() + at, 4);
          v = static_cast<int32_t>(static_cast<uint32_t>(v) + rng.below(5) - 2u);  // wraps
        } else {
          v = values[rng.below(9)];
        }
        std::memcpy(bytes.data() + at, &v, 4);
        break;
      }
      default: {  // delete a few bytes
        if (bytes.empty()) break;
        const uint32_t at = rng.below(static_cast<uint32_t>(bytes.size()));
        const uint32_t len = std::min<uint32_t>(1 + rng.below(6), static_cast<uint32_t>(bytes.size()) - at);
        bytes.erase(bytes.begin() + at, bytes.begin() + at + len);
        break;
      }
    }
  }
}

/** The record type of the outputs: the input's, or [key fields..., DOUBLE] for count/avg. */
RecordSchema output_schema(const SchemaCase& c, const RecordSchema& in, const AggregationSpec& spec) {
  if (spec.kind != AggregationKind::kCount && spec.kind != AggregationKind::kAvg) {
    return RecordSchema::parse(c.words.data(), c.words.size());
  }
  std::vector<int32_t> words = {T, static_cast<int32_t>(spec.key_fields.size() + 1)};
  for (uint32_t f : spec.key_fields) words.push_back(static_cast<int32_t>(in.field_kind(f)));
  words.push_back(D);
  return RecordSchema::parse(words.data(), words.size());
}

/** Checks that out[0..len) is whole valid output frames; returns how many. */
uint32_t check_output(const RecordSchema& schema, const uint8_t* out, uint32_t len, const char* what) {
  std::vector<uint8_t> copy(out, out + len);  // exact size
  FrameCursor cursor(copy.data(), copy.data() + copy.size());
  std::vector<core::FieldSpan> spans(schema.num_fields() + 1);
  core::Frame frame{};
  uint32_t frames = 0;
  for (;;) {
    const FrameStatus st = cursor.next(frame);
    if (st == FrameStatus::kEnd) break;
    if (st != FrameStatus::kRecord) {
      test::fail(__FILE__, __LINE__, std::string(what) + ": output is not whole frames");
      break;
    }
    if (frame.tag != 0 || !core::parse_payload(schema, frame.payload, frame.payload_length, spans.data())) {
      test::fail(__FILE__, __LINE__, std::string(what) + ": output frame is not a record of the output type");
      break;
    }
    frames++;
  }
  return frames;
}

struct Fuzz {
  test::Rng& rng;
  Stats& stats;
  const SchemaCase& c;
  RecordSchema schema;
  RecordSchema out_schema;
  AggregationSpec spec;
  test::AccountFixture account;
  std::unique_ptr<KeyedAggregation> agg;

  Fuzz(test::Rng& r, Stats& s, const SchemaCase& sc, const AggregationSpec& sp, int64_t budget)
      : rng(r),
        stats(s),
        c(sc),
        schema(RecordSchema::parse(sc.words.data(), sc.words.size())),
        out_schema(output_schema(sc, schema, sp)),
        spec(sp),
        account(budget) {
    agg = std::make_unique<KeyedAggregation>(schema, spec, account.account, "fuzz-op");
  }

  /** Feeds `stream` in random pieces with random output ranges. False once it threw. */
  bool feed(const std::vector<uint8_t>& stream, bool budget_allowed) {
    uint32_t pos = 0;
    uint32_t min_room = 0;
    uint32_t extra = 0;  // grows the piece after kIncomplete
    for (int calls = 0; calls < 10000; calls++) {
      const uint32_t left = static_cast<uint32_t>(stream.size()) - pos;
      uint32_t piece = rng.below(3) == 0 ? left : std::min(left, rng.below(200) + extra);
      std::vector<uint8_t> in(stream.begin() + pos, stream.begin() + pos + piece);
      const uint32_t room = min_room + (rng.below(4) == 0 ? 0 : rng.below(300));
      std::vector<uint8_t> out(room);
      ProcessResult r;
      stats.process_calls++;
      try {
        r = agg->process(in.empty() ? nullptr : in.data(), piece, out.empty() ? nullptr : out.data(), room);
      } catch (const AggregationError& e) {
        if (e.kind() == AggregationErrorKind::kCorrupt) {
          stats.corrupt++;
        } else if (e.kind() == AggregationErrorKind::kBudget && budget_allowed) {
          stats.budget++;
        } else {
          test::fail(__FILE__, __LINE__, std::string("unexpected AggregationError: ") + e.what());
        }
        return false;
      }
      STROM_CHECK(r.consumed <= piece);
      STROM_CHECK(r.produced <= room);
      stats.records_applied += r.records;
      const uint32_t frames = check_output(out_schema, out.data(), r.produced, "process");
      stats.output_frames += frames;
      if (spec.streaming) {
        STROM_CHECK_EQ(frames, r.records);
      } else {
        STROM_CHECK_EQ(r.produced, 0u);
      }
      pos += r.consumed;
      min_room = 0;
      switch (r.status) {
        case ProcessStatus::kDone:
          STROM_CHECK_EQ(r.consumed, piece);
          extra = 0;
          break;
        case ProcessStatus::kOutputFull:
          stats.output_full++;
          STROM_CHECK(spec.streaming);
          STROM_CHECK(r.needed > room - r.produced);
          min_room = r.needed;
          break;
        case ProcessStatus::kIncomplete:
          stats.incomplete++;
          if (piece == left) return true;  // the stream itself ends inside a frame
          extra += 64 + piece;
          break;
        case ProcessStatus::kYielded:
          test::fail(__FILE__, __LINE__, "process() never yields (only emit_final has a record budget)");
          return false;
        case ProcessStatus::kElement:
          // A watermark or status frame: the task's to handle; the fuzzed stream ends here.
          return false;
      }
      if (pos == stream.size()) return true;
    }
    test::fail(__FILE__, __LINE__, "process made no progress");
    return false;
  }

  /** BATCH: drains emit_final with random, sometimes too small, output ranges and random record budgets. */
  void drain() {
    uint32_t min_room = 0;
    for (int calls = 0; calls < 100000; calls++) {
      const uint32_t room = min_room + (rng.below(3) == 0 ? 0 : rng.below(400));
      const uint32_t max_records = rng.below(2) == 0 ? UINT32_MAX : 1 + rng.below(8);
      std::vector<uint8_t> out(room);
      const ProcessResult r = agg->emit_final(out.empty() ? nullptr : out.data(), room, max_records);
      STROM_CHECK(r.produced <= room);
      STROM_CHECK(r.records <= max_records);
      const uint32_t frames = check_output(out_schema, out.data(), r.produced, "emit_final");
      STROM_CHECK_EQ(frames, r.records);
      stats.emitted_finals += frames;
      if (r.status == ProcessStatus::kDone) return;
      STROM_CHECK(!spec.streaming);
      min_room = 0;
      if (r.status == ProcessStatus::kYielded) {
        STROM_CHECK_EQ(r.records, max_records);
        continue;
      }
      STROM_CHECK(r.status == ProcessStatus::kOutputFull);
      min_room = r.needed;
    }
    test::fail(__FILE__, __LINE__, "emit_final made no progress");
  }
};

AggregationSpec random_spec(test::Rng& rng, const SchemaCase& c) {
  AggregationSpec spec;
  spec.kind = static_cast<AggregationKind>(1 + rng.below(7));
  spec.field = c.value_fields[rng.below(static_cast<uint32_t>(c.value_fields.size()))];
  spec.key_fields = c.keys[rng.below(static_cast<uint32_t>(c.keys.size()))];
  spec.streaming = rng.below(2) == 0;
  static const int32_t parallelisms[] = {1, 2, 128, 32768};
  spec.max_parallelism = parallelisms[rng.below(4)];
  return spec;
}

std::vector<uint8_t> valid_stream(test::Rng& rng, const RecordSchema& schema, uint32_t n) {
  RecordBytes r;
  for (uint32_t i = 0; i < n; i++) r.frame(random_payload(rng, schema));
  return r.bytes;
}

/** Byte size of the aggregation's own snapshot header (before the table's). */
size_t aggregation_header_bytes(const RecordSchema& schema, const AggregationSpec& spec) {
  return 4 * (5 + schema.num_fields() + 1 + spec.key_fields.size());
}

}  // namespace

STROM_TEST(fuzz_process_emit_and_restore) {
  uint64_t seed = 0x5eed0a66ull;
  if (const char* s = std::getenv("STROM_FUZZ_SEED")) seed = std::strtoull(s, nullptr, 0);
  long budget_ms = 1500;
  if (const char* s = std::getenv("STROM_FUZZ_MS")) budget_ms = std::strtol(s, nullptr, 0);
  std::fprintf(stderr, "  seed %llu (STROM_FUZZ_SEED), %ld ms (STROM_FUZZ_MS)\n",
               static_cast<unsigned long long>(seed), budget_ms);
  test::Rng rng(seed);
  Stats stats;
  const std::vector<SchemaCase> cases = schema_cases();
  const auto start = std::chrono::steady_clock::now();
  while (stats.iterations < static_cast<uint64_t>(kMinIterations) ||
         std::chrono::steady_clock::now() - start < std::chrono::milliseconds(budget_ms)) {
    stats.iterations++;
    const SchemaCase& c = cases[rng.below(static_cast<uint32_t>(cases.size()))];
    const AggregationSpec spec = random_spec(rng, c);
    // Mostly an ample budget; sometimes a small one, where kBudget is allowed too.
    const bool small_budget = rng.below(10) == 0;
    Fuzz fuzz(rng, stats, c, spec, small_budget ? 1024 + rng.below(100000) : int64_t{1} << 26);

    // A valid prefix, then a mutated stream (or pure noise).
    const std::vector<uint8_t> valid = valid_stream(rng, fuzz.schema, rng.below(30));
    fuzz.feed(valid, small_budget);
    std::vector<uint8_t> stream = valid_stream(rng, fuzz.schema, 1 + rng.below(30));
    if (rng.below(12) == 0) {
      stream.resize(rng.below(80));
      for (uint8_t& b : stream) b = static_cast<uint8_t>(rng.next());
    } else {
      mutate(rng, stream);
    }
    fuzz.feed(stream, small_budget);

    // Snapshots: all, or a key-group range; restore into a fresh aggregation.
    const int32_t kg_start = rng.below(2) == 0 ? INT32_MIN : static_cast<int32_t>(rng.below(128));
    const int32_t kg_end = rng.below(2) == 0 ? INT32_MAX : kg_start + static_cast<int32_t>(rng.below(64));
    const std::vector<uint8_t> snap = fuzz.agg->snapshot(kg_start, kg_end);
    std::vector<uint8_t> damaged = snap;
    const uint32_t how = rng.below(4);
    if (how != 0) {
      mutate(rng, damaged);
      const size_t header = aggregation_header_bytes(fuzz.schema, spec);
      if (how == 3 && damaged.size() >= header + core::kStateSnapshotHeaderBytes + core::kStateSnapshotTrailerBytes) {
        // Recompute the table checksum: the damage reaches the entries themselves.
        const size_t body = damaged.size() - header - core::kStateSnapshotTrailerBytes;
        const uint64_t sum = core::snapshot_checksum(damaged.data() + header, body);
        std::memcpy(damaged.data() + header + body, &sum, 8);
      }
    }
    Fuzz restored(rng, stats, c, spec, int64_t{1} << 26);
    bool ok = true;
    try {
      restored.agg->restore(damaged.empty() ? nullptr : damaged.data(), damaged.size());
    } catch (const AggregationError& e) {
      ok = false;
      if (e.kind() == AggregationErrorKind::kCorrupt) {
        stats.restores_corrupt++;
      } else {
        test::fail(__FILE__, __LINE__, std::string("restore: unexpected AggregationError: ") + e.what());
      }
    }
    if (how == 0) {
      STROM_CHECK(ok);
      if (ok) STROM_CHECK(restored.agg->snapshot(kg_start, kg_end) == snap);
    }
    if (ok) stats.restores_ok++;
    // Whatever restore left behind (after success or kCorrupt) must stay usable.
    (void)restored.agg->snapshot(INT32_MIN, INT32_MAX);
    restored.feed(valid_stream(rng, restored.schema, rng.below(20)), false);
    if (!spec.streaming) restored.drain();
    if (!spec.streaming) fuzz.drain();
  }
  std::fprintf(stderr,
               "  %llu iterations: %llu process calls, %llu records applied, %llu output frames, %llu corrupt, "
               "%llu output-full, %llu incomplete, %llu budget; restores %llu ok / %llu corrupt; %llu final "
               "frames\n",
               static_cast<unsigned long long>(stats.iterations), static_cast<unsigned long long>(stats.process_calls),
               static_cast<unsigned long long>(stats.records_applied),
               static_cast<unsigned long long>(stats.output_frames), static_cast<unsigned long long>(stats.corrupt),
               static_cast<unsigned long long>(stats.output_full), static_cast<unsigned long long>(stats.incomplete),
               static_cast<unsigned long long>(stats.budget), static_cast<unsigned long long>(stats.restores_ok),
               static_cast<unsigned long long>(stats.restores_corrupt),
               static_cast<unsigned long long>(stats.emitted_finals));
  STROM_CHECK(stats.corrupt > 0);
  STROM_CHECK(stats.output_full > 0);
  STROM_CHECK(stats.incomplete > 0);
  STROM_CHECK(stats.restores_corrupt > 0);
  STROM_CHECK(stats.records_applied > 0);
}

int main() { return test::run_all(); }
