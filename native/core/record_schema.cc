// record_schema.cc: descriptor validation and the fixed-offset precomputation.
#include "record_schema.h"

namespace strom::core {
namespace {

[[noreturn]] void malformed(const std::string& message) {
  throw SchemaError(SchemaErrorKind::kMalformed, "invalid type descriptor: " + message);
}

/** Recursive-descent parser over the descriptor words; depth is bounded by kMaxDepth. */
class DescriptorParser {
 public:
  DescriptorParser(const int32_t* words, size_t n, std::vector<SchemaNode>& nodes)
      : words_(words), n_(n), nodes_(nodes) {}

  void parse_root() {
    parse_node(0);
    if (pos_ != n_) {
      malformed(std::to_string(n_ - pos_) + " word(s) after the root type at word " + std::to_string(pos_));
    }
  }

 private:
  uint32_t parse_node(uint32_t depth) {
    if (pos_ >= n_) malformed("truncated at word " + std::to_string(pos_));
    const size_t at = pos_;
    const int32_t code = words_[pos_++];
    const auto index = static_cast<uint32_t>(nodes_.size());
    switch (code) {
      case static_cast<int32_t>(FieldKind::kString):
      case static_cast<int32_t>(FieldKind::kDouble):
      case static_cast<int32_t>(FieldKind::kLong):
      case static_cast<int32_t>(FieldKind::kBoolean): {
        const auto kind = static_cast<FieldKind>(code);
        nodes_.push_back({kind, 0, index + 1, primitive_width(kind)});
        return index;
      }
      case static_cast<int32_t>(FieldKind::kGeneric):
        throw SchemaError(SchemaErrorKind::kUnsupported,
                          "type descriptor contains GENERIC (word " + std::to_string(at) +
                              "): native code reads only STRING, DOUBLE, LONG, BOOLEAN, TUPLE and ROW");
      case static_cast<int32_t>(FieldKind::kTuple): {
        if (depth + 1 > RecordSchema::kMaxDepth) {
          malformed("tuples nested deeper than " + std::to_string(RecordSchema::kMaxDepth) + " at word " +
                    std::to_string(at));
        }
        if (pos_ >= n_) malformed("TUPLE at word " + std::to_string(at) + " has no arity");
        const int32_t arity = words_[pos_++];
        // Each field needs at least one word, which also bounds the arity by the descriptor size.
        if (arity < 0 || static_cast<size_t>(arity) > n_ - pos_) {
          malformed("TUPLE at word " + std::to_string(at) + " has arity " + std::to_string(arity) + " but " +
                    std::to_string(n_ - pos_) + " word(s) follow");
        }
        nodes_.push_back({FieldKind::kTuple, static_cast<uint32_t>(arity), 0, 0});
        int32_t width = 0;
        for (int32_t i = 0; i < arity; ++i) {
          const uint32_t child = parse_node(depth + 1);
          const int32_t child_width = nodes_[child].fixed_width;
          width = (width < 0 || child_width < 0) ? -1 : width + child_width;
        }
        nodes_[index].fixed_width = width;
        nodes_[index].subtree_end = static_cast<uint32_t>(nodes_.size());
        return index;
      }
      default:
        malformed("unknown field kind " + std::to_string(code) + " at word " + std::to_string(at));
    }
  }

  const int32_t* words_;
  size_t n_;
  size_t pos_ = 0;
  std::vector<SchemaNode>& nodes_;
};

/** Appends the offsets of the BOOLEAN bytes in the fixed-width subtree at `index`, starting at `offset`. */
void collect_booleans(const std::vector<SchemaNode>& nodes, uint32_t index, uint32_t offset,
                      std::vector<uint32_t>& out) {
  const SchemaNode& node = nodes[index];
  if (node.kind == FieldKind::kBoolean) {
    out.push_back(offset);
  } else if (node.kind == FieldKind::kTuple) {
    uint32_t child = index + 1;
    for (uint32_t i = 0; i < node.arity; ++i) {
      collect_booleans(nodes, child, offset, out);
      offset += static_cast<uint32_t>(nodes[child].fixed_width);
      child = nodes[child].subtree_end;
    }
  }
}

}  // namespace

int32_t primitive_width(FieldKind kind) noexcept {
  switch (kind) {
    case FieldKind::kDouble:
    case FieldKind::kLong: return 8;
    case FieldKind::kBoolean: return 1;
    default: return -1;
  }
}

RecordSchema RecordSchema::parse(const int32_t* words, size_t n) {
  if (words == nullptr || n == 0) malformed("empty");
  if (n > kMaxWords) malformed(std::to_string(n) + " words, more than the " + std::to_string(kMaxWords) + " allowed");
  RecordSchema schema;
  DescriptorParser(words, n, schema.nodes_).parse_root();

  const SchemaNode& root = schema.nodes_[0];
  if (root.kind == FieldKind::kTuple) {
    uint32_t child = 1;
    for (uint32_t i = 0; i < root.arity; ++i) {
      schema.fields_.push_back(child);
      child = schema.nodes_[child].subtree_end;
    }
  } else {
    schema.fields_.push_back(0);
  }
  if (root.fixed_width >= 0) {
    uint32_t offset = 0;
    for (uint32_t field : schema.fields_) {
      schema.fixed_offsets_.push_back(offset);
      offset += static_cast<uint32_t>(schema.nodes_[field].fixed_width);
    }
    collect_booleans(schema.nodes_, 0, 0, schema.fixed_boolean_offsets_);
  }
  return schema;
}

}  // namespace strom::core
