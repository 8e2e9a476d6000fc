// state_arena.h: a chunked bump allocator charged to a ManagedMemoryAccount.
//
// Owned by one keyed state table (one thread). Memory comes in chunks: each chunk's bytes are
// reserved from the account BEFORE the system allocator is asked for them, and given back when
// the arena is destroyed. Allocations bump a cursor in the current chunk; chunks never move, so
// pointers stay valid until the arena dies. Nothing is freed individually: an allocation its
// owner no longer needs is reported with abandon() and counted as wasted.
//
//  - Chunk size: kDefaultChunkSize (64 KiB) unless given, at most kMaxChunkSize.
//  - An allocation larger than a quarter of a chunk gets a chunk of its own, sized exactly
//    (plus alignment), so a big key or blob never wastes the rest of a shared chunk and the tail
//    abandoned when a chunk is full stays below a quarter chunk.
//  - Refusal is a result, not an exception: allocate() returns nullptr when the account refuses
//    the chunk (or the system allocator fails); bytes_needed() then says how many bytes the
//    refused chunk wanted.
//
// Compact references: an allocation aligned to 8 or more may also be named by a 32-bit ref
// (chunk index << 13 | offset / 8), which keyed_state_table.h stores in its slots instead of an
// 8-byte pointer. Ref 0 is never issued (chunk index 0 is a sentinel), so 0 can mean "none".
// At most kMaxChunks chunks (32 GiB of 64 KiB chunks) per arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "managed_memory.h"

namespace strom::core {

class StateArena {
 public:
  static constexpr size_t kDefaultChunkSize = 64 * 1024;
  static constexpr size_t kMaxChunkSize = 64 * 1024;  // refs hold offsets < 64 KiB
  static constexpr size_t kMinChunkSize = 64;
  static constexpr size_t kMaxAlign = 4096;
  static constexpr uint32_t kRefOffsetBits = 13;
  static constexpr size_t kMaxChunks = (size_t{1} << (32 - kRefOffsetBits)) - 1;

  /** Throws NetworkMemoryError (kRange) if chunk_size is outside [64, 64 KiB]. Reserves
   *  nothing until the first allocation. */
  explicit StateArena(ManagedMemoryAccount& account, size_t chunk_size = kDefaultChunkSize);
  ~StateArena();  // frees every chunk and releases its bytes to the account
  StateArena(const StateArena&) = delete;
  StateArena& operator=(const StateArena&) = delete;

  /**
   * `size` bytes aligned to `align` (a power of two <= kMaxAlign), or nullptr when memory was
   * refused. When `ref` is given, `align` must be >= 8 and *ref receives the allocation's ref.
   * size 0 returns a valid, unique-enough pointer (no bytes may be accessed).
   */
  uint8_t* allocate(size_t size, size_t align = 8, uint32_t* ref = nullptr) {
    const uintptr_t start = (cursor_ + (align - 1)) & ~(uintptr_t{align} - 1);
    if (cursor_ != 0 && start <= end_ && size <= end_ - start) {
      cursor_ = start + size;
      bytes_used_ += size;
      if (ref != nullptr) *ref = make_ref(current_chunk_, start - chunk_base_);
      return reinterpret_cast<uint8_t*>(start);
    }
    return allocate_slow(size, align, ref);
  }

  /** The address of the allocation named by `ref` (a ref returned by allocate, never 0). */
  uint8_t* resolve(uint32_t ref) const noexcept {
    return bases_[ref >> kRefOffsetBits] + (static_cast<size_t>(ref & ((1u << kRefOffsetBits) - 1)) << 3);
  }

  /** Counts `bytes` of an earlier allocation as wasted (the owner abandoned them). */
  void abandon(size_t bytes) noexcept { bytes_wasted_ += bytes; }

  /** Bytes reserved from the account (all chunks). */
  size_t bytes_reserved() const noexcept { return bytes_reserved_; }
  /** Bytes handed out by allocate(), abandoned ones included (alignment padding excluded). */
  size_t bytes_used() const noexcept { return bytes_used_; }
  /** Bytes reported by abandon(). */
  size_t bytes_wasted() const noexcept { return bytes_wasted_; }
  /** Bytes of the last reservation the account refused (0 if none yet). */
  size_t bytes_needed() const noexcept { return bytes_needed_; }
  size_t chunk_count() const noexcept { return bases_.size() - 1; }
  size_t chunk_size() const noexcept { return chunk_size_; }

 private:
  uint8_t* allocate_slow(size_t size, size_t align, uint32_t* ref);
  /** Reserves and allocates a chunk of `bytes`; nullptr if refused. Registers it in bases_. */
  uint8_t* new_chunk(size_t bytes);
  static uint32_t make_ref(size_t chunk, uintptr_t offset) noexcept {
    return static_cast<uint32_t>(chunk << kRefOffsetBits) | static_cast<uint32_t>(offset >> 3);
  }

  ManagedMemoryAccount& account_;
  size_t chunk_size_;
  std::vector<uint8_t*> bases_;       // bases_[0] = nullptr (sentinel), then every chunk
  std::vector<size_t> chunk_bytes_;   // reserved bytes per chunk, parallel to bases_
  uintptr_t cursor_ = 0;              // bump cursor in the current shared chunk (0 = none)
  uintptr_t end_ = 0;
  uintptr_t chunk_base_ = 0;
  size_t current_chunk_ = 0;
  size_t bytes_reserved_ = 0;
  size_t bytes_used_ = 0;
  size_t bytes_wasted_ = 0;
  size_t bytes_needed_ = 0;
};

}  // namespace strom::core
