// keyed_state_store_wrap.h: JS class KeyedStateStore over core::KeyedByteMap, the store of the
// native keyed state backend (src/state/native-keyed-state-backend.ts).
//
// No objects cross per state access: the backend writes keys, namespaces, user keys and values
// into one caller-owned scratch Uint8Array and passes offsets and lengths; the store writes
// values back into it. Every offset is checked against the scratch's length.
//
// Fixed-width VALUE states (DOUBLE, LONG, BOOLEAN, tuples of them) are "registered": each gets
// a present flag, a dirty flag and a value slot in the scratch. setCurrentKey() looks their
// entries up once and copies the values into their slots; the backend then reads them there,
// writes updates there and marks them dirty; the next setCurrentKey() (or any call that reads
// the whole store) writes dirty values back into their entries in place. So an update of an
// existing key costs one native call per record. A write that must insert (absent entry) calls
// insertFixed() at once, so a refused allocation surfaces at the update that caused it.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "core/keyed_byte_map.h"

namespace strom::napi {

class KeyedStateStoreWrap : public Napi::ObjectWrap<KeyedStateStoreWrap> {
 public:
  /** Scratch bytes [0, 8) are setCurrentKey's arguments: int32 key length, int32 key group. */
  static constexpr size_t kKeyLengthAt = 0;
  static constexpr size_t kKeyGroupAt = 4;
  /** Key kinds whose key group the store computes from the serialized key (0: the caller gives it). */
  enum KeyKind : int32_t { kKeyGivenGroup = 0, kKeyString = 1, kKeyDouble = 2, kKeyLong = 3, kKeyBoolean = 4 };
  static Napi::Function DefineClass(Napi::Env env);

  /** new KeyedStateStore({ managedMemory: Uint8Array (shared), scratch: Uint8Array, operatorName }) */
  explicit KeyedStateStoreWrap(const Napi::CallbackInfo& info);

 private:
  struct FixedState {
    uint16_t state_id;
    uint32_t flag_offset;   // scratch[flag] = 1 when the current key has a value; [flag + 1] = dirty
    uint32_t value_offset;  // `width` value bytes
    uint32_t width;
    uint8_t* cached;        // the current key's value bytes in the map, or nullptr (absent)
  };

  /** setScratch(scratch: Uint8Array): the backend grew its scratch. */
  Napi::Value SetScratch(const Napi::CallbackInfo& info);
  /** registerFixedState(stateId, flagOffset, valueOffset, width): index */
  Napi::Value RegisterFixedState(const Napi::CallbackInfo& info);
  /** setKeyRouting(keyKind, maxParallelism, keyOffset): where setCurrentKey() finds the key and
   *  how it computes the key group (KeyKind). */
  Napi::Value SetKeyRouting(const Napi::CallbackInfo& info);
  /** setCurrentKey(), no arguments (they cost more than the call): the key is the int32
   *  scratch[kKeyLengthAt] bytes at keyOffset; the key group is int32 scratch[kKeyGroupAt], which
   *  the store computes and writes there itself for a key kind it hashes. Flushes dirty fixed
   *  values and loads the new key's. */
  Napi::Value SetCurrentKey(const Napi::CallbackInfo& info);
  /** insertFixed(index): stores the slot's value for the current key (it had none). */
  Napi::Value InsertFixed(const Napi::CallbackInfo& info);
  /** removeFixed(index): removes the current key's value. */
  Napi::Value RemoveFixed(const Napi::CallbackInfo& info);
  /** get(stateId, kind, offset, nsLength, userKeyLength): value length or -1; the value is
   *  copied to scratch[offset..] when it fits (the caller grows the scratch and asks again). */
  Napi::Value Get(const Napi::CallbackInfo& info);
  /** put(stateId, kind, offset, nsLength, userKeyLength, valueLength) */
  Napi::Value Put(const Napi::CallbackInfo& info);
  /** append(stateId, offset, nsLength, valueLength) */
  Napi::Value Append(const Napi::CallbackInfo& info);
  /** remove(stateId, kind, offset, nsLength, userKeyLength): boolean */
  Napi::Value Remove(const Napi::CallbackInfo& info);
  /** mapSize(stateId, offset, nsLength): number */
  Napi::Value MapSize(const Napi::CallbackInfo& info);
  /** mapEntries(stateId, offset, nsLength): Uint8Array of [u32 len][user key][u32 len][value]... */
  Napi::Value MapEntries(const Napi::CallbackInfo& info);
  /** keys(stateId, offset, nsLength): Uint8Array of [u32 len][key]... with a value or map in ns */
  Napi::Value Keys(const Napi::CallbackInfo& info);
  /** entries(keyGroupStart, keyGroupEnd): Uint8Array of [u16 state][u8 kind][u8 0][i32 key group]
   *  [u32 len][key][u32 len][ns][u32 len][user key][u32 len][value]... (map heads left out) */
  Napi::Value Entries(const Napi::CallbackInfo& info);
  /** putEntry(stateId, kind, keyGroup, offset, keyLength, nsLength, userKeyLength, valueLength):
   *  restore; the current key is unset afterwards. */
  Napi::Value PutEntry(const Napi::CallbackInfo& info);
  /** stats(): { entries, memoryBytes, freeBytes } */
  Napi::Value Stats(const Napi::CallbackInfo& info);
  /** close(): frees everything now; later calls throw. */
  Napi::Value Close(const Napi::CallbackInfo& info);

  core::KeyedByteMap& map(Napi::Env env);
  /** The registered fixed state of argument 0, with a current key (else a JS error). */
  FixedState& fixed_argument(const Napi::CallbackInfo& info);
  /** The entry name of fixed state `f` under the current key. */
  core::EntryName fixed_name(const FixedState& f) const noexcept;
  /** The key group of the current key bytes for a key kind the store hashes (Flink's routing). */
  int32_t key_group_of(Napi::Env env, const uint8_t* key, uint32_t length) const;
  /** scratch[offset, offset + length) or a RangeError naming `what`. */
  uint8_t* scratch_range(Napi::Env env, int64_t offset, int64_t length, const char* what) const;
  core::EntryName name_at(const Napi::CallbackInfo& info, size_t first_arg, bool with_user_key);
  void flush_dirty() noexcept;
  void unset_current_key() noexcept;
  [[noreturn]] void throw_refused(Napi::Env env);

  // The account view outlives the map that keeps a reference to it (members die in reverse).
  std::unique_ptr<core::ManagedMemoryAccount> account_;
  std::unique_ptr<core::KeyedByteMap> map_;
  std::string operator_name_;
  Napi::ObjectReference managed_memory_view_;
  Napi::ObjectReference scratch_ref_;
  uint8_t* scratch_ = nullptr;
  size_t scratch_length_ = 0;
  std::vector<uint8_t> current_key_;
  int32_t current_key_group_ = -1;
  // Key routing (setKeyRouting): who computes the key group and where the key is.
  int32_t key_kind_ = 0;
  int32_t max_parallelism_ = 1;
  uint32_t key_offset_ = 0;
  bool has_current_key_ = false;
  std::vector<FixedState> fixed_;
};

}  // namespace strom::napi
