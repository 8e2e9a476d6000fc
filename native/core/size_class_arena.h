// size_class_arena.h: variable-size blocks with free and reuse, on a StateArena.
//
// The keyed byte map (keyed_byte_map.h) removes and rewrites entries of any size; StateArena
// alone never frees. This arena rounds every request up to a size class and keeps one free
// list per class: free() pushes the block, the next allocate() of that class pops it, so the
// memory of removed state is reused without going back to the account. Bytes reach the
// budget again only when the arena dies (Flink's heap backend likewise keeps its tables grown).
//
// Classes: 8, 16, .. 256 bytes (steps of 8), then about x1.25 per class (rounded to 8) up to
// kMaxBlock. A free block holds the ref of the next free block of its class in its first 4
// bytes. Blocks are named by StateArena refs (32-bit; 0 = none) and are 8-byte aligned.
// Refusal is a result: allocate() returns 0 and bytes_needed() says how much was wanted.
// One thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "managed_memory.h"
#include "state_arena.h"

namespace strom::core {

class SizeClassArena {
 public:
  /** Largest block (1 GiB): a bigger request is refused like an exhausted budget. */
  static constexpr size_t kMaxBlock = size_t{1} << 30;

  explicit SizeClassArena(ManagedMemoryAccount& account);

  /** The class of a block of at least `size` bytes (size <= kMaxBlock). */
  static uint8_t class_of(size_t size) noexcept;
  /** Bytes of a block of class `size_class`. */
  static size_t class_size(uint8_t size_class) noexcept { return sizes()[size_class]; }
  /** Number of classes. */
  static size_t class_count() noexcept { return sizes().size(); }

  /**
   * A block of class_size(class_of(size)) bytes, 8-byte aligned; its ref, or 0 when memory was
   * refused (nothing changed; bytes_needed() is set). *size_class receives the block's class.
   */
  uint32_t allocate(size_t size, uint8_t* size_class);
  /** Gives block `ref` of class `size_class` back for reuse. */
  void free(uint32_t ref, uint8_t size_class) noexcept;

  uint8_t* resolve(uint32_t ref) const noexcept { return arena_.resolve(ref); }
  /** Bytes reserved from the account. */
  size_t bytes_reserved() const noexcept { return arena_.bytes_reserved(); }
  /** Bytes in blocks on the free lists. */
  size_t bytes_free() const noexcept { return bytes_free_; }
  size_t bytes_needed() const noexcept { return bytes_needed_; }

 private:
  static const std::vector<size_t>& sizes();

  StateArena arena_;
  std::vector<uint32_t> free_heads_;
  size_t bytes_free_ = 0;
  size_t bytes_needed_ = 0;
};

}  // namespace strom::core
