// ConsoleStore: <data>/console.db (SQLite WAL), what the web console keeps that is no
// detection data: saved hunting queries (private to their owner unless shared) and the on/off
// switches of Sigma/correlation rules and custom detections. Used by the console routes
// (console_routes.h) and `vigil serve`. Thread-safe (one mutex around the connection).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/sqlite_db.h"
#include "vigil/base/status.h"

namespace vigil::api::console {

struct SavedQuery {
  int64_t id = 0;
  std::string name;
  std::string query;
  std::string description;
  bool shared = false;
  std::string owner;  // Principal::name of the creator
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct SavedQueryPatch {
  std::optional<std::string> name, query, description;
  std::optional<bool> shared;
};

// Which switch table a rule id belongs to: Sigma and correlation rules, or custom detections.
enum class SwitchScope : uint8_t { kRule, kDetection };

class ConsoleStore {
 public:
  static Result<std::unique_ptr<ConsoleStore>> Open(const std::string& path);

  // The owner's queries and every shared one, newest change first.
  Result<std::vector<SavedQuery>> ListQueries(std::string_view owner);
  Result<SavedQuery> GetQuery(int64_t id);  // kNotFound when absent
  // Sets id and both times (`now_us`); returns the stored query.
  Result<SavedQuery> AddQuery(SavedQuery query, int64_t now_us);
  Result<SavedQuery> UpdateQuery(int64_t id, const SavedQueryPatch& patch, int64_t now_us);
  Status DeleteQuery(int64_t id);  // kNotFound when absent

  // Switch states set so far (rule id -> enabled); ids never switched are absent.
  Result<std::map<std::string, bool>> Switches(SwitchScope scope);
  Status SetSwitch(SwitchScope scope, std::string_view id, bool enabled, std::string_view actor,
                   int64_t now_us);

 private:
  explicit ConsoleStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

}  // namespace vigil::api::console
