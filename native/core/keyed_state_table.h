// keyed_state_table.h: the keyed state of one aggregating subtask, in managed memory.
//
// One table per keyed aggregating subtask (one thread; the table is NOT thread-safe). Keys are
// the serialized key bytes; each key has an entry holding its key group, `value_size` fixed
// value bytes (zeroed on insert; 8-byte aligned so the aggregation may load int64/double from
// them) and, for tables made `with_blobs`, an optional variable byte string (the record kept by
// sum/min/max - the first record of the key - or by minBy/maxBy - the current extreme record).
// Every byte is charged to a ManagedMemoryAccount before it is allocated; when the account
// refuses, the operation returns nullptr/false, leaves the table consistent and usable, and
// bytes_needed() tells how many bytes the refused step wanted. Nothing is ever removed (Flink's
// rolling aggregations keep every key); the destructor gives everything back.
//
// Layout and memory per key (value_size 8, no blobs: key bytes + 48 on average, see the test)
// ----------------------------------------------------------------------------------------
//  slots   open addressing, linear probing, power-of-two capacity, grown by doubling before the
//          load would pass 3/4. A slot is 8 bytes: {uint32 hash, uint32 entry ref} (ref 0 =
//          empty; a ref names an arena allocation, see state_arena.h). Slot index =
//          (hash * 0x9E3779B9) >> (32 - log2 capacity) (Fibonacci hashing): the caller's hash
//          is Flink's murmur, but a subtask only sees the key groups it owns, i.e. hashes whose
//          low bits (hash % maxParallelism) take a fraction of their values; masking low bits
//          would leave most home slots unused. The slot array is charged to the account;
//          growth reserves the new array before it frees the old one.
//          => 8 / load = 10.7 .. 21.3 bytes per key.
//  order   insertion order: pages of 1024 entry refs (4 KiB, from the arena) => 4 bytes per key.
//  entry   in the arena (8-byte aligned, insertion order, never moves):
//            +0  uint32 key length
//            +4  int32  key group (the caller's, e.g. Flink's murmur(hashCode) % maxParallelism)
//            +8  value bytes (value_size, padded to 8)
//            +8+V        blob pointer (8 bytes, only in tables made with_blobs; null = no blob)
//            key_offset  key bytes, then padding to 8
//          => 8 + 8 + key, padded to 8, for value_size 8 without blobs.
//  blob    in the arena: {uint32 capacity, uint32 length, bytes}. A blob that fits the current
//          capacity is overwritten in place; a bigger one gets a new block of
//          max(length, 1.5 x capacity) bytes and the old block is counted as wasted.
//
// Measured (keyed_state_table_test, charged bytes per key = memory_bytes() / size()):
//   100k 8-byte keys: key + 41.8    1M 8-byte keys: key + 37.3
//   100k 10-byte keys: key + 47.0   1M 10-byte keys: key + 42.8
// (100k sits just past a doubling, the worst point: 21 bytes of slots per key.)
//
// Keys: compared by length, then as one 64-bit load for 8-byte keys (numbers, bigints), with
// memcmp otherwise; the stored 32-bit hash is compared first, so a probe that meets another
// key rarely touches its entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "keyed_state_snapshot.h"
#include "managed_memory.h"
#include "state_arena.h"

namespace strom::core {

/** One key's entry. Opaque: read it through the table's accessors. Its address is stable for
 *  the table's lifetime. */
struct StateEntry;

/** Computes a key's 32-bit hash from its serialized bytes (restore needs it; the same function
 *  the caller uses for find_or_insert). */
using KeyHashFunction = std::function<uint32_t(const uint8_t* key, uint32_t key_length)>;

class KeyedStateTable {
 public:
  /** Largest value_size. */
  static constexpr uint32_t kMaxValueSize = 1024;
  /** Entry refs per insertion-order page. */
  static constexpr size_t kOrderPageRefs = 1024;

  /**
   * An empty table (reserves nothing yet). `value_size`: fixed value bytes per key, e.g. 8 for
   * count/sum, 16 for avg (<= kMaxValueSize). `with_blobs`: entries get a blob pointer (8 bytes
   * per key) so set_blob() may be used. Throws NetworkMemoryError (kRange) on a bad value_size.
   */
  KeyedStateTable(ManagedMemoryAccount& account, uint32_t value_size, bool with_blobs = false);
  ~KeyedStateTable();
  KeyedStateTable(const KeyedStateTable&) = delete;
  KeyedStateTable& operator=(const KeyedStateTable&) = delete;

  /**
   * The entry of `key` (`key_len` bytes; `key` may be null when key_len is 0), inserting one
   * with zeroed value bytes, no blob and `key_group` when it is new (*inserted tells which;
   * `inserted` may be null). `hash` is the caller's well-mixed 32-bit hash of the key. Returns
   * nullptr when memory was refused: the key is then not inserted, the table is consistent and
   * usable, and bytes_needed() is the refused reservation. Never throws.
   */
  StateEntry* find_or_insert(const uint8_t* key, uint32_t key_len, uint32_t hash, int32_t key_group,
                             bool* inserted) {
    uint32_t slot = 0;
    StateEntry* found = probe(key, key_len, hash, &slot);
    if (found != nullptr) {
      if (inserted != nullptr) *inserted = false;
      return found;
    }
    StateEntry* entry = insert_new(key, key_len, hash, key_group, slot);
    if (inserted != nullptr) *inserted = entry != nullptr;
    return entry;
  }

  /**
   * Cache hints for a key about to be looked up (batched callers hash several records first):
   * prefetch_slot() brings its home slot in; prefetch_entry() then reads that slot and, if its
   * hash matches, brings the entry in. Both are no-ops on an empty table and never change it.
   */
  void prefetch_slot(uint32_t hash) const noexcept {
    if (capacity_ != 0) __builtin_prefetch(&slots_[home_slot(hash)]);
  }
  void prefetch_entry(uint32_t hash) const noexcept {
    if (capacity_ == 0) return;
    const Slot s = slots_[home_slot(hash)];
    if (s.ref != 0 && s.hash == hash) __builtin_prefetch(arena_.resolve(s.ref));
  }

  /** The entry of `key`, or nullptr. */
  StateEntry* find(const uint8_t* key, uint32_t key_len, uint32_t hash) const {
    uint32_t slot = 0;
    return probe(key, key_len, hash, &slot);
  }

  // ---- entry accessors (the entry must belong to this table) ----
  /** value_size() bytes, 8-byte aligned. */
  uint8_t* value(StateEntry* entry) const noexcept { return bytes(entry) + kValueOffset; }
  const uint8_t* value(const StateEntry* entry) const noexcept { return bytes(entry) + kValueOffset; }
  const uint8_t* key(const StateEntry* entry) const noexcept { return bytes(entry) + key_offset_; }
  static uint32_t key_length(const StateEntry* entry) noexcept { return load_u32(bytes(entry)); }
  static int32_t key_group(const StateEntry* entry) noexcept {
    return static_cast<int32_t>(load_u32(bytes(entry) + 4));
  }
  /** The blob, or nullptr when the entry has none (always nullptr without blobs). */
  const uint8_t* blob(const StateEntry* entry) const noexcept {
    const uint8_t* block = blob_block(entry);
    return block == nullptr ? nullptr : block + kBlobHeader;
  }
  /** 0 when the entry has no blob. */
  uint32_t blob_length(const StateEntry* entry) const noexcept {
    const uint8_t* block = blob_block(entry);
    return block == nullptr ? 0 : load_u32(block + 4);
  }
  bool has_blob(const StateEntry* entry) const noexcept { return blob_block(entry) != nullptr; }
  /**
   * Replaces the entry's blob with a copy of `bytes` (`len` bytes; may alias the current blob).
   * False when memory was refused (the old blob is kept; bytes_needed() is set). Throws
   * NetworkMemoryError (kState) if the table was made without blobs (a programming error).
   */
  bool set_blob(StateEntry* entry, const uint8_t* bytes, uint32_t len);

  // ---- table ----
  /** Number of keys. */
  size_t size() const noexcept { return size_; }
  /** Slots in the hash index (0 before the first insert). */
  size_t capacity() const noexcept { return capacity_; }
  uint32_t value_size() const noexcept { return value_size_; }
  bool with_blobs() const noexcept { return with_blobs_; }
  /** Bytes charged to the account: slot array + arena chunks. (The table object and its small
   *  bookkeeping vectors - 8 bytes per 1024 keys and per 64 KiB chunk - are not charged.) */
  size_t memory_bytes() const noexcept { return capacity_ * sizeof(Slot) + arena_.bytes_reserved(); }
  /** Bytes of the reservation refused last (by find_or_insert, set_blob or restore). */
  size_t bytes_needed() const noexcept { return bytes_needed_; }
  /** The arena (bytes reserved / used / wasted). */
  const StateArena& arena() const noexcept { return arena_; }

  /** The index-th entry in insertion order, index in [0, size()). A cursor is just an index:
   *  it stays valid across inserts (new keys are appended). */
  StateEntry* entry_at(size_t index) const noexcept {
    return reinterpret_cast<StateEntry*>(arena_.resolve(order_pages_[index / kOrderPageRefs][index % kOrderPageRefs]));
  }

  /** Appends a snapshot of every entry, in insertion order, to `out` (format in
   *  keyed_state_snapshot.h). */
  void snapshot(std::vector<uint8_t>& out) const { snapshot(out, INT32_MIN, INT32_MAX); }
  /** Same, only entries whose key group is in [kg_start, kg_end] (inclusive). */
  void snapshot(std::vector<uint8_t>& out, int32_t kg_start, int32_t kg_end) const;

  /**
   * Adds the entries of a snapshot (`len` bytes at `bytes`) to this table, in their order,
   * hashing each key with `hash` (the caller's key hash function). Validates the header, the
   * checksum and every length first, and throws StateSnapshotError (without reading out of
   * bounds and before changing the table) on corrupt or truncated input, on a value_size other
   * than this table's, or blobs into a table without blobs. Throws StateSnapshotError when a
   * key is already present (the entries before it stay restored). Returns false when memory was
   * refused (the entries before it stay restored, the one being restored may lack its blob;
   * bytes_needed() is set). The table is consistent and usable in every case.
   */
  bool restore(const uint8_t* bytes, size_t len, const KeyHashFunction& hash);

 private:
  struct Slot {
    uint32_t hash;
    uint32_t ref;  // 0 = empty
  };
  static constexpr size_t kValueOffset = 8;
  static constexpr size_t kBlobHeader = 8;  // {uint32 capacity, uint32 length}
  static constexpr size_t kMinCapacity = 16;
  static constexpr size_t kMaxCapacity = size_t{1} << 31;

  static uint8_t* bytes(StateEntry* entry) noexcept { return reinterpret_cast<uint8_t*>(entry); }
  static const uint8_t* bytes(const StateEntry* entry) noexcept { return reinterpret_cast<const uint8_t*>(entry); }
  static uint32_t load_u32(const uint8_t* p) noexcept {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  uint8_t* blob_block(const StateEntry* entry) const noexcept {
    if (!with_blobs_) return nullptr;
    uint8_t* block;
    std::memcpy(&block, bytes(entry) + blob_offset_, sizeof block);
    return block;
  }
  uint32_t home_slot(uint32_t hash) const noexcept { return (hash * 0x9E3779B9u) >> shift_; }

  bool key_equals(const uint8_t* entry, const uint8_t* key, uint32_t key_len) const noexcept {
    if (load_u32(entry) != key_len) return false;
    const uint8_t* stored = entry + key_offset_;
    // Keys up to 16 bytes (words, numbers) compare with two overlapping loads, not a memcmp call.
    if (key_len >= 8 && key_len <= 16) {
      return load_u64(stored) == load_u64(key) && load_u64(stored + key_len - 8) == load_u64(key + key_len - 8);
    }
    if (key_len >= 4 && key_len < 8) {
      return load_u32(stored) == load_u32(key) && load_u32(stored + key_len - 4) == load_u32(key + key_len - 4);
    }
    return key_len == 0 || std::memcmp(stored, key, key_len) == 0;
  }
  static uint64_t load_u64(const uint8_t* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }

  /** The entry of the key, or nullptr with *slot = the empty slot where it would go (undefined
   *  when the table has no slots yet). */
  StateEntry* probe(const uint8_t* key, uint32_t key_len, uint32_t hash, uint32_t* slot) const noexcept {
    if (capacity_ == 0) return nullptr;
    uint32_t i = home_slot(hash);
    for (;;) {
      const Slot s = slots_[i];
      if (s.ref == 0) {
        *slot = i;
        return nullptr;
      }
      if (s.hash == hash) {
        uint8_t* entry = arena_.resolve(s.ref);
        if (key_equals(entry, key, key_len)) return reinterpret_cast<StateEntry*>(entry);
      }
      i = (i + 1) & mask_;
    }
  }

  StateEntry* insert_new(const uint8_t* key, uint32_t key_len, uint32_t hash, int32_t key_group, uint32_t slot);
  bool grow();
  uint8_t* allocate(size_t size, size_t align, uint32_t* ref);

  ManagedMemoryAccount& account_;
  StateArena arena_;
  uint32_t value_size_;
  bool with_blobs_;
  size_t blob_offset_;  // of the blob pointer (with blobs only)
  size_t key_offset_;
  Slot* slots_ = nullptr;
  size_t capacity_ = 0;
  uint32_t mask_ = 0;
  uint32_t shift_ = 32;
  size_t grow_at_ = 0;  // size at which the next insert grows the slots (3/4 of capacity)
  size_t size_ = 0;
  std::vector<uint32_t*> order_pages_;
  size_t bytes_needed_ = 0;
};

}  // namespace strom::core
