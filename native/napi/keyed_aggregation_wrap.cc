// keyed_aggregation_wrap.cc: see keyed_aggregation_wrap.h.
#include "keyed_aggregation_wrap.h"

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"
#include "arguments.h"
#include "core/managed_memory.h"
#include "core/record_schema.h"
#include "error_translation.h"

namespace strom::napi {
namespace {

/** Bytes of any Uint8Array (shared or not); valid only during the call. */
struct Bytes {
  uint8_t* data;
  size_t length;
};

Bytes bytes_argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a Uint8Array, got " + describe(value));
  }
  Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  return {array.Data(), array.ElementLength()};
}

/** A [start, end) byte range argument pair inside `bytes`. */
void range_arguments(const Napi::CallbackInfo& info, size_t index, const Bytes& bytes, const char* name,
                     uint32_t& start, uint32_t& end) {
  const int32_t s = int32_argument(info, index, "start");
  const int32_t e = int32_argument(info, index + 1, "end");
  if (s < 0 || e < s || static_cast<size_t>(e) > bytes.length) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " range [" + std::to_string(s) + ", " +
                                                std::to_string(e) + ") is outside its " +
                                                std::to_string(bytes.length) + " bytes");
  }
  start = static_cast<uint32_t>(s);
  end = static_cast<uint32_t>(e);
}

Napi::Int32Array result_argument(const Napi::CallbackInfo& info, size_t index) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      value.As<Napi::Int32Array>().ElementLength() < 5) {
    throw Napi::TypeError::New(info.Env(), "result must be an Int32Array of at least 5 elements, got " + describe(value));
  }
  return value.As<Napi::Int32Array>();
}

std::vector<int32_t> int32_array_option(const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(options.Env(), std::string("options.") + name + " must be an Int32Array, got " +
                                                  describe(value));
  }
  Napi::Int32Array array = value.As<Napi::Int32Array>();
  return std::vector<int32_t>(array.Data(), array.Data() + array.ElementLength());
}

void write_result(Napi::Int32Array& out, const core::ProcessResult& r) {
  out[0] = static_cast<int32_t>(r.consumed);
  out[1] = static_cast<int32_t>(r.produced);
  out[2] = static_cast<int32_t>(r.records);
  out[3] = static_cast<int32_t>(r.status);
  out[4] = static_cast<int32_t>(r.needed);
}

}  // namespace

void throw_aggregation_error(Napi::Env env, const core::AggregationError& error) {
  StromAddon* addon = env.GetInstanceData<StromAddon>();
  switch (error.kind()) {
    case core::AggregationErrorKind::kType:
      throw Napi::TypeError::New(env, error.what());
    case core::AggregationErrorKind::kRange:
      throw Napi::RangeError::New(env, error.what());
    case core::AggregationErrorKind::kCorrupt:
      if (addon != nullptr && !addon->corrupt_record_error().IsEmpty()) {
        throw Napi::Error(env, addon->corrupt_record_error().New({Napi::String::New(env, error.what())}));
      }
      throw Napi::RangeError::New(env, error.what());
    case core::AggregationErrorKind::kBudget:
    default:
      if (addon != nullptr && !addon->managed_memory_error().IsEmpty()) {
        throw Napi::Error(env, addon->managed_memory_error().New(
                                   {Napi::String::New(env, error.what()),
                                    Napi::Number::New(env, static_cast<double>(error.bytes_needed()))}));
      }
      throw Napi::Error::New(env, error.what());
  }
}

Napi::Function KeyedAggregationWrap::DefineClass(Napi::Env env) {
  return ObjectWrap::DefineClass(env, "KeyedAggregation",
                                 {
                                     InstanceMethod<&KeyedAggregationWrap::Process>("process"),
                                     InstanceMethod<&KeyedAggregationWrap::EmitFinal>("emitFinal"),
                                     InstanceMethod<&KeyedAggregationWrap::Snapshot>("snapshot"),
                                     InstanceMethod<&KeyedAggregationWrap::Restore>("restore"),
                                     InstanceMethod<&KeyedAggregationWrap::Stats>("stats"),
                                     InstanceMethod<&KeyedAggregationWrap::Close>("close"),
                                 });
}

KeyedAggregationWrap::KeyedAggregationWrap(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  guard_native_call(info.Env(), "new KeyedAggregation", [&] {
    Napi::Env env = info.Env();
    const Napi::Object options = object_argument(info, 0, "options");
    const std::vector<int32_t> descriptor = int32_array_option(options, "descriptor");
    const std::vector<int32_t> key_fields = int32_array_option(options, "keyFields");
    core::AggregationSpec spec;
    spec.kind = static_cast<core::AggregationKind>(integer_option(options, "kind"));
    spec.field = static_cast<int32_t>(integer_option(options, "field"));
    spec.max_parallelism = static_cast<int32_t>(integer_option(options, "maxParallelism"));
    const Napi::Value streaming = options.Get("streaming");
    if (!streaming.IsBoolean()) {
      throw Napi::TypeError::New(env, "options.streaming must be a boolean, got " + describe(streaming));
    }
    spec.streaming = streaming.As<Napi::Boolean>().Value();
    for (int32_t f : key_fields) {
      if (f < 0) throw Napi::RangeError::New(env, "options.keyFields must hold field indices >= 0");
      spec.key_fields.push_back(static_cast<uint32_t>(f));
    }
    const Napi::Value name = options.Get("operatorName");
    if (!name.IsString()) throw Napi::TypeError::New(env, "options.operatorName must be a string, got " + describe(name));
    const Napi::Value memory = options.Get("managedMemory");
    if (!memory.IsTypedArray() || memory.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw Napi::TypeError::New(env, "options.managedMemory must be a Uint8Array over the managed memory "
                                      "SharedArrayBuffer, got " + describe(memory));
    }
    Napi::Uint8Array memory_view = memory.As<Napi::Uint8Array>();
    core::RecordSchema schema = core::RecordSchema::parse(descriptor.data(), descriptor.size());
    core::ManagedMemoryAccount account = core::ManagedMemoryAccount::attach(memory_view.Data(), memory_view.ElementLength());
    aggregation_ = std::make_unique<core::KeyedAggregation>(std::move(schema), std::move(spec), account,
                                                            name.As<Napi::String>().Utf8Value());
    managed_memory_view_ = Napi::Persistent(memory_view.As<Napi::Object>());
  });
}

Napi::Value KeyedAggregationWrap::Process(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.process", [&]() -> Napi::Value {
    const Bytes input = bytes_argument(info, 0, "input");
    uint32_t start = 0, end = 0, out_start = 0, out_end = 0;
    range_arguments(info, 1, input, "input", start, end);
    const Bytes output = bytes_argument(info, 3, "output");
    range_arguments(info, 4, output, "output", out_start, out_end);
    Napi::Int32Array result = result_argument(info, 6);
    const core::ProcessResult r =
        aggregation(info.Env()).process(input.data + start, end - start, output.data + out_start, out_end - out_start);
    write_result(result, r);
    return info.Env().Undefined();
  });
}

Napi::Value KeyedAggregationWrap::EmitFinal(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.emitFinal", [&]() -> Napi::Value {
    const Bytes output = bytes_argument(info, 0, "output");
    uint32_t out_start = 0, out_end = 0;
    range_arguments(info, 1, output, "output", out_start, out_end);
    Napi::Int32Array result = result_argument(info, 3);
    uint32_t max_records = UINT32_MAX;
    if (info.Length() > 4 && !info[4].IsUndefined()) {
      const int32_t n = int32_argument(info, 4, "maxRecords");
      if (n < 1) throw Napi::RangeError::New(info.Env(), "maxRecords must be at least 1, got " + std::to_string(n));
      max_records = static_cast<uint32_t>(n);
    }
    const core::ProcessResult r =
        aggregation(info.Env()).emit_final(output.data + out_start, out_end - out_start, max_records);
    write_result(result, r);
    return info.Env().Undefined();
  });
}

Napi::Value KeyedAggregationWrap::Snapshot(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.snapshot", [&]() -> Napi::Value {
    int32_t kg_start = INT32_MIN;
    int32_t kg_end = INT32_MAX;
    if (info.Length() > 0 && !info[0].IsUndefined()) kg_start = int32_argument(info, 0, "keyGroupStart");
    if (info.Length() > 1 && !info[1].IsUndefined()) kg_end = int32_argument(info, 1, "keyGroupEnd");
    const std::vector<uint8_t> bytes = aggregation(info.Env()).snapshot(kg_start, kg_end);
    Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), bytes.size());
    if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
    return out;
  });
}

Napi::Value KeyedAggregationWrap::Restore(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.restore", [&]() -> Napi::Value {
    const Bytes bytes = bytes_argument(info, 0, "bytes");
    aggregation(info.Env()).restore(bytes.data, bytes.length);
    return info.Env().Undefined();
  });
}

Napi::Value KeyedAggregationWrap::Stats(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.stats", [&]() -> Napi::Value {
    Napi::Object stats = Napi::Object::New(info.Env());
    stats.Set("keys", static_cast<double>(aggregation(info.Env()).num_keys()));
    stats.Set("memoryBytes", static_cast<double>(aggregation(info.Env()).memory_bytes()));
    stats.Set("recordsIn", static_cast<double>(aggregation(info.Env()).records_in()));
    return stats;
  });
}

core::KeyedAggregation& KeyedAggregationWrap::aggregation(Napi::Env env) {
  if (!aggregation_) throw Napi::Error::New(env, "this keyed aggregation was closed");
  return *aggregation_;
}

Napi::Value KeyedAggregationWrap::Close(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedAggregation.close", [&]() -> Napi::Value {
    aggregation_.reset();
    return info.Env().Undefined();
  });
}

Napi::Value FormatManagedMemoryFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "formatManagedMemory", [&]() -> Napi::Value {
    const SharedView view = shared_view_argument(info, 0, "view");
    const Napi::Value budget = info[1];
    if (!budget.IsNumber()) throw Napi::TypeError::New(info.Env(), "budget must be a number, got " + describe(budget));
    core::ManagedMemoryAccount::format(view.data, view.length, static_cast<int64_t>(budget.As<Napi::Number>().DoubleValue()));
    return info.Env().Undefined();
  });
}

}  // namespace strom::napi
