// addon.cc: module entry of strom_native.node.
#include "addon.h"

#include "arguments.h"
#include "network_buffer_pool_wrap.h"
#include "network_memory_functions.h"

namespace strom::napi {

StromAddon::StromAddon(Napi::Env env, Napi::Object exports) {
  Napi::Function pool_class = NetworkBufferPoolWrap::DefineClass(env);
  network_buffer_pool_class_ = Napi::Persistent(pool_class);
  DefineAddon(exports,
              {
                  InstanceMethod("registerErrorClasses", &StromAddon::RegisterErrorClasses),
                  InstanceValue("NetworkBufferPool", pool_class, napi_enumerable),
              });
  exports.Set("networkMemoryLayout", Napi::Function::New(env, NetworkMemoryLayoutFunction, "networkMemoryLayout"));
  exports.Set("formatNetworkMemory", Napi::Function::New(env, FormatNetworkMemoryFunction, "formatNetworkMemory"));
  exports.Set("layoutConstants", Napi::Function::New(env, LayoutConstantsFunction, "layoutConstants"));
}

Napi::Value StromAddon::RegisterErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Object classes = object_argument(info, 0, "classes");
  Napi::Value insufficient = classes.Get("InsufficientNetworkBuffersError");
  if (!insufficient.IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "classes.InsufficientNetworkBuffersError must be a class, got " +
                                               describe(insufficient));
  }
  insufficient_buffers_error_ = Napi::Persistent(insufficient.As<Napi::Function>());
  return info.Env().Undefined();
}

}  // namespace strom::napi

// NODE_API_ADDON pastes its argument into identifiers, so it needs an unqualified name.
using strom::napi::StromAddon;
NODE_API_ADDON(StromAddon)
