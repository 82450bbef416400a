#include "vigil/api/auth/login_throttle.h"

#include <gtest/gtest.h>

namespace vigil::api {
namespace {

TEST(LoginThrottle, LocksAnAccountForTheRestOfTheWindow) {
  int64_t now = 1000;
  LoginThrottleOptions options;
  options.max_failures_per_account = 3;
  options.window_s = 60;
  options.now_s = [&] { return now; };
  LoginThrottle throttle(options);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0);
    throttle.RecordFailure("alice", "10.0.0.1");
  }
  now += 10;
  EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.2"), 50);  // per account, from any address
  EXPECT_EQ(throttle.RetryAfter("bob", "10.0.0.2"), 0);
  now += 50;
  EXPECT_EQ(throttle.RetryAfter("alice", "10.0.0.1"), 0);  // the window is over
}

TEST(LoginThrottle, CountsPerAddressAcrossAccountsAndSuccessClearsTheAccount) {
  int64_t now = 0;
  LoginThrottleOptions options;
  options.max_failures_per_account = 100;
  options.max_failures_per_address = 4;
  options.now_s = [&] { return now; };
  LoginThrottle throttle(options);
  for (int i = 0; i < 4; ++i) {
    throttle.RecordFailure("user" + std::to_string(i), "192.0.2.9");
  }
  EXPECT_GT(throttle.RetryAfter("someone", "192.0.2.9"), 0);
  EXPECT_EQ(throttle.RetryAfter("someone", "192.0.2.10"), 0);
  throttle.RecordFailure("carol", "198.51.100.1");
  throttle.RecordSuccess("carol");
  EXPECT_EQ(throttle.RetryAfter("carol", "198.51.100.2"), 0);
}

TEST(LoginThrottle, MemoryIsBounded) {
  int64_t now = 0;
  LoginThrottleOptions options;
  options.max_keys = 50;
  options.now_s = [&] { return now; };
  LoginThrottle throttle(options);
  for (int i = 0; i < 1000; ++i) {
    throttle.RecordFailure("u" + std::to_string(i), "a" + std::to_string(i));
  }
  EXPECT_LE(throttle.tracked_keys(), 50u);
}

TEST(LoginThrottle, AddressOfStripsThePort) {
  EXPECT_EQ(AddressOf("127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(AddressOf("[::1]:5000"), "::1");
  EXPECT_EQ(AddressOf("::1"), "::1");
  EXPECT_EQ(AddressOf("host"), "host");
}

}  // namespace
}  // namespace vigil::api
