// ActionStore: persistence of investigation records (the investigations, their evidence and
// their step log), in the same database as the actions they proposed.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "vigil/base/sqlite_db.h"
#include "vigil/detect/alerts/evidence.h"
#include "vigil/respond/action_store.h"

namespace vigil::respond {
namespace {

constexpr std::array<std::string_view, 8> kStateNames = {
    "Unknown", "Running", "PendingApproval", "SuccessfullyRemediated", "PartiallyRemediated",
    "Benign",  "Failed",  "TerminatedByUser"};

// Newlines separate list items in the database.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return text;
}

}  // namespace

std::string_view InvestigationStateName(InvestigationState state) {
  const auto i = static_cast<size_t>(state);
  return i < kStateNames.size() ? kStateNames[i] : "Unknown";
}

std::optional<InvestigationState> ParseInvestigationState(std::string_view text) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (text == kStateNames[i]) {
      return static_cast<InvestigationState>(i);
    }
  }
  return std::nullopt;
}

Result<int64_t> ActionStore::SaveInvestigation(const InvestigationRecord& record) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto tx, db_->Begin());
  std::vector<std::string> alert_ids;
  for (const auto& id : record.alert_ids) {
    alert_ids.push_back(OneLine(id));
  }
  int64_t id = record.id;
  if (id == 0) {
    VIGIL_ASSIGN_OR_RETURN(
        auto st, db_->Prepare("INSERT INTO investigations (incident_id, state, playbook, "
                              "created_us, updated_us, alert_ids) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              "insert an investigation"));
    st.Bind(1, record.incident_id);
    st.Bind(2, InvestigationStateName(record.state));
    st.Bind(3, record.playbook);
    st.Bind(4, record.created_us);
    st.Bind(5, record.updated_us);
    st.Bind(6, JoinTextList(alert_ids));
    VIGIL_RETURN_IF_ERROR(st.Run());
    id = db_->LastInsertRowId();
  } else {
    VIGIL_ASSIGN_OR_RETURN(auto st,
                           db_->Prepare("UPDATE investigations SET state = ?2, playbook = ?3, "
                                        "updated_us = ?4, alert_ids = ?5 WHERE id = ?1",
                                        "update an investigation"));
    st.Bind(1, id);
    st.Bind(2, InvestigationStateName(record.state));
    st.Bind(3, record.playbook);
    st.Bind(4, record.updated_us);
    st.Bind(5, JoinTextList(alert_ids));
    VIGIL_RETURN_IF_ERROR(st.Run());
    for (const char* table : {"investigation_evidence", "investigation_log"}) {
      VIGIL_ASSIGN_OR_RETURN(
          auto del, db_->Prepare(fmt::format("DELETE FROM {} WHERE investigation_id = ?1", table),
                                 "replace investigation details"));
      del.Bind(1, id);
      VIGIL_RETURN_IF_ERROR(del.Run());
    }
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto ev, db_->Prepare("INSERT INTO investigation_evidence (investigation_id, seq, "
                            "entity_key, entity_json, sender, verdict, reasons) VALUES (?1, ?2, "
                            "?3, ?4, ?5, ?6, ?7)",
                            "store investigation evidence"));
  int64_t seq = 0;
  for (const auto& e : record.evidence) {
    std::vector<std::string> reasons;
    for (const auto& r : e.reasons) {
      reasons.push_back(OneLine(r));
    }
    ev.Bind(1, id);
    ev.Bind(2, seq++);
    ev.Bind(3, e.entity_key);
    ev.Bind(4, detect::alerts::EvidenceToJson({e.entity}));
    ev.Bind(5, e.sender);
    ev.Bind(6, VerdictName(e.verdict));
    ev.Bind(7, JoinTextList(reasons));
    VIGIL_RETURN_IF_ERROR(ev.Run());
  }
  VIGIL_ASSIGN_OR_RETURN(
      auto lg, db_->Prepare("INSERT INTO investigation_log (investigation_id, seq, time_us, "
                            "message) VALUES (?1, ?2, ?3, ?4)",
                            "store the investigation log"));
  seq = 0;
  for (const auto& entry : record.log) {
    lg.Bind(1, id);
    lg.Bind(2, seq++);
    lg.Bind(3, entry.time_us);
    lg.Bind(4, entry.message);
    VIGIL_RETURN_IF_ERROR(lg.Run());
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<InvestigationRecord> ActionStore::LoadInvestigation(int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare("SELECT id, incident_id, state, playbook, created_us, updated_us, "
                            "alert_ids FROM investigations WHERE id = ?1",
                            "read an investigation"));
  st.Bind(1, id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, st.Step());
  if (!found) {
    return NotFoundError("investigation {} not found", id);
  }
  InvestigationRecord r;
  r.id = st.Int(0);
  r.incident_id = st.Int(1);
  r.state = ParseInvestigationState(st.Text(2)).value_or(InvestigationState::kUnknown);
  r.playbook = st.Text(3);
  r.created_us = st.Int(4);
  r.updated_us = st.Int(5);
  r.alert_ids = SplitTextList(st.Text(6));
  st.Reset();
  VIGIL_ASSIGN_OR_RETURN(
      auto ev, db_->Prepare("SELECT entity_key, entity_json, sender, verdict, reasons FROM "
                            "investigation_evidence WHERE investigation_id = ?1 ORDER BY seq",
                            "read investigation evidence"));
  ev.Bind(1, id);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, ev.Step());
    if (!row) {
      break;
    }
    EvidenceVerdict e;
    e.entity_key = ev.Text(0);
    auto entities = detect::alerts::EvidenceFromJson(ev.Text(1));
    if (entities.ok() && !entities->empty()) {
      e.entity = std::move(entities->front());
    }
    e.sender = ev.Text(2);
    e.verdict = ParseVerdict(ev.Text(3)).value_or(Verdict::kUnknown);
    e.reasons = SplitTextList(ev.Text(4));
    r.evidence.push_back(std::move(e));
  }
  VIGIL_ASSIGN_OR_RETURN(auto lg,
                         db_->Prepare("SELECT time_us, message FROM investigation_log WHERE "
                                      "investigation_id = ?1 ORDER BY seq",
                                      "read the investigation log"));
  lg.Bind(1, id);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, lg.Step());
    if (!row) {
      break;
    }
    r.log.push_back({lg.Int(0), lg.Text(1)});
  }
  return r;
}

Result<InvestigationRecord> ActionStore::GetInvestigation(int64_t id) {
  std::lock_guard lock(mu_);
  return LoadInvestigation(id);
}

Result<std::optional<InvestigationRecord>> ActionStore::FindInvestigationByIncident(
    int64_t incident_id) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT id FROM investigations WHERE "
                                               "incident_id = ?1",
                                               "find an incident's investigation"));
  st.Bind(1, incident_id);
  VIGIL_ASSIGN_OR_RETURN(const bool found, st.Step());
  if (!found) {
    return std::optional<InvestigationRecord>();
  }
  const int64_t id = st.Int(0);
  st.Reset();
  VIGIL_ASSIGN_OR_RETURN(auto record, LoadInvestigation(id));
  return std::optional<InvestigationRecord>(std::move(record));
}

Result<std::vector<InvestigationRecord>> ActionStore::ListInvestigations(int64_t limit) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(
      auto st, db_->Prepare(fmt::format("SELECT id FROM investigations ORDER BY id DESC LIMIT {}",
                                        std::clamp<int64_t>(limit, 1, 100000)),
                            "list investigations"));
  std::vector<int64_t> ids;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(const bool row, st.Step());
    if (!row) {
      break;
    }
    ids.push_back(st.Int(0));
  }
  std::vector<InvestigationRecord> out;
  for (int64_t id : ids) {
    VIGIL_ASSIGN_OR_RETURN(auto record, LoadInvestigation(id));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace vigil::respond
