// Unit tests of KeyedAggregation (keyed_aggregation.h): every kind in STREAMING and BATCH against
// a small C++ reference model written independently of keyed_aggregation.cc (Flink semantics as
// in test/support/reference-aggregation.ts), Java Double.compare order, LONG wrap-around, double
// key canonicalisation, kOutputFull / kIncomplete resumption, key groups and snapshots by
// key-group range, managed-memory refusal and constructor validation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/key_hash.h"
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
using core::KeyedAggregation;
using core::ProcessResult;
using core::ProcessStatus;
using core::RecordSchema;
using test::RecordBytes;

namespace {

constexpr int32_t S = 1, D = 2, L = 3, B = 4, T = 5;

// ---------------------------------------------------------------------------------------------
// Values, records, encodings
// ---------------------------------------------------------------------------------------------

struct Val {
  FieldKind kind = FieldKind::kLong;
  std::string s;
  double d = 0;
  int64_t l = 0;
  bool b = false;
};
Val Sv(const std::string& s) {
  Val v;
  v.kind = FieldKind::kString;
  v.s = s;
  return v;
}
Val Dv(double d) {
  Val v;
  v.kind = FieldKind::kDouble;
  v.d = d;
  return v;
}
Val Lv(int64_t l) {
  Val v;
  v.kind = FieldKind::kLong;
  v.l = l;
  return v;
}
Val Bv(bool b) {
  Val v;
  v.kind = FieldKind::kBoolean;
  v.b = b;
  return v;
}
using Rec = std::vector<Val>;

double double_from_bits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

void encode(RecordBytes& r, const Val& v) {
  switch (v.kind) {
    case FieldKind::kString: r.string(v.s); break;
    case FieldKind::kDouble: r.float64(v.d); break;
    case FieldKind::kLong: r.int64(v.l); break;
    default: r.boolean(v.b); break;
  }
}
std::vector<uint8_t> payload_of(const Rec& rec) {
  RecordBytes r;
  for (const Val& v : rec) encode(r, v);
  return r.bytes;
}
std::vector<uint8_t> frames_of(const std::vector<Rec>& recs) {
  RecordBytes r;
  for (const Rec& rec : recs) r.frame(payload_of(rec));
  return r.bytes;
}
/** Offsets of every frame in a frame stream, plus the end. */
std::vector<uint32_t> frame_offsets(const std::vector<uint8_t>& frames) {
  std::vector<uint32_t> offsets;
  uint32_t pos = 0;
  while (pos < frames.size()) {
    offsets.push_back(pos);
    int32_t len;
    std::memcpy(&len, frames.data() + pos, 4);
    pos += 4 + static_cast<uint32_t>(len);
  }
  offsets.push_back(pos);
  return offsets;
}

RecordSchema tuple_schema(const std::vector<int32_t>& kinds) {
  std::vector<int32_t> words = {T, static_cast<int32_t>(kinds.size())};
  words.insert(words.end(), kinds.begin(), kinds.end());
  return RecordSchema::parse(words.data(), words.size());
}

// ---------------------------------------------------------------------------------------------
// Reference model (independent of keyed_aggregation.cc)
// ---------------------------------------------------------------------------------------------

/** Java Double.compare written as the Javadoc states it: NaN is greater than everything (and
 *  equal to itself), 0.0 is greater than -0.0, otherwise numeric order. */
int ref_double_compare(double a, double b) {
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  if (a != b) return a < b ? -1 : 1;
  const bool as = std::signbit(a), bs = std::signbit(b);
  return as == bs ? 0 : (as ? -1 : 1);
}
int ref_compare(const Val& a, const Val& b) {
  if (a.kind == FieldKind::kLong) return a.l < b.l ? -1 : (a.l > b.l ? 1 : 0);
  return ref_double_compare(a.d, b.d);
}
Val canonical(Val v) {
  if (v.kind == FieldKind::kDouble) {
    if (v.d == 0) v.d = 0.0;
    else if (std::isnan(v.d)) v.d = double_from_bits(0x7ff8000000000000ULL);
  }
  return v;
}
std::string key_string(const Rec& rec, const std::vector<uint32_t>& key_fields) {
  RecordBytes r;
  for (uint32_t f : key_fields) encode(r, canonical(rec[f]));
  return std::string(r.bytes.begin(), r.bytes.end());
}

struct Reference {
  AggregationSpec spec;
  size_t num_fields;
  struct St {
    Rec first, extreme;
    Val acc;
    int64_t count = 0;
    double sum = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, St> states;
  std::vector<Rec> out;

  Reference(AggregationSpec s, size_t n) : spec(std::move(s)), num_fields(n) {}

  bool residual() const {
    return num_fields > spec.key_fields.size() + (spec.kind == AggregationKind::kCount ? 0 : 1);
  }
  Rec emit(const St& s) const {
    switch (spec.kind) {
      case AggregationKind::kCount:
      case AggregationKind::kAvg: {
        Rec r;
        for (uint32_t f : spec.key_fields) r.push_back(canonical(s.first[f]));
        r.push_back(Dv(spec.kind == AggregationKind::kCount ? static_cast<double>(s.count)
                                                            : s.sum / static_cast<double>(s.count)));
        return r;
      }
      case AggregationKind::kMinBy:
      case AggregationKind::kMaxBy: return s.extreme;
      default: {
        Rec r = s.first;
        r[static_cast<size_t>(spec.field)] = s.acc;
        // Without other fields the native code rebuilds the record from the canonical key.
        if (!residual()) {
          for (uint32_t f : spec.key_fields) r[f] = canonical(r[f]);
        }
        return r;
      }
    }
  }
  void add(const Rec& rec) {
    const std::string k = key_string(rec, spec.key_fields);
    auto it = states.find(k);
    const Val v = spec.kind == AggregationKind::kCount ? Val() : rec[static_cast<size_t>(spec.field)];
    const double num = v.kind == FieldKind::kLong ? static_cast<double>(v.l) : v.d;
    if (it == states.end()) {
      St s;
      s.first = rec;
      s.extreme = rec;
      s.acc = v;
      s.count = 1;
      s.sum = num;
      it = states.emplace(k, s).first;
      order.push_back(k);
    } else {
      St& s = it->second;
      s.count++;
      s.sum += num;
      switch (spec.kind) {
        case AggregationKind::kSum:
          if (v.kind == FieldKind::kLong) {
            s.acc.l = static_cast<int64_t>(static_cast<uint64_t>(s.acc.l) + static_cast<uint64_t>(v.l));
          } else {
            s.acc.d += v.d;
          }
          break;
        case AggregationKind::kMin:
          if (ref_compare(v, s.acc) < 0) s.acc = v;
          break;
        case AggregationKind::kMax:
          if (ref_compare(v, s.acc) > 0) s.acc = v;
          break;
        case AggregationKind::kMinBy:
          if (ref_compare(v, s.extreme[static_cast<size_t>(spec.field)]) < 0) s.extreme = rec;
          break;
        case AggregationKind::kMaxBy:
          if (ref_compare(v, s.extreme[static_cast<size_t>(spec.field)]) > 0) s.extreme = rec;
          break;
        default: break;
      }
    }
    if (spec.streaming) out.push_back(emit(it->second));
  }
  std::vector<Rec> finals() const {
    std::vector<Rec> r;
    for (const std::string& k : order) r.push_back(emit(states.at(k)));
    return r;
  }
};

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

AggregationSpec make_spec(AggregationKind kind, int32_t field, std::vector<uint32_t> keys, bool streaming,
                          int32_t max_parallelism = 128) {
  AggregationSpec s;
  s.kind = kind;
  s.field = field;
  s.key_fields = std::move(keys);
  s.streaming = streaming;
  s.max_parallelism = max_parallelism;
  return s;
}

struct Harness {
  test::AccountFixture account;
  std::unique_ptr<KeyedAggregation> agg;
  Harness(const std::vector<int32_t>& kinds, const AggregationSpec& spec, int64_t budget = int64_t{1} << 28)
      : account(budget),
        agg(std::make_unique<KeyedAggregation>(tuple_schema(kinds), spec, account.account, "agg-under-test")) {}

  /** Processes all of `in` with unlimited output room; checks kDone. */
  std::vector<uint8_t> run(const std::vector<uint8_t>& in) {
    std::vector<uint8_t> out(in.size() * 2 + 64);
    const ProcessResult r = agg->process(in.data(), static_cast<uint32_t>(in.size()), out.data(),
                                         static_cast<uint32_t>(out.size()));
    STROM_CHECK(r.status == ProcessStatus::kDone);
    STROM_CHECK_EQ(r.consumed, in.size());
    out.resize(r.produced);
    return out;
  }
  std::vector<uint8_t> finals() {
    std::vector<uint8_t> out(1 << 20);
    const ProcessResult r = agg->emit_final(out.data(), static_cast<uint32_t>(out.size()));
    STROM_CHECK(r.status == ProcessStatus::kDone);
    out.resize(r.produced);
    return out;
  }
};

void check_bytes(const std::vector<uint8_t>& actual, const std::vector<uint8_t>& expected, const std::string& what,
                 const char* file, int line) {
  if (actual == expected) return;
  size_t i = 0;
  while (i < actual.size() && i < expected.size() && actual[i] == expected[i]) ++i;
  test::fail(file, line,
             what + ": bytes differ at " + std::to_string(i) + " (actual " + std::to_string(actual.size()) +
                 " bytes, expected " + std::to_string(expected.size()) + ")");
}
#define CHECK_BYTES(actual, expected, what) check_bytes((actual), (expected), (what), __FILE__, __LINE__)

template <typename F>
AggregationError expect_aggregation_error(F&& f, AggregationErrorKind kind, const char* file, int line) {
  try {
    f();
  } catch (const AggregationError& e) {
    if (e.kind() != kind) test::fail(file, line, std::string("wrong AggregationError kind: ") + e.what());
    return e;
  } catch (const std::exception& e) {
    test::fail(file, line, std::string("unexpected exception: ") + e.what());
    return AggregationError(kind, "");
  }
  test::fail(file, line, "expected an AggregationError");
  return AggregationError(kind, "");
}
#define EXPECT_AGG_ERROR(expr, kind) expect_aggregation_error([&] { (void)(expr); }, (kind), __FILE__, __LINE__)

// Random values with the edge cases that matter.
Val random_val(test::Rng& rng, int32_t kind) {
  static const char* strings[] = {"a", "b", "", "\xce\xba", "\xe6\x97\xa5\xe6\x9c\xac", "key-7", "zz"};
  static const double doubles[] = {1.5,  -2.0, 0.0, -0.0, std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(), 1e300, 3.0, 0.1, -7.25};
  static const int64_t longs[] = {1, -1, 0, 42, std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min(), 1000000007};
  switch (kind) {
    case S: return Sv(strings[rng.below(7)]);
    case D:
      if (rng.below(12) == 0) return Dv(double_from_bits(rng.below(2) ? 0x7ff8000000000000ULL : 0xfff0000000000123ULL));
      return Dv(doubles[rng.below(10)]);
    case L: return Lv(rng.below(4) == 0 ? static_cast<int64_t>(rng.next()) : longs[rng.below(7)]);
    default: return Bv(rng.below(2) == 1);
  }
}
std::vector<Rec> random_records(test::Rng& rng, const std::vector<int32_t>& kinds, size_t n) {
  std::vector<Rec> recs;
  for (size_t i = 0; i < n; i++) {
    Rec r;
    for (int32_t k : kinds) r.push_back(random_val(rng, k));
    recs.push_back(r);
  }
  return recs;
}

struct Case {
  std::vector<int32_t> kinds;
  std::vector<uint32_t> keys;
  int32_t field;
};

std::vector<Case> all_cases() {
  return {
      {{S, D}, {0}, 1},               // TUPLE(STRING, DOUBLE): no other fields (rebuilt output)
      {{L, S, L, B}, {1}, 2},         // residual fields kept from the first record
      {{L, S, L, B}, {1}, 0},
      {{L, S, L, B}, {3, 1}, 2},      // two key fields, out of field order
      {{L, S, L, B}, {3, 0, 1}, 2},   // rebuilt output with keys out of field order
      {{S, L}, {0}, 1},
      {{D, D, S}, {0}, 1},            // double keys (canonicalised)
  };
}

const AggregationKind kAllKinds[] = {AggregationKind::kSum,   AggregationKind::kMin,   AggregationKind::kMax,
                                     AggregationKind::kMinBy, AggregationKind::kMaxBy, AggregationKind::kCount,
                                     AggregationKind::kAvg};

std::string describe(const Case& c, AggregationKind kind, bool streaming) {
  std::string s = "kind " + std::to_string(static_cast<int>(kind)) + (streaming ? " STREAMING" : " BATCH") +
                  " fields";
  for (int32_t k : c.kinds) s += " " + std::to_string(k);
  s += " keys";
  for (uint32_t k : c.keys) s += " " + std::to_string(k);
  return s + " field " + std::to_string(c.field);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

STROM_TEST(every_kind_streaming_matches_reference) {
  test::Rng rng(11);
  for (const Case& c : all_cases()) {
    for (AggregationKind kind : kAllKinds) {
      const AggregationSpec spec = make_spec(kind, c.field, c.keys, true);
      const std::vector<Rec> recs = random_records(rng, c.kinds, 300);
      Harness h(c.kinds, spec);
      Reference ref(spec, c.kinds.size());
      for (const Rec& r : recs) ref.add(r);
      const std::vector<uint8_t> in = frames_of(recs);
      CHECK_BYTES(h.run(in), frames_of(ref.out), describe(c, kind, true));
      STROM_CHECK_EQ(h.agg->num_keys(), ref.order.size());
      STROM_CHECK_EQ(h.agg->records_in(), recs.size());
      // STREAMING emit_final emits nothing.
      std::vector<uint8_t> out(64);
      const ProcessResult f = h.agg->emit_final(out.data(), 64);
      STROM_CHECK(f.status == ProcessStatus::kDone);
      STROM_CHECK_EQ(f.produced, 0u);
    }
  }
}

/** A BATCH case: random records of a Case, framed, and the reference's finals, framed. */
struct BatchInput {
  AggregationSpec spec;
  std::vector<uint8_t> in;
  std::vector<uint8_t> expected;
  size_t records;
  size_t finals;
};

BatchInput batch_input(test::Rng& rng, const Case& c, AggregationKind kind) {
  BatchInput b;
  b.spec = make_spec(kind, c.field, c.keys, false);
  const std::vector<Rec> recs = random_records(rng, c.kinds, 300);
  Reference ref(b.spec, c.kinds.size());
  for (const Rec& r : recs) ref.add(r);
  const auto finals = ref.finals();
  b.expected = frames_of(finals);
  b.in = frames_of(recs);
  b.records = recs.size();
  b.finals = finals.size();
  return b;
}

STROM_TEST(every_kind_batch_matches_reference_and_emit_final_resumes) {
  test::Rng rng(12);
  for (const Case& c : all_cases()) {
    for (AggregationKind kind : kAllKinds) {
      const BatchInput b = batch_input(rng, c, kind);
      const AggregationSpec& spec = b.spec;
      const std::vector<uint8_t>& in = b.in;
      const std::vector<uint8_t>& expected = b.expected;
      {
        Harness h(c.kinds, spec);
        std::vector<uint8_t> out(16);
        const ProcessResult r = h.agg->process(in.data(), static_cast<uint32_t>(in.size()), out.data(), 0);
        STROM_CHECK(r.status == ProcessStatus::kDone);  // BATCH needs no output room
        STROM_CHECK_EQ(r.produced, 0u);
        STROM_CHECK_EQ(r.records, b.records);
        STROM_CHECK_EQ(r.consumed, in.size());
        CHECK_BYTES(h.finals(), expected, describe(c, kind, false));
        // Everything was emitted: another call emits nothing.
        const ProcessResult again = h.agg->emit_final(out.data(), 16);
        STROM_CHECK(again.status == ProcessStatus::kDone && again.produced == 0);
      }
      {
        // Resumable: room for exactly one frame at a time, as `needed` says.
        Harness h(c.kinds, spec);
        h.run(in);
        std::vector<uint8_t> all;
        uint32_t frames = 0;
        for (;;) {
          uint8_t probe[1];
          const ProcessResult p = h.agg->emit_final(probe, 0);
          if (p.status == ProcessStatus::kDone) break;
          STROM_CHECK(p.status == ProcessStatus::kOutputFull);
          STROM_CHECK(p.needed > 5);
          STROM_CHECK_EQ(p.produced, 0u);
          std::vector<uint8_t> one(p.needed);
          const ProcessResult r = h.agg->emit_final(one.data(), p.needed);
          STROM_CHECK_EQ(r.produced, p.needed);
          STROM_CHECK_EQ(r.records, 1u);
          all.insert(all.end(), one.begin(), one.end());
          if (++frames > 10000) break;
        }
        CHECK_BYTES(all, expected, describe(c, kind, false) + " (one frame at a time)");
      }
    }
  }
}

STROM_TEST(emit_final_stops_at_max_records_and_resumes_in_order) {
  // The cursor over the table: bounded calls (records and bytes) give the same bytes, in the
  // same order, as one unbounded call; snapshots between calls neither move nor break it.
  test::Rng rng(21);
  for (const Case& c : all_cases()) {
    for (AggregationKind kind : kAllKinds) {
      const BatchInput b = batch_input(rng, c, kind);
      for (uint32_t max_records : {1u, 7u, 64u}) {
        for (uint32_t out_len : {64u, 4096u}) {
          Harness h(c.kinds, b.spec);
          h.run(b.in);
          const std::vector<uint8_t> snapshot_before = h.agg->snapshot(INT32_MIN, INT32_MAX);
          std::vector<uint8_t> all;
          std::vector<uint8_t> out(out_len);
          uint32_t emitted = 0;
          for (int calls = 0;; calls++) {
            STROM_CHECK(calls < 100000);
            const ProcessResult r = h.agg->emit_final(out.data(), out_len, max_records);
            STROM_CHECK(r.records <= max_records);
            all.insert(all.end(), out.begin(), out.begin() + r.produced);
            emitted += r.records;
            if (r.status == ProcessStatus::kDone) break;
            STROM_CHECK(!h.agg->finals_done());
            if (r.status == ProcessStatus::kYielded) {
              STROM_CHECK_EQ(r.records, max_records);
            } else {
              STROM_CHECK(r.status == ProcessStatus::kOutputFull);
              STROM_CHECK(r.needed > 5);
              if (r.needed > out_len) out.resize(out_len = r.needed);
            }
            // The state stays as it was while the cursor runs.
            STROM_CHECK(h.agg->snapshot(INT32_MIN, INT32_MAX) == snapshot_before);
          }
          STROM_CHECK(h.agg->finals_done());
          STROM_CHECK_EQ(emitted, b.finals);
          CHECK_BYTES(all, b.expected,
                      describe(c, kind, false) + " (max_records " + std::to_string(max_records) + ", out_len " +
                          std::to_string(out_len) + ")");
          const ProcessResult again = h.agg->emit_final(out.data(), out_len, max_records);
          STROM_CHECK(again.status == ProcessStatus::kDone && again.records == 0);
        }
      }
    }
  }
}

STROM_TEST(emit_final_with_no_keys_is_done_at_once) {
  const AggregationSpec spec = make_spec(AggregationKind::kSum, 1, {0}, false);
  Harness h({S, D}, spec);
  STROM_CHECK(h.agg->finals_done());
  uint8_t out[16];
  const ProcessResult r = h.agg->emit_final(out, 16, 1);
  STROM_CHECK(r.status == ProcessStatus::kDone && r.records == 0 && r.produced == 0);
}

STROM_TEST(sum_min_max_keep_the_first_records_other_fields) {
  const std::vector<int32_t> kinds = {L, S, L, B};
  const std::vector<Rec> recs = {{Lv(1), Sv("k"), Lv(10), Bv(true)},
                                 {Lv(2), Sv("k"), Lv(5), Bv(false)},
                                 {Lv(3), Sv("k"), Lv(20), Bv(false)}};
  const std::vector<uint8_t> in = frames_of(recs);
  {
    Harness h(kinds, make_spec(AggregationKind::kSum, 2, {1}, true));
    CHECK_BYTES(h.run(in),
                frames_of({{Lv(1), Sv("k"), Lv(10), Bv(true)},
                           {Lv(1), Sv("k"), Lv(15), Bv(true)},
                           {Lv(1), Sv("k"), Lv(35), Bv(true)}}),
                "sum");
  }
  {
    Harness h(kinds, make_spec(AggregationKind::kMin, 2, {1}, true));
    CHECK_BYTES(h.run(in),
                frames_of({{Lv(1), Sv("k"), Lv(10), Bv(true)},
                           {Lv(1), Sv("k"), Lv(5), Bv(true)},
                           {Lv(1), Sv("k"), Lv(5), Bv(true)}}),
                "min");
  }
  {
    Harness h(kinds, make_spec(AggregationKind::kMax, 2, {1}, false));
    h.run(in);
    CHECK_BYTES(h.finals(), frames_of({{Lv(1), Sv("k"), Lv(20), Bv(true)}}), "max batch");
  }
}

STROM_TEST(min_by_max_by_keep_the_first_record_on_ties) {
  const std::vector<int32_t> kinds = {L, S, L, B};
  const Rec r1 = {Lv(1), Sv("k"), Lv(5), Bv(true)};
  const Rec r2 = {Lv(2), Sv("k"), Lv(5), Bv(false)};   // tie
  const Rec r3 = {Lv(3), Sv("k"), Lv(4), Bv(false)};   // new min
  const Rec r4 = {Lv(4), Sv("k"), Lv(9), Bv(true)};    // new max
  const Rec r5 = {Lv(5), Sv("k"), Lv(9), Bv(false)};   // tie with max
  const std::vector<uint8_t> in = frames_of({r1, r2, r3, r4, r5});
  {
    Harness h(kinds, make_spec(AggregationKind::kMinBy, 2, {1}, true));
    CHECK_BYTES(h.run(in), frames_of({r1, r1, r3, r3, r3}), "minBy");
  }
  {
    Harness h(kinds, make_spec(AggregationKind::kMaxBy, 2, {1}, true));
    CHECK_BYTES(h.run(in), frames_of({r1, r1, r1, r4, r4}), "maxBy");
  }
}

STROM_TEST(double_comparisons_follow_java_double_compare) {
  const std::vector<int32_t> kinds = {S, D, L};
  const double nan = double_from_bits(0x7ff8000000000000ULL);
  const double inf = std::numeric_limits<double>::infinity();
  auto rec = [](double d, int64_t tag) { return Rec{Sv("k"), Dv(d), Lv(tag)}; };
  // min: -0 < 0 (whichever comes first), NaN never the min.
  {
    Harness h(kinds, make_spec(AggregationKind::kMin, 1, {0}, true));
    CHECK_BYTES(h.run(frames_of({rec(0.0, 1), rec(-0.0, 2), rec(nan, 3), rec(0.0, 4)})),
                frames_of({rec(0.0, 1), rec(-0.0, 1), rec(-0.0, 1), rec(-0.0, 1)}), "min -0");
  }
  {
    Harness h(kinds, make_spec(AggregationKind::kMin, 1, {0}, true));
    CHECK_BYTES(h.run(frames_of({rec(nan, 1), rec(inf, 2), rec(-inf, 3)})),
                frames_of({rec(nan, 1), rec(inf, 1), rec(-inf, 1)}), "min NaN first");
  }
  // max: NaN above +Inf, 0 > -0.
  {
    Harness h(kinds, make_spec(AggregationKind::kMax, 1, {0}, true));
    CHECK_BYTES(h.run(frames_of({rec(-0.0, 1), rec(0.0, 2), rec(inf, 3), rec(nan, 4), rec(inf, 5)})),
                frames_of({rec(-0.0, 1), rec(0.0, 1), rec(inf, 1), rec(nan, 1), rec(nan, 1)}), "max NaN");
  }
  // minBy / maxBy: whole records, -0 vs 0 is not a tie.
  {
    Harness h(kinds, make_spec(AggregationKind::kMinBy, 1, {0}, true));
    CHECK_BYTES(h.run(frames_of({rec(0.0, 1), rec(-0.0, 2), rec(-0.0, 3), rec(nan, 4)})),
                frames_of({rec(0.0, 1), rec(-0.0, 2), rec(-0.0, 2), rec(-0.0, 2)}), "minBy");
  }
  {
    Harness h(kinds, make_spec(AggregationKind::kMaxBy, 1, {0}, true));
    CHECK_BYTES(h.run(frames_of({rec(-0.0, 1), rec(0.0, 2), rec(inf, 3), rec(nan, 4), rec(nan, 5)})),
                frames_of({rec(-0.0, 1), rec(0.0, 2), rec(inf, 3), rec(nan, 4), rec(nan, 4)}), "maxBy");
  }
}

STROM_TEST(long_sum_wraps_at_64_bits) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  Harness h({S, L}, make_spec(AggregationKind::kSum, 1, {0}, true));
  CHECK_BYTES(h.run(frames_of({{Sv("k"), Lv(max)}, {Sv("k"), Lv(1)}, {Sv("k"), Lv(-1)}, {Sv("k"), Lv(min)}})),
              frames_of({{Sv("k"), Lv(max)}, {Sv("k"), Lv(min)}, {Sv("k"), Lv(max)}, {Sv("k"), Lv(-1)}}), "wrap");
  // avg of LONGs is a double mean
  Harness a({S, L}, make_spec(AggregationKind::kAvg, 1, {0}, true));
  CHECK_BYTES(a.run(frames_of({{Sv("k"), Lv(1)}, {Sv("k"), Lv(2)}})),
              frames_of({{Sv("k"), Dv(1.0)}, {Sv("k"), Dv(1.5)}}), "avg long");
}

STROM_TEST(double_keys_minus_zero_and_nan_payloads_are_one_key) {
  const double nan1 = double_from_bits(0x7ff8000000000000ULL);
  const double nan2 = double_from_bits(0xfff8000000000001ULL);
  const double nan3 = double_from_bits(0x7ff0000000000001ULL);  // signalling payload
  Harness h({D, L}, make_spec(AggregationKind::kCount, -1, {0}, true));
  CHECK_BYTES(h.run(frames_of({{Dv(0.0), Lv(1)},
                               {Dv(-0.0), Lv(2)},
                               {Dv(nan2), Lv(3)},
                               {Dv(nan1), Lv(4)},
                               {Dv(nan3), Lv(5)},
                               {Dv(1.0), Lv(6)}})),
              frames_of({{Dv(0.0), Dv(1)},
                         {Dv(0.0), Dv(2)},
                         {Dv(nan1), Dv(1)},
                         {Dv(nan1), Dv(2)},
                         {Dv(nan1), Dv(3)},
                         {Dv(1.0), Dv(1)}}),
              "count by double key");
  STROM_CHECK_EQ(h.agg->num_keys(), 3u);
  // With other fields, sum keeps the first record's bytes (-0 stays -0 in the output).
  Harness s({D, L, B}, make_spec(AggregationKind::kSum, 1, {0}, true));
  CHECK_BYTES(s.run(frames_of({{Dv(-0.0), Lv(1), Bv(true)}, {Dv(0.0), Lv(2), Bv(false)}})),
              frames_of({{Dv(-0.0), Lv(1), Bv(true)}, {Dv(-0.0), Lv(3), Bv(true)}}), "sum by -0 key");
  STROM_CHECK_EQ(s.agg->num_keys(), 1u);
}

STROM_TEST(output_full_stops_before_the_record_and_resumes) {
  test::Rng rng(21);
  const std::vector<int32_t> kinds = {L, S, L, B};
  for (AggregationKind kind : kAllKinds) {
    const AggregationSpec spec = make_spec(kind, 2, {1}, true);
    const std::vector<Rec> recs = random_records(rng, kinds, 200);
    const std::vector<uint8_t> in = frames_of(recs);
    const std::vector<uint32_t> offsets = frame_offsets(in);
    Harness whole(kinds, spec);
    const std::vector<uint8_t> expected = whole.run(in);
    const std::vector<uint32_t> out_offsets = frame_offsets(expected);
    STROM_CHECK_EQ(out_offsets.size(), offsets.size());

    // Exact check: room for the first 3 output frames and one byte less than the 4th.
    {
      Harness h(kinds, spec);
      const uint32_t room = out_offsets[4] - 1;
      std::vector<uint8_t> out(room);
      const ProcessResult r = h.agg->process(in.data(), static_cast<uint32_t>(in.size()), out.data(), room);
      STROM_CHECK(r.status == ProcessStatus::kOutputFull);
      STROM_CHECK_EQ(r.consumed, offsets[3]);
      STROM_CHECK_EQ(r.records, 3u);
      STROM_CHECK_EQ(r.produced, out_offsets[3]);
      STROM_CHECK_EQ(r.needed, out_offsets[4] - out_offsets[3]);
      STROM_CHECK_EQ(h.agg->records_in(), 3u);
    }
    // Random small output ranges: the concatenated output and the final state equal one run.
    Harness h(kinds, spec);
    std::vector<uint8_t> all;
    uint32_t pos = 0;
    int calls = 0;
    while (pos < in.size() && calls < 100000) {
      ++calls;
      std::vector<uint8_t> out(rng.below(120));
      const ProcessResult r = h.agg->process(in.data() + pos, static_cast<uint32_t>(in.size() - pos), out.data(),
                                             static_cast<uint32_t>(out.size()));
      STROM_CHECK(r.produced <= out.size());
      all.insert(all.end(), out.begin(), out.begin() + r.produced);
      if (r.status == ProcessStatus::kOutputFull) {
        STROM_CHECK(r.needed > out.size() - r.produced);
      } else {
        STROM_CHECK(r.status == ProcessStatus::kDone);
      }
      pos += r.consumed;
    }
    CHECK_BYTES(all, expected, "resumed output, kind " + std::to_string(static_cast<int>(kind)));
    CHECK_BYTES(h.agg->snapshot(INT32_MIN, INT32_MAX), whole.agg->snapshot(INT32_MIN, INT32_MAX), "resumed state");
  }
}

STROM_TEST(incomplete_frame_is_not_consumed_and_resumes) {
  test::Rng rng(31);
  const std::vector<int32_t> kinds = {S, D};
  for (AggregationKind kind : {AggregationKind::kSum, AggregationKind::kMaxBy, AggregationKind::kAvg}) {
    for (bool streaming : {true, false}) {
      const AggregationSpec spec = make_spec(kind, 1, {0}, streaming);
      const std::vector<Rec> recs = random_records(rng, kinds, 50);
      const std::vector<uint8_t> in = frames_of(recs);
      const std::vector<uint32_t> offsets = frame_offsets(in);
      Harness whole(kinds, spec);
      const std::vector<uint8_t> expected = whole.run(in);
      for (int trial = 0; trial < 40; trial++) {
        Harness h(kinds, spec);
        const uint32_t cut = 1 + rng.below(static_cast<uint32_t>(in.size()) - 1);
        // The frame the cut lands in (or that starts at the cut: then nothing is cut).
        uint32_t frame = 0;
        while (offsets[frame + 1] <= cut) ++frame;
        std::vector<uint8_t> first(in.begin(), in.begin() + cut);  // exact-size buffer for ASan
        std::vector<uint8_t> out(expected.size() + 16);
        const ProcessResult r = h.agg->process(first.data(), cut, out.data(), static_cast<uint32_t>(out.size()));
        STROM_CHECK_EQ(r.consumed, offsets[frame]);
        STROM_CHECK_EQ(r.records, frame);
        STROM_CHECK(r.status == (offsets[frame] == cut ? ProcessStatus::kDone : ProcessStatus::kIncomplete));
        std::vector<uint8_t> rest(in.begin() + r.consumed, in.end());
        const ProcessResult r2 = h.agg->process(rest.data(), static_cast<uint32_t>(rest.size()), out.data() + r.produced,
                                                static_cast<uint32_t>(out.size() - r.produced));
        STROM_CHECK(r2.status == ProcessStatus::kDone);
        STROM_CHECK_EQ(r2.consumed, rest.size());
        out.resize(r.produced + r2.produced);
        CHECK_BYTES(out, expected, "after reassembly");
        if (!streaming) CHECK_BYTES(h.finals(), whole.finals(), "batch finals after reassembly");
        // `whole` emitted its finals once: recreate it for the next trial.
        if (!streaming) {
          whole.agg = std::make_unique<KeyedAggregation>(tuple_schema(kinds), spec, whole.account.account, "w");
          whole.run(in);
        }
      }
    }
  }
}

STROM_TEST(timestamps_carry_to_streaming_outputs_and_watermark_frames_stop_process) {
  // Flink's rolling aggregations emit with the input record's timestamp; a watermark or status
  // frame stops process() at its offset, for the task to handle it in order with the records.
  const std::vector<int32_t> kinds = {S, D};
  const AggregationSpec spec = make_spec(AggregationKind::kSum, 1, {0}, true);
  RecordBytes ts;
  ts.float64(1234.5);
  auto with_timestamp = [&](const Rec& rec) {
    std::vector<uint8_t> payload = ts.bytes;
    const std::vector<uint8_t> value = payload_of(rec);
    payload.insert(payload.end(), value.begin(), value.end());
    return payload;
  };
  RecordBytes watermark;
  watermark.float64(1000);
  RecordBytes in;
  in.frame(with_timestamp({Sv("a"), Dv(1)}), 1).frame(payload_of({Sv("a"), Dv(2)}));
  const uint32_t element_at = static_cast<uint32_t>(in.size());
  in.frame(watermark.bytes, 2).frame({0, 0, 0, 0}, 4).frame(with_timestamp({Sv("a"), Dv(4)}), 1);
  const std::vector<uint32_t> offsets = frame_offsets(in.bytes);

  Harness h(kinds, spec);
  std::vector<uint8_t> out(1024);
  ProcessResult r = h.agg->process(in.data(), static_cast<uint32_t>(in.size()), out.data(), static_cast<uint32_t>(out.size()));
  STROM_CHECK(r.status == ProcessStatus::kElement);
  STROM_CHECK_EQ(r.consumed, element_at);
  STROM_CHECK_EQ(r.records, 2u);
  // Expected outputs: a=1 with the timestamp, a=3 without.
  RecordBytes expected;
  expected.frame(with_timestamp({Sv("a"), Dv(1)}), 1).frame(payload_of({Sv("a"), Dv(3)}));
  out.resize(r.produced);
  CHECK_BYTES(out, expected.bytes, "outputs before the watermark");
  // Skipping the watermark, the next call stops at the status frame at once.
  out.assign(1024, 0);
  r = h.agg->process(in.data() + offsets[3], static_cast<uint32_t>(in.size() - offsets[3]), out.data(), 1024);
  STROM_CHECK(r.status == ProcessStatus::kElement);
  STROM_CHECK_EQ(r.consumed, 0u);
  STROM_CHECK_EQ(r.produced, 0u);
  r = h.agg->process(in.data() + offsets[4], static_cast<uint32_t>(in.size() - offsets[4]), out.data(), 1024);
  STROM_CHECK(r.status == ProcessStatus::kDone);
  out.resize(r.produced);
  RecordBytes last;
  last.frame(with_timestamp({Sv("a"), Dv(7)}), 1);
  CHECK_BYTES(out, last.bytes, "output after the status");
}

STROM_TEST(a_record_with_timestamp_too_short_for_it_is_corrupt) {
  Harness h({S, D}, make_spec(AggregationKind::kSum, 1, {0}, true));
  RecordBytes in;
  in.frame({1, 2, 3}, 1);
  std::vector<uint8_t> out(64);
  EXPECT_AGG_ERROR(h.agg->process(in.data(), static_cast<uint32_t>(in.size()), out.data(), 64), AggregationErrorKind::kCorrupt);
}

STROM_TEST(key_groups_follow_flink_and_snapshot_halves_restore_the_state) {
  const std::vector<int32_t> kinds = {L, S, D};
  for (const std::vector<uint32_t>& keys : {std::vector<uint32_t>{1}, std::vector<uint32_t>{0, 1}}) {
    const AggregationSpec spec = make_spec(AggregationKind::kCount, -1, keys, false, 128);
    std::vector<Rec> recs;
    for (int i = 0; i < 400; i++) recs.push_back({Lv(i % 7), Sv("key-" + std::to_string(i % 173)), Dv(i)});
    Harness h(kinds, spec);
    h.run(frames_of(recs));
    const size_t n = h.agg->num_keys();
    const std::vector<uint8_t> low = h.agg->snapshot(0, 63);
    const std::vector<uint8_t> high = h.agg->snapshot(64, 127);

    // Which keys each half holds: restore it alone and emit its finals.
    auto keys_of = [&](const std::vector<uint8_t>& snap) {
      Harness r(kinds, spec);
      r.agg->restore(snap.data(), snap.size());
      std::set<std::string> out;
      const std::vector<uint8_t> finals = r.finals();
      const std::vector<uint32_t> offs = frame_offsets(finals);
      for (size_t i = 0; i + 1 < offs.size(); i++) {
        // payload = key bytes then the DOUBLE count
        out.insert(std::string(finals.begin() + offs[i] + 5, finals.begin() + offs[i + 1] - 8));
      }
      return out;
    };
    const std::set<std::string> low_keys = keys_of(low);
    const std::set<std::string> high_keys = keys_of(high);
    STROM_CHECK_EQ(low_keys.size() + high_keys.size(), n);
    std::set<std::string> seen;
    for (const Rec& rec : recs) {
      const std::string k = key_string(rec, keys);
      if (!seen.insert(k).second) continue;
      int32_t java_hash;
      if (keys.size() == 1) {
        java_hash = core::java_string_hash_utf8(reinterpret_cast<const uint8_t*>(rec[1].s.data()),
                                                static_cast<uint32_t>(rec[1].s.size()));
      } else {
        const int32_t hs[2] = {core::java_long_hash(rec[0].l),
                               core::java_string_hash_utf8(reinterpret_cast<const uint8_t*>(rec[1].s.data()),
                                                           static_cast<uint32_t>(rec[1].s.size()))};
        java_hash = core::java_tuple_hash(hs, 2);
      }
      const int32_t kg = core::compute_key_group(java_hash, 128);
      const bool in_low = low_keys.count(k) == 1, in_high = high_keys.count(k) == 1;
      STROM_CHECK(in_low != in_high);
      STROM_CHECK_EQ(in_low, kg <= 63);
    }
    STROM_CHECK_EQ(seen.size(), n);
    STROM_CHECK(!low_keys.empty() && !high_keys.empty());

    // Both halves into a fresh aggregation reproduce the state (each half byte for byte).
    Harness both(kinds, spec);
    both.agg->restore(high.data(), high.size());
    both.agg->restore(low.data(), low.size());
    STROM_CHECK_EQ(both.agg->num_keys(), n);
    CHECK_BYTES(both.agg->snapshot(0, 63), low, "low half");
    CHECK_BYTES(both.agg->snapshot(64, 127), high, "high half");
    // Restoring a key twice is corrupt; another spec's snapshot is corrupt.
    EXPECT_AGG_ERROR(both.agg->restore(low.data(), low.size()), AggregationErrorKind::kCorrupt);
    Harness other(kinds, make_spec(AggregationKind::kCount, -1, {2}, false));
    EXPECT_AGG_ERROR(other.agg->restore(low.data(), low.size()), AggregationErrorKind::kCorrupt);
  }
}

STROM_TEST(budget_refusal_throws_and_memory_is_given_back) {
  const std::vector<int32_t> kinds = {L, S, L, B};
  const std::vector<uint8_t> in = frames_of({{Lv(1), Sv("k"), Lv(2), Bv(true)}});
  test::AccountFixture account(64);
  {
    KeyedAggregation agg(tuple_schema(kinds), make_spec(AggregationKind::kSum, 2, {1}, true), account.account,
                         "my-sum-operator");
    std::vector<uint8_t> out(256);
    const AggregationError e = EXPECT_AGG_ERROR(
        agg.process(in.data(), static_cast<uint32_t>(in.size()), out.data(), static_cast<uint32_t>(out.size())),
        AggregationErrorKind::kBudget);
    STROM_CHECK(e.bytes_needed() > 0);
    const std::string message = e.what();
    STROM_CHECK(message.find("my-sum-operator") != std::string::npos);
    STROM_CHECK(message.find("taskmanager.memory.managed.size") != std::string::npos);
    STROM_CHECK_EQ(agg.num_keys(), 0u);
  }
  STROM_CHECK_EQ(account.account.used(), 0);

  // Refused at every step of a first record (slots, order page, entry, blob): the record is not
  // half applied, and after memory is freed the same records give the right output. The big
  // record's blob gets a chunk of its own, so there is a budget at which the key's entry is
  // inserted but its blob is refused (this left a blob-less entry whose later outputs were built
  // from no record - a write past the output frame - before keyed_aggregation.cc treated such
  // entries as new).
  const std::string big(100000, 'x');
  const Rec rec = {Lv(7), Sv("k"), Lv(5), Bv(true)};
  const Rec big_rec = {Lv(8), Sv(big), Lv(6), Bv(false)};
  int blobless_states = 0;
  for (AggregationKind kind : {AggregationKind::kSum, AggregationKind::kMin, AggregationKind::kMaxBy}) {
    for (bool streaming : {true, false}) {
      for (const Rec& r : {rec, big_rec}) {
        const std::vector<uint8_t> one = frames_of({r, r});
        const AggregationSpec spec = make_spec(kind, 2, {0}, streaming);
        Harness full(kinds, spec);
        std::vector<uint8_t> expected = full.run(one);
        if (!streaming) expected = full.finals();
        const int64_t total = static_cast<int64_t>(full.agg->memory_bytes());
        for (int64_t avail = 0; avail < total; avail += 64) {
          test::AccountFixture acct(int64_t{1} << 24);
          STROM_CHECK(acct.account.try_reserve(acct.account.budget() - avail));
          bool threw = false;
          {
            KeyedAggregation agg(tuple_schema(kinds), spec, acct.account, "op");
            std::vector<uint8_t> out(one.size() * 2);
            try {
              agg.process(one.data(), static_cast<uint32_t>(one.size()), out.data(), static_cast<uint32_t>(out.size()));
            } catch (const AggregationError& e) {
              threw = e.kind() == AggregationErrorKind::kBudget;
            }
            if (agg.num_keys() == 1) ++blobless_states;
            if (agg.num_keys() == 1 && !streaming && avail % 128 == 0) {
              // BATCH: a key whose first record was never applied is not emitted.
              std::vector<uint8_t> none(16);
              const ProcessResult f = agg.emit_final(none.data(), 16);
              STROM_CHECK(f.status == ProcessStatus::kDone && f.produced == 0);
              STROM_CHECK_EQ(agg.snapshot(INT32_MIN, INT32_MAX).empty(), false);
              acct.account.release(acct.account.budget() - avail);
              continue;
            }
            acct.account.release(acct.account.budget() - avail);
            ProcessResult res =
                agg.process(one.data(), static_cast<uint32_t>(one.size()), out.data(), static_cast<uint32_t>(out.size()));
            STROM_CHECK(res.status == ProcessStatus::kDone);
            if (!streaming) res = agg.emit_final(out.data(), static_cast<uint32_t>(out.size()));
            if (res.produced != expected.size() || !std::equal(expected.begin(), expected.end(), out.begin())) {
              test::fail(__FILE__, __LINE__,
                         "wrong output after a refusal with " + std::to_string(avail) + " bytes available, kind " +
                             std::to_string(static_cast<int>(kind)) + (streaming ? " STREAMING" : " BATCH"));
              avail = total;  // one report is enough
            }
          }
          STROM_CHECK(threw);
          STROM_CHECK_EQ(acct.account.used(), 0);
        }
      }
    }
  }
  STROM_CHECK(blobless_states > 0);  // the entry-without-blob window was exercised
}

STROM_TEST(restore_rejects_checksum_valid_but_inconsistent_entries) {
  // The table snapshot's checksum is recomputed after each change, so only the aggregation's own
  // entry checks can catch it (before the fix such a snapshot restored, and the next output
  // frame was written past its end using the bogus field offset / blob).
  const std::vector<int32_t> kinds = {L, S, L, B};
  const AggregationSpec spec = make_spec(AggregationKind::kSum, 2, {1}, true);
  Harness h(kinds, spec);
  h.run(frames_of({{Lv(1), Sv("k"), Lv(10), Bv(true)}}));
  const std::vector<uint8_t> snap = h.agg->snapshot(INT32_MIN, INT32_MAX);
  const size_t header = 4 * (5 + kinds.size() + 1 + 1);  // the aggregation's header
  // entry: kg(4) key_len(4) key "k"(5) value(16: sum, field offset) blob_len(4) blob
  const size_t entry = header + core::kStateSnapshotHeaderBytes;
  const size_t value = entry + 8 + 5;
  const size_t blob = value + 16 + 4;
  auto resealed = [&](size_t at, uint8_t byte) {
    std::vector<uint8_t> s = snap;
    s[at] = byte;
    const size_t body = s.size() - header - core::kStateSnapshotTrailerBytes;
    const uint64_t sum = core::snapshot_checksum(s.data() + header, body);
    std::memcpy(s.data() + header + body, &sum, 8);
    return s;
  };
  {
    Harness ok(kinds, spec);
    const std::vector<uint8_t> same = resealed(value, snap[value]);  // unchanged: restores
    ok.agg->restore(same.data(), same.size());
    CHECK_BYTES(ok.run(frames_of({{Lv(2), Sv("k"), Lv(1), Bv(false)}})),
                frames_of({{Lv(1), Sv("k"), Lv(11), Bv(true)}}), "restored sum");
  }
  const struct {
    size_t at;
    uint8_t byte;
  } damage[] = {
      {value + 8, 200},        // field offset beyond the kept record
      {value + 8, 0},          // field offset of another field
      {blob + 8 + 4, 'x'},     // the kept record's key is not the entry's key
      {blob + 8 + 4 + 1 + 8, 7},  // the kept record's BOOLEAN is not 0/1
      {entry + 8 + 4, 'q'},    // the entry's key differs from its kept record's
  };
  for (const auto& d : damage) {
    Harness r(kinds, spec);
    const std::vector<uint8_t> bad = resealed(d.at, d.byte);
    EXPECT_AGG_ERROR(r.agg->restore(bad.data(), bad.size()), AggregationErrorKind::kCorrupt);
    STROM_CHECK_EQ(r.agg->num_keys(), 0u);  // nothing restored
  }
  // A count key whose BOOLEAN byte is not 0/1 (its output would not be a record).
  Harness c({B, L}, make_spec(AggregationKind::kCount, -1, {0}, true));
  c.run(frames_of({{Bv(true), Lv(1)}}));
  std::vector<uint8_t> cs = c.agg->snapshot(INT32_MIN, INT32_MAX);
  const size_t ch = 4 * (5 + 2 + 1 + 1);
  cs[ch + core::kStateSnapshotHeaderBytes + 8] = 2;
  const size_t body = cs.size() - ch - core::kStateSnapshotTrailerBytes;
  const uint64_t sum = core::snapshot_checksum(cs.data() + ch, body);
  std::memcpy(cs.data() + ch + body, &sum, 8);
  Harness c2({B, L}, make_spec(AggregationKind::kCount, -1, {0}, true));
  EXPECT_AGG_ERROR(c2.agg->restore(cs.data(), cs.size()), AggregationErrorKind::kCorrupt);
}

STROM_TEST(constructor_validates_the_spec) {
  test::AccountFixture account(1 << 20);
  const RecordSchema schema = tuple_schema({L, S, L, B});
  auto make = [&](AggregationSpec spec) { KeyedAggregation agg(schema, spec, account.account, "v"); };
  AggregationSpec bad_kind = make_spec(AggregationKind::kSum, 2, {1}, true);
  bad_kind.kind = static_cast<AggregationKind>(0);
  EXPECT_AGG_ERROR(make(bad_kind), AggregationErrorKind::kRange);
  bad_kind.kind = static_cast<AggregationKind>(8);
  EXPECT_AGG_ERROR(make(bad_kind), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kSum, 2, {4}, true)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kSum, 2, {1, 1}, true)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kSum, 2, {}, true)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kSum, 1, {0}, true)), AggregationErrorKind::kType);  // STRING
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kMax, 3, {0}, true)), AggregationErrorKind::kType);  // BOOLEAN
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kSum, 2, {2}, true)), AggregationErrorKind::kRange);  // key
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kAvg, 4, {0}, true)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kAvg, -1, {0}, true)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kCount, -1, {1}, true, 0)), AggregationErrorKind::kRange);
  EXPECT_AGG_ERROR(make(make_spec(AggregationKind::kCount, -1, {1}, true, 40000)), AggregationErrorKind::kRange);
  make(make_spec(AggregationKind::kCount, -1, {1}, true, 32768));  // the largest is fine
  make(make_spec(AggregationKind::kCount, -1, {1}, true, 1));
  // Nested tuple key field: TUPLE(STRING, TUPLE(LONG, BOOLEAN), DOUBLE)
  const int32_t nested_words[] = {T, 3, S, T, 2, L, B, D};
  const RecordSchema nested = RecordSchema::parse(nested_words, 8);
  {
    AggregationSpec spec = make_spec(AggregationKind::kSum, 2, {1}, true);
    EXPECT_AGG_ERROR(KeyedAggregation(nested, spec, account.account, "n"), AggregationErrorKind::kType);
    spec.key_fields = {0};
    KeyedAggregation ok(nested, spec, account.account, "n");  // nested non-key fields are fine
  }
  STROM_CHECK_EQ(account.account.used(), 0);
}

STROM_TEST(corrupt_input_throws_with_records_before_applied) {
  const std::vector<int32_t> kinds = {S, L};
  Harness h(kinds, make_spec(AggregationKind::kSum, 1, {0}, true));
  RecordBytes in;
  in.frame(payload_of({Sv("a"), Lv(1)}));
  in.frame(payload_of({Sv("a"), Lv(2)}));
  in.frame({1, 2, 3});  // not a record of the schema
  std::vector<uint8_t> out(256);
  EXPECT_AGG_ERROR(h.agg->process(in.data(), in.size(), out.data(), 256), AggregationErrorKind::kCorrupt);
  STROM_CHECK_EQ(h.agg->records_in(), 2u);
  RecordBytes latency_marker;  // tag 3 is reserved: corrupt
  latency_marker.frame(payload_of({Sv("a"), Lv(1)}), 3);
  EXPECT_AGG_ERROR(h.agg->process(latency_marker.data(), latency_marker.size(), out.data(), 256),
                   AggregationErrorKind::kCorrupt);
  RecordBytes bad_len;
  bad_len.int32(-5).byte(0);
  EXPECT_AGG_ERROR(h.agg->process(bad_len.data(), bad_len.size(), out.data(), 256), AggregationErrorKind::kCorrupt);
  // state continues: a(1+2) + 4
  CHECK_BYTES(h.run(frames_of({{Sv("a"), Lv(4)}})), frames_of({{Sv("a"), Lv(7)}}), "after corrupt");
}

int main() { return test::run_all(); }
