// test_framework.h: a tiny assertion framework for strom's C++ unit tests (no downloads).
//
//   STROM_TEST(name) { STROM_CHECK(cond); STROM_CHECK_EQ(a, b); STROM_CHECK_THROWS(expr, kind); }
//   int main() { return strom::test::run_all(); }
//
// A failed check records file:line and the values, and the test continues; run_all() returns
// non-zero if any check failed or a test threw, which makes ctest report the failure.
#pragma once

#include <atomic>
#include <cstdio>
#include <exception>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace strom::test {

struct TestCase {
  const char* name;
  std::function<void()> body;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;  // filled before main by static registrars
  return tests;
}

inline std::atomic<int>& failures() {
  static std::atomic<int> count{0};  // checks may fail on several threads in stress tests
  return count;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  failures().fetch_add(1);
  std::fprintf(stderr, "  FAILED %s:%d: %s\n", file, line, what.c_str());
}

template <typename A, typename B>
void check_eq(const A& actual, const B& expected, const char* actual_text, const char* expected_text,
              const char* file, int line) {
  if (!(actual == expected)) {
    std::ostringstream out;
    out << actual_text << " == " << expected_text << " (got " << actual << ", expected " << expected << ")";
    fail(file, line, out.str());
  }
}

inline int run_all() {
  int failed_tests = 0;
  for (const TestCase& test : registry()) {
    const int before = failures().load();
    std::fprintf(stderr, "[ RUN  ] %s\n", test.name);
    try {
      test.body();
    } catch (const std::exception& error) {
      fail(__FILE__, __LINE__, std::string("unexpected exception: ") + error.what());
    }
    const bool ok = failures().load() == before;
    if (!ok) ++failed_tests;
    std::fprintf(stderr, "[ %s ] %s\n", ok ? " OK " : "FAIL", test.name);
  }
  std::fprintf(stderr, "%zu test(s), %d failed\n", registry().size(), failed_tests);
  return failed_tests == 0 ? 0 : 1;
}

}  // namespace strom::test

#define STROM_TEST_CONCAT_INNER(a, b) a##b
#define STROM_TEST_CONCAT(a, b) STROM_TEST_CONCAT_INNER(a, b)
#define STROM_TEST(name)                                                                       \
  static void name();                                                                          \
  static ::strom::test::Registrar STROM_TEST_CONCAT(registrar_, name)(#name, &name);           \
  static void name()

#define STROM_CHECK(condition) \
  ((condition) ? (void)0 : ::strom::test::fail(__FILE__, __LINE__, "check failed: " #condition))

#define STROM_CHECK_EQ(actual, expected) \
  ::strom::test::check_eq((actual), (expected), #actual, #expected, __FILE__, __LINE__)

// Checks that `expression` throws core::NetworkMemoryError of `error_kind`; yields its message.
#define STROM_CHECK_THROWS(expression, error_kind)                                              \
  [&]() -> std::string {                                                                        \
    try {                                                                                       \
      (void)(expression);                                                                       \
    } catch (const ::strom::core::NetworkMemoryError& error) {                                  \
      if (error.kind() != (error_kind)) {                                                       \
        ::strom::test::fail(__FILE__, __LINE__, "wrong error kind from " #expression ": " +     \
                                                    std::string(error.what()));                 \
      }                                                                                         \
      return error.what();                                                                      \
    }                                                                                           \
    ::strom::test::fail(__FILE__, __LINE__, "expected " #expression " to throw");              \
    return std::string();                                                                       \
  }()
