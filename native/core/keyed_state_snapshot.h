// keyed_state_snapshot.h: the byte format of a keyed state table snapshot, and its error.
//
// Written by KeyedStateTable::snapshot, read by KeyedStateTable::restore (keyed_state_table.h;
// both implemented in keyed_state_snapshot.cc). Self-describing; integers in the host's byte
// order (little-endian on every platform Node supports; a foreign order fails the magic check),
// unaligned. Bump kStateSnapshotVersion on any change.
//
//   header (24 bytes)
//     uint32 magic        kStateSnapshotMagic ("KSTS")
//     uint32 version      kStateSnapshotVersion
//     uint32 value_size   fixed value bytes per entry; must equal the restoring table's
//     uint32 flags        bit 0: entries may carry blobs (the table was made with_blobs)
//     uint64 count        number of entries
//   count x entry, in the table's insertion order
//     int32  key group
//     uint32 key length   then the key bytes
//     value_size bytes    the value
//     uint32 blob length  kNoBlob = no blob; otherwise that many blob bytes follow
//   trailer
//     uint64 checksum     snapshot_checksum() of every byte before it
//
// Key hashes are not stored: restore re-hashes each key with the caller's function, so a table
// restored from any snapshot that passes validation is consistent with its own keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace strom::core {

inline constexpr uint32_t kStateSnapshotMagic = 0x5354534B;  // bytes "KSTS" little-endian
inline constexpr uint32_t kStateSnapshotVersion = 1;
inline constexpr uint32_t kStateSnapshotFlagBlobs = 1;
inline constexpr uint32_t kNoBlob = 0xFFFFFFFF;
inline constexpr size_t kStateSnapshotHeaderBytes = 24;
inline constexpr size_t kStateSnapshotTrailerBytes = 8;

/** A corrupt, truncated or incompatible snapshot (restore); the message says what and where. */
class StateSnapshotError : public std::runtime_error {
 public:
  explicit StateSnapshotError(const std::string& message) : std::runtime_error(message) {}
};

/** The 64-bit checksum of the trailer: a multiply-xor hash of 8-byte words, seeded with `len`.
 *  Any change of a single 8-byte word is always detected. */
uint64_t snapshot_checksum(const uint8_t* bytes, size_t len) noexcept;

}  // namespace strom::core
