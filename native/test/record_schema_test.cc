// RecordSchema::parse: descriptor validation, top-level fields and fixed offsets.
#include <string>
#include <vector>

#include "core/record_schema.h"
#include "test_framework.h"

using namespace strom;
using core::FieldKind;
using core::RecordSchema;
using core::SchemaErrorKind;

namespace {

RecordSchema parse(const std::vector<int32_t>& words) { return RecordSchema::parse(words.data(), words.size()); }

/** The SchemaError message of parse(words), after checking its kind; fails if it does not throw. */
std::string parse_error(const std::vector<int32_t>& words, SchemaErrorKind kind, int line) {
  try {
    (void)parse(words);
  } catch (const core::SchemaError& error) {
    if (error.kind() != kind) test::fail(__FILE__, line, std::string("wrong SchemaError kind: ") + error.what());
    return error.what();
  }
  test::fail(__FILE__, line, "expected parse to throw");
  return "";
}

constexpr int32_t S = 1, D = 2, L = 3, B = 4, T = 5, G = 6;

}  // namespace

STROM_TEST(codes_match_the_descriptor_format) {
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kString), S);
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kDouble), D);
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kLong), L);
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kBoolean), B);
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kTuple), T);
  STROM_CHECK_EQ(static_cast<int32_t>(FieldKind::kGeneric), G);
}

STROM_TEST(top_level_primitive_is_one_field) {
  const RecordSchema s = parse({S});
  STROM_CHECK_EQ(s.num_fields(), 1u);
  STROM_CHECK(s.field_kind(0) == FieldKind::kString);
  STROM_CHECK(!s.is_fixed());
  const RecordSchema d = parse({D});
  STROM_CHECK(d.is_fixed());
  STROM_CHECK_EQ(d.fixed_length(), 8);
  STROM_CHECK_EQ(d.fixed_offsets().size(), 1u);
  STROM_CHECK_EQ(d.fixed_offsets()[0], 0u);
}

STROM_TEST(tuple_fields_and_nested_skipping) {
  // TUPLE(STRING, TUPLE(LONG, BOOLEAN), DOUBLE)
  const RecordSchema s = parse({T, 3, S, T, 2, L, B, D});
  STROM_CHECK_EQ(s.num_fields(), 3u);
  STROM_CHECK(s.field_kind(0) == FieldKind::kString);
  STROM_CHECK(s.field_kind(1) == FieldKind::kTuple);
  STROM_CHECK(s.field_kind(2) == FieldKind::kDouble);
  STROM_CHECK_EQ(s.field_node(0), 1u);
  STROM_CHECK_EQ(s.field_node(1), 2u);
  STROM_CHECK_EQ(s.field_node(2), 5u);
  STROM_CHECK_EQ(s.node(2).arity, 2u);
  STROM_CHECK_EQ(s.node(2).subtree_end, 5u);
  STROM_CHECK_EQ(s.node(2).fixed_width, 9);
  STROM_CHECK(!s.is_fixed());
  STROM_CHECK(s.fixed_offsets().empty());
}

STROM_TEST(fixed_schema_precomputes_offsets_and_boolean_bytes) {
  // TUPLE(LONG, TUPLE(BOOLEAN, DOUBLE, TUPLE()), BOOLEAN, DOUBLE)
  const RecordSchema s = parse({T, 4, L, T, 3, B, D, T, 0, B, D});
  STROM_CHECK(s.is_fixed());
  STROM_CHECK_EQ(s.fixed_length(), 8 + 9 + 1 + 8);
  STROM_CHECK(s.fixed_offsets() == (std::vector<uint32_t>{0, 8, 17, 18}));
  STROM_CHECK(s.fixed_boolean_offsets() == (std::vector<uint32_t>{8, 17}));
}

STROM_TEST(empty_tuple_is_a_record_of_no_fields) {
  const RecordSchema s = parse({T, 0});
  STROM_CHECK_EQ(s.num_fields(), 0u);
  STROM_CHECK(s.is_fixed());
  STROM_CHECK_EQ(s.fixed_length(), 0);
}

STROM_TEST(rejects_malformed_descriptors) {
  std::string m = parse_error({}, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("empty") != std::string::npos);
  m = parse_error({0}, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("unknown field kind 0") != std::string::npos);
  parse_error({7}, SchemaErrorKind::kMalformed, __LINE__);
  parse_error({-1}, SchemaErrorKind::kMalformed, __LINE__);
  m = parse_error({T}, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("no arity") != std::string::npos);
  m = parse_error({T, 2, S}, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("arity 2") != std::string::npos);
  parse_error({T, -1}, SchemaErrorKind::kMalformed, __LINE__);
  parse_error({T, INT32_MAX, S}, SchemaErrorKind::kMalformed, __LINE__);
  m = parse_error({S, D}, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("after the root") != std::string::npos);
  parse_error({T, 1, S, S}, SchemaErrorKind::kMalformed, __LINE__);
  parse_error({T, 2, T, 1, S}, SchemaErrorKind::kMalformed, __LINE__);  // truncated inner
  parse_error({T, 1, 9}, SchemaErrorKind::kMalformed, __LINE__);
}

STROM_TEST(rejects_generic_anywhere_as_unsupported) {
  std::string m = parse_error({G}, SchemaErrorKind::kUnsupported, __LINE__);
  STROM_CHECK(m.find("GENERIC") != std::string::npos);
  parse_error({T, 2, S, G}, SchemaErrorKind::kUnsupported, __LINE__);
  parse_error({T, 2, S, T, 1, G}, SchemaErrorKind::kUnsupported, __LINE__);
}

STROM_TEST(nesting_depth_and_size_are_bounded) {
  std::vector<int32_t> deep;
  for (uint32_t i = 0; i < RecordSchema::kMaxDepth; ++i) deep.insert(deep.end(), {T, 1});
  deep.push_back(S);
  STROM_CHECK_EQ(parse(deep).num_fields(), 1u);
  deep.pop_back();
  deep.insert(deep.end(), {T, 1, S});
  std::string m = parse_error(deep, SchemaErrorKind::kMalformed, __LINE__);
  STROM_CHECK(m.find("deeper") != std::string::npos);

  std::vector<int32_t> wide{T, static_cast<int32_t>(RecordSchema::kMaxWords - 2)};
  wide.resize(RecordSchema::kMaxWords, B);
  STROM_CHECK_EQ(parse(wide).num_fields(), RecordSchema::kMaxWords - 2);
  wide[1] += 1;
  wide.push_back(B);
  parse_error(wide, SchemaErrorKind::kMalformed, __LINE__);
}

int main() { return test::run_all(); }
