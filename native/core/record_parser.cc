// record_parser.cc: payload field spans and the frame cursor.
#include "record_parser.h"

#include <bit>
#include <cstring>

#include "channel_layout.h"
#include "encoded_layout.h"

namespace strom::core {

static_assert(std::endian::native == std::endian::little,
              "record encodings are little-endian; loads below assume a little-endian host");

int32_t load_int32_le(const uint8_t* p) noexcept {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

int64_t load_int64_le(const uint8_t* p) noexcept {
  int64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

double load_float64_le(const uint8_t* p) noexcept {
  double v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

namespace {

/** Measures without computing anything: the parser only needs the walk's checks and `pos`. */
struct Measure {
  struct Value {};
  Value leaf(FieldKind, const uint8_t*, uint32_t) noexcept { return {}; }
  Value tuple_start() noexcept { return {}; }
  Value tuple_add(Value, Value) noexcept { return {}; }
};

/** Skips the encoding of node `index` at `pos`; false when it does not fit or is malformed. */
bool skip_node(const std::vector<SchemaNode>& nodes, uint32_t index, const uint8_t* payload, uint32_t length,
               uint32_t& pos) noexcept {
  Measure measure;
  Measure::Value none;
  return walk_encoding<true>(nodes, index, payload, length, pos, measure, none);
}

}  // namespace

bool parse_payload(const RecordSchema& schema, const uint8_t* payload, uint32_t length, FieldSpan* spans) noexcept {
  const uint32_t num_fields = schema.num_fields();
  if (schema.is_fixed()) {
    if (length != static_cast<uint32_t>(schema.fixed_length())) return false;
    for (uint32_t offset : schema.fixed_boolean_offsets()) {
      if (payload[offset] > 1) return false;
    }
    const std::vector<uint32_t>& offsets = schema.fixed_offsets();
    for (uint32_t i = 0; i < num_fields; ++i) {
      spans[i].offset = offsets[i];
      spans[i].length = static_cast<uint32_t>(schema.node(schema.field_node(i)).fixed_width);
    }
    return true;
  }
  const std::vector<SchemaNode>& nodes = schema.nodes();
  uint32_t pos = 0;
  for (uint32_t i = 0; i < num_fields; ++i) {
    const uint32_t start = pos;
    if (!skip_node(nodes, schema.field_node(i), payload, length, pos)) return false;
    spans[i].offset = start;
    spans[i].length = pos - start;
  }
  return pos == length;
}

bool record_value(const Frame& frame, const uint8_t*& value, uint32_t& length) noexcept {
  if (frame.tag == channel::kTagRecord) {
    value = frame.payload;
    length = frame.payload_length;
    return true;
  }
  if (frame.tag != channel::kTagRecordWithTimestamp || frame.payload_length < channel::kTimestampBytes) return false;
  value = frame.payload + channel::kTimestampBytes;
  length = frame.payload_length - channel::kTimestampBytes;
  return true;
}

FrameStatus FrameCursor::next(Frame& frame) noexcept {
  if (reason_ != CorruptReason::kNone) return FrameStatus::kCorrupt;
  const size_t remaining = static_cast<size_t>(end_ - pos_);
  if (remaining == 0) return FrameStatus::kEnd;
  if (remaining < static_cast<size_t>(channel::kLengthBytes)) {
    incomplete_bytes_ = 0;
    return FrameStatus::kIncomplete;
  }
  const int32_t length = load_int32_le(pos_);
  if (length < 1 || length > channel::kMaxRecordBytes) {
    reason_ = CorruptReason::kBadLength;
    corrupt_value_ = length;
    return FrameStatus::kCorrupt;
  }
  const size_t total = static_cast<size_t>(channel::kLengthBytes) + static_cast<size_t>(length);
  if (remaining >= static_cast<size_t>(channel::kHeaderBytes)) {
    // The tag is known even when the payload is cut: reject garbage before asking for more bytes.
    const uint8_t tag = pos_[channel::kLengthBytes];
    if (tag > channel::kTagStreamStatus || tag == channel::kTagLatencyMarker) {
      reason_ = CorruptReason::kUnknownTag;
      corrupt_value_ = tag;
      return FrameStatus::kCorrupt;
    }
  }
  if (remaining < total) {
    incomplete_bytes_ = total;
    return FrameStatus::kIncomplete;
  }
  frame.offset = position();
  frame.tag = pos_[channel::kLengthBytes];
  frame.payload = pos_ + channel::kHeaderBytes;
  frame.payload_length = static_cast<uint32_t>(length - 1);
  pos_ += total;
  return FrameStatus::kRecord;
}

}  // namespace strom::core
