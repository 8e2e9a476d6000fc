// keyed_byte_map.cc: probing, insertion, regrowth, map element links, backward-shift removal.
#include "keyed_byte_map.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "network_memory_error.h"

namespace strom::core {
namespace {

uint64_t mix(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

uint64_t hash_bytes(const uint8_t* p, uint32_t n, uint64_t h) noexcept {
  h ^= n * 0x9E3779B97F4A7C15ull;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n != 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 31;
  }
  return h;
}

}  // namespace

KeyedByteMap::KeyedByteMap(ManagedMemoryAccount& account) : account_(account), arena_(account) {}

KeyedByteMap::~KeyedByteMap() {
  std::free(slots_);
  account_.release(static_cast<int64_t>(capacity_ * sizeof(Slot)));
}

uint32_t KeyedByteMap::hash_of(const EntryName& n) noexcept {
  uint64_t h = (uint64_t{n.state_id} << 8) | static_cast<uint8_t>(n.kind);
  h = hash_bytes(n.key, n.key_len, h);
  if (n.ns_len != 0) h = hash_bytes(n.ns, n.ns_len, h);
  if (n.kind == EntryKind::kMapElement) h = hash_bytes(n.user_key, n.user_key_len, h ^ 0x5bd1e995);
  return static_cast<uint32_t>(mix(h));
}

void KeyedByteMap::check_name(const EntryName& n) const {
  if (n.key_len > kMaxKeyLength) {
    throw_range("a keyed state key is " + std::to_string(n.key_len) + " bytes serialized; at most " +
                std::to_string(kMaxKeyLength) + " are supported");
  }
  if (n.ns_len > kMaxNamespaceLength) {
    throw_range("a keyed state namespace is " + std::to_string(n.ns_len) + " bytes serialized; at most " +
                std::to_string(kMaxNamespaceLength) + " are supported");
  }
}

size_t KeyedByteMap::value_offset(const uint8_t* e) noexcept {
  const uint32_t lengths = load_u32(e + 4);
  size_t offset = header_size(static_cast<EntryKind>(e[3])) + (lengths & kMaxKeyLength) + (lengths >> 24);
  if (static_cast<EntryKind>(e[3]) == EntryKind::kMapElement) offset += load_u32(e + 16);
  return offset;
}

size_t KeyedByteMap::value_capacity(const uint8_t* e) const noexcept {
  return SizeClassArena::class_size(e[2]) - value_offset(e);
}

bool KeyedByteMap::matches(const uint8_t* e, const EntryName& n) const noexcept {
  uint16_t state_id;
  std::memcpy(&state_id, e, 2);
  if (state_id != n.state_id || e[3] != static_cast<uint8_t>(n.kind)) return false;
  if (load_u32(e + 4) != (n.key_len | (n.ns_len << 24))) return false;
  const size_t header = header_size(n.kind);
  if (n.kind == EntryKind::kMapElement && load_u32(e + 16) != n.user_key_len) return false;
  const uint8_t* p = e + header;
  if (n.key_len != 0 && std::memcmp(p, n.key, n.key_len) != 0) return false;
  p += n.key_len;
  if (n.ns_len != 0 && std::memcmp(p, n.ns, n.ns_len) != 0) return false;
  p += n.ns_len;
  return n.kind != EntryKind::kMapElement || n.user_key_len == 0 || std::memcmp(p, n.user_key, n.user_key_len) == 0;
}

EntryName KeyedByteMap::name_of(const uint8_t* e) const noexcept {
  EntryName n;
  std::memcpy(&n.state_id, e, 2);
  n.kind = static_cast<EntryKind>(e[3]);
  const uint32_t lengths = load_u32(e + 4);
  n.key_len = lengths & kMaxKeyLength;
  n.ns_len = lengths >> 24;
  n.key = e + header_size(n.kind);
  n.ns = n.key + n.key_len;
  if (n.kind == EntryKind::kMapElement) {
    n.user_key = n.ns + n.ns_len;
    n.user_key_len = load_u32(e + 16);
  }
  return n;
}

EntryInfo KeyedByteMap::info(const uint8_t* e) const noexcept {
  const EntryName n = name_of(e);
  int32_t key_group;
  std::memcpy(&key_group, e + 8, 4);
  return EntryInfo{n.state_id, n.kind,       key_group,      n.key,                  n.key_len, n.ns,
                   n.ns_len,   n.user_key,   n.user_key_len, e + value_offset(e), load_u32(e + 12)};
}

size_t KeyedByteMap::probe(const EntryName& name, uint32_t hash, bool* found) const {
  size_t i = home_slot(hash);
  const size_t mask = capacity_ - 1;
  for (;;) {
    const Slot s = slots_[i];
    if (s.ref == 0) {
      *found = false;
      return i;
    }
    if (s.hash == hash && matches(arena_.resolve(s.ref), name)) {
      *found = true;
      return i;
    }
    i = (i + 1) & mask;
  }
}

uint8_t* KeyedByteMap::find(const EntryName& name, uint32_t* len) const {
  if (size_ == 0 || name.key_len > kMaxKeyLength || name.ns_len > kMaxNamespaceLength) return nullptr;
  bool found = false;
  const size_t slot = probe(name, hash_of(name), &found);
  if (!found) return nullptr;
  uint8_t* e = arena_.resolve(slots_[slot].ref);
  *len = load_u32(e + 12);
  return e + value_offset(e);
}

bool KeyedByteMap::reserve_one() {
  if (capacity_ != 0 && (size_ + 1) * 4 <= capacity_ * 3) return true;
  const size_t next = capacity_ == 0 ? kMinCapacity : capacity_ * 2;
  const size_t bytes = next * sizeof(Slot);
  if (next > (size_t{1} << 31) || !account_.try_reserve(static_cast<int64_t>(bytes))) {
    bytes_needed_ = bytes;
    return false;
  }
  Slot* fresh = static_cast<Slot*>(std::calloc(next, sizeof(Slot)));
  if (fresh == nullptr) {
    account_.release(static_cast<int64_t>(bytes));
    bytes_needed_ = bytes;
    return false;
  }
  uint32_t shift = 32;
  for (size_t c = next; c > 1; c >>= 1) --shift;
  const size_t mask = next - 1;
  for (size_t i = 0; i < capacity_; ++i) {
    const Slot s = slots_[i];
    if (s.ref == 0) continue;
    size_t j = (s.hash * 0x9E3779B9u) >> shift;
    while (fresh[j].ref != 0) j = (j + 1) & mask;
    fresh[j] = s;
  }
  std::free(slots_);
  account_.release(static_cast<int64_t>(capacity_ * sizeof(Slot)));
  slots_ = fresh;
  capacity_ = next;
  shift_ = shift;
  return true;
}

uint32_t KeyedByteMap::new_entry(const EntryName& n, int32_t key_group, size_t value_capacity, uint8_t** out) {
  const size_t names = size_t{n.key_len} + n.ns_len + (n.kind == EntryKind::kMapElement ? n.user_key_len : 0);
  uint8_t size_class = 0;
  const uint32_t ref = arena_.allocate(header_size(n.kind) + names + value_capacity, &size_class);
  if (ref == 0) {
    bytes_needed_ = arena_.bytes_needed();
    return 0;
  }
  uint8_t* e = arena_.resolve(ref);
  std::memset(e, 0, header_size(n.kind));
  std::memcpy(e, &n.state_id, 2);
  e[2] = size_class;
  e[3] = static_cast<uint8_t>(n.kind);
  store_u32(e + 4, n.key_len | (n.ns_len << 24));
  std::memcpy(e + 8, &key_group, 4);
  uint8_t* p = e + header_size(n.kind);
  if (n.key_len != 0) std::memcpy(p, n.key, n.key_len);
  p += n.key_len;
  if (n.ns_len != 0) std::memcpy(p, n.ns, n.ns_len);
  p += n.ns_len;
  if (n.kind == EntryKind::kMapElement) {
    store_u32(e + 16, n.user_key_len);
    if (n.user_key_len != 0) std::memcpy(p, n.user_key, n.user_key_len);
  }
  *out = e;
  return ref;
}

void KeyedByteMap::free_entry(uint32_t ref) { arena_.free(ref, arena_.resolve(ref)[2]); }

uint8_t* KeyedByteMap::regrow(size_t slot, size_t capacity) {
  const uint32_t old_ref = slots_[slot].ref;
  const uint8_t* old = arena_.resolve(old_ref);
  const size_t used = value_offset(old) + load_u32(old + 12);
  uint8_t size_class = 0;
  const uint32_t ref = arena_.allocate(value_offset(old) + capacity, &size_class);
  if (ref == 0) {
    bytes_needed_ = arena_.bytes_needed();
    return nullptr;
  }
  uint8_t* e = arena_.resolve(ref);
  std::memcpy(e, old, used);
  e[2] = size_class;
  if (static_cast<EntryKind>(e[3]) == EntryKind::kMapElement) relink_element(e, ref);
  slots_[slot].ref = ref;
  free_entry(old_ref);
  return e;
}

void KeyedByteMap::relink_element(const uint8_t* e, uint32_t new_ref) {
  const uint32_t prev = load_u32(e + kPrevOffset);
  const uint32_t next = load_u32(e + kNextOffset);
  if (next != 0) store_u32(arena_.resolve(next) + kPrevOffset, new_ref);
  if (prev != 0) {
    store_u32(arena_.resolve(prev) + kNextOffset, new_ref);
    return;
  }
  EntryName head = name_of(e);
  head.kind = EntryKind::kMapHead;
  uint32_t len = 0;
  uint8_t* h = find(head, &len);
  if (h != nullptr) store_u32(h, new_ref);
}

bool KeyedByteMap::link_element(uint32_t ref, uint8_t* e, const EntryName& name, int32_t key_group) {
  EntryName head = name;
  head.kind = EntryKind::kMapHead;
  head.user_key = nullptr;
  head.user_key_len = 0;
  uint32_t len = 0;
  uint8_t* h = find(head, &len);
  if (h == nullptr) {
    if (!reserve_one()) return false;
    uint8_t* he = nullptr;
    const uint32_t href = new_entry(head, key_group, 8, &he);
    if (href == 0) return false;
    store_u32(he + 12, 8);
    h = he + value_offset(he);
    store_u32(h, 0);
    store_u32(h + 4, 0);
    bool found = false;
    const uint32_t hash = hash_of(head);
    const size_t slot = probe(head, hash, &found);
    slots_[slot] = {hash, href};
    ++size_;
  }
  const uint32_t first = load_u32(h);
  store_u32(e + kPrevOffset, 0);
  store_u32(e + kNextOffset, first);
  if (first != 0) store_u32(arena_.resolve(first) + kPrevOffset, ref);
  store_u32(h, ref);
  store_u32(h + 4, load_u32(h + 4) + 1);
  return true;
}

void KeyedByteMap::unlink_element(const uint8_t* e) {
  const uint32_t prev = load_u32(e + kPrevOffset);
  const uint32_t next = load_u32(e + kNextOffset);
  if (next != 0) store_u32(arena_.resolve(next) + kPrevOffset, prev);
  if (prev != 0) store_u32(arena_.resolve(prev) + kNextOffset, next);
  EntryName head = name_of(e);
  head.kind = EntryKind::kMapHead;
  head.user_key = nullptr;
  head.user_key_len = 0;
  bool found = false;
  const size_t slot = probe(head, hash_of(head), &found);
  if (!found) return;
  uint8_t* he = arena_.resolve(slots_[slot].ref);
  uint8_t* h = he + value_offset(he);
  if (prev == 0) store_u32(h, next);
  const uint32_t count = load_u32(h + 4) - 1;
  store_u32(h + 4, count);
  if (count == 0) {
    const uint32_t href = slots_[slot].ref;
    erase_slot(slot);
    free_entry(href);
  }
}

bool KeyedByteMap::put(const EntryName& name, int32_t key_group, const uint8_t* value, uint32_t len, uint8_t** stored) {
  check_name(name);
  if (name.kind == EntryKind::kMapHead) throw_state("KeyedByteMap::put: a map head is written through its elements");
  if (size_ != 0) {
    bool found = false;
    const size_t slot = probe(name, hash_of(name), &found);
    if (found) {
      uint8_t* e = arena_.resolve(slots_[slot].ref);
      if (len > value_capacity(e)) {
        e = regrow(slot, len);
        if (e == nullptr) return false;
      }
      if (len != 0) std::memcpy(e + value_offset(e), value, len);
      store_u32(e + 12, len);
      if (stored != nullptr) *stored = e + value_offset(e);
      return true;
    }
  }
  // New: room in the slots first (the element's head may take one more), then the block.
  if (!reserve_one()) return false;
  if (name.kind == EntryKind::kMapElement && (size_ + 2) * 4 > capacity_ * 3) {
    ++size_;  // make reserve_one() count the head too
    const bool ok = reserve_one();
    --size_;
    if (!ok) return false;
  }
  uint8_t* e = nullptr;
  const uint32_t ref = new_entry(name, key_group, len, &e);
  if (ref == 0) return false;
  if (len != 0) std::memcpy(e + value_offset(e), value, len);
  store_u32(e + 12, len);
  if (name.kind == EntryKind::kMapElement && !link_element(ref, e, name, key_group)) {
    free_entry(ref);
    return false;
  }
  bool found = false;
  const uint32_t hash = hash_of(name);
  const size_t slot = probe(name, hash, &found);
  slots_[slot] = {hash, ref};
  ++size_;
  if (stored != nullptr) *stored = e + value_offset(e);
  return true;
}

bool KeyedByteMap::append(const EntryName& name, int32_t key_group, const uint8_t* bytes, uint32_t len) {
  check_name(name);
  if (name.kind != EntryKind::kValue) throw_state("KeyedByteMap::append: only values can be appended to");
  if (size_ != 0) {
    bool found = false;
    const size_t slot = probe(name, hash_of(name), &found);
    if (found) {
      uint8_t* e = arena_.resolve(slots_[slot].ref);
      const uint32_t old_len = load_u32(e + 12);
      if (size_t{old_len} + len > UINT32_MAX) throw_range("a keyed state value would pass 4 GiB");
      if (old_len + len > value_capacity(e)) {
        e = regrow(slot, size_t{old_len} + len + old_len / 2);
        if (e == nullptr) return false;
      }
      if (len != 0) std::memcpy(e + value_offset(e) + old_len, bytes, len);
      store_u32(e + 12, old_len + len);
      return true;
    }
  }
  return put(name, key_group, bytes, len);
}

void KeyedByteMap::erase_slot(size_t slot) {
  const size_t mask = capacity_ - 1;
  size_t hole = slot;
  size_t j = slot;
  for (;;) {
    j = (j + 1) & mask;
    const Slot s = slots_[j];
    if (s.ref == 0) break;
    const size_t home = home_slot(s.hash);
    // Move s into the hole unless its home lies cyclically in (hole, j].
    const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!stays) {
      slots_[hole] = s;
      hole = j;
    }
  }
  slots_[hole] = {0, 0};
  --size_;
}

bool KeyedByteMap::remove(const EntryName& name) {
  if (size_ == 0 || name.key_len > kMaxKeyLength || name.ns_len > kMaxNamespaceLength) return false;
  bool found = false;
  size_t slot = probe(name, hash_of(name), &found);
  if (!found) return false;
  const uint32_t ref = slots_[slot].ref;
  uint8_t* e = arena_.resolve(ref);
  if (name.kind == EntryKind::kMapHead) {
    // Remove every element, then the head (its slot may have moved meanwhile).
    uint32_t element = load_u32(e + value_offset(e));
    while (element != 0) {
      const uint8_t* el = arena_.resolve(element);
      const uint32_t next = load_u32(el + kNextOffset);
      const EntryName en = name_of(el);
      bool present = false;
      const size_t es = probe(en, hash_of(en), &present);
      if (present) erase_slot(es);
      free_entry(element);
      element = next;
    }
    slot = probe(name, hash_of(name), &found);
    erase_slot(slot);
    free_entry(ref);
    return true;
  }
  erase_slot(slot);
  if (name.kind == EntryKind::kMapElement) unlink_element(e);
  free_entry(ref);
  return true;
}

uint32_t KeyedByteMap::map_size(const EntryName& head) const {
  uint32_t len = 0;
  const uint8_t* h = find(head, &len);
  return h == nullptr ? 0 : load_u32(h + 4);
}

}  // namespace strom::core
