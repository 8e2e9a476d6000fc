// parse_payload and FrameCursor on hand-built payloads: valid records and every corruption.
#include <limits>
#include <string>
#include <vector>

#include "core/record_parser.h"
#include "core/record_schema.h"
#include "record_bytes.h"
#include "test_framework.h"

using namespace strom;
using core::FieldSpan;
using core::FrameCursor;
using core::FrameStatus;
using core::RecordSchema;
using test::RecordBytes;

namespace {

constexpr int32_t S = 1, D = 2, L = 3, B = 4, T = 5;

RecordSchema schema(const std::vector<int32_t>& words) { return RecordSchema::parse(words.data(), words.size()); }

bool parse(const RecordSchema& s, const RecordBytes& r, std::vector<FieldSpan>& spans) {
  spans.assign(s.num_fields(), FieldSpan{0xffffffff, 0xffffffff});
  // A copy of exactly the payload's bytes, so ASan catches any read past the end.
  std::vector<uint8_t> exact(r.bytes);
  return core::parse_payload(s, exact.empty() ? nullptr : exact.data(), static_cast<uint32_t>(exact.size()),
                             spans.data());
}

bool parses(const RecordSchema& s, const RecordBytes& r) {
  std::vector<FieldSpan> spans;
  return parse(s, r, spans);
}

}  // namespace

STROM_TEST(spans_of_a_variable_record) {
  // TUPLE(STRING, TUPLE(LONG, STRING, BOOLEAN), DOUBLE, STRING)
  const RecordSchema s = schema({T, 4, S, T, 3, L, S, B, D, S});
  RecordBytes r;
  r.string("héllo").int64(-5).string("").boolean(true).float64(1.5).string("z");
  std::vector<FieldSpan> spans;
  STROM_CHECK(parse(s, r, spans));
  STROM_CHECK_EQ(spans[0].offset, 0u);
  STROM_CHECK_EQ(spans[0].length, 4u + 6u);
  STROM_CHECK_EQ(spans[1].offset, 10u);
  STROM_CHECK_EQ(spans[1].length, 8u + 4u + 1u);
  STROM_CHECK_EQ(spans[2].offset, 23u);
  STROM_CHECK_EQ(spans[2].length, 8u);
  STROM_CHECK_EQ(spans[3].offset, 31u);
  STROM_CHECK_EQ(spans[3].length, 5u);
  STROM_CHECK_EQ(r.size(), 36u);
}

STROM_TEST(spans_of_a_fixed_record) {
  const RecordSchema s = schema({T, 3, L, B, D});
  RecordBytes r;
  r.int64(7).boolean(false).float64(2.0);
  std::vector<FieldSpan> spans;
  STROM_CHECK(parse(s, r, spans));
  STROM_CHECK_EQ(spans[1].offset, 8u);
  STROM_CHECK_EQ(spans[1].length, 1u);
  STROM_CHECK_EQ(spans[2].offset, 9u);
  STROM_CHECK_EQ(spans[2].length, 8u);
}

STROM_TEST(single_field_and_empty_records) {
  RecordBytes str;
  str.string("");
  STROM_CHECK(parses(schema({S}), str));
  STROM_CHECK(parses(schema({T, 0}), RecordBytes{}));
  RecordBytes one;
  one.byte(0);
  STROM_CHECK(!parses(schema({T, 0}), one));
  STROM_CHECK(!parses(schema({S}), RecordBytes{}));
}

STROM_TEST(rejects_wrong_lengths) {
  const RecordSchema fixed = schema({T, 2, L, D});
  RecordBytes r;
  r.int64(1).float64(2);
  STROM_CHECK(parses(fixed, r));
  RecordBytes longer = r;
  longer.byte(0);
  STROM_CHECK(!parses(fixed, longer));
  for (uint32_t cut = 0; cut < r.size(); ++cut) {
    RecordBytes shorter;
    shorter.bytes.assign(r.bytes.begin(), r.bytes.begin() + cut);
    STROM_CHECK(!parses(fixed, shorter));
  }
  const RecordSchema variable = schema({T, 3, S, T, 2, S, B, L});
  RecordBytes v;
  v.string("ab").string("cde").boolean(true).int64(3);
  STROM_CHECK(parses(variable, v));
  for (uint32_t cut = 0; cut < v.size(); ++cut) {
    RecordBytes shorter;
    shorter.bytes.assign(v.bytes.begin(), v.bytes.begin() + cut);
    STROM_CHECK(!parses(variable, shorter));
  }
  RecordBytes trailing = v;
  trailing.byte(0);
  STROM_CHECK(!parses(variable, trailing));
}

STROM_TEST(rejects_bad_string_lengths) {
  const RecordSchema s = schema({T, 2, S, B});
  RecordBytes negative;
  negative.int32(-1).boolean(true);
  STROM_CHECK(!parses(s, negative));
  RecordBytes min;
  min.int32(std::numeric_limits<int32_t>::min()).boolean(true);
  STROM_CHECK(!parses(s, min));
  RecordBytes past;
  past.int32(2).byte('a').boolean(true);  // claims 2 bytes, then only the boolean follows
  STROM_CHECK(!parses(s, past));
  RecordBytes huge;
  huge.int32(std::numeric_limits<int32_t>::max()).byte('a').boolean(true);
  STROM_CHECK(!parses(s, huge));
  RecordBytes short_shorter;  // length swallows the boolean: then the boolean is missing
  short_shorter.int32(1).byte('a');
  STROM_CHECK(!parses(s, short_shorter));
}

STROM_TEST(rejects_booleans_other_than_0_and_1) {
  const RecordSchema fixed = schema({T, 2, D, T, 1, B});
  const RecordSchema variable = schema({T, 2, S, T, 1, B});
  for (int b = 0; b < 256; ++b) {
    RecordBytes f;
    f.float64(0).byte(static_cast<uint8_t>(b));
    RecordBytes v;
    v.string("x").byte(static_cast<uint8_t>(b));
    STROM_CHECK_EQ(parses(fixed, f), b <= 1);
    STROM_CHECK_EQ(parses(variable, v), b <= 1);
  }
}

STROM_TEST(frame_cursor_walks_whole_frames) {
  RecordBytes a;
  a.string("k").int64(1);
  RecordBytes frames;
  frames.frame(a.bytes).frame({}, 0).frame({0xAA}, 1).frame(a.bytes, 2).frame({0, 0, 0, 0}, 4);
  FrameCursor cursor(frames.data(), frames.data() + frames.size());
  core::Frame f{};
  STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
  STROM_CHECK_EQ(f.offset, 0u);
  STROM_CHECK_EQ(static_cast<int>(f.tag), 0);
  STROM_CHECK_EQ(f.payload_length, a.size());
  STROM_CHECK(f.payload == frames.data() + 5);
  STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
  STROM_CHECK_EQ(f.offset, 5u + a.size());
  STROM_CHECK_EQ(f.payload_length, 0u);
  STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
  STROM_CHECK_EQ(static_cast<int>(f.tag), 1);
  STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
  STROM_CHECK_EQ(static_cast<int>(f.tag), 2);
  STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
  STROM_CHECK_EQ(static_cast<int>(f.tag), 4);  // STREAM_STATUS
  STROM_CHECK(cursor.next(f) == FrameStatus::kEnd);
  STROM_CHECK(cursor.next(f) == FrameStatus::kEnd);
  STROM_CHECK_EQ(cursor.position(), static_cast<size_t>(frames.size()));
}

STROM_TEST(frame_cursor_reports_cut_frames) {
  RecordBytes a;
  a.string("key").float64(3);
  RecordBytes frames;
  frames.frame(a.bytes).frame(a.bytes);
  const uint32_t first = 5 + a.size();
  for (uint32_t end = first + 1; end < frames.size(); ++end) {
    std::vector<uint8_t> exact(frames.bytes.begin(), frames.bytes.begin() + end);
    FrameCursor cursor(exact.data(), exact.data() + exact.size());
    core::Frame f{};
    STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
    STROM_CHECK(cursor.next(f) == FrameStatus::kIncomplete);
    STROM_CHECK_EQ(cursor.position(), static_cast<size_t>(first));
    STROM_CHECK_EQ(cursor.incomplete_frame_bytes(), end - first < 4 ? 0u : 4u + 1u + a.size());
  }
}

STROM_TEST(frame_cursor_flags_corrupt_frames) {
  const std::vector<int32_t> bad_lengths{0, -1, std::numeric_limits<int32_t>::min(), (1 << 30) + 1,
                                         std::numeric_limits<int32_t>::max()};
  for (int32_t length : bad_lengths) {
    RecordBytes frames;
    frames.frame({1, 2, 3}).int32(length).byte(0);
    FrameCursor cursor(frames.data(), frames.data() + frames.size());
    core::Frame f{};
    STROM_CHECK(cursor.next(f) == FrameStatus::kRecord);
    STROM_CHECK(cursor.next(f) == FrameStatus::kCorrupt);
    STROM_CHECK(cursor.corrupt_reason() == core::CorruptReason::kBadLength);
    STROM_CHECK_EQ(cursor.corrupt_value(), length);
    STROM_CHECK_EQ(cursor.position(), 8u);
    STROM_CHECK(cursor.next(f) == FrameStatus::kCorrupt);  // sticky
  }
  // The largest legal length is only incomplete, not corrupt.
  RecordBytes big;
  big.int32(1 << 30).byte(0);
  FrameCursor big_cursor(big.data(), big.data() + big.size());
  core::Frame f{};
  STROM_CHECK(big_cursor.next(f) == FrameStatus::kIncomplete);
  STROM_CHECK_EQ(big_cursor.incomplete_frame_bytes(), 4u + (1u << 30));
  // Unknown tags (3, the reserved latency marker, included), even when the payload is cut.
  for (int tag = 3; tag < 256; tag += 17) {
    RecordBytes frames;
    frames.frame({9, 9}, static_cast<uint8_t>(tag));
    FrameCursor whole(frames.data(), frames.data() + frames.size());
    STROM_CHECK(whole.next(f) == FrameStatus::kCorrupt);
    STROM_CHECK(whole.corrupt_reason() == core::CorruptReason::kUnknownTag);
    STROM_CHECK_EQ(whole.corrupt_value(), tag);
    FrameCursor cut(frames.data(), frames.data() + 5);
    STROM_CHECK(cut.next(f) == FrameStatus::kCorrupt);
  }
}

STROM_TEST(frame_cursor_on_an_empty_range) {
  FrameCursor cursor(nullptr, nullptr);
  core::Frame f{};
  STROM_CHECK(cursor.next(f) == FrameStatus::kEnd);
}

int main() { return test::run_all(); }
