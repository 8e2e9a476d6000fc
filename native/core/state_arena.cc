// state_arena.cc: chunk reservation, dedicated chunks for big allocations, release on destruction.
#include "state_arena.h"

#include <cstdlib>
#include <string>

#include "network_memory_error.h"

namespace strom::core {

StateArena::StateArena(ManagedMemoryAccount& account, size_t chunk_size) : account_(account), chunk_size_(chunk_size) {
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize) {
    throw_range("state arena chunk size must be in [64, 65536] bytes, got " + std::to_string(chunk_size));
  }
  bases_.push_back(nullptr);
  chunk_bytes_.push_back(0);
}

StateArena::~StateArena() {
  for (size_t i = 1; i < bases_.size(); ++i) std::free(bases_[i]);
  account_.release(static_cast<int64_t>(bytes_reserved_));
}

uint8_t* StateArena::new_chunk(size_t bytes) {
  if (bases_.size() > kMaxChunks) {  // refs would overflow: refuse like a full budget
    bytes_needed_ = bytes;
    return nullptr;
  }
  if (!account_.try_reserve(static_cast<int64_t>(bytes))) {
    bytes_needed_ = bytes;
    return nullptr;
  }
  void* data = std::malloc(bytes);  // aligned to max_align_t; allocate_slow pads for more
  if (data == nullptr) {
    account_.release(static_cast<int64_t>(bytes));
    bytes_needed_ = bytes;
    return nullptr;
  }
  bases_.push_back(static_cast<uint8_t*>(data));
  chunk_bytes_.push_back(bytes);
  bytes_reserved_ += bytes;
  return static_cast<uint8_t*>(data);
}

uint8_t* StateArena::allocate_slow(size_t size, size_t align, uint32_t* ref) {
  const size_t padding = align > alignof(std::max_align_t) ? align - 1 : 0;
  if (size > SIZE_MAX - padding) {
    bytes_needed_ = SIZE_MAX;
    return nullptr;
  }
  if (size + padding > chunk_size_ / 4) {
    // Its own chunk, sized exactly; the shared chunk keeps its cursor.
    const size_t bytes = size + padding;
    uint8_t* base = new_chunk(bytes);
    if (base == nullptr) return nullptr;
    const uintptr_t raw = reinterpret_cast<uintptr_t>(base);
    const uintptr_t start = (raw + (align - 1)) & ~(uintptr_t{align} - 1);
    bytes_used_ += size;
    if (ref != nullptr) *ref = make_ref(bases_.size() - 1, start - raw);
    return reinterpret_cast<uint8_t*>(start);
  }
  // A fresh shared chunk; the old one's tail (< size + align) is left unused.
  uint8_t* base = new_chunk(chunk_size_);
  if (base == nullptr) return nullptr;
  current_chunk_ = bases_.size() - 1;
  chunk_base_ = reinterpret_cast<uintptr_t>(base);
  cursor_ = chunk_base_;
  end_ = chunk_base_ + chunk_size_;
  return allocate(size, align, ref);  // fits: size + padding <= chunk / 4
}

}  // namespace strom::core
