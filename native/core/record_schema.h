// record_schema.h: the declared type of the records native code reads, parsed from the
// prefix-notation descriptor that src/types/type-descriptor.ts builds.
//
// Descriptor (int32 words, prefix notation; codes mirrored by FieldKindCode in TS and checked by
// test/native/network-memory-layout-mirror.test.ts as FIELD_KIND.*):
//
//   STRING=1 | DOUBLE=2 | LONG=3 | BOOLEAN=4 | GENERIC=6
//   TUPLE=5, arity, <arity field descriptors>          (ROW is described as TUPLE: names are TS-only)
//
//   Types.TUPLE(STRING, TUPLE(LONG, BOOLEAN), DOUBLE) -> [5, 3, 1, 5, 2, 3, 4, 2]
//
// A record's *fields* are the top-level fields: the root tuple's children, or the root itself
// when it is not a tuple (a record of exactly one field). Encodings (src/types/*): STRING = int32
// LE UTF-8 byte length + bytes; DOUBLE = float64 LE; LONG = int64 LE; BOOLEAN = one byte 0/1;
// TUPLE = its fields back to back, no header. GENERIC is self-describing and not supported
// natively: parse() refuses it (SchemaErrorKind::kUnsupported).
//
// Nodes are kept in prefix order, so a tuple's first child is the next node and each following
// sibling starts at the previous sibling's subtree_end. A schema is immutable after parse() and
// may be shared by threads.
//
// Depends on: nothing (pure C++).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace strom::core {

/** Field kind codes of the descriptor. Mirrored by FieldKindCode in src/types/type-descriptor.ts. */
enum class FieldKind : int32_t {
  kString = 1,
  kDouble = 2,
  kLong = 3,
  kBoolean = 4,
  kTuple = 5,
  kGeneric = 6,
};

enum class SchemaErrorKind {
  kMalformed,    // not a valid descriptor (unknown code, truncated, trailing words, limits) -> RangeError
  kUnsupported,  // valid, but native code cannot read it (GENERIC) -> TypeError
};

/** Thrown by RecordSchema::parse (never on a hot path). */
class SchemaError : public std::runtime_error {
 public:
  SchemaError(SchemaErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  SchemaErrorKind kind() const noexcept { return kind_; }

 private:
  SchemaErrorKind kind_;
};

/** One type in the schema tree. */
struct SchemaNode {
  FieldKind kind;
  /** TUPLE: number of children; 0 otherwise. */
  uint32_t arity;
  /** Index one past the last node of this node's subtree (prefix order). */
  uint32_t subtree_end;
  /** Encoded size in bytes when constant (no STRING inside), else -1. */
  int32_t fixed_width;
};

class RecordSchema {
 public:
  /** Most descriptor words accepted. */
  static constexpr size_t kMaxWords = 1 << 16;
  /** Deepest tuple nesting accepted (the root tuple is depth 1). */
  static constexpr uint32_t kMaxDepth = 32;

  /**
   * Validates `words[0..n)` and builds the schema.
   * @throws SchemaError kMalformed for unknown codes, a negative or too large arity, a
   *   truncated descriptor, words after the root type, nesting deeper than kMaxDepth or more than
   *   kMaxWords words; kUnsupported when GENERIC appears anywhere.
   */
  static RecordSchema parse(const int32_t* words, size_t n);

  /** Number of top-level fields (spans parse_payload fills). */
  uint32_t num_fields() const noexcept { return static_cast<uint32_t>(fields_.size()); }
  /** Node index of top-level field `i` (i < num_fields()). */
  uint32_t field_node(uint32_t i) const noexcept { return fields_[i]; }
  /** Kind of top-level field `i`. */
  FieldKind field_kind(uint32_t i) const noexcept { return nodes_[fields_[i]].kind; }
  /** All nodes, prefix order; node 0 is the root. */
  const std::vector<SchemaNode>& nodes() const noexcept { return nodes_; }
  const SchemaNode& node(uint32_t index) const noexcept { return nodes_[index]; }

  /** True when every field has a constant width (no STRING anywhere): offsets are constant. */
  bool is_fixed() const noexcept { return nodes_[0].fixed_width >= 0; }
  /** Payload size of every record when is_fixed(); -1 otherwise. */
  int32_t fixed_length() const noexcept { return nodes_[0].fixed_width; }
  /** Offset of top-level field `i` when is_fixed() (empty otherwise). */
  const std::vector<uint32_t>& fixed_offsets() const noexcept { return fixed_offsets_; }
  /** Offsets of every BOOLEAN byte (nested ones too) when is_fixed(): the only bytes to validate. */
  const std::vector<uint32_t>& fixed_boolean_offsets() const noexcept { return fixed_boolean_offsets_; }

 private:
  RecordSchema() = default;

  std::vector<SchemaNode> nodes_;
  std::vector<uint32_t> fields_;
  std::vector<uint32_t> fixed_offsets_;
  std::vector<uint32_t> fixed_boolean_offsets_;
};

/** Encoded width of a fixed-size kind (DOUBLE/LONG 8, BOOLEAN 1); -1 for STRING/TUPLE/GENERIC. */
int32_t primitive_width(FieldKind kind) noexcept;

}  // namespace strom::core
