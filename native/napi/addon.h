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
  /** Constructor of strom's ManagedMemoryExceededError(message, bytesNeeded), or empty. */
  const Napi::FunctionReference& managed_memory_error() const { return managed_memory_error_; }
  /** Constructor of strom's CorruptRecordError(message), or empty. */
  const Napi::FunctionReference& corrupt_record_error() const { return corrupt_record_error_; }
  /** Constructor of strom's NativeAddonError(message), or empty. */
  const Napi::FunctionReference& native_addon_error() const { return native_addon_error_; }

 private:
  /**
   * registerErrorClasses({ InsufficientNetworkBuffersError, ManagedMemoryExceededError,
   * CorruptRecordError, NativeAddonError }): called once by addon.ts.
   */
  Napi::Value RegisterErrorClasses(const Napi::CallbackInfo& info);
  Napi::Value DoRegisterErrorClasses(const Napi::CallbackInfo& info);

  Napi::FunctionReference insufficient_buffers_error_;
  Napi::FunctionReference managed_memory_error_;
  Napi::FunctionReference corrupt_record_error_;
  Napi::FunctionReference native_addon_error_;
  Napi::FunctionReference keyed_aggregation_class_;
  Napi::FunctionReference network_buffer_pool_class_;
};

}  // namespace strom::napi
