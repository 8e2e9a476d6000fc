// keyed_aggregation.cc: see keyed_aggregation.h.
#include "keyed_aggregation.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "channel_layout.h"
#include "key_hash.h"
#include "keyed_state_snapshot.h"

namespace strom::core {
namespace {

constexpr uint32_t kSnapshotMagic = 0x53544147;  // "STAG"
constexpr uint32_t kSnapshotVersion = 1;
constexpr uint64_t kCanonicalNaN = 0x7ff8000000000000ULL;

bool is_primitive(FieldKind kind) {
  return kind == FieldKind::kString || kind == FieldKind::kDouble || kind == FieldKind::kLong ||
         kind == FieldKind::kBoolean;
}

const char* kind_name(AggregationKind kind) {
  switch (kind) {
    case AggregationKind::kSum: return "sum";
    case AggregationKind::kMin: return "min";
    case AggregationKind::kMax: return "max";
    case AggregationKind::kMinBy: return "minBy";
    case AggregationKind::kMaxBy: return "maxBy";
    case AggregationKind::kCount: return "count";
    case AggregationKind::kAvg: return "avg";
  }
  return "?";
}

bool keeps_first_record(AggregationKind kind) {
  return kind == AggregationKind::kSum || kind == AggregationKind::kMin || kind == AggregationKind::kMax;
}
bool keeps_extreme_record(AggregationKind kind) {
  return kind == AggregationKind::kMinBy || kind == AggregationKind::kMaxBy;
}

/** The record has fields besides the key fields and the aggregated one. */
bool residual_fields(const RecordSchema& schema, const AggregationSpec& spec) {
  return schema.num_fields() > spec.key_fields.size() + (spec.kind == AggregationKind::kCount ? 0 : 1);
}

/**
 * Value bytes per key: the running value; plus, for sum/min/max of records with other fields,
 * the aggregated field's offset in the kept first record; plus the count for avg.
 */
uint32_t value_size_for(const RecordSchema& schema, const AggregationSpec& spec) {
  if (keeps_first_record(spec.kind) && residual_fields(schema, spec)) return 16;
  return spec.kind == AggregationKind::kAvg ? 16 : 8;
}

/** sum/min/max keep the first record when it has other fields; minBy/maxBy the extreme one. */
bool blobs_for(const RecordSchema& schema, const AggregationSpec& spec) {
  return keeps_extreme_record(spec.kind) || (keeps_first_record(spec.kind) && residual_fields(schema, spec));
}

void store_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void store_f64(uint8_t* p, double v) { std::memcpy(p, &v, 8); }
double load_f64(const uint8_t* p) {
  double v;
  std::memcpy(&v, p, 8);
  return v;
}
void store_i64(uint8_t* p, int64_t v) { std::memcpy(p, &v, 8); }
int64_t load_i64(const uint8_t* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

/** Java's Double.compare: numeric order, then -0 < 0 and NaN above everything. */
int java_double_compare(double a, double b) {
  if (a < b) return -1;
  if (a > b) return 1;
  uint64_t ab;
  uint64_t bb;
  std::memcpy(&ab, &a, 8);
  std::memcpy(&bb, &b, 8);
  if (std::isnan(a)) ab = kCanonicalNaN;
  if (std::isnan(b)) bb = kCanonicalNaN;
  const int64_t as = static_cast<int64_t>(ab);
  const int64_t bs = static_cast<int64_t>(bb);
  return as == bs ? 0 : (as < bs ? -1 : 1);
}

/** Compares two 8-byte aggregate values of `kind` (DOUBLE or LONG) the Java way. */
int compare_values(FieldKind kind, const uint8_t* a, const uint8_t* b) {
  if (kind == FieldKind::kLong) {
    const int64_t x = load_i64(a);
    const int64_t y = load_i64(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return java_double_compare(load_f64(a), load_f64(b));
}

/** Reads a bounds-checked little-endian u32 from a snapshot header. */
bool read_u32(const uint8_t*& p, const uint8_t* end, uint32_t& out) {
  if (end - p < 4) return false;
  out = load_u32(p);
  p += 4;
  return true;
}

}  // namespace

KeyedAggregation::KeyedAggregation(RecordSchema schema, AggregationSpec spec, ManagedMemoryAccount account,
                                   std::string operator_name)
    : schema_(std::move(schema)),
      spec_(std::move(spec)),
      account_(account),
      operator_name_(std::move(operator_name)),
      has_residual_fields_(residual_fields(schema_, spec_)),
      table_(account_, value_size_for(schema_, spec_), blobs_for(schema_, spec_)) {
  const uint32_t n = schema_.num_fields();
  if (spec_.kind < AggregationKind::kSum || spec_.kind > AggregationKind::kAvg) {
    throw AggregationError(AggregationErrorKind::kRange, "unknown aggregation kind " +
                                                             std::to_string(static_cast<int32_t>(spec_.kind)));
  }
  if (spec_.max_parallelism < 1 || spec_.max_parallelism > 32768) {
    throw AggregationError(AggregationErrorKind::kRange,
                           "maxParallelism must be in [1, 32768], got " + std::to_string(spec_.max_parallelism));
  }
  if (spec_.key_fields.empty()) throw AggregationError(AggregationErrorKind::kRange, "keyFields must not be empty");
  key_position_.assign(n, -1);
  for (size_t j = 0; j < spec_.key_fields.size(); j++) {
    const uint32_t f = spec_.key_fields[j];
    if (f >= n) {
      throw AggregationError(AggregationErrorKind::kRange, "key field " + std::to_string(f) +
                                                               " is out of range: the record has " + std::to_string(n) +
                                                               " fields");
    }
    if (key_position_[f] >= 0) {
      throw AggregationError(AggregationErrorKind::kRange, "key field " + std::to_string(f) + " is listed twice");
    }
    if (!is_primitive(schema_.field_kind(f))) {
      throw AggregationError(AggregationErrorKind::kType,
                             "key field " + std::to_string(f) +
                                 " is a nested tuple/row; native keyed state supports STRING, DOUBLE, LONG and BOOLEAN "
                                 "key fields (use a key selector function for other keys)");
    }
    key_position_[f] = static_cast<int32_t>(j);
  }
  if (spec_.kind != AggregationKind::kCount) {
    if (spec_.field < 0 || static_cast<uint32_t>(spec_.field) >= n) {
      throw AggregationError(AggregationErrorKind::kRange, std::string(kind_name(spec_.kind)) + " field " +
                                                               std::to_string(spec_.field) +
                                                               " is out of range: the record has " +
                                                               std::to_string(n) + " fields");
    }
    value_kind_ = schema_.field_kind(static_cast<uint32_t>(spec_.field));
    if (value_kind_ != FieldKind::kDouble && value_kind_ != FieldKind::kLong) {
      throw AggregationError(AggregationErrorKind::kType, std::string(kind_name(spec_.kind)) + " field " +
                                                              std::to_string(spec_.field) +
                                                              " must be a DOUBLE or LONG field");
    }
    if (key_position_[static_cast<uint32_t>(spec_.field)] >= 0) {
      throw AggregationError(AggregationErrorKind::kRange, std::string(kind_name(spec_.kind)) + " field " +
                                                               std::to_string(spec_.field) + " is also a key field");
    }
  }
  spans_.resize(n == 0 ? 1 : n);
  // DOUBLE keys are canonicalised into a copy (-0, NaN); other single keys are used in place.
  if (spec_.key_fields.size() == 1 && schema_.field_kind(spec_.key_fields[0]) != FieldKind::kDouble) {
    single_key_field_ = static_cast<int32_t>(spec_.key_fields[0]);
  }
}

int32_t KeyedAggregation::hash_of_key_bytes(const uint8_t* key, uint32_t key_len) const {
  const size_t n = spec_.key_fields.size();
  if (n == 0) return 0;
  int32_t hashes[64];
  std::vector<int32_t> many;
  int32_t* h = hashes;
  if (n > 64) {
    many.resize(n);
    h = many.data();
  }
  uint32_t off = 0;
  for (size_t j = 0; j < n; j++) {
    const FieldKind kind = schema_.field_kind(spec_.key_fields[j]);
    if (kind == FieldKind::kString) {
      if (key_len - off < 4) return 0;  // only reachable for a corrupt snapshot key
      const uint32_t len = load_u32(key + off);
      if (len > key_len - off - 4) return 0;
      h[j] = java_string_hash_utf8(key + off + 4, len);
      off += 4 + len;
    } else {
      const uint32_t width = kind == FieldKind::kBoolean ? 1 : 8;
      if (key_len - off < width) return 0;
      if (kind == FieldKind::kDouble) h[j] = java_number_hash(load_f64(key + off));
      else if (kind == FieldKind::kLong) h[j] = java_long_hash(load_i64(key + off));
      else h[j] = java_boolean_hash(key[off] != 0);
      off += width;
    }
  }
  return n == 1 ? h[0] : java_tuple_hash(h, n);
}

int32_t KeyedAggregation::hash_of_single_key(const uint8_t* key, uint32_t key_len) const {
  switch (schema_.field_kind(static_cast<uint32_t>(single_key_field_))) {
    case FieldKind::kString:
      return java_string_hash_utf8(key + 4, key_len - 4);
    case FieldKind::kLong:
      return java_long_hash(load_i64(key));
    default:
      return java_boolean_hash(key[0] != 0);
  }
}

int32_t KeyedAggregation::build_key(const uint8_t* payload, const FieldSpan* spans, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  uint32_t len = 0;
  for (uint32_t f : spec_.key_fields) len += spans[f].length;
  out.resize(start + len);
  uint8_t* k = out.data() + start;
  for (uint32_t f : spec_.key_fields) {
    const FieldSpan& s = spans[f];
    std::memcpy(k, payload + s.offset, s.length);
    if (schema_.field_kind(f) == FieldKind::kDouble) {
      const double v = load_f64(k);
      if (v == 0) store_f64(k, 0.0);
      else if (std::isnan(v)) std::memcpy(k, &kCanonicalNaN, 8);
    }
    k += s.length;
  }
  return hash_of_key_bytes(out.data() + start, len);
}

uint32_t KeyedAggregation::output_length(const StateEntry* entry) const {
  if (keeps_extreme_record(spec_.kind) || (keeps_first_record(spec_.kind) && has_residual_fields_)) {
    return table_.blob_length(entry);
  }
  return KeyedStateTable::key_length(entry) + 8;
}

uint32_t KeyedAggregation::write_output(const StateEntry* entry, uint8_t* out, const uint8_t* timestamp) const {
  const uint32_t payload_len = output_length(entry);
  uint8_t* p = out + channel::kHeaderBytes;
  uint32_t frame_len = channel::kHeaderBytes + payload_len;
  if (timestamp != nullptr) {
    out[channel::kLengthBytes] = channel::kTagRecordWithTimestamp;
    std::memcpy(p, timestamp, channel::kTimestampBytes);
    p += channel::kTimestampBytes;
    frame_len += channel::kTimestampBytes;
  } else {
    out[channel::kLengthBytes] = channel::kTagRecord;
  }
  store_u32(out, frame_len - channel::kLengthBytes);
  const uint8_t* value = table_.value(entry);
  const uint8_t* key = table_.key(entry);
  const uint32_t key_len = KeyedStateTable::key_length(entry);
  switch (spec_.kind) {
    case AggregationKind::kCount:
      std::memcpy(p, key, key_len);
      store_f64(p + key_len, static_cast<double>(load_i64(value)));
      break;
    case AggregationKind::kAvg:
      std::memcpy(p, key, key_len);
      store_f64(p + key_len, load_f64(value) / static_cast<double>(load_i64(value + 8)));
      break;
    case AggregationKind::kMinBy:
    case AggregationKind::kMaxBy:
      std::memcpy(p, table_.blob(entry), payload_len);
      break;
    default:  // sum, min, max: the first record with the running value in the aggregated field
      if (has_residual_fields_) {
        std::memcpy(p, table_.blob(entry), payload_len);
        std::memcpy(p + load_u32(value + 8), value, 8);
      } else {
        // Only key fields and the aggregated field: rebuild the record in field order.
        uint32_t key_offsets[64];
        std::vector<uint32_t> many;
        uint32_t* offsets = key_offsets;
        if (spec_.key_fields.size() > 64) {
          many.resize(spec_.key_fields.size());
          offsets = many.data();
        }
        uint32_t off = 0;
        for (size_t j = 0; j < spec_.key_fields.size(); j++) {
          offsets[j] = off;
          const FieldKind kind = schema_.field_kind(spec_.key_fields[j]);
          off += kind == FieldKind::kString ? 4 + load_u32(key + off) : (kind == FieldKind::kBoolean ? 1 : 8);
        }
        for (uint32_t f = 0; f < schema_.num_fields(); f++) {
          if (static_cast<int32_t>(f) == spec_.field) {
            std::memcpy(p, value, 8);
            p += 8;
            continue;
          }
          const int32_t j = key_position_[f];
          const uint32_t start = offsets[j];
          const uint32_t end = static_cast<size_t>(j) + 1 < spec_.key_fields.size() ? offsets[j + 1] : key_len;
          std::memcpy(p, key + start, end - start);
          p += end - start;
        }
      }
  }
  return frame_len;
}

void KeyedAggregation::fail_budget(int64_t bytes_needed) const {
  const int64_t budget = account_.budget();
  throw AggregationError(
      AggregationErrorKind::kBudget,
      "Operator '" + operator_name_ + "' needs " + std::to_string(bytes_needed) +
          " more bytes of managed memory for its keyed state (" + std::to_string(table_.size()) + " keys, " +
          std::to_string(table_.memory_bytes()) + " bytes held), but only " + std::to_string(account_.available()) +
          " of " + std::to_string(budget) +
          " bytes are free. Increase 'taskmanager.memory.managed.size' or lower the number of distinct keys.",
      bytes_needed);
}

void KeyedAggregation::fail_corrupt(size_t offset, const std::string& what) const {
  throw AggregationError(AggregationErrorKind::kCorrupt,
                         "Corrupt record for operator '" + operator_name_ + "' at byte " + std::to_string(offset) +
                             " of its input: " + what + ".");
}

ProcessResult KeyedAggregation::process(const uint8_t* in, uint32_t in_len, uint8_t* out, uint32_t out_len) {
  ProcessResult result;
  FrameCursor cursor(in, in + in_len);
  Frame frame{};
  for (;;) {
    // Stage 1: parse, key and hash a batch of records, prefetching their slots; the lookups
    // below then mostly hit the cache instead of waiting on it one record at a time.
    batch_.clear();
    batch_keys_.clear();
    FrameStatus status = FrameStatus::kRecord;
    std::string corrupt;
    size_t corrupt_offset = 0;
    // A watermark or status frame ends the batch: the caller hands it to the task, in order.
    bool at_element = false;
    size_t element_offset = 0;
    const uint8_t* value = nullptr;
    uint32_t value_length = 0;
    while (batch_.size() < kBatchSize) {
      status = cursor.next(frame);
      if (status != FrameStatus::kRecord) break;
      if (!is_record_tag(frame.tag)) {
        at_element = true;
        element_offset = frame.offset;
        break;
      }
      if (!record_value(frame, value, value_length)) {
        corrupt = "a record with timestamp of " + std::to_string(frame.payload_length) + " bytes is shorter than its timestamp";
      } else if (!parse_payload(schema_, value, value_length, spans_.data())) {
        corrupt = "the payload of " + std::to_string(value_length) + " bytes is not one record of the declared type";
      }
      if (!corrupt.empty()) {
        corrupt_offset = frame.offset;
        break;
      }
      PendingRecord& r = batch_.emplace_back();
      r.payload = value;
      r.payload_length = value_length;
      r.timestamp = frame.tag == channel::kTagRecordWithTimestamp ? frame.payload : nullptr;
      r.frame_offset = static_cast<uint32_t>(frame.offset);
      r.frame_end = static_cast<uint32_t>(cursor.position());
      if (single_key_field_ >= 0) {
        // One STRING/LONG/BOOLEAN key field: its bytes in the payload are the key (no copy).
        const FieldSpan& span = spans_[static_cast<uint32_t>(single_key_field_)];
        r.key = value + span.offset;
        r.key_length = span.length;
        r.mixed = static_cast<uint32_t>(murmur_hash(hash_of_single_key(r.key, r.key_length)));
      } else {
        r.key = nullptr;  // in batch_keys_ at key_offset (set once the batch is complete)
        r.key_offset = static_cast<uint32_t>(batch_keys_.size());
        r.mixed = static_cast<uint32_t>(murmur_hash(build_key(value, spans_.data(), batch_keys_)));
        r.key_length = static_cast<uint32_t>(batch_keys_.size()) - r.key_offset;
      }
      r.field_offset = spec_.kind == AggregationKind::kCount ? 0 : spans_[static_cast<uint32_t>(spec_.field)].offset;
      table_.prefetch_slot(r.mixed);
    }
    // Stage 2: with the slots cached, prefetch the entries they point to.
    for (PendingRecord& r : batch_) {
      if (r.key == nullptr) r.key = batch_keys_.data() + r.key_offset;
      table_.prefetch_entry(r.mixed);
    }
    // Stage 3: apply in input order.
    for (const PendingRecord& r : batch_) {
      if (!apply(r, out, out_len, result)) return result;
      result.consumed = r.frame_end;
    }
    if (!corrupt.empty()) fail_corrupt(corrupt_offset, corrupt);
    if (at_element) {
      result.status = ProcessStatus::kElement;
      result.consumed = static_cast<uint32_t>(element_offset);
      return result;
    }
    if (status == FrameStatus::kRecord) continue;  // the batch was full
    if (status == FrameStatus::kIncomplete) {
      result.status = ProcessStatus::kIncomplete;
      result.consumed = static_cast<uint32_t>(cursor.position());
    } else if (status == FrameStatus::kCorrupt) {
      fail_corrupt(cursor.position(), cursor.corrupt_reason() == CorruptReason::kBadLength
                                          ? "invalid frame length " + std::to_string(cursor.corrupt_value())
                                          : "unknown stream element tag " + std::to_string(cursor.corrupt_value()));
    }
    return result;
  }
}

bool KeyedAggregation::apply(const PendingRecord& r, uint8_t* out, uint32_t out_len, ProcessResult& result) {
  const AggregationKind kind = spec_.kind;
  const FieldKind vkind = value_kind_;
  const uint8_t* payload = r.payload;
  const uint32_t payload_len = r.payload_length;
  const uint8_t* key = r.key;
  const uint32_t key_len = r.key_length;
  const uint8_t* field = kind == AggregationKind::kCount ? nullptr : payload + r.field_offset;

  StateEntry* entry = table_.find(key, key_len, r.mixed);
  // An entry without its blob never got its first record (managed memory refused the blob, in
  // process or restore): treat it as a new key, or its output would be built from no record.
  const bool fresh = entry == nullptr || (table_.with_blobs() && !table_.has_blob(entry));
  // The output size is known before the update, so a record that does not fit is not applied.
  bool new_extreme = false;
  if (!fresh && keeps_extreme_record(kind)) {
    const int c = compare_values(vkind, field, table_.value(entry));
    new_extreme = kind == AggregationKind::kMinBy ? c < 0 : c > 0;
  }
  if (spec_.streaming) {
    uint32_t len;
    if (fresh) {
      len = (keeps_extreme_record(kind) || (keeps_first_record(kind) && has_residual_fields_)) ? payload_len : key_len + 8;
    } else if (keeps_extreme_record(kind)) {
      len = new_extreme ? payload_len : table_.blob_length(entry);
    } else {
      len = output_length(entry);
    }
    const uint32_t frame_len = channel::kHeaderBytes + len + (r.timestamp != nullptr ? channel::kTimestampBytes : 0);
    if (out_len - result.produced < frame_len) {
      result.status = ProcessStatus::kOutputFull;
      result.needed = frame_len;
      result.consumed = r.frame_offset;  // this record is not applied
      return false;
    }
  }

  if (fresh) {
    if (entry == nullptr) {
      const int32_t key_group = static_cast<int32_t>(r.mixed % static_cast<uint32_t>(spec_.max_parallelism));
      entry = table_.find_or_insert(key, key_len, r.mixed, key_group, nullptr);
      if (entry == nullptr) fail_budget(static_cast<int64_t>(table_.bytes_needed()));
    }
    uint8_t* value = table_.value(entry);
    switch (kind) {
      case AggregationKind::kCount:
        store_i64(value, 1);
        break;
      case AggregationKind::kAvg:
        store_f64(value, vkind == FieldKind::kLong ? static_cast<double>(load_i64(field)) : load_f64(field));
        store_i64(value + 8, 1);
        break;
      default:
        std::memcpy(value, field, 8);
        if (keeps_first_record(kind) && has_residual_fields_) store_u32(value + 8, r.field_offset);
        if (table_.with_blobs() && !table_.set_blob(entry, payload, payload_len)) {
          fail_budget(static_cast<int64_t>(table_.bytes_needed()));
        }
    }
  } else {
    uint8_t* value = table_.value(entry);
    switch (kind) {
      case AggregationKind::kCount:
        store_i64(value, load_i64(value) + 1);
        break;
      case AggregationKind::kAvg:
        store_f64(value, load_f64(value) + (vkind == FieldKind::kLong ? static_cast<double>(load_i64(field)) : load_f64(field)));
        store_i64(value + 8, load_i64(value + 8) + 1);
        break;
      case AggregationKind::kSum:
        if (vkind == FieldKind::kLong) {
          store_i64(value, static_cast<int64_t>(static_cast<uint64_t>(load_i64(value)) + static_cast<uint64_t>(load_i64(field))));
        } else {
          store_f64(value, load_f64(value) + load_f64(field));
        }
        break;
      case AggregationKind::kMin:
        if (compare_values(vkind, field, value) < 0) std::memcpy(value, field, 8);
        break;
      case AggregationKind::kMax:
        if (compare_values(vkind, field, value) > 0) std::memcpy(value, field, 8);
        break;
      case AggregationKind::kMinBy:
      case AggregationKind::kMaxBy:
        if (new_extreme) {
          if (!table_.set_blob(entry, payload, payload_len)) fail_budget(static_cast<int64_t>(table_.bytes_needed()));
          std::memcpy(value, field, 8);
        }
        break;
    }
  }
  records_in_++;
  result.records++;
  if (spec_.streaming) result.produced += write_output(entry, out + result.produced, r.timestamp);
  return true;
}

ProcessResult KeyedAggregation::emit_final(uint8_t* out, uint32_t out_len, uint32_t max_records) {
  ProcessResult result;
  if (spec_.streaming) return result;  // STREAMING already emitted every update
  while (emit_cursor_ < table_.size()) {
    if (result.records >= max_records) {
      result.status = ProcessStatus::kYielded;
      return result;
    }
    const StateEntry* entry = table_.entry_at(emit_cursor_);
    if (table_.with_blobs() && !table_.has_blob(entry)) {  // its first record was never applied
      emit_cursor_++;
      continue;
    }
    const uint32_t frame_len = channel::kHeaderBytes + output_length(entry);
    if (out_len - result.produced < frame_len) {
      result.status = ProcessStatus::kOutputFull;
      result.needed = frame_len;
      return result;
    }
    result.produced += write_output(entry, out + result.produced, nullptr);
    result.records++;
    emit_cursor_++;
  }
  return result;
}

std::vector<uint8_t> KeyedAggregation::snapshot(int32_t kg_start, int32_t kg_end) const {
  std::vector<uint8_t> out;
  // resize + store rather than insert of a 4-byte array: same bytes, and no GCC 12
  // -Wstringop-overflow false positive on the inlined range insert into an empty vector.
  auto put = [&out](uint32_t v) {
    out.resize(out.size() + 4);
    store_u32(out.data() + out.size() - 4, v);
  };
  put(kSnapshotMagic);
  put(kSnapshotVersion);
  put(static_cast<uint32_t>(spec_.kind));
  put(static_cast<uint32_t>(spec_.field));
  put(schema_.num_fields());
  for (uint32_t f = 0; f < schema_.num_fields(); f++) put(static_cast<uint32_t>(schema_.field_kind(f)));
  put(static_cast<uint32_t>(spec_.key_fields.size()));
  for (uint32_t f : spec_.key_fields) put(f);
  table_.snapshot(out, kg_start, kg_end);
  return out;
}

void KeyedAggregation::restore(const uint8_t* bytes, size_t len) {
  const uint8_t* p = bytes;
  const uint8_t* end = bytes + len;
  uint32_t magic = 0, version = 0, kind = 0, field = 0, num_fields = 0, num_keys = 0;
  const auto corrupt = [this](const std::string& what) {
    throw AggregationError(AggregationErrorKind::kCorrupt,
                           "Cannot restore the keyed state of operator '" + operator_name_ + "': " + what + ".");
  };
  if (!read_u32(p, end, magic) || magic != kSnapshotMagic) corrupt("not a strom keyed-aggregation snapshot");
  if (!read_u32(p, end, version) || version != kSnapshotVersion) {
    corrupt("snapshot version " + std::to_string(version) + " is not " + std::to_string(kSnapshotVersion));
  }
  if (!read_u32(p, end, kind) || !read_u32(p, end, field) || !read_u32(p, end, num_fields)) corrupt("truncated header");
  bool same = kind == static_cast<uint32_t>(spec_.kind) && field == static_cast<uint32_t>(spec_.field) &&
              num_fields == schema_.num_fields();
  for (uint32_t f = 0; same && f < num_fields; f++) {
    uint32_t k = 0;
    if (!read_u32(p, end, k)) corrupt("truncated header");
    same = k == static_cast<uint32_t>(schema_.field_kind(f));
  }
  if (same && !read_u32(p, end, num_keys)) corrupt("truncated header");
  same = same && num_keys == spec_.key_fields.size();
  for (uint32_t j = 0; same && j < num_keys; j++) {
    uint32_t k = 0;
    if (!read_u32(p, end, k)) corrupt("truncated header");
    same = k == spec_.key_fields[j];
  }
  if (!same) corrupt("the snapshot was taken from a different aggregation (kind, field, record type or key)");
  bool bad_key = false;
  const KeyHashFunction hash = [this, &bad_key](const uint8_t* key, uint32_t key_len) {
    // A key whose inner lengths do not add up hashes as 0 and is reported after the restore.
    uint32_t off = 0;
    for (uint32_t f : spec_.key_fields) {
      const FieldKind k = schema_.field_kind(f);
      const uint32_t width = k == FieldKind::kString ? 4 : (k == FieldKind::kBoolean ? 1 : 8);
      if (key_len - off < width) {
        bad_key = true;
        return 0u;
      }
      const uint32_t extra = k == FieldKind::kString ? load_u32(key + off) : 0;
      if (extra > key_len - off - width) {
        bad_key = true;
        return 0u;
      }
      off += width + extra;
    }
    if (off != key_len) bad_key = true;
    return static_cast<uint32_t>(murmur_hash(hash_of_key_bytes(key, key_len)));
  };
  // The table checks the snapshot's framing and checksum, not what its entries mean, and
  // write_output trusts every restored key, blob and field offset: check each entry against the
  // record type before anything is restored (a checksum-valid but inconsistent snapshot would
  // otherwise make later outputs write past their frames).
  {
    const uint8_t* q = p;
    const auto need = [&q, end, &corrupt](size_t n) {
      if (static_cast<size_t>(end - q) < n) corrupt("truncated table snapshot");
    };
    need(kStateSnapshotHeaderBytes);
    uint64_t count = 0;
    std::memcpy(&count, q + 16, 8);
    q += kStateSnapshotHeaderBytes;
    const uint32_t value_size = table_.value_size();
    std::vector<uint8_t> blob_key;
    for (uint64_t i = 0; i < count; i++) {
      need(8);
      const uint32_t key_len = load_u32(q + 4);
      q += 8;
      need(key_len);
      const uint8_t* key = q;
      q += key_len;
      uint32_t off = 0;
      for (uint32_t f : spec_.key_fields) {
        const FieldKind k = schema_.field_kind(f);
        const uint32_t width = k == FieldKind::kString ? 4 : (k == FieldKind::kBoolean ? 1 : 8);
        if (key_len - off < width) corrupt("a key does not match the record type's key fields");
        const uint32_t extra = k == FieldKind::kString ? load_u32(key + off) : 0;
        if (extra > key_len - off - width || (k == FieldKind::kBoolean && key[off] > 1)) {
          corrupt("a key does not match the record type's key fields");
        }
        off += width + extra;
      }
      if (off != key_len) corrupt("a key does not match the record type's key fields");
      need(static_cast<size_t>(value_size) + 4);
      const uint8_t* value = q;
      q += value_size;
      const uint32_t blob_len = load_u32(q);
      q += 4;
      if (blob_len == kNoBlob) continue;  // a key whose first record was refused memory
      need(blob_len);
      const uint8_t* blob = q;
      q += blob_len;
      if (!table_.with_blobs()) continue;  // table_.restore refuses it
      blob_key.clear();
      if (!parse_payload(schema_, blob, blob_len, spans_.data())) corrupt("a kept record is not of the record type");
      build_key(blob, spans_.data(), blob_key);
      if (blob_key.size() != key_len || (key_len != 0 && std::memcmp(blob_key.data(), key, key_len) != 0)) {
        corrupt("a kept record does not belong to its key");
      }
      if (keeps_first_record(spec_.kind) && value_size >= 12 &&
          load_u32(value + 8) != spans_[static_cast<uint32_t>(spec_.field)].offset) {
        corrupt("a kept record's aggregated field offset is wrong");
      }
    }
  }
  bool ok;
  try {
    ok = table_.restore(p, static_cast<size_t>(end - p), hash);
  } catch (const StateSnapshotError& error) {
    corrupt(error.what());
  }
  if (!ok) fail_budget(static_cast<int64_t>(table_.bytes_needed()));
  if (bad_key) corrupt("a key does not match the record type's key fields");
}

}  // namespace strom::core
