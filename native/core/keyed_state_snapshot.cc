// keyed_state_snapshot.cc: KeyedStateTable::snapshot / restore and the snapshot checksum.
#include <cstring>
#include <string>

#include "keyed_state_snapshot.h"
#include "keyed_state_table.h"

namespace strom::core {

namespace {

constexpr uint64_t kMix = 0xFF51AFD7ED558CCDull;

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  const size_t at = out.size();
  out.resize(at + 4);
  std::memcpy(out.data() + at, &v, 4);
}

void put_bytes(std::vector<uint8_t>& out, const uint8_t* p, size_t n) {
  if (n != 0) out.insert(out.end(), p, p + n);
}

/** Bounds-checked reader: every read names what it reads, for the error message. */
class Reader {
 public:
  Reader(const uint8_t* p, size_t len) : p_(p), len_(len) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return len_ - pos_; }
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v;
    std::memcpy(&v, p_ + pos_, 4);
    pos_ += 4;
    return v;
  }
  uint64_t u64(const char* what) {
    need(8, what);
    uint64_t v;
    std::memcpy(&v, p_ + pos_, 8);
    pos_ += 8;
    return v;
  }
  const uint8_t* bytes(size_t n, const char* what) {
    need(n, what);
    const uint8_t* at = p_ + pos_;
    pos_ += n;
    return at;
  }

 private:
  void need(size_t n, const char* what) {
    if (n > len_ - pos_) {
      throw StateSnapshotError("keyed state snapshot truncated: " + std::string(what) + " needs " +
                               std::to_string(n) + " bytes at offset " + std::to_string(pos_) + ", " +
                               std::to_string(len_ - pos_) + " left");
    }
  }
  const uint8_t* p_;
  size_t len_;
  size_t pos_ = 0;
};

struct ParsedEntry {
  int32_t key_group;
  uint32_t key_len;
  const uint8_t* key;
  const uint8_t* value;
  uint32_t blob_len;  // kNoBlob = none
  const uint8_t* blob;
};

ParsedEntry read_entry(Reader& in, uint32_t value_size, bool blobs) {
  ParsedEntry e;
  e.key_group = static_cast<int32_t>(in.u32("key group"));
  e.key_len = in.u32("key length");
  e.key = in.bytes(e.key_len, "key");
  e.value = in.bytes(value_size, "value");
  e.blob_len = in.u32("blob length");
  e.blob = nullptr;
  if (e.blob_len != kNoBlob) {
    if (!blobs) throw StateSnapshotError("keyed state snapshot has a blob but its flags say none");
    e.blob = in.bytes(e.blob_len, "blob");
  }
  return e;
}

}  // namespace

uint64_t snapshot_checksum(const uint8_t* bytes, size_t len) noexcept {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(len);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes + i, 8);
    h = (h ^ w) * kMix;  // bijective in w for a fixed h: one changed word always changes h
    h ^= h >> 32;
  }
  if (i < len) {
    uint64_t w = 0;
    std::memcpy(&w, bytes + i, len - i);
    h = (h ^ w) * kMix;
    h ^= h >> 32;
  }
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

void KeyedStateTable::snapshot(std::vector<uint8_t>& out, int32_t kg_start, int32_t kg_end) const {
  const size_t start = out.size();
  put_u32(out, kStateSnapshotMagic);
  put_u32(out, kStateSnapshotVersion);
  put_u32(out, value_size_);
  put_u32(out, with_blobs_ ? kStateSnapshotFlagBlobs : 0);
  const size_t count_at = out.size();
  out.resize(count_at + 8);
  uint64_t count = 0;
  for (size_t i = 0; i < size_; ++i) {
    const StateEntry* entry = entry_at(i);
    const int32_t group = key_group(entry);
    if (group < kg_start || group > kg_end) continue;
    put_u32(out, static_cast<uint32_t>(group));
    put_u32(out, key_length(entry));
    put_bytes(out, key(entry), key_length(entry));
    put_bytes(out, value(entry), value_size_);
    if (has_blob(entry)) {
      put_u32(out, blob_length(entry));
      put_bytes(out, blob(entry), blob_length(entry));
    } else {
      put_u32(out, kNoBlob);
    }
    ++count;
  }
  std::memcpy(out.data() + count_at, &count, 8);
  const uint64_t checksum = snapshot_checksum(out.data() + start, out.size() - start);
  const size_t at = out.size();
  out.resize(at + 8);
  std::memcpy(out.data() + at, &checksum, 8);
}

bool KeyedStateTable::restore(const uint8_t* bytes_in, size_t len, const KeyHashFunction& hash) {
  if (bytes_in == nullptr || len < kStateSnapshotHeaderBytes + kStateSnapshotTrailerBytes) {
    throw StateSnapshotError("keyed state snapshot truncated: " + std::to_string(len) + " bytes, the header and "
                             "trailer alone need " + std::to_string(kStateSnapshotHeaderBytes + kStateSnapshotTrailerBytes));
  }
  const size_t body_end = len - kStateSnapshotTrailerBytes;
  Reader header(bytes_in, body_end);
  const uint32_t magic = header.u32("magic");
  if (magic != kStateSnapshotMagic) throw StateSnapshotError("not a keyed state snapshot (bad magic)");
  const uint32_t version = header.u32("version");
  if (version != kStateSnapshotVersion) {
    throw StateSnapshotError("keyed state snapshot version " + std::to_string(version) + " is not the supported " +
                             std::to_string(kStateSnapshotVersion));
  }
  const uint32_t value_size = header.u32("value size");
  if (value_size != value_size_) {
    throw StateSnapshotError("keyed state snapshot has value size " + std::to_string(value_size) +
                             ", the table " + std::to_string(value_size_));
  }
  const uint32_t flags = header.u32("flags");
  if ((flags & ~kStateSnapshotFlagBlobs) != 0) throw StateSnapshotError("keyed state snapshot has unknown flags");
  const bool blobs = (flags & kStateSnapshotFlagBlobs) != 0;
  if (blobs && !with_blobs_) throw StateSnapshotError("keyed state snapshot has blobs, the table was made without");
  const uint64_t count = header.u64("count");
  uint64_t stored_checksum;
  std::memcpy(&stored_checksum, bytes_in + body_end, 8);
  if (snapshot_checksum(bytes_in, body_end) != stored_checksum) {
    throw StateSnapshotError("keyed state snapshot is corrupt (checksum mismatch)");
  }
  const size_t min_entry = 12 + static_cast<size_t>(value_size);
  if (count > header.remaining() / min_entry) {
    throw StateSnapshotError("keyed state snapshot claims " + std::to_string(count) + " entries in " +
                             std::to_string(header.remaining()) + " bytes");
  }
  // Pass 1: validate every length without touching the table.
  {
    Reader in = header;
    for (uint64_t i = 0; i < count; ++i) read_entry(in, value_size, blobs);
    if (in.remaining() != 0) {
      throw StateSnapshotError("keyed state snapshot has " + std::to_string(in.remaining()) +
                               " bytes after its last entry");
    }
  }
  // Pass 2: insert (can only be refused memory, or meet a key already present).
  Reader in = header;
  for (uint64_t i = 0; i < count; ++i) {
    const ParsedEntry e = read_entry(in, value_size, blobs);
    bool inserted = false;
    StateEntry* entry = find_or_insert(e.key, e.key_len, hash(e.key, e.key_len), e.key_group, &inserted);
    if (entry == nullptr) return false;
    if (!inserted) {
      throw StateSnapshotError("keyed state snapshot entry " + std::to_string(i) +
                               " has a key the table already holds");
    }
    if (value_size != 0) std::memcpy(value(entry), e.value, value_size);
    if (e.blob != nullptr && !set_blob(entry, e.blob, e.blob_len)) return false;
  }
  return true;
}

}  // namespace strom::core
