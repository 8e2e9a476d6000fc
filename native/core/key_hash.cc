// key_hash.cc: Java hashCodes of encoded fields, murmur and key groups.
#include "key_hash.h"

#include <cstring>

#include <bit>
#include <cmath>

#include "encoded_layout.h"

namespace strom::core {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;
constexpr uint32_t kNanHash = 0x7ff80000u;  // Double.hashCode(NaN): bits 0x7ff8000000000000

inline uint32_t fold(uint32_t h, uint32_t unit) noexcept { return h * 31u + unit; }

inline uint32_t fold_code_point(uint32_t h, uint32_t cp) noexcept {
  if (cp < 0x10000) return fold(h, cp);
  cp -= 0x10000;
  h = fold(h, 0xD800 + (cp >> 10));
  return fold(h, 0xDC00 + (cp & 0x3FF));
}

inline uint32_t rotl(uint32_t x, int r) noexcept { return (x << r) | (x >> (32 - r)); }

/** Java hashCode per node (key_hash.h); TUPLE folds its children like Flink's TupleN. */
struct JavaHash {
  using Value = uint32_t;
  Value leaf(FieldKind kind, const uint8_t* data, uint32_t size) noexcept {
    switch (kind) {
      case FieldKind::kString:
        return static_cast<uint32_t>(java_string_hash_utf8(data, size));
      case FieldKind::kDouble:
        return static_cast<uint32_t>(java_number_hash(load_float64_le(data)));
      case FieldKind::kLong:
        return static_cast<uint32_t>(java_long_hash(load_int64_le(data)));
      default:  // kBoolean, the only other leaf
        return static_cast<uint32_t>(java_boolean_hash(data[0] != 0));
    }
  }
  Value tuple_start() noexcept { return 0; }
  Value tuple_add(Value h, Value child) noexcept { return fold(h, child); }
};

/** Hash of the encoded value of node `index` at `p`; the bytes were validated by parse_payload. */
uint32_t hash_node(const std::vector<SchemaNode>& nodes, uint32_t index, const uint8_t* p) noexcept {
  JavaHash hash;
  uint32_t h = 0;
  uint32_t pos = 0;
  (void)walk_encoding<false>(nodes, index, p, 0, pos, hash, h);  // unchecked: only GENERIC fails
  return h;
}

}  // namespace

int32_t java_string_hash_utf8(const uint8_t* bytes, uint32_t length) noexcept {
  uint32_t h = 0;
  uint32_t i = 0;
  // ASCII fast path: one UTF-16 unit per byte. Four bytes at a time, as
  // h*31^4 + b0*31^3 + b1*31^2 + b2*31 + b3, so the multiplies do not wait on each other.
  while (i + 4 <= length) {
    uint32_t word;
    std::memcpy(&word, bytes + i, 4);
    if ((word & 0x80808080u) != 0) break;
    h = h * 923521u + bytes[i] * 29791u + bytes[i + 1] * 961u + bytes[i + 2] * 31u + bytes[i + 3];
    i += 4;
  }
  while (i < length && bytes[i] < 0x80) h = fold(h, bytes[i++]);
  if (i == length) return static_cast<int32_t>(h);

  // WHATWG UTF-8 decode (what Node's Buffer#toString / utf8Slice do): an invalid or truncated
  // sequence yields one U+FFFD per maximal subpart and the offending byte is decoded afresh.
  uint32_t code_point = 0;
  uint32_t needed = 0;
  uint32_t seen = 0;
  uint32_t lower = 0x80;
  uint32_t upper = 0xBF;
  while (i < length) {
    const uint32_t byte = bytes[i];
    if (needed == 0) {
      ++i;
      if (byte < 0x80) {
        h = fold(h, byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        needed = 1;
        code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;
        needed = 2;
        code_point = byte & 0x0F;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;
        needed = 3;
        code_point = byte & 0x07;
      } else {
        h = fold(h, kReplacement);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // Not a continuation here: the sequence so far is one error; reprocess this byte.
      code_point = needed = seen = 0;
      lower = 0x80;
      upper = 0xBF;
      h = fold(h, kReplacement);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++seen == needed) {
      h = fold_code_point(h, code_point);
      code_point = needed = seen = 0;
    }
  }
  if (needed != 0) h = fold(h, kReplacement);  // truncated sequence at the end
  return static_cast<int32_t>(h);
}

int32_t java_double_hash(double value) noexcept {
  if (std::isnan(value)) return static_cast<int32_t>(kNanHash);
  const auto bits = std::bit_cast<uint64_t>(value);
  return static_cast<int32_t>(static_cast<uint32_t>(bits ^ (bits >> 32)));
}

int32_t java_long_hash(int64_t value) noexcept {
  const auto bits = static_cast<uint64_t>(value);
  return static_cast<int32_t>(static_cast<uint32_t>(bits ^ (bits >> 32)));
}

int32_t java_number_hash(double value) noexcept {
  // Comparisons are false for NaN, so NaN falls through to Double.hashCode.
  if (value >= -2147483648.0 && value <= 2147483647.0 && value == std::trunc(value)) {
    return static_cast<int32_t>(value);  // int32 (and -0 -> 0)
  }
  constexpr double kMaxSafe = 9007199254740991.0;
  if (value >= -kMaxSafe && value <= kMaxSafe && value == std::trunc(value)) {
    return java_long_hash(static_cast<int64_t>(value));
  }
  return java_double_hash(value);
}

int32_t java_boolean_hash(bool value) noexcept { return value ? 1231 : 1237; }

int32_t java_tuple_hash(const int32_t* field_hashes, size_t n) noexcept {
  uint32_t h = 0;
  for (size_t i = 0; i < n; ++i) h = fold(h, static_cast<uint32_t>(field_hashes[i]));
  return static_cast<int32_t>(h);
}

int32_t compute_key_group(int32_t key_hash, int32_t max_parallelism) noexcept {
  return murmur_hash(key_hash) % max_parallelism;
}

int32_t compute_operator_index(int32_t max_parallelism, int32_t parallelism, int32_t key_group) noexcept {
  return key_group * parallelism / max_parallelism;  // < 2^30: no overflow
}

int32_t java_hash_of_node(const RecordSchema& schema, uint32_t node, const uint8_t* encoding) noexcept {
  return static_cast<int32_t>(hash_node(schema.nodes(), node, encoding));
}

int32_t key_hash_of_fields(const RecordSchema& schema, const uint8_t* payload, const FieldSpan* spans,
                           const uint32_t* key_fields, size_t n) noexcept {
  const std::vector<SchemaNode>& nodes = schema.nodes();
  if (n == 1) {
    const uint32_t field = key_fields[0];
    return static_cast<int32_t>(hash_node(nodes, schema.field_node(field), payload + spans[field].offset));
  }
  uint32_t h = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t field = key_fields[i];
    h = fold(h, hash_node(nodes, schema.field_node(field), payload + spans[field].offset));
  }
  return static_cast<int32_t>(h);
}

}  // namespace strom::core
