// IndicatorStore: the tenant's indicators in SQLite (WAL), with Defender's submit-or-update
// semantics (one indicator per type and value), the 15,000 active-indicator limit, an expiry
// sweep and an audit log of who changed what. Used by the API/CLI; the detection pipeline
// builds an IndicatorSet from List(). Thread-safe: one connection behind a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/ioc/indicator.h"

namespace vigil {
class SqliteDb;
}  // namespace vigil

namespace vigil::detect::ioc {

struct StoreOptions {
  size_t max_active = 15000;  // Defender's per-tenant limit of active indicators
  bool allow_internal_ips = false;
};

struct IndicatorListFilter {
  std::optional<IndicatorType> type;
  bool include_expired = true;
  int64_t now_us = 0;  // for include_expired = false
  size_t limit = 0;    // 0 = all
};

struct IndicatorAuditEntry {
  int64_t seq = 0;
  int64_t time_us = 0;
  std::string actor;
  std::string operation;  // "create", "update", "delete", "expire"
  std::string indicator_id;
  std::string indicator_type;
  std::string indicator_value;
  std::string details;  // changed fields: "action: Audit -> Block; severity: Low -> High"
};

class IndicatorStore {
 public:
  // `path` is a file or ":memory:". Creates the tables when absent.
  static Result<std::unique_ptr<IndicatorStore>> Open(const std::string& path,
                                                      const StoreOptions& options = {});
  ~IndicatorStore();
  IndicatorStore(const IndicatorStore&) = delete;
  IndicatorStore& operator=(const IndicatorStore&) = delete;

  // POST /api/indicators: validates and normalizes; a new (type, value) is created (id assigned
  // when empty; kResourceExhausted past max_active), an existing one is updated in place (its
  // id, creation time, createdBy and application are kept, as Defender does).
  Result<Indicator> Submit(Indicator indicator, std::string_view actor, int64_t now_us);
  // Replaces the mutable fields of indicator `id` (type and value may change if they stay
  // unique). kNotFound when absent.
  Result<Indicator> Update(std::string_view id, Indicator indicator, std::string_view actor,
                           int64_t now_us);
  Result<Indicator> Get(std::string_view id) const;
  Result<std::optional<Indicator>> Find(IndicatorType type, std::string_view value) const;
  Result<std::vector<Indicator>> List(const IndicatorListFilter& filter = {}) const;
  Status Delete(std::string_view id, std::string_view actor, int64_t now_us);
  // Deletes indicators expired at `now_us`, auditing each; returns how many.
  Result<size_t> SweepExpired(int64_t now_us, std::string_view actor = "system");
  Result<size_t> CountActive(int64_t now_us) const;
  // Newest first; `indicator_id` empty = all indicators.
  Result<std::vector<IndicatorAuditEntry>> AuditLog(std::string_view indicator_id = {},
                                                    size_t limit = 1000) const;

 private:
  IndicatorStore(std::unique_ptr<SqliteDb> db, StoreOptions options);
  Result<std::optional<Indicator>> SelectOne(std::string_view where, std::string_view arg1,
                                             int64_t arg2) const;
  Status Write(const Indicator& indicator, bool insert);
  Status Audit(int64_t now_us, std::string_view actor, std::string_view operation,
               const Indicator& indicator, std::string_view details);
  Result<size_t> CountActiveLocked(int64_t now_us) const;

  mutable std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  StoreOptions options_;
};

}  // namespace vigil::detect::ioc
