// error_translation.h: turns every C++ exception a binding lets escape into a JS error.
//
// Contract: every function, method and constructor strom_native exports runs its body inside
// guard_native_call(env, "<operation>", ...), so no exception reaches node-addon-api's callback
// wrapper, let alone std::terminate:
//   Napi::Error (already a JS error)      -> thrown unchanged
//   core::NetworkMemoryError, AggregationError, SchemaError
//                                         -> strom's error classes / TypeError / RangeError
//   std::bad_alloc                        -> NativeAddonError "ran out of memory in <operation>"
//   any other std::exception              -> NativeAddonError "<operation> failed: what()"
//   anything else (an int, ...)           -> NativeAddonError "unknown native exception in <operation>"
// NODE_ADDON_API_CPP_EXCEPTIONS_ALL (binding.gyp, CMakeLists.txt) is the backstop for a binding
// that forgets the guard: a plain Error instead of an abort. Finalizers are not covered by
// either; the wraps' destructors only free memory and must stay non-throwing.
#pragma once

#include <napi.h>

#include "core/network_memory_error.h"

namespace strom::napi {

/**
 * The `code` of the plain Errors thrown instead of strom's error classes when those were not
 * registered; each equals the code of the src/errors.ts class it stands in for (checked by
 * test/native/shared-constants-mirror.test.ts through sharedConstants().ERROR_CODE).
 */
inline constexpr const char* kInsufficientNetworkBuffersCode = "ERR_INSUFFICIENT_NETWORK_BUFFERS";
inline constexpr const char* kNativeAddonCode = "ERR_NATIVE_ADDON";

/** Throws (as a Napi::Error) the JS error matching `error`'s kind. */
[[noreturn]] void throw_js_error(Napi::Env env, const core::NetworkMemoryError& error);

/**
 * Throws strom's NativeAddonError(message) (code ERR_NATIVE_ADDON); a plain Error with that
 * code when the class was not registered.
 */
[[noreturn]] void throw_native_addon_error(Napi::Env env, const char* message);

/**
 * Call only inside a catch block: rethrows the exception being handled as the JS error of the
 * table in this header's comment, naming `operation` (e.g. "KeyedAggregation.snapshot").
 */
[[noreturn]] void rethrow_as_js_error(Napi::Env env, const char* operation);

/** Runs `body`; any exception it throws leaves as a Napi::Error (see rethrow_as_js_error). */
template <typename Body>
auto guard_native_call(Napi::Env env, const char* operation, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    rethrow_as_js_error(env, operation);
  }
}

}  // namespace strom::napi
