// keyed_state_store_wrap.cc: see keyed_state_store_wrap.h.
#include "keyed_state_store_wrap.h"

#include <algorithm>
#include <cstring>

#include "addon.h"
#include "arguments.h"
#include "core/key_hash.h"
#include "core/managed_memory.h"
#include "error_translation.h"

namespace strom::napi {
namespace {

Napi::Uint8Array uint8_array_value(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, std::string(name) + " must be a Uint8Array, got " + describe(value));
  }
  return value.As<Napi::Uint8Array>();
}

void append_u32(std::vector<uint8_t>& out, uint32_t v) {
  const size_t at = out.size();
  out.resize(at + 4);
  std::memcpy(out.data() + at, &v, 4);
}

void append_bytes(std::vector<uint8_t>& out, const uint8_t* p, uint32_t n) {
  append_u32(out, n);
  out.insert(out.end(), p, p + n);
}

Napi::Uint8Array to_uint8_array(Napi::Env env, const std::vector<uint8_t>& bytes) {
  Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
  if (!bytes.empty()) std::memcpy(out.Data(), bytes.data(), bytes.size());
  return out;
}

core::EntryKind kind_argument(const Napi::CallbackInfo& info, size_t index) {
  const int32_t kind = int32_argument(info, index, "kind");
  if (kind < 0 || kind > 2) throw Napi::RangeError::New(info.Env(), "kind must be 0 (value), 1 (map) or 2 (map element), got " + std::to_string(kind));
  return static_cast<core::EntryKind>(kind);
}

uint16_t state_id_argument(const Napi::CallbackInfo& info, size_t index) {
  const int32_t id = int32_argument(info, index, "stateId");
  if (id < 0 || id > 65535) throw Napi::RangeError::New(info.Env(), "stateId must be in [0, 65535], got " + std::to_string(id));
  return static_cast<uint16_t>(id);
}

}  // namespace

Napi::Function KeyedStateStoreWrap::DefineClass(Napi::Env env) {
  return ObjectWrap::DefineClass(env, "KeyedStateStore",
                                 {
                                     InstanceMethod<&KeyedStateStoreWrap::SetScratch>("setScratch"),
                                     InstanceMethod<&KeyedStateStoreWrap::RegisterFixedState>("registerFixedState"),
                                     InstanceMethod<&KeyedStateStoreWrap::SetKeyRouting>("setKeyRouting"),
                                     InstanceMethod<&KeyedStateStoreWrap::SetCurrentKey>("setCurrentKey"),
                                     InstanceMethod<&KeyedStateStoreWrap::InsertFixed>("insertFixed"),
                                     InstanceMethod<&KeyedStateStoreWrap::RemoveFixed>("removeFixed"),
                                     InstanceMethod<&KeyedStateStoreWrap::Get>("get"),
                                     InstanceMethod<&KeyedStateStoreWrap::Put>("put"),
                                     InstanceMethod<&KeyedStateStoreWrap::Append>("append"),
                                     InstanceMethod<&KeyedStateStoreWrap::Remove>("remove"),
                                     InstanceMethod<&KeyedStateStoreWrap::MapSize>("mapSize"),
                                     InstanceMethod<&KeyedStateStoreWrap::MapEntries>("mapEntries"),
                                     InstanceMethod<&KeyedStateStoreWrap::Keys>("keys"),
                                     InstanceMethod<&KeyedStateStoreWrap::Entries>("entries"),
                                     InstanceMethod<&KeyedStateStoreWrap::PutEntry>("putEntry"),
                                     InstanceMethod<&KeyedStateStoreWrap::Stats>("stats"),
                                     InstanceMethod<&KeyedStateStoreWrap::Close>("close"),
                                 });
}

KeyedStateStoreWrap::KeyedStateStoreWrap(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  guard_native_call(info.Env(), "new KeyedStateStore", [&] {
    Napi::Env env = info.Env();
    const Napi::Object options = object_argument(info, 0, "options");
    const Napi::Value name = options.Get("operatorName");
    if (!name.IsString()) throw Napi::TypeError::New(env, "options.operatorName must be a string, got " + describe(name));
    operator_name_ = name.As<Napi::String>().Utf8Value();
    Napi::Uint8Array memory = uint8_array_value(env, options.Get("managedMemory"), "options.managedMemory");
    account_ = std::make_unique<core::ManagedMemoryAccount>(
        core::ManagedMemoryAccount::attach(memory.Data(), memory.ElementLength()));
    map_ = std::make_unique<core::KeyedByteMap>(*account_);
    managed_memory_view_ = Napi::Persistent(memory.As<Napi::Object>());
    Napi::Uint8Array scratch = uint8_array_value(env, options.Get("scratch"), "options.scratch");
    if (scratch.ElementLength() < 8) throw Napi::RangeError::New(env, "options.scratch must be at least 8 bytes (setCurrentKey's arguments)");
    scratch_ref_ = Napi::Persistent(scratch.As<Napi::Object>());
    scratch_ = scratch.Data();
    scratch_length_ = scratch.ElementLength();
  });
}

core::KeyedByteMap& KeyedStateStoreWrap::map(Napi::Env env) {
  if (!map_) throw Napi::Error::New(env, "this keyed state store was closed (its backend was disposed)");
  return *map_;
}

uint8_t* KeyedStateStoreWrap::scratch_range(Napi::Env env, int64_t offset, int64_t length, const char* what) const {
  if (offset < 0 || length < 0 || static_cast<uint64_t>(offset + length) > scratch_length_) {
    throw Napi::RangeError::New(env, std::string(what) + " [" + std::to_string(offset) + ", " +
                                         std::to_string(offset + length) + ") is outside the scratch's " +
                                         std::to_string(scratch_length_) + " bytes");
  }
  return scratch_ + offset;
}

void KeyedStateStoreWrap::throw_refused(Napi::Env env) {
  const core::KeyedByteMap& m = *map_;
  const std::string message =
      "Keyed state of operator '" + operator_name_ + "' needs " + std::to_string(m.bytes_needed()) +
      " more bytes of managed memory than taskmanager.memory.managed.size leaves free (it holds " +
      std::to_string(m.memory_bytes()) + " bytes for " + std::to_string(m.size()) +
      " entries). Increase 'taskmanager.memory.managed.size', keep less state per key (clear(), state TTL), or "
      "use state.backend.type: hashmap.";
  StromAddon* addon = env.GetInstanceData<StromAddon>();
  if (addon != nullptr && !addon->managed_memory_error().IsEmpty()) {
    throw Napi::Error(env, addon->managed_memory_error().New(
                               {Napi::String::New(env, message), Napi::Number::New(env, static_cast<double>(m.bytes_needed()))}));
  }
  throw Napi::Error::New(env, message);
}

void KeyedStateStoreWrap::flush_dirty() noexcept {
  for (FixedState& f : fixed_) {
    uint8_t* flags = scratch_ + f.flag_offset;
    if (flags[1] != 0) {
      if (f.cached != nullptr) std::memcpy(f.cached, scratch_ + f.value_offset, f.width);
      flags[1] = 0;
    }
  }
}

void KeyedStateStoreWrap::unset_current_key() noexcept {
  flush_dirty();
  has_current_key_ = false;
  for (FixedState& f : fixed_) {
    f.cached = nullptr;
    scratch_[f.flag_offset] = 0;
  }
}

Napi::Value KeyedStateStoreWrap::SetScratch(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.setScratch", [&]() -> Napi::Value {
    Napi::Uint8Array scratch = uint8_array_value(info.Env(), info[0], "scratch");
    if (scratch.ElementLength() < std::max<size_t>(8, key_offset_)) throw Napi::RangeError::New(info.Env(), "the new scratch is shorter than the old one's key offset");
    for (const FixedState& f : fixed_) {
      if (std::max(f.flag_offset + 2, f.value_offset + f.width) > scratch.ElementLength()) {
        throw Napi::RangeError::New(info.Env(), "the new scratch is too short for the registered fixed-width states");
      }
    }
    // The fixed slots move with the bytes: the caller copied the old scratch into the new one.
    scratch_ref_ = Napi::Persistent(scratch.As<Napi::Object>());
    scratch_ = scratch.Data();
    scratch_length_ = scratch.ElementLength();
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::RegisterFixedState(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.registerFixedState", [&]() -> Napi::Value {
    map(info.Env());
    FixedState f{};
    f.state_id = state_id_argument(info, 0);
    const int32_t flag = int32_argument(info, 1, "flagOffset");
    const int32_t value = int32_argument(info, 2, "valueOffset");
    const int32_t width = int32_argument(info, 3, "width");
    if (width <= 0 || width > 1024) throw Napi::RangeError::New(info.Env(), "width must be in [1, 1024], got " + std::to_string(width));
    if (flag < 8) throw Napi::RangeError::New(info.Env(), "flagOffset must be at least 8 (after setCurrentKey's arguments), got " + std::to_string(flag));
    scratch_range(info.Env(), flag, 2, "fixed state flags");
    scratch_range(info.Env(), value, width, "fixed state value");
    f.flag_offset = static_cast<uint32_t>(flag);
    f.value_offset = static_cast<uint32_t>(value);
    f.width = static_cast<uint32_t>(width);
    if (has_current_key_) {
      uint32_t len = 0;
      uint8_t* v = map_->find(fixed_name(f), &len);
      f.cached = v != nullptr && len == f.width ? v : nullptr;
      if (f.cached != nullptr) std::memcpy(scratch_ + f.value_offset, v, f.width);
    }
    scratch_[f.flag_offset] = f.cached != nullptr ? 1 : 0;
    scratch_[f.flag_offset + 1] = 0;
    fixed_.push_back(f);
    return Napi::Number::New(info.Env(), static_cast<double>(fixed_.size() - 1));
  });
}

Napi::Value KeyedStateStoreWrap::SetKeyRouting(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.setKeyRouting", [&]() -> Napi::Value {
    const int32_t kind = int32_argument(info, 0, "keyKind");
    const int32_t max_parallelism = int32_argument(info, 1, "maxParallelism");
    const int32_t key_offset = int32_argument(info, 2, "keyOffset");
    if (kind < kKeyGivenGroup || kind > kKeyBoolean) throw Napi::RangeError::New(info.Env(), "keyKind must be in [0, 4], got " + std::to_string(kind));
    if (max_parallelism < 1 || max_parallelism > 32768) throw Napi::RangeError::New(info.Env(), "maxParallelism must be in [1, 32768], got " + std::to_string(max_parallelism));
    if (key_offset < 8) throw Napi::RangeError::New(info.Env(), "keyOffset must be at least 8 (after setCurrentKey's arguments), got " + std::to_string(key_offset));
    key_kind_ = kind;
    max_parallelism_ = max_parallelism;
    key_offset_ = static_cast<uint32_t>(key_offset);
    return info.Env().Undefined();
  });
}

int32_t KeyedStateStoreWrap::key_group_of(Napi::Env env, const uint8_t* key, uint32_t length) const {
  int32_t hash = 0;
  switch (key_kind_) {
    case kKeyString: {
      int32_t utf8_length = -1;
      if (length >= 4) std::memcpy(&utf8_length, key, 4);
      if (utf8_length < 0 || static_cast<uint32_t>(utf8_length) != length - 4) throw Napi::RangeError::New(env, "a STRING key's length prefix does not match its " + std::to_string(length) + " bytes");
      hash = core::java_string_hash_utf8(key + 4, length - 4);
      break;
    }
    case kKeyDouble:
    case kKeyLong: {
      if (length != 8) throw Napi::RangeError::New(env, "a DOUBLE or LONG key is 8 bytes, got " + std::to_string(length));
      if (key_kind_ == kKeyDouble) {
        double v;
        std::memcpy(&v, key, 8);
        hash = core::java_number_hash(v);
      } else {
        int64_t v;
        std::memcpy(&v, key, 8);
        hash = core::java_long_hash(v);
      }
      break;
    }
    case kKeyBoolean:
      if (length != 1) throw Napi::RangeError::New(env, "a BOOLEAN key is 1 byte, got " + std::to_string(length));
      hash = core::java_boolean_hash(key[0] != 0);
      break;
    default:
      throw Napi::Error::New(env, "no key kind the store hashes");
  }
  return core::compute_key_group(hash, max_parallelism_);
}

Napi::Value KeyedStateStoreWrap::SetCurrentKey(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.setCurrentKey", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    if (key_offset_ == 0) throw Napi::Error::New(info.Env(), "setCurrentKey before setKeyRouting");
    int32_t length = 0;
    std::memcpy(&length, scratch_ + kKeyLengthAt, 4);
    const uint8_t* key = scratch_range(info.Env(), key_offset_, length, "key");
    int32_t key_group = 0;
    if (key_kind_ == kKeyGivenGroup) {
      std::memcpy(&key_group, scratch_ + kKeyGroupAt, 4);
    } else {
      key_group = key_group_of(info.Env(), key, static_cast<uint32_t>(length));
      std::memcpy(scratch_ + kKeyGroupAt, &key_group, 4);
    }
    flush_dirty();
    current_key_.assign(key, key + length);
    current_key_group_ = key_group;
    has_current_key_ = true;
    for (FixedState& f : fixed_) {
      uint32_t len = 0;
      uint8_t* v = m.find(fixed_name(f), &len);
      f.cached = v != nullptr && len == f.width ? v : nullptr;
      scratch_[f.flag_offset] = f.cached != nullptr ? 1 : 0;
      if (f.cached != nullptr) std::memcpy(scratch_ + f.value_offset, v, f.width);
    }
    return info.Env().Undefined();
  });
}

core::EntryName KeyedStateStoreWrap::fixed_name(const FixedState& f) const noexcept {
  return core::EntryName{f.state_id, core::EntryKind::kValue, current_key_.data(), static_cast<uint32_t>(current_key_.size()), nullptr, 0, nullptr, 0};
}

KeyedStateStoreWrap::FixedState& KeyedStateStoreWrap::fixed_argument(const Napi::CallbackInfo& info) {
  const int32_t index = int32_argument(info, 0, "index");
  if (index < 0 || static_cast<size_t>(index) >= fixed_.size()) throw Napi::RangeError::New(info.Env(), "no fixed state " + std::to_string(index));
  if (!has_current_key_) throw Napi::Error::New(info.Env(), "keyed state was accessed without a current key (setCurrentKey first)");
  return fixed_[static_cast<size_t>(index)];
}

core::EntryName KeyedStateStoreWrap::name_at(const Napi::CallbackInfo& info, size_t first, bool with_user_key) {
  Napi::Env env = info.Env();
  if (!has_current_key_) throw Napi::Error::New(env, "keyed state was accessed without a current key (setCurrentKey first)");
  core::EntryName n;
  n.state_id = state_id_argument(info, first);
  n.kind = with_user_key ? kind_argument(info, first + 1) : core::EntryKind::kValue;
  const size_t at = with_user_key ? first + 2 : first + 1;
  const int32_t offset = int32_argument(info, at, "offset");
  const int32_t ns_len = int32_argument(info, at + 1, "nsLength");
  const int32_t uk_len = with_user_key ? int32_argument(info, at + 2, "userKeyLength") : 0;
  n.key = current_key_.data();
  n.key_len = static_cast<uint32_t>(current_key_.size());
  n.ns = scratch_range(env, offset, ns_len, "namespace");
  n.ns_len = static_cast<uint32_t>(ns_len);
  if (n.kind == core::EntryKind::kMapElement) {
    n.user_key = scratch_range(env, int64_t{offset} + ns_len, uk_len, "user key");
    n.user_key_len = static_cast<uint32_t>(uk_len);
  }
  return n;
}

Napi::Value KeyedStateStoreWrap::InsertFixed(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.insertFixed", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    FixedState& f = fixed_argument(info);
    if (!m.put(fixed_name(f), current_key_group_, scratch_ + f.value_offset, f.width, &f.cached)) throw_refused(info.Env());
    scratch_[f.flag_offset] = 1;
    scratch_[f.flag_offset + 1] = 0;
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::RemoveFixed(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.removeFixed", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    FixedState& f = fixed_argument(info);
    m.remove(fixed_name(f));
    f.cached = nullptr;
    scratch_[f.flag_offset] = 0;
    scratch_[f.flag_offset + 1] = 0;
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::Get(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.get", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    const core::EntryName n = name_at(info, 0, true);
    uint32_t len = 0;
    const uint8_t* v = m.find(n, &len);
    if (v == nullptr) return Napi::Number::New(info.Env(), -1);
    const int32_t offset = int32_argument(info, 2, "offset");
    if (static_cast<uint64_t>(offset) + len <= scratch_length_) std::memmove(scratch_ + offset, v, len);
    return Napi::Number::New(info.Env(), len);
  });
}

Napi::Value KeyedStateStoreWrap::Put(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.put", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    const core::EntryName n = name_at(info, 0, true);
    if (n.kind == core::EntryKind::kMapHead) throw Napi::RangeError::New(info.Env(), "put needs kind 0 (value) or 2 (map element)");
    const int32_t value_len = int32_argument(info, 5, "valueLength");
    const uint8_t* value = scratch_range(info.Env(), int64_t{int32_argument(info, 2, "offset")} + n.ns_len + n.user_key_len, value_len, "value");
    if (!m.put(n, current_key_group_, value, static_cast<uint32_t>(value_len))) throw_refused(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::Append(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.append", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    const core::EntryName n = name_at(info, 0, false);
    const int32_t value_len = int32_argument(info, 3, "valueLength");
    const uint8_t* bytes = scratch_range(info.Env(), int64_t{int32_argument(info, 1, "offset")} + n.ns_len, value_len, "value");
    if (!m.append(n, current_key_group_, bytes, static_cast<uint32_t>(value_len))) throw_refused(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::Remove(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.remove", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    const core::EntryName n = name_at(info, 0, true);
    return Napi::Boolean::New(info.Env(), m.remove(n));
  });
}

Napi::Value KeyedStateStoreWrap::MapSize(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.mapSize", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    core::EntryName n = name_at(info, 0, false);
    n.kind = core::EntryKind::kMapHead;
    return Napi::Number::New(info.Env(), m.map_size(n));
  });
}

Napi::Value KeyedStateStoreWrap::MapEntries(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.mapEntries", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    core::EntryName n = name_at(info, 0, false);
    n.kind = core::EntryKind::kMapHead;
    std::vector<uint8_t> out;
    m.for_each_map_element(n, [&](const core::EntryInfo& e) {
      append_bytes(out, e.user_key, e.user_key_len);
      append_bytes(out, e.value, e.value_len);
    });
    return to_uint8_array(info.Env(), out);
  });
}

Napi::Value KeyedStateStoreWrap::Keys(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.keys", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    flush_dirty();
    const uint16_t state_id = state_id_argument(info, 0);
    const int32_t offset = int32_argument(info, 1, "offset");
    const int32_t ns_len = int32_argument(info, 2, "nsLength");
    const uint8_t* ns = scratch_range(info.Env(), offset, ns_len, "namespace");
    std::vector<uint8_t> out;
    m.for_each([&](const core::EntryInfo& e) {
      if (e.state_id != state_id || e.kind == core::EntryKind::kMapElement) return;
      if (e.ns_len != static_cast<uint32_t>(ns_len) || (ns_len != 0 && std::memcmp(e.ns, ns, e.ns_len) != 0)) return;
      append_bytes(out, e.key, e.key_len);
    });
    return to_uint8_array(info.Env(), out);
  });
}

Napi::Value KeyedStateStoreWrap::Entries(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.entries", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    flush_dirty();
    const int32_t kg_start = int32_argument(info, 0, "keyGroupStart");
    const int32_t kg_end = int32_argument(info, 1, "keyGroupEnd");
    std::vector<uint8_t> out;
    m.for_each([&](const core::EntryInfo& e) {
      if (e.kind == core::EntryKind::kMapHead || e.key_group < kg_start || e.key_group > kg_end) return;
      const size_t at = out.size();
      out.resize(at + 8);
      std::memcpy(out.data() + at, &e.state_id, 2);
      out[at + 2] = static_cast<uint8_t>(e.kind);
      out[at + 3] = 0;
      std::memcpy(out.data() + at + 4, &e.key_group, 4);
      append_bytes(out, e.key, e.key_len);
      append_bytes(out, e.ns, e.ns_len);
      append_bytes(out, e.user_key, e.user_key_len);
      append_bytes(out, e.value, e.value_len);
    });
    return to_uint8_array(info.Env(), out);
  });
}

Napi::Value KeyedStateStoreWrap::PutEntry(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.putEntry", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    unset_current_key();
    core::EntryName n;
    n.state_id = state_id_argument(info, 0);
    n.kind = kind_argument(info, 1);
    if (n.kind == core::EntryKind::kMapHead) throw Napi::RangeError::New(info.Env(), "putEntry needs kind 0 (value) or 2 (map element)");
    const int32_t key_group = int32_argument(info, 2, "keyGroup");
    int64_t at = int32_argument(info, 3, "offset");
    const int32_t key_len = int32_argument(info, 4, "keyLength");
    const int32_t ns_len = int32_argument(info, 5, "nsLength");
    const int32_t uk_len = int32_argument(info, 6, "userKeyLength");
    const int32_t value_len = int32_argument(info, 7, "valueLength");
    n.key = scratch_range(info.Env(), at, key_len, "key");
    n.key_len = static_cast<uint32_t>(key_len);
    at += key_len;
    n.ns = scratch_range(info.Env(), at, ns_len, "namespace");
    n.ns_len = static_cast<uint32_t>(ns_len);
    at += ns_len;
    n.user_key = scratch_range(info.Env(), at, uk_len, "user key");
    n.user_key_len = static_cast<uint32_t>(uk_len);
    at += uk_len;
    const uint8_t* value = scratch_range(info.Env(), at, value_len, "value");
    if (!m.put(n, key_group, value, static_cast<uint32_t>(value_len))) throw_refused(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value KeyedStateStoreWrap::Stats(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.stats", [&]() -> Napi::Value {
    core::KeyedByteMap& m = map(info.Env());
    Napi::Object stats = Napi::Object::New(info.Env());
    stats.Set("entries", static_cast<double>(m.size()));
    stats.Set("memoryBytes", static_cast<double>(m.memory_bytes()));
    stats.Set("freeBytes", static_cast<double>(m.bytes_free()));
    return stats;
  });
}

Napi::Value KeyedStateStoreWrap::Close(const Napi::CallbackInfo& info) {
  return guard_native_call(info.Env(), "KeyedStateStore.close", [&]() -> Napi::Value {
    map_.reset();
    fixed_.clear();
    has_current_key_ = false;
    return info.Env().Undefined();
  });
}

}  // namespace strom::napi
