// record_bytes.h: builds record payloads and frames by hand for the record parser tests,
// with the encodings of src/types/* (little-endian).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace strom::test {

struct RecordBytes {
  std::vector<uint8_t> bytes;

  RecordBytes& int32(int32_t v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    bytes.insert(bytes.end(), b, b + 4);
    return *this;
  }
  RecordBytes& int64(int64_t v) {
    uint8_t b[8];
    std::memcpy(b, &v, 8);
    bytes.insert(bytes.end(), b, b + 8);
    return *this;
  }
  RecordBytes& float64(double v) {
    uint8_t b[8];
    std::memcpy(b, &v, 8);
    bytes.insert(bytes.end(), b, b + 8);
    return *this;
  }
  RecordBytes& boolean(bool v) { return byte(v ? 1 : 0); }
  RecordBytes& byte(uint8_t v) {
    bytes.push_back(v);
    return *this;
  }
  /** STRING: int32 byte length + the bytes (any bytes: tests also build invalid UTF-8). */
  RecordBytes& string(const std::string& s) {
    int32(static_cast<int32_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
  RecordBytes& append(const std::vector<uint8_t>& more) {
    bytes.insert(bytes.end(), more.begin(), more.end());
    return *this;
  }
  /** Appends `payload` framed as [int32 length][tag][payload]. */
  RecordBytes& frame(const std::vector<uint8_t>& payload, uint8_t tag = 0) {
    int32(static_cast<int32_t>(payload.size() + 1));
    byte(tag);
    return append(payload);
  }
  const uint8_t* data() const { return bytes.data(); }
  uint32_t size() const { return static_cast<uint32_t>(bytes.size()); }
};

}  // namespace strom::test
