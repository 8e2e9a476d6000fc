// key_group_functions.cc: keyGroupsOfRecords / keyHashesOfRecords test hooks.
//
// Both run synchronously on the calling thread over the caller's typed arrays (no copy; nothing
// runs JS while the pointers are held, so even a plain ArrayBuffer cannot be detached meanwhile).
#include "key_group_functions.h"

#include <string>
#include <vector>

#include "arguments.h"
#include "error_translation.h"
#include "core/channel_layout.h"
#include "core/key_hash.h"
#include "core/record_parser.h"
#include "core/record_schema.h"

namespace strom::napi {
namespace {

constexpr int32_t kUpperBoundMaxParallelism = 32768;

template <typename T>
struct TypedView {
  const T* data = nullptr;
  size_t length = 0;
};

template <typename T>
TypedView<T> typed_array_argument(const Napi::CallbackInfo& info, size_t index, const char* name,
                                  napi_typedarray_type expected, const char* type_name) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != expected) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be " + type_name + ", got " + describe(value));
  }
  // napi_get_typedarray_info's data pointer already includes the byte offset, and works for
  // arrays over a SharedArrayBuffer too (Napi::ArrayBuffer::Data() would not).
  Napi::Env env = info.Env();
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr),
                       TypedView<T>{});
  if (data == nullptr && length > 0) throw Napi::TypeError::New(env, std::string(name) + " has no data pointer");
  return TypedView<T>{static_cast<const T*>(data), length};
}

core::RecordSchema schema_argument(const Napi::CallbackInfo& info, size_t index) {
  const auto words = typed_array_argument<int32_t>(info, index, "descriptor", napi_int32_array, "an Int32Array");
  try {
    return core::RecordSchema::parse(words.data, words.length);
  } catch (const core::SchemaError& error) {
    if (error.kind() == core::SchemaErrorKind::kUnsupported) throw Napi::TypeError::New(info.Env(), error.what());
    throw Napi::RangeError::New(info.Env(), error.what());
  }
}

std::vector<uint32_t> key_fields_argument(const Napi::CallbackInfo& info, size_t index,
                                          const core::RecordSchema& schema) {
  const auto fields = typed_array_argument<int32_t>(info, index, "keyFields", napi_int32_array, "an Int32Array");
  if (fields.length == 0) throw Napi::RangeError::New(info.Env(), "keyFields must name at least one field");
  std::vector<uint32_t> result;
  result.reserve(fields.length);
  for (size_t i = 0; i < fields.length; ++i) {
    const int32_t field = fields.data[i];
    if (field < 0 || static_cast<uint32_t>(field) >= schema.num_fields()) {
      throw Napi::RangeError::New(info.Env(), "keyFields[" + std::to_string(i) + "] = " + std::to_string(field) +
                                                  " is not a field index from 0 to " +
                                                  std::to_string(static_cast<int64_t>(schema.num_fields()) - 1));
    }
    result.push_back(static_cast<uint32_t>(field));
  }
  return result;
}

/** Parses every frame and calls `emit(key_hash)`; throws RangeError on the first bad frame. */
template <typename Emit>
void for_each_key_hash(const Napi::CallbackInfo& info, const core::RecordSchema& schema,
                       const std::vector<uint32_t>& key_fields, Emit&& emit) {
  Napi::Env env = info.Env();
  const auto frames = typed_array_argument<uint8_t>(info, 2, "frames", napi_uint8_array, "a Uint8Array");
  core::FrameCursor cursor(frames.data, frames.data + frames.length);
  std::vector<core::FieldSpan> spans(schema.num_fields());
  core::Frame frame{};
  for (;;) {
    switch (cursor.next(frame)) {
      case core::FrameStatus::kRecord:
        break;
      case core::FrameStatus::kEnd:
        return;
      case core::FrameStatus::kIncomplete:
        throw Napi::RangeError::New(env, "frames end inside the record at byte " + std::to_string(cursor.position()));
      case core::FrameStatus::kCorrupt:
        if (cursor.corrupt_reason() == core::CorruptReason::kBadLength) {
          throw Napi::RangeError::New(env, "corrupt frame at byte " + std::to_string(cursor.position()) +
                                               ": invalid record length " + std::to_string(cursor.corrupt_value()));
        }
        throw Napi::RangeError::New(env, "corrupt frame at byte " + std::to_string(cursor.position()) +
                                             ": unknown stream element tag " + std::to_string(cursor.corrupt_value()));
    }
    const uint8_t* value = nullptr;
    uint32_t value_length = 0;
    if (!core::record_value(frame, value, value_length)) {
      throw Napi::RangeError::New(env, "frame at byte " + std::to_string(frame.offset) + " has tag " +
                                           std::to_string(frame.tag) + "; only records (tags 0 and 1) are supported");
    }
    if (!core::parse_payload(schema, value, value_length, spans.data())) {
      throw Napi::RangeError::New(env, "record at byte " + std::to_string(frame.offset) +
                                           " is not a well-formed record of the schema");
    }
    emit(core::key_hash_of_fields(schema, value, spans.data(), key_fields.data(), key_fields.size()));
  }
}

Napi::Value to_int32_array(Napi::Env env, const std::vector<int32_t>& values) {
  Napi::Int32Array result = Napi::Int32Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) result[i] = values[i];
  return result;
}

}  // namespace

Napi::Value KeyGroupsOfRecordsFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "keyGroupsOfRecords", [&]() -> Napi::Value {
    const core::RecordSchema schema = schema_argument(info, 0);
    const std::vector<uint32_t> key_fields = key_fields_argument(info, 1, schema);
    const int32_t max_parallelism = int32_argument(info, 3, "maxParallelism");
    if (max_parallelism < 1 || max_parallelism > kUpperBoundMaxParallelism) {
      throw Napi::RangeError::New(info.Env(), "maxParallelism must be an integer from 1 to 32768, got " +
                                                  std::to_string(max_parallelism));
    }
    std::vector<int32_t> groups;
    for_each_key_hash(info, schema, key_fields,
                      [&](int32_t hash) { groups.push_back(core::compute_key_group(hash, max_parallelism)); });
    return to_int32_array(info.Env(), groups);
  });
}

Napi::Value KeyHashesOfRecordsFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "keyHashesOfRecords", [&]() -> Napi::Value {
    const core::RecordSchema schema = schema_argument(info, 0);
    const std::vector<uint32_t> key_fields = key_fields_argument(info, 1, schema);
    std::vector<int32_t> hashes;
    for_each_key_hash(info, schema, key_fields, [&](int32_t hash) { hashes.push_back(hash); });
    return to_int32_array(info.Env(), hashes);
  });
}

}  // namespace strom::napi
