// network_memory_functions.h: the addon's free functions over network memory.
#pragma once

#include <napi.h>

namespace strom::napi {

/** networkMemoryLayout(options) -> { byteLength, segmentsOffset, ... } (pure). */
Napi::Value NetworkMemoryLayoutFunction(const Napi::CallbackInfo& info);

/** formatNetworkMemory(view, options) -> the same layout object; writes header and free stack. */
Napi::Value FormatNetworkMemoryFunction(const Napi::CallbackInfo& info);

/** layoutConstants() -> every named word index / code of network_memory_layout.h. */
Napi::Value LayoutConstantsFunction(const Napi::CallbackInfo& info);

}  // namespace strom::napi
