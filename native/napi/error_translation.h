// error_translation.h: turns core exceptions into strom's JS error classes.
#pragma once

#include <napi.h>

#include "core/network_memory_error.h"

namespace strom::napi {

/** Throws (as a Napi::Error) the JS error matching `error`'s kind. */
[[noreturn]] void throw_js_error(Napi::Env env, const core::NetworkMemoryError& error);

/**
 * Runs `body`, translating core exceptions. Napi::Error passes through unchanged (it already
 * carries a JS error).
 */
template <typename Body>
auto translate_errors(Napi::Env env, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const core::NetworkMemoryError& error) {
    throw_js_error(env, error);
  }
}

}  // namespace strom::napi
