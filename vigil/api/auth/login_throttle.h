// LoginThrottle: slows down guessing at the token endpoint and the console login. Failed
// attempts are counted per key (a client id or user name, and separately the caller's address)
// in a fixed window; once a key reaches its limit it is refused until the window ends, and the
// caller gets 429 with Retry-After. A success clears the key. Memory is bounded (at most
// max_keys keys; the oldest windows go first). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vigil::api {

struct LoginThrottleOptions {
  int max_failures_per_account = 5;   // per client id or user name and window
  int max_failures_per_address = 30;  // per remote address and window
  int64_t window_s = 60;
  size_t max_keys = 10000;
  std::function<int64_t()> now_s;  // unix seconds; defaults to the system clock
};

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleOptions options = {});

  // Seconds the caller must wait before another attempt for this account from this address,
  // or 0 when an attempt is allowed now.
  int64_t RetryAfter(const std::string& account, const std::string& address);
  void RecordFailure(const std::string& account, const std::string& address);
  void RecordSuccess(const std::string& account);

  size_t tracked_keys();

 private:
  struct Window {
    int64_t start_s = 0;
    int failures = 0;
  };
  int64_t Blocked(const std::string& key, int limit, int64_t now);
  void Count(const std::string& key, int64_t now);

  LoginThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

// The address part of "host:port" / "[v6]:port" (what the throttle counts per address).
std::string AddressOf(const std::string& remote);

}  // namespace vigil::api
