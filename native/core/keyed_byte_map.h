// keyed_byte_map.h: the keyed state of one keyed operator instance, as bytes in managed memory.
//
// The store of the native keyed state backend (src/state/native-keyed-state-backend.ts). Every
// entry is named by (state id, key bytes, namespace bytes) and holds the key's key group and a
// value of any length; MAP state adds a user key per element. One thread; not thread-safe.
//
// Entry kinds
//   kValue       VALUE, LIST, REDUCING and AGGREGATING state: one value per (state, key, ns).
//                LIST values are the elements' encodings one after another; append() adds at
//                the end in place while the block has room (blocks grow by half on overflow).
//   kMapElement  one (user key -> value) of a MAP state: found in O(1) by its full name.
//   kMapHead     one per non-empty map of (state, key, ns): the first element and the count.
//                The elements of one map form a doubly linked list through their headers, so
//                iterating a map costs its size and removing an element is O(1). An empty map
//                has no head (Flink: an empty MapState is absent).
//
// Layout
//   slots  open addressing, linear probing, power-of-two capacity grown by doubling before the
//          load passes 3/4, backward-shift deletion (no tombstones). A slot is {uint32 hash,
//          uint32 block ref}; ref 0 = empty. Charged to the account; growth reserves the new
//          array before freeing the old one. => 10.7 .. 21.3 bytes per entry.
//   entry  a SizeClassArena block (free lists: removed entries' memory is reused):
//            +0  uint16 state id   +2 uint8 size class   +3 uint8 kind
//            +4  uint32 key length (low 24 bits) | namespace length << 24
//            +8  int32 key group   +12 uint32 value length
//            kMapElement only: +16 uint32 user key length, +20 prev ref, +24 next ref, +28 0
//            then key bytes, namespace bytes, user key bytes, value bytes (up to the block end)
//          => a VALUE of 8 bytes under an 8-byte key: one 32-byte block, key + 24 + slots.
//
// Limits: keys < 16 MiB, namespaces < 256 bytes (windows: 16), entries <= 1 GiB, state ids <
// 65536: beyond them put() throws NetworkMemoryError (kRange) naming the limit.
// Memory: every byte is charged to the ManagedMemoryAccount before it is allocated. When the
// account refuses, put/append return false: nothing changed, the map is consistent and usable,
// and bytes_needed() is the refused reservation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "managed_memory.h"
#include "size_class_arena.h"

namespace strom::core {

enum class EntryKind : uint8_t { kValue = 0, kMapHead = 1, kMapElement = 2 };

/** What names an entry. The pointers are read during the call only. */
struct EntryName {
  uint16_t state_id = 0;
  EntryKind kind = EntryKind::kValue;
  const uint8_t* key = nullptr;
  uint32_t key_len = 0;
  const uint8_t* ns = nullptr;
  uint32_t ns_len = 0;
  const uint8_t* user_key = nullptr;  // kMapElement only
  uint32_t user_key_len = 0;
};

/** One entry as iteration shows it; the pointers are valid until the map changes. */
struct EntryInfo {
  uint16_t state_id;
  EntryKind kind;
  int32_t key_group;
  const uint8_t* key;
  uint32_t key_len;
  const uint8_t* ns;
  uint32_t ns_len;
  const uint8_t* user_key;
  uint32_t user_key_len;
  const uint8_t* value;
  uint32_t value_len;
};

class KeyedByteMap {
 public:
  static constexpr uint32_t kMaxKeyLength = (1u << 24) - 1;
  static constexpr uint32_t kMaxNamespaceLength = 255;

  explicit KeyedByteMap(ManagedMemoryAccount& account);
  ~KeyedByteMap();
  KeyedByteMap(const KeyedByteMap&) = delete;
  KeyedByteMap& operator=(const KeyedByteMap&) = delete;

  /** The value of `name` (*len its length), or nullptr. The bytes may be overwritten in place
   *  (same length) until the map changes. A kMapHead name gives {uint32 first, uint32 count}. */
  uint8_t* find(const EntryName& name, uint32_t* len) const;

  /** Sets the value of `name` (kValue or kMapElement) to `len` bytes; inserts with `key_group`
   *  when absent. False when memory was refused (nothing changed). `stored`, when given, receives
   *  the stored value's address (as find() would give it, without looking it up again). */
  bool put(const EntryName& name, int32_t key_group, const uint8_t* value, uint32_t len, uint8_t** stored = nullptr);

  /** Appends `len` bytes to the value of `name` (kValue), inserting when absent. False when
   *  memory was refused (nothing changed). */
  bool append(const EntryName& name, int32_t key_group, const uint8_t* bytes, uint32_t len);

  /** Removes `name`: a kMapHead name removes the whole map. False when it was absent. */
  bool remove(const EntryName& name);

  /** Elements of the map of (state, key, ns) (`head` is its kMapHead name). */
  uint32_t map_size(const EntryName& head) const;

  /** Calls fn(const EntryInfo&) for every element of one map, in list order. The map must not
   *  change during the walk. */
  template <typename Fn>
  void for_each_map_element(const EntryName& head, Fn&& fn) const {
    uint32_t len = 0;
    const uint8_t* h = find(head, &len);
    if (h == nullptr) return;
    uint32_t ref = load_u32(h);
    while (ref != 0) {
      const uint8_t* e = arena_.resolve(ref);
      fn(info(e));
      ref = load_u32(e + kNextOffset);
    }
  }

  /** Calls fn(const EntryInfo&) for every entry (heads included), in slot order. The map must
   *  not change during the walk. */
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      if (slots_[i].ref != 0) fn(info(arena_.resolve(slots_[i].ref)));
    }
  }

  /** Entries (heads included). */
  size_t size() const noexcept { return size_; }
  size_t capacity() const noexcept { return capacity_; }
  /** Bytes charged to the account: slot array + arena. */
  size_t memory_bytes() const noexcept { return capacity_ * sizeof(Slot) + arena_.bytes_reserved(); }
  /** Bytes on the arena's free lists (reused before new memory is reserved). */
  size_t bytes_free() const noexcept { return arena_.bytes_free(); }
  size_t bytes_needed() const noexcept { return bytes_needed_; }

 private:
  struct Slot {
    uint32_t hash;
    uint32_t ref;  // 0 = empty
  };
  static constexpr size_t kHeader = 16;
  static constexpr size_t kElementHeader = 32;
  static constexpr size_t kPrevOffset = 20;
  static constexpr size_t kNextOffset = 24;
  static constexpr size_t kMinCapacity = 16;

  static uint32_t load_u32(const uint8_t* p) noexcept {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store_u32(uint8_t* p, uint32_t v) noexcept { std::memcpy(p, &v, sizeof v); }
  static uint32_t hash_of(const EntryName& name) noexcept;
  static size_t header_size(EntryKind kind) noexcept {
    return kind == EntryKind::kMapElement ? kElementHeader : kHeader;
  }
  size_t home_slot(uint32_t hash) const noexcept { return (hash * 0x9E3779B9u) >> shift_; }
  /** The slot of `name` (*found tells whether it holds it; else the empty slot to insert at). */
  size_t probe(const EntryName& name, uint32_t hash, bool* found) const;
  bool matches(const uint8_t* e, const EntryName& name) const noexcept;
  EntryInfo info(const uint8_t* e) const noexcept;
  /** The name stored in entry `e`. */
  EntryName name_of(const uint8_t* e) const noexcept;
  static size_t value_offset(const uint8_t* e) noexcept;
  size_t value_capacity(const uint8_t* e) const noexcept;
  void check_name(const EntryName& name) const;
  /** Makes room for one more entry (grows the slots); false when refused. */
  bool reserve_one();
  /** A new block for `name` with `value_capacity` value bytes and the header filled in (value
   *  length 0); 0 when refused. */
  uint32_t new_entry(const EntryName& name, int32_t key_group, size_t value_capacity, uint8_t** out);
  /** Moves entry `old_ref` (in slot `slot`) into a block with `value_capacity` value bytes;
   *  the new block's address, or nullptr when refused (nothing changed). */
  uint8_t* regrow(size_t slot, size_t value_capacity);
  /** Links element `ref` at the front of its map (head found or created); false when the head
   *  could not be created. */
  bool link_element(uint32_t ref, uint8_t* e, const EntryName& name, int32_t key_group);
  /** Unlinks element `e` from its map, removing the head when the map gets empty. */
  void unlink_element(const uint8_t* e);
  /** Points the neighbours (or the head) of element `e` at `new_ref`. */
  void relink_element(const uint8_t* e, uint32_t new_ref);
  void erase_slot(size_t slot);
  void free_entry(uint32_t ref);

  ManagedMemoryAccount& account_;
  SizeClassArena arena_;
  Slot* slots_ = nullptr;
  size_t capacity_ = 0;
  uint32_t shift_ = 32;
  size_t size_ = 0;
  size_t bytes_needed_ = 0;
};

}  // namespace strom::core
