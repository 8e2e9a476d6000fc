// record_parser.h: finds the fields of serialized records in place, and walks framed records.
//
// Hot path: nothing here throws or allocates; malformed bytes make the functions return false
// or a FrameStatus, and no read ever leaves the byte range given.
//
//   frame   = [int32 LE length][tag byte][payload]     length counts tag + payload, 1..2^30
//   payload = the top-level fields back to back (see record_schema.h for the encodings)
//
// Depends on: channel_layout.h (frame constants), record_schema.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "channel_layout.h"
#include "record_schema.h"

namespace strom::core {

/** Where one top-level field's encoding lies in a payload. */
struct FieldSpan {
  /** Byte offset from the start of the payload. */
  uint32_t offset;
  /** Bytes of the field's encoding; for STRING the 4-byte length prefix plus the UTF-8 bytes. */
  uint32_t length;
};

/**
 * Fills `spans[0 .. schema.num_fields())` with the top-level fields of `payload[0 .. length)`.
 * Returns true only when the payload is exactly one well-formed record of `schema`: every string
 * length non-negative and within bounds, every boolean 0 or 1 (nested ones too), nested tuples
 * complete, and the fields use exactly `length` bytes. On false, `spans` holds garbage.
 * Fixed-width schemas (no STRING) check the length and the boolean bytes only.
 */
bool parse_payload(const RecordSchema& schema, const uint8_t* payload, uint32_t length, FieldSpan* spans) noexcept;

/** Outcome of FrameCursor::next. */
enum class FrameStatus {
  kRecord,      // a whole frame; `frame` describes it
  kEnd,         // the range ends exactly after the last frame
  kIncomplete,  // the frame at position() is cut by the end of the range (reassemble, then retry)
  kCorrupt,     // the frame at position() has an invalid length or tag (see corrupt_reason())
};

enum class CorruptReason { kNone, kBadLength, kUnknownTag };

/** One whole frame. */
struct Frame {
  /** Offset of the frame's length word from the start of the range. */
  size_t offset;
  uint8_t tag;
  /** The payload (after the tag) and its size in bytes (length - 1). */
  const uint8_t* payload;
  uint32_t payload_length;
};

/**
 * Walks the frames in [begin, end). Each next() returns one whole frame, until the range ends
 * (kEnd), a frame is cut by `end` (kIncomplete; position() is where it starts and
 * incomplete_frame_bytes() its full size when its length word was complete) or a frame is corrupt
 * (kCorrupt, sticky). Tags other than channel_layout.h's record, record-with-timestamp,
 * watermark and stream-status tags are corrupt. Not thread-safe.
 */
class FrameCursor {
 public:
  FrameCursor(const uint8_t* begin, const uint8_t* end) noexcept : begin_(begin), end_(end), pos_(begin) {}

  FrameStatus next(Frame& frame) noexcept;

  /** Offset of the next unread frame (the incomplete or corrupt one after those statuses). */
  size_t position() const noexcept { return static_cast<size_t>(pos_ - begin_); }
  /** After kIncomplete: 4 + length of the cut frame, or 0 when even its length word is cut. */
  uint64_t incomplete_frame_bytes() const noexcept { return incomplete_bytes_; }
  /** After kCorrupt: why. */
  CorruptReason corrupt_reason() const noexcept { return reason_; }
  /** After kCorrupt: the frame's length word (kBadLength) or tag (kUnknownTag). */
  int32_t corrupt_value() const noexcept { return corrupt_value_; }

 private:
  const uint8_t* begin_;
  const uint8_t* end_;
  const uint8_t* pos_;
  uint64_t incomplete_bytes_ = 0;
  CorruptReason reason_ = CorruptReason::kNone;
  int32_t corrupt_value_ = 0;
};

/** True for the frames that carry a record: plain (tag 0) or with a timestamp (tag 1). */
inline bool is_record_tag(uint8_t tag) noexcept {
  return tag == channel::kTagRecord || tag == channel::kTagRecordWithTimestamp;
}

/**
 * The value bytes of a record frame: the payload, after the timestamp for tag 1. False for a
 * frame that is not a record, or a tag-1 frame too short to hold its timestamp.
 */
bool record_value(const Frame& frame, const uint8_t*& value, uint32_t& length) noexcept;

/** Reads an int32 stored little-endian at `p` (unaligned). */
int32_t load_int32_le(const uint8_t* p) noexcept;
/** Reads an int64 stored little-endian at `p` (unaligned). */
int64_t load_int64_le(const uint8_t* p) noexcept;
/** Reads a float64 stored little-endian at `p` (unaligned). */
double load_float64_le(const uint8_t* p) noexcept;

}  // namespace strom::core
