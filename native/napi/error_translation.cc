// error_translation.cc: see error_translation.h.
#include "error_translation.h"

#include <exception>
#include <new>
#include <string>

#include "addon.h"
#include "core/keyed_aggregation.h"
#include "core/record_schema.h"
#include "keyed_aggregation_wrap.h"

namespace strom::napi {

void throw_js_error(Napi::Env env, const core::NetworkMemoryError& error) {
  switch (error.kind()) {
    case core::NetworkMemoryErrorKind::kType:
      throw Napi::TypeError::New(env, error.what());
    case core::NetworkMemoryErrorKind::kRange:
      throw Napi::RangeError::New(env, error.what());
    case core::NetworkMemoryErrorKind::kInsufficient: {
      StromAddon* addon = env.GetInstanceData<StromAddon>();
      if (addon != nullptr && !addon->insufficient_buffers_error().IsEmpty()) {
        Napi::Object instance = addon->insufficient_buffers_error().New(
            {Napi::String::New(env, error.what()), Napi::Number::New(env, static_cast<double>(error.required())),
             Napi::Number::New(env, static_cast<double>(error.available()))});
        throw Napi::Error(env, instance);
      }
      // Error classes not registered (addon used without src/native/addon.ts): same message, a
      // plain Error carrying the same code and fields.
      Napi::Error plain = Napi::Error::New(env, error.what());
      plain.Set("code", kInsufficientNetworkBuffersCode);
      plain.Set("required", Napi::Number::New(env, static_cast<double>(error.required())));
      plain.Set("available", Napi::Number::New(env, static_cast<double>(error.available())));
      throw plain;
    }
    case core::NetworkMemoryErrorKind::kState:
    default:
      throw Napi::Error::New(env, error.what());
  }
}

void throw_native_addon_error(Napi::Env env, const char* message) {
  StromAddon* addon = env.GetInstanceData<StromAddon>();
  if (addon != nullptr && !addon->native_addon_error().IsEmpty()) {
    throw Napi::Error(env, addon->native_addon_error().New({Napi::String::New(env, message)}));
  }
  Napi::Error plain = Napi::Error::New(env, message);
  plain.Set("code", kNativeAddonCode);
  throw plain;
}

namespace {

// Builds "<prefix><operation><suffix>"; when even that allocation fails (we may be out of
// memory), falls back to `fallback`, a literal.
[[noreturn]] void throw_composed(Napi::Env env, const char* prefix, const char* operation, const char* suffix,
                                 const char* fallback) {
  std::string message;
  try {
    message = std::string(prefix) + operation + suffix;
  } catch (...) {
    throw_native_addon_error(env, fallback);
  }
  throw_native_addon_error(env, message.c_str());
}

}  // namespace

void rethrow_as_js_error(Napi::Env env, const char* operation) {
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (const core::NetworkMemoryError& error) {
    throw_js_error(env, error);
  } catch (const core::AggregationError& error) {
    throw_aggregation_error(env, error);
  } catch (const core::SchemaError& error) {
    if (error.kind() == core::SchemaErrorKind::kUnsupported) throw Napi::TypeError::New(env, error.what());
    throw Napi::RangeError::New(env, error.what());
  } catch (const std::bad_alloc&) {
    throw_composed(env, "strom's native addon ran out of memory in ", operation,
                   " (std::bad_alloc). Give the process more memory or make the job need less: lower the "
                   "parallelism or the number of task slots, shrink the keyed state (fewer keys), or set a managed "
                   "memory budget that fits the machine's memory, so strom stops at the budget before the C++ heap "
                   "runs out.",
                   "strom's native addon ran out of memory (std::bad_alloc). Give the process more memory or "
                   "make the job need less (lower parallelism, fewer task slots, smaller keyed state).");
  } catch (const std::exception& error) {
    std::string message;
    try {
      message = std::string(operation) + " failed in strom's native addon: " + error.what();
    } catch (...) {
      throw_native_addon_error(env, error.what());
    }
    throw_native_addon_error(env, message.c_str());
  } catch (...) {
    throw_composed(env, "unknown native exception in ", operation, " (a C++ throw of a type strom does not know)",
                   "unknown native exception in strom's native addon");
  }
}

}  // namespace strom::napi
