// addon.cc: module entry of strom_native.node.
#include "addon.h"

#include "arguments.h"
#include "error_translation.h"
#include "key_group_functions.h"
#include "keyed_aggregation_wrap.h"
#include "keyed_state_store_wrap.h"
#include "network_buffer_pool_wrap.h"
#include "network_memory_functions.h"
#include "shared_constants.h"
#include "test_hooks.h"

namespace strom::napi {

StromAddon::StromAddon(Napi::Env env, Napi::Object exports) {
  guard_native_call(env, "loading strom_native", [&] {
    Napi::Function pool_class = NetworkBufferPoolWrap::DefineClass(env);
    network_buffer_pool_class_ = Napi::Persistent(pool_class);
    Napi::Function aggregation_class = KeyedAggregationWrap::DefineClass(env);
    keyed_aggregation_class_ = Napi::Persistent(aggregation_class);
    DefineAddon(exports,
                {
                    InstanceMethod("registerErrorClasses", &StromAddon::RegisterErrorClasses),
                    InstanceValue("NetworkBufferPool", pool_class, napi_enumerable),
                    InstanceValue("KeyedAggregation", aggregation_class, napi_enumerable),
                    InstanceValue("KeyedStateStore", KeyedStateStoreWrap::DefineClass(env), napi_enumerable),
                });
    exports.Set("formatManagedMemory", Napi::Function::New(env, FormatManagedMemoryFunction, "formatManagedMemory"));
    exports.Set("networkMemoryLayout", Napi::Function::New(env, NetworkMemoryLayoutFunction, "networkMemoryLayout"));
    exports.Set("formatNetworkMemory", Napi::Function::New(env, FormatNetworkMemoryFunction, "formatNetworkMemory"));
    exports.Set("layoutConstants", Napi::Function::New(env, LayoutConstantsFunction, "layoutConstants"));
    exports.Set("sharedConstants", Napi::Function::New(env, SharedConstantsFunction, "sharedConstants"));
    exports.Set("keyGroupsOfRecords", Napi::Function::New(env, KeyGroupsOfRecordsFunction, "keyGroupsOfRecords"));
    exports.Set("keyHashesOfRecords", Napi::Function::New(env, KeyHashesOfRecordsFunction, "keyHashesOfRecords"));
    // Test-only hooks (native/napi/test_hooks.h).
    exports.Set("__testThrow", Napi::Function::New(env, TestThrowFunction, "__testThrow"));
    exports.Set("__TestThrowing", TestThrowingWrap::DefineClass(env));
  });
}

Napi::Value StromAddon::RegisterErrorClasses(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "registerErrorClasses", [&] { return DoRegisterErrorClasses(info); });
}

Napi::Value StromAddon::DoRegisterErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Object classes = object_argument(info, 0, "classes");
  Napi::Value insufficient = classes.Get("InsufficientNetworkBuffersError");
  if (!insufficient.IsFunction()) {
    throw Napi::TypeError::New(info.Env(), "classes.InsufficientNetworkBuffersError must be a class, got " +
                                               describe(insufficient));
  }
  insufficient_buffers_error_ = Napi::Persistent(insufficient.As<Napi::Function>());
  const auto optional_class = [&](const char* name, Napi::FunctionReference& slot) {
    Napi::Value value = classes.Get(name);
    if (value.IsUndefined()) return;
    if (!value.IsFunction()) {
      throw Napi::TypeError::New(info.Env(), std::string("classes.") + name + " must be a class, got " + describe(value));
    }
    slot = Napi::Persistent(value.As<Napi::Function>());
  };
  optional_class("ManagedMemoryExceededError", managed_memory_error_);
  optional_class("CorruptRecordError", corrupt_record_error_);
  optional_class("NativeAddonError", native_addon_error_);
  return info.Env().Undefined();
}

}  // namespace strom::napi

// NODE_API_ADDON pastes its argument into identifiers, so it needs an unqualified name.
using strom::napi::StromAddon;
NODE_API_ADDON(StromAddon)
