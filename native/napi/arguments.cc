// arguments.cc: argument checks shared by the bindings.
#include "arguments.h"

#include <cmath>

namespace strom::napi {

std::string describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return value.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_number: {
      const double number = value.As<Napi::Number>().DoubleValue();
      if (std::isfinite(number) && number == std::trunc(number) && std::fabs(number) < 1e15) {
        return std::to_string(static_cast<int64_t>(number));
      }
      return std::to_string(number);
    }
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_bigint: return "a bigint";
    default: return "an object";
  }
}

int32_t int32_argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number, got " + describe(value));
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number == std::trunc(number)) || number < INT32_MIN || number > INT32_MAX) {
    throw Napi::RangeError::New(info.Env(), std::string(name) + " must be an int32 integer, got " +
                                                describe(value));
  }
  return static_cast<int32_t>(number);
}

bool boolean_argument(const Napi::CallbackInfo& info, size_t index, const char* name, bool fallback) {
  const Napi::Value value = info[index];
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean, got " + describe(value));
  }
  return value.As<Napi::Boolean>().Value();
}

int64_t integer_option(const Napi::Object& options, const char* name) {
  const Napi::Value value = options.Get(name);
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(options.Env(), std::string("option ") + name + " must be a number, got " +
                                                  describe(value));
  }
  const double number = value.As<Napi::Number>().DoubleValue();
  constexpr double kMaxSafe = 9007199254740991.0;
  if (!(number == std::trunc(number)) || std::fabs(number) > kMaxSafe) {
    throw Napi::RangeError::New(options.Env(), std::string("option ") + name +
                                                   " must be an integer, got " + describe(value));
  }
  return static_cast<int64_t>(number);
}

Napi::Object object_argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsObject() || value.IsFunction()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be an object, got " + describe(value));
  }
  return value.As<Napi::Object>();
}

SharedView shared_view_argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, std::string(name) + " must be a Uint8Array over a SharedArrayBuffer, got " +
                                        describe(value));
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer = nullptr;
  size_t byte_offset = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byte_offset),
                       SharedView{});
  // Node-API reports a SharedArrayBuffer as "not an ArrayBuffer". A plain ArrayBuffer could be
  // detached (transferred) while native code keeps its pointer, so it is refused.
  bool is_plain_array_buffer = false;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, buffer, &is_plain_array_buffer), SharedView{});
  if (is_plain_array_buffer) {
    throw Napi::TypeError::New(env, std::string(name) +
                                        " must be a Uint8Array over a SharedArrayBuffer, got one over an ArrayBuffer");
  }
  if (data == nullptr && length > 0) {
    throw Napi::TypeError::New(env, std::string(name) + " has no data pointer");
  }
  return SharedView{static_cast<uint8_t*>(data), length, value.As<Napi::Object>()};
}

}  // namespace strom::napi
