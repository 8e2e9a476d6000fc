// network_buffer_pool_wrap.h: JS class NetworkBufferPool over core::NetworkBufferPool.
//
// Each instance attaches to one network memory view and keeps a strong reference to it, so the
// SharedArrayBuffer outlives every native pointer into it. Arguments are re-checked here
// (TypeError / RangeError); "no segment available" comes back as a negative status, not a throw.
#pragma once

#include <napi.h>

#include <optional>

#include "core/network_buffer_pool.h"

namespace strom::napi {

class NetworkBufferPoolWrap : public Napi::ObjectWrap<NetworkBufferPoolWrap> {
 public:
  /** Defines the JS class for one environment; the caller keeps the constructor. */
  static Napi::Function DefineClass(Napi::Env env);

  /** new NetworkBufferPool(view: Uint8Array) */
  explicit NetworkBufferPoolWrap(const Napi::CallbackInfo& info);

 private:
  /** createLocalPool(numSubpartitions, exclusivePerSubpartition, maxFloating, maxPerSubpartition): number */
  Napi::Value CreateLocalPool(const Napi::CallbackInfo& info);
  /** destroyLocalPool(poolId, force = false): number (segments reclaimed) */
  Napi::Value DestroyLocalPool(const Napi::CallbackInfo& info);
  /** requestSegment(poolId, subpartition): number (index >= 0 or negative status) */
  Napi::Value RequestSegment(const Napi::CallbackInfo& info);
  /** recycleSegment(index): number (WAITERS) */
  Napi::Value RecycleSegment(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value LocalPoolStats(const Napi::CallbackInfo& info);

  core::NetworkBufferPool& pool();

  std::optional<core::NetworkBufferPool> pool_;
  Napi::ObjectReference view_;
};

}  // namespace strom::napi
