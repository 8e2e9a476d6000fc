// size_class_arena.cc: the class table, free lists, and refusal bookkeeping.
#include "size_class_arena.h"

#include <algorithm>
#include <cstring>

namespace strom::core {

const std::vector<size_t>& SizeClassArena::sizes() {
  static const std::vector<size_t> table = [] {
    std::vector<size_t> t;
    for (size_t s = 8; s <= 256; s += 8) t.push_back(s);
    while (t.back() < kMaxBlock) {
      const size_t next = ((t.back() + t.back() / 4) + 7) & ~size_t{7};
      t.push_back(std::min(next, kMaxBlock));
    }
    return t;
  }();
  return table;
}

uint8_t SizeClassArena::class_of(size_t size) noexcept {
  if (size <= 256) return static_cast<uint8_t>(size == 0 ? 0 : (size - 1) / 8);
  const std::vector<size_t>& t = sizes();
  return static_cast<uint8_t>(std::lower_bound(t.begin(), t.end(), size) - t.begin());
}

SizeClassArena::SizeClassArena(ManagedMemoryAccount& account) : arena_(account), free_heads_(sizes().size(), 0) {}

uint32_t SizeClassArena::allocate(size_t size, uint8_t* size_class) {
  if (size > kMaxBlock) {
    bytes_needed_ = size;
    return 0;
  }
  const uint8_t c = class_of(size);
  *size_class = c;
  const uint32_t head = free_heads_[c];
  if (head != 0) {
    uint32_t next = 0;
    std::memcpy(&next, arena_.resolve(head), sizeof next);
    free_heads_[c] = next;
    bytes_free_ -= class_size(c);
    return head;
  }
  uint32_t ref = 0;
  if (arena_.allocate(class_size(c), 8, &ref) == nullptr) {
    bytes_needed_ = arena_.bytes_needed();
    return 0;
  }
  return ref;
}

void SizeClassArena::free(uint32_t ref, uint8_t size_class) noexcept {
  std::memcpy(arena_.resolve(ref), &free_heads_[size_class], sizeof(uint32_t));
  free_heads_[size_class] = ref;
  bytes_free_ += class_size(size_class);
}

}  // namespace strom::core
