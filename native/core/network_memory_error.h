// network_memory_error.h: the one exception type of strom's native core.
//
// The core has no napi.h; the binding layer (native/napi/error_translation.h) turns each kind
// into the matching JS error class. Hot paths never throw for "not available"; they return a
// request_status code. Exceptions mean a programming error or a capacity limit.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace strom::core {

enum class NetworkMemoryErrorKind {
  kType,          // wrong kind of argument -> TypeError
  kRange,         // argument out of range, bad magic/version, unknown id -> RangeError
  kState,         // operation not allowed in the current state -> Error
  kInsufficient,  // not enough network buffers -> InsufficientNetworkBuffersError
};

class NetworkMemoryError : public std::runtime_error {
 public:
  NetworkMemoryError(NetworkMemoryErrorKind kind, const std::string& message, int64_t required = 0,
                     int64_t available = 0)
      : std::runtime_error(message), kind_(kind), required_(required), available_(available) {}

  NetworkMemoryErrorKind kind() const noexcept { return kind_; }
  /** Segments required (kInsufficient only). */
  int64_t required() const noexcept { return required_; }
  /** Segments available for new pools (kInsufficient only). */
  int64_t available() const noexcept { return available_; }

 private:
  NetworkMemoryErrorKind kind_;
  int64_t required_;
  int64_t available_;
};

[[noreturn]] inline void throw_range(const std::string& message) {
  throw NetworkMemoryError(NetworkMemoryErrorKind::kRange, message);
}

[[noreturn]] inline void throw_state(const std::string& message) {
  throw NetworkMemoryError(NetworkMemoryErrorKind::kState, message);
}

}  // namespace strom::core
