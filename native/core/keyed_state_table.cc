// keyed_state_table.cc: insertion, slot growth and blobs (snapshots: keyed_state_snapshot.cc).
#include "keyed_state_table.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "network_memory_error.h"

namespace strom::core {

namespace {
constexpr size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }
}  // namespace

KeyedStateTable::KeyedStateTable(ManagedMemoryAccount& account, uint32_t value_size, bool with_blobs)
    : account_(account), arena_(account), value_size_(value_size), with_blobs_(with_blobs) {
  if (value_size > kMaxValueSize) {
    throw_range("keyed state value size must be at most " + std::to_string(kMaxValueSize) + " bytes, got " +
                std::to_string(value_size));
  }
  blob_offset_ = kValueOffset + align8(value_size);
  key_offset_ = blob_offset_ + (with_blobs ? sizeof(uint8_t*) : 0);
}

KeyedStateTable::~KeyedStateTable() {
  std::free(slots_);
  account_.release(static_cast<int64_t>(capacity_ * sizeof(Slot)));
  // arena_ releases its chunks (entries, blobs, order pages).
}

uint8_t* KeyedStateTable::allocate(size_t size, size_t align, uint32_t* ref) {
  uint8_t* p = arena_.allocate(size, align, ref);
  if (p == nullptr) bytes_needed_ = arena_.bytes_needed();
  return p;
}

bool KeyedStateTable::grow() {
  const size_t new_capacity = capacity_ == 0 ? kMinCapacity : capacity_ * 2;
  const size_t new_bytes = new_capacity * sizeof(Slot);
  if (new_capacity > kMaxCapacity || !account_.try_reserve(static_cast<int64_t>(new_bytes))) {
    bytes_needed_ = new_bytes;
    return false;
  }
  Slot* fresh = static_cast<Slot*>(std::calloc(new_capacity, sizeof(Slot)));  // ref 0 = empty
  if (fresh == nullptr) {
    account_.release(static_cast<int64_t>(new_bytes));
    bytes_needed_ = new_bytes;
    return false;
  }
  uint32_t log2 = 0;
  while ((size_t{1} << log2) < new_capacity) ++log2;
  const uint32_t new_mask = static_cast<uint32_t>(new_capacity - 1);
  const uint32_t new_shift = 32 - log2;
  for (size_t i = 0; i < capacity_; ++i) {  // rehash from the stored hashes: no entry is touched
    const Slot s = slots_[i];
    if (s.ref == 0) continue;
    uint32_t j = (s.hash * 0x9E3779B9u) >> new_shift;
    while (fresh[j].ref != 0) j = (j + 1) & new_mask;
    fresh[j] = s;
  }
  std::free(slots_);
  account_.release(static_cast<int64_t>(capacity_ * sizeof(Slot)));
  slots_ = fresh;
  capacity_ = new_capacity;
  mask_ = new_mask;
  shift_ = new_shift;
  grow_at_ = new_capacity / 4 * 3;
  return true;
}

StateEntry* KeyedStateTable::insert_new(const uint8_t* key, uint32_t key_len, uint32_t hash, int32_t key_group,
                                        uint32_t slot) {
  // Every step that can be refused comes before the first change that matters: a refused step
  // leaves at most a bigger slot array or an unused order page behind.
  if (size_ >= grow_at_) {
    if (!grow()) return nullptr;
    uint32_t i = home_slot(hash);
    while (slots_[i].ref != 0) i = (i + 1) & mask_;
    slot = i;
  }
  if (size_ == order_pages_.size() * kOrderPageRefs) {
    uint8_t* page = allocate(kOrderPageRefs * sizeof(uint32_t), 8, nullptr);
    if (page == nullptr) return nullptr;
    order_pages_.push_back(reinterpret_cast<uint32_t*>(page));
  }
  uint32_t ref;
  uint8_t* entry = allocate(align8(key_offset_ + static_cast<size_t>(key_len)), 8, &ref);
  if (entry == nullptr) return nullptr;

  std::memcpy(entry, &key_len, 4);
  std::memcpy(entry + 4, &key_group, 4);
  std::memset(entry + kValueOffset, 0, key_offset_ - kValueOffset);  // value and blob pointer
  if (key_len != 0) std::memcpy(entry + key_offset_, key, key_len);
  slots_[slot] = Slot{hash, ref};
  order_pages_[size_ / kOrderPageRefs][size_ % kOrderPageRefs] = ref;
  ++size_;
  return reinterpret_cast<StateEntry*>(entry);
}

bool KeyedStateTable::set_blob(StateEntry* entry, const uint8_t* bytes_in, uint32_t len) {
  if (!with_blobs_) throw_state("set_blob on a keyed state table made without blobs");
  uint8_t* block = blob_block(entry);
  if (block != nullptr && load_u32(block) >= len) {
    if (len != 0) std::memmove(block + kBlobHeader, bytes_in, len);
    std::memcpy(block + 4, &len, 4);
    return true;
  }
  uint32_t capacity = len;
  if (block != nullptr) {  // growing: leave room so a creeping maximum does not waste O(n^2)
    const uint64_t grown = static_cast<uint64_t>(load_u32(block)) * 3 / 2;
    capacity = static_cast<uint32_t>(std::min<uint64_t>(std::max<uint64_t>(grown, len), UINT32_MAX));
  }
  uint8_t* fresh = allocate(kBlobHeader + static_cast<size_t>(capacity), 8, nullptr);
  if (fresh == nullptr) return false;
  std::memcpy(fresh, &capacity, 4);
  std::memcpy(fresh + 4, &len, 4);
  if (len != 0) std::memcpy(fresh + kBlobHeader, bytes_in, len);  // old block still intact: aliasing is fine
  if (block != nullptr) arena_.abandon(kBlobHeader + load_u32(block));
  std::memcpy(bytes(entry) + blob_offset_, &fresh, sizeof fresh);
  return true;
}

}  // namespace strom::core
