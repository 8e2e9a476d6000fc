// key_hash.h: Flink's key-group routing on serialized keys, bit-exact with src/io/key-hash.ts
// and src/io/key-group-assignment.ts (both checked against a real-JDK oracle,
// test/io/fixtures/flink-key-groups.json).
//
// Java hashCode of each field kind, as the JS value it deserializes to would hash in TS:
//   STRING   String.hashCode over the UTF-16 code units the UTF-8 decodes to (astral chars as
//            surrogate pairs). Invalid UTF-8 (corrupt data only: the writer never produces it)
//            decodes like Node's/WHATWG's decoder: one U+FFFD per maximal subpart.
//   DOUBLE   the JS number mapping: int32 value (and -0) -> Integer.hashCode; other safe
//            integer -> Long.hashCode; anything else -> Double.hashCode (NaN canonical).
//   LONG     Long.hashCode: (int)(v ^ (v >>> 32)).
//   BOOLEAN  1231 / 1237.
//   TUPLE    Flink TupleN.hashCode: h = h(f0); h = 31*h + h(fi); Tuple0 is 0. A nested ROW is
//            hashed like a tuple too (TS cannot hash a plain object key; native routing of such
//            keys has no TS counterpart).
// All int32 arithmetic wraps (computed in uint32_t).
//
// Hot path: no function here throws or allocates.
//
// Depends on: record_schema.h, record_parser.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "record_parser.h"
#include "record_schema.h"

namespace strom::core {

/** Java String.hashCode of the string `bytes[0..length)` decodes to (UTF-8). */
int32_t java_string_hash_utf8(const uint8_t* bytes, uint32_t length) noexcept;
/** Hash of a JS number, as src/io/key-hash.ts javaNumberHashCode (Integer / Long / Double). */
int32_t java_number_hash(double value) noexcept;
/** Java Double.hashCode (NaN canonicalised; -0.0 differs from 0.0). */
int32_t java_double_hash(double value) noexcept;
/** Java Long.hashCode. */
int32_t java_long_hash(int64_t value) noexcept;
/** Java Boolean.hashCode. */
int32_t java_boolean_hash(bool value) noexcept;
/** Flink TupleN.hashCode over the fields' hashes; 0 for n == 0. */
int32_t java_tuple_hash(const int32_t* field_hashes, size_t n) noexcept;

/** Flink MathUtils.murmurHash: murmur3 mix of one int, then abs (MIN_VALUE -> 0). */
inline int32_t murmur_hash(int32_t code) noexcept {
  // Inline: it runs once per record on the aggregation hot path.
  uint32_t c = static_cast<uint32_t>(code);
  c *= 0xcc9e2d51u;
  c = (c << 15) | (c >> 17);
  c *= 0x1b873593u;
  c = (c << 13) | (c >> 19);
  c = c * 5u + 0xe6546b64u;
  c ^= 4u;
  c ^= c >> 16;
  c *= 0x85ebca6bu;
  c ^= c >> 13;
  c *= 0xc2b2ae35u;
  c ^= c >> 16;
  const auto signed_code = static_cast<int32_t>(c);
  if (signed_code >= 0) return signed_code;
  return signed_code == INT32_MIN ? 0 : -signed_code;
}
/** murmur_hash(key_hash) % max_parallelism. Precondition: 1 <= max_parallelism <= 32768. */
int32_t compute_key_group(int32_t key_hash, int32_t max_parallelism) noexcept;
/**
 * key_group * parallelism / max_parallelism. Preconditions: 1 <= parallelism <= max_parallelism
 * <= 32768 and 0 <= key_group < max_parallelism.
 */
int32_t compute_operator_index(int32_t max_parallelism, int32_t parallelism, int32_t key_group) noexcept;

/**
 * Hash of the value of schema node `node` encoded at `encoding` (its whole encoding, e.g. a
 * FieldSpan's bytes). Precondition: the bytes were accepted by parse_payload.
 */
int32_t java_hash_of_node(const RecordSchema& schema, uint32_t node, const uint8_t* encoding) noexcept;

/**
 * Java hash of the key made of top-level fields `key_fields[0..n)` of a record: one field ->
 * that field's hash; several -> java_tuple_hash over them in the given order (= TS javaHashCode of
 * the JS array key). Preconditions: `spans` filled by a successful parse_payload of `payload`,
 * 1 <= n and every key field < schema.num_fields().
 */
int32_t key_hash_of_fields(const RecordSchema& schema, const uint8_t* payload, const FieldSpan* spans,
                           const uint32_t* key_fields, size_t n) noexcept;

}  // namespace strom::core
