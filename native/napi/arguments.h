// arguments.h: argument checks shared by the bindings.
//
// Wrong JS types throw TypeError, values out of range RangeError; each message names the
// argument and the value. Nothing here touches memory outside what V8 reports.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace strom::napi {

/** Data pointer and length of a Uint8Array over a SharedArrayBuffer, plus the array itself. */
struct SharedView {
  uint8_t* data = nullptr;
  size_t length = 0;
  Napi::Object array;
};

/** A JS number that must be an integer in [INT32_MIN, INT32_MAX]. */
int32_t int32_argument(const Napi::CallbackInfo& info, size_t index, const char* name);

/** An optional boolean argument (undefined -> `fallback`). */
bool boolean_argument(const Napi::CallbackInfo& info, size_t index, const char* name, bool fallback);

/** A required integer property of an options object, as int64 (safe integers only). */
int64_t integer_option(const Napi::Object& options, const char* name);

/** A plain object argument. */
Napi::Object object_argument(const Napi::CallbackInfo& info, size_t index, const char* name);

/** A Uint8Array over a SharedArrayBuffer (the only kind of memory that cannot be detached). */
SharedView shared_view_argument(const Napi::CallbackInfo& info, size_t index, const char* name);

/** Short description of a JS value for messages ("a string", "1.5", ...). */
std::string describe(const Napi::Value& value);

}  // namespace strom::napi
