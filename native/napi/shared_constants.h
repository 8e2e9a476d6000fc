// shared_constants.h: the C++ constants TS mirrors outside network memory, for the mirror tests.
#pragma once

#include <napi.h>

namespace strom::napi {

/**
 * sharedConstants() -> { MANAGED_MEMORY, AGGREGATION_KIND, PROCESS_STATUS, ERROR_CODE }: every
 * named word index and code of native/core/managed_memory.h, the AggregationKind and
 * ProcessStatus codes of native/core/keyed_aggregation.h, and the `code` strings of the plain
 * Errors error_translation.h throws when strom's error classes are not registered (keyed by the
 * class each stands in for), one object per group (pure; read by
 * test/native/shared-constants-mirror.test.ts).
 */
Napi::Value SharedConstantsFunction(const Napi::CallbackInfo& info);

}  // namespace strom::napi
