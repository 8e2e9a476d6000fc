// keyed_aggregation_wrap.h: JS class KeyedAggregation over core::KeyedAggregation, and the
// managed memory account functions.
//
// Each instance keeps a strong reference to the managed memory view it charges, so the
// SharedArrayBuffer outlives the native account pointer. process()/emitFinal() write their
// outcome into a caller-provided Int32Array instead of allocating a result object per call.
#pragma once

#include <napi.h>

#include <memory>

#include "core/keyed_aggregation.h"

namespace strom::napi {

class KeyedAggregationWrap : public Napi::ObjectWrap<KeyedAggregationWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);

  /**
   * new KeyedAggregation({ descriptor: Int32Array, keyFields: Int32Array, kind, field,
   *   streaming, maxParallelism, managedMemory: Uint8Array, operatorName })
   */
  explicit KeyedAggregationWrap(const Napi::CallbackInfo& info);

 private:
  /** process(input, start, end, output, outStart, outEnd, result: Int32Array(5)): void */
  Napi::Value Process(const Napi::CallbackInfo& info);
  /** emitFinal(output, outStart, outEnd, result: Int32Array(5), maxRecords?: int >= 1): void */
  Napi::Value EmitFinal(const Napi::CallbackInfo& info);
  /** snapshot(keyGroupStart?, keyGroupEnd?): Uint8Array */
  Napi::Value Snapshot(const Napi::CallbackInfo& info);
  /** restore(bytes: Uint8Array): void */
  Napi::Value Restore(const Napi::CallbackInfo& info);
  /** stats(): { keys, memoryBytes, recordsIn } */
  Napi::Value Stats(const Napi::CallbackInfo& info);
  /** close(): frees the state and returns its managed memory now; later calls throw. */
  Napi::Value Close(const Napi::CallbackInfo& info);

  /** The live aggregation; throws a JS Error once closed. */
  core::KeyedAggregation& aggregation(Napi::Env env);

  std::unique_ptr<core::KeyedAggregation> aggregation_;
  Napi::ObjectReference managed_memory_view_;
};

/** formatManagedMemory(view: Uint8Array over a SharedArrayBuffer, budget: number): void */
Napi::Value FormatManagedMemoryFunction(const Napi::CallbackInfo& info);

/** Throws the JS error matching an AggregationError. */
[[noreturn]] void throw_aggregation_error(Napi::Env env, const core::AggregationError& error);

}  // namespace strom::napi
