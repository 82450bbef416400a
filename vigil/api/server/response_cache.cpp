#include "vigil/api/server/response_cache.h"

#include <fmt/format.h>

#include <functional>

namespace vigil::api {

std::optional<std::string> ResponseCache::KeyFor(const ApiRequest& request) const {
  if (options_.ttl.count() <= 0 || request.method != "GET") {
    return std::nullopt;
  }
  if (auto control = request.Header("cache-control");
      control && (control->find("no-cache") != std::string::npos ||
                  control->find("no-store") != std::string::npos)) {
    return std::nullopt;
  }
  std::string key = request.scheme;
  key += "://";
  key += request.Header("host").value_or("");
  key += request.path;
  key += '?';
  for (const auto& [name, value] : request.query) {  // a multimap: sorted by name
    key += name;
    key += '=';
    key += value;
    key += '&';
  }
  key += "\nprefer:";
  key += request.Header("prefer").value_or("");
  return key;
}

bool ResponseCache::Unchanged(uint32_t reads, const Generations& then) const {
  for (int area = 0; area < kDataAreaBits; ++area) {
    if ((reads & (1u << area)) != 0 && generations_[area] != then[area]) {
      return false;
    }
  }
  return true;
}

ResponseCache::Generations ResponseCache::Snapshot() const {
  std::lock_guard lock(mu_);
  return generations_;
}

std::optional<ApiResponse> ResponseCache::Find(const std::string& key, Role role) const {
  std::shared_ptr<const ApiResponse> found;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !Unchanged(it->second.response->reads, it->second.generations) ||
        std::chrono::steady_clock::now() - it->second.stored >= options_.ttl ||
        !RoleAllows(role, it->second.response->route_role)) {
      return std::nullopt;
    }
    found = it->second.response;
  }
  return *found;  // the copy is made outside the lock
}

void ResponseCache::Store(const std::string& key, const ApiResponse& response,
                          const Generations& before) {
  if (!response.cacheable || response.status != 200 ||
      response.body.size() > options_.max_entry_bytes || options_.ttl.count() <= 0) {
    return;
  }
  auto copy = std::make_shared<const ApiResponse>(response);
  const size_t size = key.size() + response.body.size();
  std::lock_guard lock(mu_);
  if (!Unchanged(response.reads, before)) {
    return;  // the data changed while this answer was computed
  }
  if (auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->first.size() + it->second.response->body.size();
    entries_.erase(it);
  }
  if (entries_.size() >= options_.max_entries || bytes_ + size > options_.max_bytes) {
    entries_.clear();  // simple and bounded; hot entries come back on their next miss
    bytes_ = 0;
  }
  entries_.emplace(key, Entry{std::move(copy), before, std::chrono::steady_clock::now()});
  bytes_ += size;
}

void ResponseCache::Invalidate(uint32_t areas) {
  if (areas == kAreaNone) {
    return;
  }
  std::lock_guard lock(mu_);
  for (int area = 0; area < kDataAreaBits; ++area) {
    if ((areas & (1u << area)) != 0) {
      ++generations_[area];
    }
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if ((it->second.response->reads & areas) != 0) {
      bytes_ -= it->first.size() + it->second.response->body.size();
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

size_t ResponseCache::entries() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::string WeakEtag(std::string_view body) {
  return fmt::format("W/\"{:016x}\"", std::hash<std::string_view>{}(body));
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) {
      comma = if_none_match.size();
    }
    std::string_view item = if_none_match.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "*" || item == etag ||
        (item.size() + 2 == etag.size() && etag.substr(2) == item)) {  // strong form of W/
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

}  // namespace vigil::api
