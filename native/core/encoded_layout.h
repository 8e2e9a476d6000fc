// encoded_layout.h: the one walk over the encoding of a schema node (encodings in
// record_schema.h). The parser runs it checked, to validate and measure; the key hash runs it
// unchecked over bytes the parser accepted, so the layout is written down once.
//
// Hot path: no throw, no allocation; a checked walk never reads outside [bytes, bytes + length).
//
// Depends on: record_schema.h, record_parser.h (the little-endian loads).
#pragma once

#include <cstdint>
#include <vector>

#include "record_parser.h"
#include "record_schema.h"

namespace strom::core {

/**
 * Walks the encoding of node `index` starting at `bytes[pos]` and advances `pos` past it, folding
 * one `Visitor::Value` per node into `value`:
 *   leaf:  visitor.leaf(kind, data, size), `data` the value's bytes (a STRING's UTF-8 after its
 *          length prefix; the 8 or 1 bytes otherwise);
 *   tuple: acc = visitor.tuple_start(), then acc = visitor.tuple_add(acc, child) per child.
 * Checked: returns false when the encoding does not fit in `length` bytes, a string length is
 * negative or a boolean is not 0/1 (`value` is then unspecified). Unchecked: trusts the bytes
 * (`length` is not read) and returns false only for GENERIC, which parse() never admits.
 * Recursion depth is bounded by RecordSchema::kMaxDepth.
 */
template <bool Checked, typename Visitor>
bool walk_encoding(const std::vector<SchemaNode>& nodes, uint32_t index, const uint8_t* bytes, uint32_t length,
                   uint32_t& pos, Visitor& visitor, typename Visitor::Value& value) noexcept {
  const SchemaNode& node = nodes[index];
  switch (node.kind) {
    case FieldKind::kString: {
      if (Checked && length - pos < 4) return false;
      const int32_t n = load_int32_le(bytes + pos);
      pos += 4;
      if (Checked && (n < 0 || static_cast<uint32_t>(n) > length - pos)) return false;
      value = visitor.leaf(node.kind, bytes + pos, static_cast<uint32_t>(n));
      pos += static_cast<uint32_t>(n);
      return true;
    }
    case FieldKind::kDouble:
    case FieldKind::kLong:
      if (Checked && length - pos < 8) return false;
      value = visitor.leaf(node.kind, bytes + pos, 8);
      pos += 8;
      return true;
    case FieldKind::kBoolean:
      if (Checked && (length - pos < 1 || bytes[pos] > 1)) return false;
      value = visitor.leaf(node.kind, bytes + pos, 1);
      pos += 1;
      return true;
    case FieldKind::kTuple: {
      typename Visitor::Value acc = visitor.tuple_start();
      uint32_t child = index + 1;
      for (uint32_t i = 0; i < node.arity; ++i) {
        typename Visitor::Value child_value{};
        if (!walk_encoding<Checked>(nodes, child, bytes, length, pos, visitor, child_value)) return false;
        acc = visitor.tuple_add(acc, child_value);
        child = nodes[child].subtree_end;
      }
      value = acc;
      return true;
    }
    case FieldKind::kGeneric:
    default:
      return false;  // parse() never admits GENERIC
  }
}

}  // namespace strom::core
