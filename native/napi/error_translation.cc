// error_translation.cc: turns core exceptions into strom's JS error classes.
#include "error_translation.h"

#include "addon.h"

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
      plain.Set("code", "ERR_INSUFFICIENT_NETWORK_BUFFERS");
      plain.Set("required", Napi::Number::New(env, static_cast<double>(error.required())));
      plain.Set("available", Napi::Number::New(env, static_cast<double>(error.available())));
      throw plain;
    }
    case core::NetworkMemoryErrorKind::kState:
    default:
      throw Napi::Error::New(env, error.what());
  }
}

}  // namespace strom::napi
