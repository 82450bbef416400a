#include "vigil/api/auth/login_throttle.h"

#include <algorithm>

#include "vigil/api/auth/auth_store.h"

namespace vigil::api {

LoginThrottle::LoginThrottle(LoginThrottleOptions options) : options_(std::move(options)) {
  if (!options_.now_s) {
    options_.now_s = UnixSeconds;
  }
  options_.window_s = std::max<int64_t>(options_.window_s, 1);
  options_.max_keys = std::max<size_t>(options_.max_keys, 2);
}

int64_t LoginThrottle::Blocked(const std::string& key, int limit, int64_t now) {
  auto it = windows_.find(key);
  if (it == windows_.end() || now >= it->second.start_s + options_.window_s) {
    return 0;
  }
  return it->second.failures >= limit ? it->second.start_s + options_.window_s - now : 0;
}

int64_t LoginThrottle::RetryAfter(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_s();
  return std::max(Blocked("a:" + account, options_.max_failures_per_account, now),
                  Blocked("r:" + address, options_.max_failures_per_address, now));
}

void LoginThrottle::Count(const std::string& key, int64_t now) {
  auto it = windows_.find(key);
  if (it != windows_.end()) {
    if (now >= it->second.start_s + options_.window_s) {
      it->second = Window{now, 0};
    }
    ++it->second.failures;
    return;
  }
  if (windows_.size() >= options_.max_keys) {
    // Drop finished windows; if none finished, the oldest one.
    std::erase_if(windows_, [&](const auto& entry) {
      return now >= entry.second.start_s + options_.window_s;
    });
    if (windows_.size() >= options_.max_keys) {
      auto oldest = std::min_element(windows_.begin(), windows_.end(), [](const auto& a,
                                                                          const auto& b) {
        return a.second.start_s < b.second.start_s;
      });
      windows_.erase(oldest);
    }
  }
  windows_.emplace(key, Window{now, 1});
}

void LoginThrottle::RecordFailure(const std::string& account, const std::string& address) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_s();
  Count("a:" + account, now);
  Count("r:" + address, now);
}

void LoginThrottle::RecordSuccess(const std::string& account) {
  std::lock_guard lock(mu_);
  windows_.erase("a:" + account);
}

size_t LoginThrottle::tracked_keys() {
  std::lock_guard lock(mu_);
  return windows_.size();
}

std::string AddressOf(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    const size_t close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  const size_t colon = remote.rfind(':');
  if (colon == std::string::npos || remote.find(':') != colon) {
    return remote;  // no port, or a bare IPv6 address
  }
  return remote.substr(0, colon);
}

}  // namespace vigil::api
