// ManagedMemoryAccount: format/attach checks, reserve/release, budget never exceeded, threads.
#include <atomic>
#include <thread>
#include <vector>

#include "core/managed_memory.h"
#include "core/network_memory_error.h"
#include "keyed_state_fixture.h"
#include "test_framework.h"

using namespace strom;
using core::ManagedMemoryAccount;
using core::NetworkMemoryErrorKind;

STROM_TEST(format_writes_the_documented_words) {
  alignas(8) int64_t words[core::kManagedMemoryWords];
  for (auto& w : words) w = -1;
  ManagedMemoryAccount account = ManagedMemoryAccount::format(words, sizeof words, 1000);
  STROM_CHECK_EQ(words[core::managed_memory_word::kMagic], core::kManagedMemoryMagic);
  STROM_CHECK_EQ(words[core::managed_memory_word::kVersion], core::kManagedMemoryVersion);
  STROM_CHECK_EQ(words[core::managed_memory_word::kBudget], 1000);
  STROM_CHECK_EQ(words[core::managed_memory_word::kUsed], 0);
  STROM_CHECK_EQ(words[core::managed_memory_word::kHighWater], 0);
  STROM_CHECK_EQ(words[7], 0);
  STROM_CHECK(account.try_reserve(300));
  STROM_CHECK_EQ(words[core::managed_memory_word::kUsed], 300);
  STROM_CHECK_EQ(words[core::managed_memory_word::kHighWater], 300);
}

STROM_TEST(format_and_attach_validate) {
  alignas(8) int64_t words[core::kManagedMemoryWords + 1] = {};
  STROM_CHECK_THROWS(ManagedMemoryAccount::format(nullptr, 64, 1), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(ManagedMemoryAccount::format(reinterpret_cast<uint8_t*>(words) + 4, 64, 1),
                     NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(ManagedMemoryAccount::format(words, 63, 1), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(ManagedMemoryAccount::format(words, 64, -1), NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(ManagedMemoryAccount::format(words, 64, core::kMaxManagedMemoryBudget + 1),
                     NetworkMemoryErrorKind::kRange);
  STROM_CHECK_THROWS(ManagedMemoryAccount::attach(words, 64), NetworkMemoryErrorKind::kRange);  // no magic
  ManagedMemoryAccount::format(words, 64, 5);
  ManagedMemoryAccount other = ManagedMemoryAccount::attach(words, 64);
  STROM_CHECK_EQ(other.budget(), 5);
  words[core::managed_memory_word::kVersion] = 99;
  const std::string message = STROM_CHECK_THROWS(ManagedMemoryAccount::attach(words, 64), NetworkMemoryErrorKind::kRange);
  STROM_CHECK(message.find("version 99") != std::string::npos);
}

STROM_TEST(reserve_never_exceeds_the_budget) {
  test::AccountFixture f(100);
  STROM_CHECK(f.account.try_reserve(0));
  STROM_CHECK(f.account.try_reserve(60));
  STROM_CHECK(!f.account.try_reserve(41));
  STROM_CHECK_EQ(f.account.used(), 60);
  STROM_CHECK(f.account.try_reserve(40));
  STROM_CHECK_EQ(f.account.available(), 0);
  STROM_CHECK(!f.account.try_reserve(1));
  STROM_CHECK(!f.account.try_reserve(-5));
  STROM_CHECK(!f.account.try_reserve(INT64_MAX));
  f.account.release(70);
  STROM_CHECK_EQ(f.account.used(), 30);
  STROM_CHECK_EQ(f.account.high_water(), 100);
  ManagedMemoryAccount view = ManagedMemoryAccount::attach(f.words, sizeof f.words);
  STROM_CHECK(view.try_reserve(70));  // two views, one account
  STROM_CHECK_EQ(f.account.used(), 100);
  view.release(100);
  STROM_CHECK_EQ(f.account.used(), 0);
}

STROM_TEST(concurrent_reserve_release_returns_to_zero) {
  constexpr int64_t kBudget = 1 << 20;
  test::AccountFixture f(kBudget);
  constexpr int kThreads = 4;
  std::atomic<int64_t> granted{0}, refused{0};
  std::atomic<bool> over_budget{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ManagedMemoryAccount account = ManagedMemoryAccount::attach(f.words, sizeof f.words);
      test::Rng rng(1000 + t);
      std::vector<int64_t> held;
      for (int i = 0; i < 200000; ++i) {
        if (held.empty() || rng.below(3) != 0) {
          const int64_t bytes = 1 + rng.below(64 * 1024);
          if (account.try_reserve(bytes)) {
            held.push_back(bytes);
            granted.fetch_add(1, std::memory_order_relaxed);
          } else {
            refused.fetch_add(1, std::memory_order_relaxed);
          }
        } else {
          account.release(held.back());
          held.pop_back();
        }
        if (account.used() > kBudget) over_budget.store(true);
      }
      for (int64_t bytes : held) account.release(bytes);
    });
  }
  for (auto& thread : threads) thread.join();
  STROM_CHECK(!over_budget.load());
  STROM_CHECK_EQ(f.account.used(), 0);
  STROM_CHECK(f.account.high_water() <= kBudget);
  STROM_CHECK(f.account.high_water() > kBudget / 2);
  STROM_CHECK(granted.load() > 0);
  STROM_CHECK(refused.load() > 0);  // the budget was actually contended
}

int main() { return strom::test::run_all(); }
