// keyed_aggregation.h: Flink's rolling aggregations on a keyed stream, run directly on the
// serialized records of a channel's segments (no JS objects per record).
//
// Input: framed records `[int32 length][tag][payload]` (channel_layout.h) in a byte range, as
// the channel delivered them. Output: framed records in the same encoding, written into a
// caller-provided range (e.g. an output segment), in input order.
//
// Semantics (Flink's DataStream API, see test/support/reference-aggregation.ts):
//  - sum(f): field f holds the running sum; the other fields come from the first record of the
//    key. DOUBLE sums follow IEEE; LONG sums wrap around at 64 bits like Java's long.
//  - min(f)/max(f): field f holds the running extreme; the other fields from the first record.
//  - minBy(f)/maxBy(f): the whole record holding the extreme (the first one on ties).
//  - count(): [key, count as DOUBLE]; avg(f): [key, mean as DOUBLE] (sum kept as a double).
//  - Comparisons follow Java's Double.compare / Long.compare (NaN above everything, -0 < 0).
//  - Keys are the concatenated encodings of the key fields (primitive top-level fields), with
//    DOUBLE fields canonicalised (-0 -> 0, one NaN) so keys compare like a JS Map's.
//  - STREAMING emits the updated aggregate for every input record, with that record's timestamp
//    when it has one (RECORD_WITH_TIMESTAMP in, RECORD_WITH_TIMESTAMP out: Flink's rolling
//    aggregations emit with the input record's timestamp); BATCH emits nothing while
//    processing and each key's final aggregate from emit_final(), in first-seen order.
//
// Key groups: every key's group is murmur(javaHashCode(key)) % maxParallelism, as in the
// channel routing (key_hash.h), so state can be snapshotted by key-group range.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "keyed_state_table.h"
#include "managed_memory.h"
#include "record_parser.h"
#include "record_schema.h"

namespace strom::core {

enum class AggregationKind : int32_t { kSum = 1, kMin = 2, kMax = 3, kMinBy = 4, kMaxBy = 5, kCount = 6, kAvg = 7 };

struct AggregationSpec {
  AggregationKind kind = AggregationKind::kCount;
  /** Aggregated top-level field; ignored by count. Must be DOUBLE or LONG and not a key field. */
  int32_t field = -1;
  /** Top-level primitive fields forming the key, in key order. */
  std::vector<uint32_t> key_fields;
  bool streaming = true;
  /** Number of key groups, 1..32768. */
  int32_t max_parallelism = 128;
};

enum class AggregationErrorKind {
  kType,     // a bad argument type or an unsupported schema/spec (TypeError)
  kRange,    // an argument out of range (RangeError)
  kCorrupt,  // input bytes that are not valid records of the schema (CorruptRecordError)
  kBudget,   // managed memory refused (ManagedMemoryExceededError)
};

class AggregationError : public std::runtime_error {
 public:
  AggregationError(AggregationErrorKind kind, const std::string& message, int64_t bytes_needed = 0)
      : std::runtime_error(message), kind_(kind), bytes_needed_(bytes_needed) {}
  AggregationErrorKind kind() const noexcept { return kind_; }
  int64_t bytes_needed() const noexcept { return bytes_needed_; }

 private:
  AggregationErrorKind kind_;
  int64_t bytes_needed_;
};

enum class ProcessStatus : int32_t {
  kDone = 0,        // every frame of the input was processed
  kOutputFull = 1,  // stopped before a record whose output did not fit (it is not applied)
  kIncomplete = 2,  // stopped at a frame cut by the end of the input (reassemble, call again)
  kYielded = 3,     // emit_final: stopped after max_records outputs, more remain (call again)
  kElement = 4,     // process: stopped before a watermark or status frame (consumed = its offset)
};

struct ProcessResult {
  uint32_t consumed = 0;  // input bytes of the frames processed
  uint32_t produced = 0;  // output bytes written (whole frames)
  uint32_t records = 0;   // input records applied (process) or outputs written (emit_final)
  ProcessStatus status = ProcessStatus::kDone;
  /** With kOutputFull: bytes the next output frame needs (give at least this much room). */
  uint32_t needed = 0;
};

class KeyedAggregation {
 public:
  /** Throws AggregationError (kType/kRange) on a spec the schema cannot support. */
  KeyedAggregation(RecordSchema schema, AggregationSpec spec, ManagedMemoryAccount account, std::string operator_name);

  /**
   * Applies the framed records in [in, in + in_len) and, in STREAMING mode, writes one output
   * frame per record to [out, out + out_len). Throws AggregationError kCorrupt (with the byte
   * offset) on a malformed frame or payload, and kBudget when managed memory is refused; the
   * records before the failing one stay applied.
   */
  ProcessResult process(const uint8_t* in, uint32_t in_len, uint8_t* out, uint32_t out_len);

  /**
   * BATCH: writes the final aggregates from the emission cursor on, in first-seen key order,
   * at most `max_records` of them and as many whole frames as fit in `out_len` bytes; kDone
   * when all are out, kYielded when it stopped at `max_records`, kOutputFull (with `needed`)
   * when the next frame does not fit. Each call resumes where the last one stopped, so the
   * caller can hand its output on between calls (end of input under back-pressure). The table
   * stays unchanged while the cursor runs and until the aggregation is destroyed; keys added
   * meanwhile (restore) come after the cursor and are emitted too.
   * STREAMING: nothing (every update was emitted already).
   */
  ProcessResult emit_final(uint8_t* out, uint32_t out_len, uint32_t max_records = UINT32_MAX);
  /** True once emit_final emitted every key (BATCH), or always in STREAMING mode. */
  bool finals_done() const noexcept { return spec_.streaming || emit_cursor_ >= table_.size(); }

  /** Snapshot of the state (spec header + table), all keys or key groups [kg_start, kg_end]. */
  std::vector<uint8_t> snapshot(int32_t kg_start, int32_t kg_end) const;
  /** Adds a snapshot's entries; throws kCorrupt on a damaged snapshot or one of another spec. */
  void restore(const uint8_t* bytes, size_t len);

  size_t num_keys() const noexcept { return table_.size(); }
  size_t memory_bytes() const noexcept { return table_.memory_bytes(); }
  uint64_t records_in() const noexcept { return records_in_; }
  const AggregationSpec& spec() const noexcept { return spec_; }

 private:
  bool value_is_long() const noexcept { return value_kind_ == FieldKind::kLong; }
  /** A record parsed, keyed and hashed in stage 1 of process(). */
  struct PendingRecord {
    const uint8_t* payload;
    const uint8_t* key;     // canonical key bytes (in the payload, or in batch_keys_)
    const uint8_t* timestamp;  // the record's float64 timestamp in its frame, or nullptr
    uint32_t payload_length;
    uint32_t frame_offset;  // of the frame, in process()'s input
    uint32_t frame_end;     // offset just after the frame
    uint32_t key_offset;    // of the canonical key in batch_keys_
    uint32_t key_length;
    uint32_t mixed;         // murmur(javaHashCode(key)): table hash and key group source
    uint32_t field_offset;  // of the aggregated field in the payload
  };
  /** Records parsed ahead of their lookups, so the table's cache misses overlap. */
  static constexpr size_t kBatchSize = 64;

  /** Java hash of the key when it is the one non-DOUBLE field single_key_field_. */
  int32_t hash_of_single_key(const uint8_t* key, uint32_t key_len) const;
  /** Appends the canonical key of the record in spans to `out` and returns its Java hash. */
  int32_t build_key(const uint8_t* payload, const FieldSpan* spans, std::vector<uint8_t>& out);
  /** Applies one record (stage 3); false, with result set to kOutputFull, if its output does not fit. */
  bool apply(const PendingRecord& record, uint8_t* out, uint32_t out_len, ProcessResult& result);
  /** Java hash of canonical key bytes (the same value build_key returns). */
  int32_t hash_of_key_bytes(const uint8_t* key, uint32_t key_len) const;
  /** Bytes of the output payload for `entry` (after the update). */
  uint32_t output_length(const StateEntry* entry) const;
  /** Writes the output frame of `entry` at `out`, with the 8 timestamp bytes at `timestamp` if not null; returns its size. */
  uint32_t write_output(const StateEntry* entry, uint8_t* out, const uint8_t* timestamp) const;
  [[noreturn]] void fail_budget(int64_t bytes_needed) const;
  [[noreturn]] void fail_corrupt(size_t offset, const std::string& what) const;

  RecordSchema schema_;
  AggregationSpec spec_;
  ManagedMemoryAccount account_;
  std::string operator_name_;
  FieldKind value_kind_ = FieldKind::kDouble;
  /** The record has fields besides the key fields and the aggregated one (sum/min/max keep them). */
  bool has_residual_fields_;
  /** For each top-level field: its index in key_fields, or -1. */
  std::vector<int32_t> key_position_;
  KeyedStateTable table_;
  std::vector<FieldSpan> spans_;
  /** The key field when the key is one STRING/LONG/BOOLEAN field (used in place), else -1. */
  int32_t single_key_field_ = -1;
  std::vector<PendingRecord> batch_;
  std::vector<uint8_t> batch_keys_;
  size_t emit_cursor_ = 0;
  uint64_t records_in_ = 0;
};

}  // namespace strom::core
