// shared_constants.cc: the C++ constants TS mirrors outside network memory (see the header).
#include "shared_constants.h"

#include <cstdint>

#include "core/keyed_aggregation.h"
#include "core/managed_memory.h"
#include "error_translation.h"

namespace strom::napi {
namespace {

// Every value here fits a JS Number exactly (the largest is kMaxManagedMemoryBudget, 2^53 - 1).
void set(Napi::Object& group, const char* name, int64_t value) {
  group.Set(name, Napi::Number::New(group.Env(), static_cast<double>(value)));
}

}  // namespace

Napi::Value SharedConstantsFunction(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "sharedConstants", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object result = Napi::Object::New(env);

    Napi::Object mm = Napi::Object::New(env);
    namespace mw = core::managed_memory_word;
    set(mm, "MAGIC", core::kManagedMemoryMagic);
    set(mm, "VERSION", core::kManagedMemoryVersion);
    set(mm, "WORDS", core::kManagedMemoryWords);
    set(mm, "BYTES", core::kManagedMemoryBytes);
    set(mm, "MAX_BUDGET", core::kMaxManagedMemoryBudget);
    set(mm, "WORD.MAGIC", mw::kMagic);
    set(mm, "WORD.VERSION", mw::kVersion);
    set(mm, "WORD.BUDGET", mw::kBudget);
    set(mm, "WORD.USED", mw::kUsed);
    set(mm, "WORD.HIGH_WATER", mw::kHighWater);
    result.Set("MANAGED_MEMORY", mm);

    Napi::Object kinds = Napi::Object::New(env);
    using core::AggregationKind;
    set(kinds, "sum", static_cast<int32_t>(AggregationKind::kSum));
    set(kinds, "min", static_cast<int32_t>(AggregationKind::kMin));
    set(kinds, "max", static_cast<int32_t>(AggregationKind::kMax));
    set(kinds, "minBy", static_cast<int32_t>(AggregationKind::kMinBy));
    set(kinds, "maxBy", static_cast<int32_t>(AggregationKind::kMaxBy));
    set(kinds, "count", static_cast<int32_t>(AggregationKind::kCount));
    set(kinds, "avg", static_cast<int32_t>(AggregationKind::kAvg));
    result.Set("AGGREGATION_KIND", kinds);

    Napi::Object status = Napi::Object::New(env);
    using core::ProcessStatus;
    set(status, "DONE", static_cast<int32_t>(ProcessStatus::kDone));
    set(status, "OUTPUT_FULL", static_cast<int32_t>(ProcessStatus::kOutputFull));
    set(status, "INCOMPLETE", static_cast<int32_t>(ProcessStatus::kIncomplete));
    set(status, "YIELDED", static_cast<int32_t>(ProcessStatus::kYielded));
    set(status, "ELEMENT", static_cast<int32_t>(ProcessStatus::kElement));
    result.Set("PROCESS_STATUS", status);

    // Keyed by the src/errors.ts class whose code each plain-Error fallback carries.
    Napi::Object codes = Napi::Object::New(env);
    codes.Set("InsufficientNetworkBuffersError", kInsufficientNetworkBuffersCode);
    codes.Set("NativeAddonError", kNativeAddonCode);
    result.Set("ERROR_CODE", codes);

    return result;
  });
}

}  // namespace strom::napi
