// ActionStore: the Action center in SQLite (WAL) at <data dir>/response.db: remediation actions
// with approval, expiry (7 days), connector delivery (pull/report), undo and an audit log of
// every change; it also keeps the automated investigations. Used by Investigator, the CLI and
// connectors. Thread-safe: every public method takes one internal mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/respond/action.h"
#include "vigil/respond/investigation_record.h"

namespace vigil {
class SqliteDb;
}  // namespace vigil

namespace vigil::respond {

struct ActionStoreOptions {
  // UTC microseconds; default: wall clock. Stamps creation, updates and the audit log.
  std::function<int64_t()> clock;
};

enum class ActionView : uint8_t {
  kAll,
  kPendingApproval,  // approval Pending and status Pending: the Action center's Pending tab
  kHistory,          // everything else
};

struct ActionFilter {
  ActionView view = ActionView::kAll;
  std::optional<int64_t> incident_id;
  std::optional<int64_t> investigation_id;
  std::optional<Connector> connector;
  std::optional<ActionStatus> status;
  int64_t limit = 100;  // clamped to [1, 100000]; newest first
};

struct ActionAuditEntry {
  int64_t seq = 0;
  int64_t action_id = 0;
  int64_t time_us = 0;
  std::string actor;
  std::string operation;  // "propose", "approve", "reject", "expire", "pull", "report", ...
  std::string details;    // "status: Pending -> InProgress"
};

class ActionStore {
 public:
  static constexpr int64_t kApprovalTimeoutUs = int64_t{7} * 24 * 3600 * 1'000'000;

  // `path` is a file or ":memory:". Creates the tables when absent.
  static Result<std::unique_ptr<ActionStore>> Open(const std::string& path,
                                                   ActionStoreOptions options = {});
  ~ActionStore();
  ActionStore(const ActionStore&) = delete;
  ActionStore& operator=(const ActionStore&) = delete;

  // Stores a new action (status Pending; approval as given: NotRequired or Pending) and returns
  // its id. Id, times and decision fields of `action` are ignored.
  Result<int64_t> Propose(Action action, std::string_view actor = "automation");
  // Approval decisions on an action awaiting approval (kFailedPrecondition otherwise). A
  // rejected action is Cancelled.
  Result<Action> Approve(int64_t id, std::string_view actor, std::string_view comment = {});
  Result<Action> Reject(int64_t id, std::string_view actor, std::string_view comment = {});
  // Actions awaiting approval for kApprovalTimeoutUs or longer at `now_us` time out (status
  // TimeOut, approval Rejected). Returns how many.
  Result<size_t> ExpirePending(int64_t now_us);
  // Up to `max` deliverable actions of `connector` (status Pending, approval NotRequired or
  // Approved), oldest first, marked InProgress.
  Result<std::vector<Action>> Pull(Connector connector, size_t max,
                                   std::string_view actor = "connector");
  // The connector's outcome of an InProgress action.
  Result<Action> Report(int64_t id, bool succeeded, std::string_view message,
                        std::string_view actor = "connector");
  // Proposes the reversing action of a Succeeded, undoable action (approval NotRequired), links
  // both, and returns the new one. kFailedPrecondition for a non-undoable type, an action that
  // did not succeed, or one already undone.
  Result<Action> Undo(int64_t id, std::string_view actor);
  // Cancels a Pending or InProgress action.
  Result<Action> Cancel(int64_t id, std::string_view actor, std::string_view comment = {});
  Result<Action> Get(int64_t id);
  Result<std::vector<Action>> List(const ActionFilter& filter);
  Result<std::vector<ActionAuditEntry>> AuditLog(int64_t id);  // oldest first

  // Investigations (one per incident). Save inserts when id == 0 (returns the new id) or
  // replaces the record, its evidence and log otherwise.
  Result<int64_t> SaveInvestigation(const InvestigationRecord& record);
  Result<InvestigationRecord> GetInvestigation(int64_t id);
  Result<std::optional<InvestigationRecord>> FindInvestigationByIncident(int64_t incident_id);
  Result<std::vector<InvestigationRecord>> ListInvestigations(int64_t limit = 100);

  int64_t Now() const;

 private:
  ActionStore(std::unique_ptr<SqliteDb> db, ActionStoreOptions options);
  Result<Action> GetLocked(int64_t id);
  using Arg = std::variant<int64_t, std::string>;
  Result<std::vector<Action>> Select(std::string_view where_sql, const std::vector<Arg>& args,
                                     std::string_view order_sql, int64_t limit);
  Status WriteState(const Action& action);
  Status Audit(int64_t action_id, std::string_view actor, std::string_view operation,
               std::string_view details);
  Result<int64_t> InsertLocked(const Action& action, std::string_view actor);
  Result<InvestigationRecord> LoadInvestigation(int64_t id);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  ActionStoreOptions options_;
};

}  // namespace vigil::respond
