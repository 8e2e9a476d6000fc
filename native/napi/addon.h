// addon.h: per-environment (per-thread) state of strom's native addon.
//
// One StromAddon exists per Node environment (main thread and each worker), installed as the
// environment's instance data by Napi::Addon. It holds the JS classes native code needs; there
// are no mutable statics.
#pragma once

#include <napi.h>

namespace strom::napi {

class StromAddon : public Napi::Addon<StromAddon> {
 public:
  StromAddon(Napi::Env env, Napi::Object exports);

  /** Constructor of strom's InsufficientNetworkBuffersError, or empty before registration. */
  const Napi::FunctionReference& insufficient_buffers_error() const { return insufficient_buffers_error_; }

 private:
  /** registerErrorClasses({ InsufficientNetworkBuffersError }): called once by addon.ts. */
  Napi::Value RegisterErrorClasses(const Napi::CallbackInfo& info);

  Napi::FunctionReference insufficient_buffers_error_;
  Napi::FunctionReference network_buffer_pool_class_;
};

}  // namespace strom::napi
