// test_hooks.h: TEST-ONLY exports of strom_native, named with a leading "__" so nobody takes
// them for API. They exist so test/native/native-exceptions.test.ts can check, through the real
// addon, that every kind of C++ exception becomes a JS error instead of aborting the process.
#pragma once

#include <napi.h>

namespace strom::napi {

/**
 * __testThrow(kind: string): throws, inside guard_native_call, the C++ exception `kind` names:
 * "bad_alloc" (std::bad_alloc), "runtime_error" (std::runtime_error), "int" (a plain int),
 * "range_error" (a Napi::RangeError, which must pass through unchanged). TypeError for any
 * other kind.
 */
Napi::Value TestThrowFunction(const Napi::CallbackInfo& info);

/** Class __TestThrowing: `new __TestThrowing(kind)` throws like __testThrow from its constructor. */
class TestThrowingWrap : public Napi::ObjectWrap<TestThrowingWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit TestThrowingWrap(const Napi::CallbackInfo& info);
};

}  // namespace strom::napi
