// network_memory_format.h: one-time initialisation of a network memory region.
#pragma once

#include <cstddef>
#include <cstdint>

#include "network_memory_layout.h"

namespace strom::core {

/**
 * Writes the header, empties the pool table and the counters, and pushes every segment on the
 * free stack (segment 0 on top). Must run once, on one thread, before any pool attaches.
 * Throws NetworkMemoryError (kRange) when `length` is below layout.total_bytes or `base` is not
 * 8-byte aligned. MAGIC is stored last, with release.
 */
void format_network_memory(uint8_t* base, size_t length, const NetworkMemoryLayout& layout);

}  // namespace strom::core
