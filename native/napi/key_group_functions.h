// key_group_functions.h: test hooks exposing native record parsing and key-group routing to JS,
// so tests can cross-check them against the TS serializers and src/io/key-group-assignment.ts.
#pragma once

#include <napi.h>

namespace strom::napi {

/**
 * keyGroupsOfRecords(descriptor: Int32Array, keyFields: Int32Array, frames: Uint8Array,
 * maxParallelism: number) -> Int32Array: the key group of every framed record in `frames`.
 * TypeError for wrong argument types or a GENERIC schema; RangeError for a malformed descriptor,
 * bad key fields or maxParallelism, and corrupt, cut or non-matching frames.
 */
Napi::Value KeyGroupsOfRecordsFunction(const Napi::CallbackInfo& info);

/** keyHashesOfRecords(descriptor, keyFields, frames) -> Int32Array: the Java key hash of every record. */
Napi::Value KeyHashesOfRecordsFunction(const Napi::CallbackInfo& info);

}  // namespace strom::napi
