// test_hooks.cc: see test_hooks.h. TEST-ONLY.
#include "test_hooks.h"

#include <new>
#include <stdexcept>
#include <string>

#include "arguments.h"
#include "error_translation.h"

namespace strom::napi {
namespace {

void throw_kind(const Napi::CallbackInfo& info) {
  const Napi::Value kind_value = info[0];
  if (!kind_value.IsString()) {
    throw Napi::TypeError::New(info.Env(), "kind must be a string, got " + describe(kind_value));
  }
  const std::string kind = kind_value.As<Napi::String>().Utf8Value();
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "runtime_error") throw std::runtime_error("test hook runtime_error");
  if (kind == "int") throw 42;
  if (kind == "range_error") throw Napi::RangeError::New(info.Env(), "test hook RangeError");
  throw Napi::TypeError::New(info.Env(), "kind must be bad_alloc, runtime_error, int or range_error, got " + kind);
}

}  // namespace

Napi::Value TestThrowFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "__testThrow", [&]() -> Napi::Value {
    throw_kind(info);
    return info.Env().Undefined();
  });
}

Napi::Function TestThrowingWrap::DefineClass(Napi::Env env) { return ObjectWrap::DefineClass(env, "__TestThrowing", {}); }

TestThrowingWrap::TestThrowingWrap(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  guard_native_call(info.Env(), "new __TestThrowing", [&] { throw_kind(info); });
}

}  // namespace strom::napi
