// network_buffer_pool_wrap.cc: JS class NetworkBufferPool over core::NetworkBufferPool.
#include "network_buffer_pool_wrap.h"

#include "arguments.h"
#include "error_translation.h"

namespace strom::napi {

Napi::Function NetworkBufferPoolWrap::DefineClass(Napi::Env env) {
  return ObjectWrap::DefineClass(
      env, "NetworkBufferPool",
      {
          InstanceMethod<&NetworkBufferPoolWrap::CreateLocalPool>("createLocalPool"),
          InstanceMethod<&NetworkBufferPoolWrap::DestroyLocalPool>("destroyLocalPool"),
          InstanceMethod<&NetworkBufferPoolWrap::RequestSegment>("requestSegment"),
          InstanceMethod<&NetworkBufferPoolWrap::RecycleSegment>("recycleSegment"),
          InstanceMethod<&NetworkBufferPoolWrap::Stats>("stats"),
          InstanceMethod<&NetworkBufferPoolWrap::LocalPoolStats>("localPoolStats"),
      });
}

NetworkBufferPoolWrap::NetworkBufferPoolWrap(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  guard_native_call(info.Env(), "new NetworkBufferPool", [&] {
    const SharedView view = shared_view_argument(info, 0, "view");
    pool_.emplace(core::NetworkBufferPool::attach(view.data, view.length));
    view_ = Napi::Persistent(view.array);
  });
}

core::NetworkBufferPool& NetworkBufferPoolWrap::pool() {
  // ObjectWrap only runs methods on constructed instances, and a failed constructor throws
  // before any method can be called, so pool_ is always set here.
  return *pool_;
}

Napi::Value NetworkBufferPoolWrap::CreateLocalPool(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.createLocalPool", [&]() -> Napi::Value {
    core::LocalPoolConfig config;
    config.num_subpartitions = int32_argument(info, 0, "numSubpartitions");
    config.exclusive_per_subpartition = int32_argument(info, 1, "exclusivePerSubpartition");
    config.max_floating = int32_argument(info, 2, "maxFloating");
    config.max_per_subpartition = int32_argument(info, 3, "maxPerSubpartition");
    const int32_t id = pool().create_local_pool(config);
    return Napi::Number::New(info.Env(), id);
  });
}

Napi::Value NetworkBufferPoolWrap::DestroyLocalPool(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.destroyLocalPool", [&]() -> Napi::Value {
    const int32_t pool_id = int32_argument(info, 0, "poolId");
    const bool force = boolean_argument(info, 1, "force", false);
    const int32_t reclaimed = pool().destroy_local_pool(pool_id, force);
    return Napi::Number::New(info.Env(), reclaimed);
  });
}

Napi::Value NetworkBufferPoolWrap::RequestSegment(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.requestSegment", [&]() -> Napi::Value {
    const int32_t pool_id = int32_argument(info, 0, "poolId");
    const int32_t subpartition = int32_argument(info, 1, "subpartition");
    const int32_t result = pool().request_segment(pool_id, subpartition);
    return Napi::Number::New(info.Env(), result);
  });
}

Napi::Value NetworkBufferPoolWrap::RecycleSegment(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.recycleSegment", [&]() -> Napi::Value {
    const int32_t segment = int32_argument(info, 0, "index");
    const int32_t waiters = pool().recycle_segment(segment);
    return Napi::Number::New(info.Env(), waiters);
  });
}

Napi::Value NetworkBufferPoolWrap::Stats(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.stats", [&]() -> Napi::Value {
    const core::NetworkPoolStats stats = pool().stats();
    Napi::Object result = Napi::Object::New(info.Env());
    result.Set("totalSegments", stats.total_segments);
    result.Set("availableSegments", stats.available_segments);
    result.Set("usedSegments", stats.used_segments);
    result.Set("highWaterUsed", stats.high_water_used);
    result.Set("reservedMinimum", stats.reserved_minimum);
    result.Set("numLocalPools", stats.num_local_pools);
    result.Set("segmentSize", stats.segment_size);
    result.Set("segmentsOffset", stats.segments_offset);
    return result;
  });
}

Napi::Value NetworkBufferPoolWrap::LocalPoolStats(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "NetworkBufferPool.localPoolStats", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const int32_t pool_id = int32_argument(info, 0, "poolId");
    const core::LocalPoolStats stats = pool().local_pool_stats(pool_id);
    Napi::Object result = Napi::Object::New(env);
    result.Set("numSubpartitions", stats.num_subpartitions);
    result.Set("exclusivePerSubpartition", stats.exclusive_per_subpartition);
    result.Set("maxFloating", stats.max_floating);
    result.Set("maxPerSubpartition", stats.max_per_subpartition);
    result.Set("minSegments", Napi::Number::New(env, static_cast<double>(stats.min_segments)));
    result.Set("maxSegments", Napi::Number::New(env, static_cast<double>(stats.max_segments)));
    result.Set("floatingSize", stats.floating_size);
    result.Set("floatingInUse", stats.floating_in_use);
    result.Set("held", stats.held);
    result.Set("highWaterHeld", stats.high_water_held);
    result.Set("requestsGranted", stats.requests_granted);
    result.Set("requestsDenied", stats.requests_denied);
    Napi::Array per_subpartition = Napi::Array::New(env, stats.held_per_subpartition.size());
    for (size_t i = 0; i < stats.held_per_subpartition.size(); ++i) {
      per_subpartition.Set(static_cast<uint32_t>(i), stats.held_per_subpartition[i]);
    }
    result.Set("heldPerSubpartition", per_subpartition);
    return result;
  });
}

}  // namespace strom::napi
