#include "vigil/incidents/incident_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "vigil/base/sqlite_db.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"

namespace vigil::incidents {
namespace {

using detect::alerts::ClassificationName;
using detect::alerts::DeterminationName;

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE incidents(
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, title_custom INTEGER NOT NULL,
  severity INTEGER NOT NULL, severity_override INTEGER NOT NULL, alerts_severity INTEGER NOT NULL,
  status INTEGER NOT NULL, classification INTEGER NOT NULL, determination INTEGER NOT NULL,
  assigned_to TEXT NOT NULL, redirect_incident_id INTEGER NOT NULL,
  created INTEGER NOT NULL, last_update INTEGER NOT NULL,
  first_activity INTEGER NOT NULL, last_activity INTEGER NOT NULL,
  service_sources TEXT NOT NULL, detection_sources TEXT NOT NULL, categories TEXT NOT NULL,
  devices TEXT NOT NULL, users TEXT NOT NULL);
CREATE INDEX incidents_status ON incidents(status);
CREATE TABLE incident_alerts(alert_id TEXT PRIMARY KEY, incident_id INTEGER NOT NULL,
  reason TEXT NOT NULL, actor TEXT NOT NULL, time INTEGER NOT NULL);
CREATE INDEX incident_alerts_incident ON incident_alerts(incident_id);
CREATE TABLE incident_tags(incident_id INTEGER NOT NULL, tag TEXT NOT NULL,
  system INTEGER NOT NULL, PRIMARY KEY(incident_id, system, tag));
CREATE TABLE incident_comments(seq INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL,
  comment TEXT NOT NULL, created_by TEXT NOT NULL, created_time INTEGER NOT NULL);
CREATE INDEX incident_comments_incident ON incident_comments(incident_id);
CREATE TABLE incident_audit(seq INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL,
  actor TEXT NOT NULL, time INTEGER NOT NULL, field TEXT NOT NULL, old_value TEXT NOT NULL,
  new_value TEXT NOT NULL);
CREATE INDEX incident_audit_incident ON incident_audit(incident_id);
CREATE TABLE incident_entities(incident_id INTEGER NOT NULL, key TEXT NOT NULL,
  label TEXT NOT NULL, identifiers TEXT NOT NULL, last_seen INTEGER NOT NULL,
  domains INTEGER NOT NULL, alerts INTEGER NOT NULL, PRIMARY KEY(incident_id, key));
)sql";
constexpr std::array<std::string_view, 1> kSchema = {kSchemaV1};

constexpr std::string_view kColumns =
    "id, title, title_custom, severity, severity_override, alerts_severity, status, "
    "classification, determination, assigned_to, redirect_incident_id, created, last_update, "
    "first_activity, last_activity, service_sources, detection_sources, categories, devices, "
    "users";

template <typename E>
E Enum(int64_t value, E max) {
  return (value < 0 || value > static_cast<int64_t>(max)) ? E{} : static_cast<E>(value);
}

Incident ReadIncident(const SqliteStatement& s) {
  Incident inc;
  inc.id = s.Int(0);
  inc.title = s.Text(1);
  inc.title_custom = s.Int(2) != 0;
  inc.severity = Enum(s.Int(3), Severity::kHigh);
  inc.severity_override = s.Int(4) != 0;
  inc.alerts_severity = Enum(s.Int(5), Severity::kHigh);
  inc.status = Enum(s.Int(6), IncidentStatus::kRedirected);
  inc.classification = Enum(s.Int(7), AlertClassification::kFalsePositive);
  inc.determination = Enum(s.Int(8), AlertDetermination::kOther);
  inc.assigned_to = s.Text(9);
  inc.redirect_incident_id = s.Int(10);
  inc.created_us = s.Int(11);
  inc.last_update_us = s.Int(12);
  inc.first_activity_us = s.Int(13);
  inc.last_activity_us = s.Int(14);
  inc.facts.service_sources = SplitTextList(s.Text(15));
  inc.facts.detection_sources = SplitTextList(s.Text(16));
  inc.facts.categories = SplitTextList(s.Text(17));
  inc.facts.devices = SplitTextList(s.Text(18));
  inc.facts.users = SplitTextList(s.Text(19));
  return inc;
}

void BindIncident(SqliteStatement& s, const Incident& inc) {
  s.Bind(1, inc.id);
  s.Bind(2, inc.title);
  s.Bind(3, inc.title_custom ? 1 : 0);
  s.Bind(4, static_cast<int>(inc.severity));
  s.Bind(5, inc.severity_override ? 1 : 0);
  s.Bind(6, static_cast<int>(inc.alerts_severity));
  s.Bind(7, static_cast<int>(inc.status));
  s.Bind(8, static_cast<int>(inc.classification));
  s.Bind(9, static_cast<int>(inc.determination));
  s.Bind(10, inc.assigned_to);
  s.Bind(11, inc.redirect_incident_id);
  s.Bind(12, inc.created_us);
  s.Bind(13, inc.last_update_us);
  s.Bind(14, inc.first_activity_us);
  s.Bind(15, inc.last_activity_us);
  s.Bind(16, JoinTextList(inc.facts.service_sources));
  s.Bind(17, JoinTextList(inc.facts.detection_sources));
  s.Bind(18, JoinTextList(inc.facts.categories));
  s.Bind(19, JoinTextList(inc.facts.devices));
  s.Bind(20, JoinTextList(inc.facts.users));
}

}  // namespace

struct IncidentStore::Statements {
  SqliteStatement get;
  SqliteStatement insert;
  SqliteStatement save;
  SqliteStatement tags;
  SqliteStatement delete_tags;
  SqliteStatement insert_tag;
  SqliteStatement alert_ids;
  SqliteStatement links;
  SqliteStatement link_of;
  SqliteStatement link;
  SqliteStatement move_links;
  SqliteStatement audit;
  SqliteStatement audit_log;
  SqliteStatement comments;
  SqliteStatement insert_comment;
  SqliteStatement open_ids;
  SqliteStatement save_entity;
  SqliteStatement delete_entities;
  SqliteStatement entities;
};

IncidentStore::IncidentStore(std::unique_ptr<SqliteDb> db, IncidentStoreOptions options)
    : db_(std::move(db)), options_(std::move(options)), stmts_(std::make_unique<Statements>()) {}

IncidentStore::~IncidentStore() { stmts_.reset(); }

int64_t IncidentStore::Now() const {
  return options_.clock ? options_.clock() : NowTicks() / kTicksPerMicrosecond;
}

Result<std::unique_ptr<IncidentStore>> IncidentStore::Open(const std::string& path,
                                                           IncidentStoreOptions options) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                         SqliteDb::Open(path, "incident store", kSchema));
  std::unique_ptr<IncidentStore> store(new IncidentStore(std::move(db), std::move(options)));
  VIGIL_RETURN_IF_ERROR(store->Prepare().Annotate(fmt::format("incident store '{}'", path)));
  return store;
}

Status IncidentStore::Prepare() {
  auto prepare = [&](SqliteStatement& out, std::string_view sql, std::string_view purpose) {
    return db_->PrepareInto(out, sql, purpose);
  };
  Statements& s = *stmts_;
  const std::string values =
      "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20";
  VIGIL_RETURN_IF_ERROR(prepare(
      s.get, fmt::format("SELECT {} FROM incidents WHERE id = ?1", kColumns), "read an incident"));
  VIGIL_RETURN_IF_ERROR(prepare(
      s.insert,
      fmt::format("INSERT INTO incidents({}) VALUES(NULL,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
                  "?13,?14,?15,?16,?17,?18,?19)",
                  kColumns),
      "insert an incident"));
  VIGIL_RETURN_IF_ERROR(prepare(
      s.save, fmt::format("INSERT OR REPLACE INTO incidents({}) VALUES({})", kColumns, values),
      "save an incident"));
  VIGIL_RETURN_IF_ERROR(
      prepare(s.tags, "SELECT tag, system FROM incident_tags WHERE incident_id = ?1 ORDER BY tag",
              "read incident tags"));
  VIGIL_RETURN_IF_ERROR(prepare(s.delete_tags, "DELETE FROM incident_tags WHERE incident_id = ?1",
                                "clear incident tags"));
  VIGIL_RETURN_IF_ERROR(
      prepare(s.insert_tag,
              "INSERT OR IGNORE INTO incident_tags(incident_id, tag, system) VALUES(?1,?2,?3)",
              "add an incident tag"));
  VIGIL_RETURN_IF_ERROR(
      prepare(s.alert_ids,
              "SELECT alert_id FROM incident_alerts WHERE incident_id = ?1 ORDER BY time, rowid",
              "read incident alerts"));
  VIGIL_RETURN_IF_ERROR(prepare(s.links,
                                "SELECT alert_id, incident_id, reason, actor, time FROM "
                                "incident_alerts WHERE incident_id = ?1 ORDER BY time, rowid",
                                "read alert links"));
  VIGIL_RETURN_IF_ERROR(prepare(s.link_of,
                                "SELECT alert_id, incident_id, reason, actor, time FROM "
                                "incident_alerts WHERE alert_id = ?1",
                                "read an alert link"));
  VIGIL_RETURN_IF_ERROR(prepare(s.link,
                                "INSERT OR REPLACE INTO incident_alerts(alert_id, incident_id, "
                                "reason, actor, time) VALUES(?1,?2,?3,?4,?5)",
                                "link an alert"));
  VIGIL_RETURN_IF_ERROR(
      prepare(s.move_links, "UPDATE incident_alerts SET incident_id = ?2 WHERE incident_id = ?1",
              "move alert links"));
  VIGIL_RETURN_IF_ERROR(prepare(s.audit,
                                "INSERT INTO incident_audit(incident_id, actor, time, field, "
                                "old_value, new_value) VALUES(?1,?2,?3,?4,?5,?6)",
                                "audit an incident change"));
  VIGIL_RETURN_IF_ERROR(prepare(s.audit_log,
                                "SELECT seq, incident_id, actor, time, field, old_value, new_value "
                                "FROM incident_audit WHERE incident_id = ?1 ORDER BY seq",
                                "read the incident audit"));
  VIGIL_RETURN_IF_ERROR(prepare(s.comments,
                                "SELECT comment, created_by, created_time FROM incident_comments "
                                "WHERE incident_id = ?1 ORDER BY seq",
                                "read incident comments"));
  VIGIL_RETURN_IF_ERROR(prepare(s.insert_comment,
                                "INSERT INTO incident_comments(incident_id, comment, created_by, "
                                "created_time) VALUES(?1,?2,?3,?4)",
                                "add an incident comment"));
  VIGIL_RETURN_IF_ERROR(prepare(s.open_ids,
                                "SELECT id FROM incidents WHERE status IN (0, 1) ORDER BY id",
                                "list open incidents"));
  VIGIL_RETURN_IF_ERROR(
      prepare(s.save_entity,
              "INSERT OR REPLACE INTO incident_entities(incident_id, key, label, "
              "identifiers, last_seen, domains, alerts) VALUES(?1,?2,?3,?4,?5,?6,?7)",
              "save an incident entity"));
  VIGIL_RETURN_IF_ERROR(prepare(s.delete_entities,
                                "DELETE FROM incident_entities WHERE incident_id = ?1",
                                "delete incident entities"));
  VIGIL_RETURN_IF_ERROR(prepare(s.entities,
                                "SELECT incident_id, key, label, identifiers, last_seen, domains, "
                                "alerts FROM incident_entities WHERE incident_id = ?1 ORDER BY key",
                                "read incident entities"));
  return Status::Ok();
}

Status IncidentStore::WithTransaction(const std::function<Status()>& body) {
  std::lock_guard lock(mu_);
  if (tx_depth_ > 0) {
    return body();
  }
  VIGIL_ASSIGN_OR_RETURN(SqliteTransaction tx, db_->Begin());
  ++tx_depth_;
  Status status = body();
  --tx_depth_;
  if (!status.ok()) {
    tx.Rollback();
    return status;
  }
  return tx.Commit();
}

Result<Incident> IncidentStore::GetLocked(int64_t id) {
  Statements& s = *stmts_;
  Incident inc;
  {
    auto reset = s.get.Use();
    s.get.Bind(1, id);
    VIGIL_ASSIGN_OR_RETURN(bool row, s.get.Step());
    if (!row) {
      return NotFoundError("incident {} not found", id);
    }
    inc = ReadIncident(s.get);
  }
  {
    auto reset = s.tags.Use();
    s.tags.Bind(1, id);
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, s.tags.Step());
      if (!row) {
        break;
      }
      (s.tags.Int(1) != 0 ? inc.system_tags : inc.custom_tags).push_back(s.tags.Text(0));
    }
  }
  auto reset = s.alert_ids.Use();
  s.alert_ids.Bind(1, id);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, s.alert_ids.Step());
    if (!row) {
      break;
    }
    inc.alert_ids.push_back(s.alert_ids.Text(0));
  }
  return inc;
}

Result<Incident> IncidentStore::Get(int64_t id) {
  std::lock_guard lock(mu_);
  return GetLocked(id);
}

Result<std::vector<Incident>> IncidentStore::List(const IncidentFilter& filter) {
  std::lock_guard lock(mu_);
  std::string sql = "SELECT id FROM incidents WHERE 1";
  if (filter.status) {
    sql += " AND status = ?1";
  }
  if (filter.min_severity) {
    sql += " AND severity >= ?2";
  }
  if (filter.assigned_to) {
    sql += " AND assigned_to = ?3";
  }
  const char* column = "last_update";
  switch (filter.order_by) {
    case IncidentOrder::kCreated:
      column = "created";
      break;
    case IncidentOrder::kSeverity:
      column = "severity";
      break;
    case IncidentOrder::kId:
      column = "id";
      break;
    case IncidentOrder::kLastUpdate:
      break;
  }
  const char* dir = filter.descending ? "DESC" : "ASC";
  sql += fmt::format(" ORDER BY {} {}, id {} LIMIT ?4 OFFSET ?5", column, dir, dir);
  VIGIL_ASSIGN_OR_RETURN(SqliteStatement stmt, db_->Prepare(sql, "list incidents"));
  if (filter.status) {
    stmt.Bind(1, static_cast<int>(*filter.status));
  }
  if (filter.min_severity) {
    stmt.Bind(2, static_cast<int>(*filter.min_severity));
  }
  if (filter.assigned_to) {
    stmt.Bind(3, *filter.assigned_to);
  }
  stmt.Bind(4, std::clamp<int64_t>(filter.limit, 1, 100000));
  stmt.Bind(5, std::max<int64_t>(filter.offset, 0));
  std::vector<int64_t> ids;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) {
      break;
    }
    ids.push_back(stmt.Int(0));
  }
  std::vector<Incident> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    VIGIL_ASSIGN_OR_RETURN(Incident inc, GetLocked(id));
    out.push_back(std::move(inc));
  }
  return out;
}

Result<std::vector<int64_t>> IncidentStore::OpenIncidentIds() {
  std::lock_guard lock(mu_);
  auto reset = stmts_->open_ids.Use();
  std::vector<int64_t> ids;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmts_->open_ids.Step());
    if (!row) {
      return ids;
    }
    ids.push_back(stmts_->open_ids.Int(0));
  }
}

Result<int64_t> IncidentStore::Create(Incident& incident) {
  std::lock_guard lock(mu_);
  const int64_t now = Now();
  incident.created_us = now;
  incident.last_update_us = now;
  auto reset = stmts_->insert.Use();
  const Incident& copy = incident;
  SqliteStatement& s = stmts_->insert;
  // Parameters ?1.. of the insert are the columns after id.
  s.Bind(1, copy.title);
  s.Bind(2, copy.title_custom ? 1 : 0);
  s.Bind(3, static_cast<int>(copy.severity));
  s.Bind(4, copy.severity_override ? 1 : 0);
  s.Bind(5, static_cast<int>(copy.alerts_severity));
  s.Bind(6, static_cast<int>(copy.status));
  s.Bind(7, static_cast<int>(copy.classification));
  s.Bind(8, static_cast<int>(copy.determination));
  s.Bind(9, copy.assigned_to);
  s.Bind(10, copy.redirect_incident_id);
  s.Bind(11, copy.created_us);
  s.Bind(12, copy.last_update_us);
  s.Bind(13, copy.first_activity_us);
  s.Bind(14, copy.last_activity_us);
  s.Bind(15, JoinTextList(copy.facts.service_sources));
  s.Bind(16, JoinTextList(copy.facts.detection_sources));
  s.Bind(17, JoinTextList(copy.facts.categories));
  s.Bind(18, JoinTextList(copy.facts.devices));
  s.Bind(19, JoinTextList(copy.facts.users));
  VIGIL_RETURN_IF_ERROR(s.Run());
  incident.id = db_->LastInsertRowId();
  return incident.id;
}

Status IncidentStore::Save(const Incident& incident) {
  std::lock_guard lock(mu_);
  Statements& s = *stmts_;
  {
    auto reset = s.save.Use();
    BindIncident(s.save, incident);
    VIGIL_RETURN_IF_ERROR(s.save.Run());
  }
  {
    auto reset = s.delete_tags.Use();
    s.delete_tags.Bind(1, incident.id);
    VIGIL_RETURN_IF_ERROR(s.delete_tags.Run());
  }
  auto reset = s.insert_tag.Use();
  for (int system = 0; system < 2; ++system) {
    for (const auto& tag : system ? incident.system_tags : incident.custom_tags) {
      s.insert_tag.Reset();
      s.insert_tag.Bind(1, incident.id);
      s.insert_tag.Bind(2, tag);
      s.insert_tag.Bind(3, system);
      VIGIL_RETURN_IF_ERROR(s.insert_tag.Run());
    }
  }
  return Status::Ok();
}

Status IncidentStore::Link(const AlertLink& link) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->link;
  auto reset = s.Use();
  s.Bind(1, link.alert_id);
  s.Bind(2, link.incident_id);
  s.Bind(3, link.reason);
  s.Bind(4, link.actor);
  s.Bind(5, link.time_us);
  return s.Run();
}

Status IncidentStore::AddComment(int64_t id, std::string_view comment, std::string_view actor,
                                 int64_t now) {
  SqliteStatement& s = stmts_->insert_comment;
  auto reset = s.Use();
  s.Bind(1, id);
  s.Bind(2, comment);
  s.Bind(3, actor);
  s.Bind(4, now);
  return s.Run();
}

Status IncidentStore::MoveLinks(int64_t from, int64_t to) {
  std::lock_guard lock(mu_);
  auto reset = stmts_->move_links.Use();
  stmts_->move_links.Bind(1, from);
  stmts_->move_links.Bind(2, to);
  return stmts_->move_links.Run();
}

Status IncidentStore::Audit(int64_t incident_id, std::string_view actor, std::string_view field,
                            std::string_view old_value, std::string_view new_value) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->audit;
  auto reset = s.Use();
  s.Bind(1, incident_id);
  s.Bind(2, actor);
  s.Bind(3, Now());
  s.Bind(4, field);
  s.Bind(5, old_value);
  s.Bind(6, new_value);
  return s.Run();
}

Status IncidentStore::SaveEntity(const EntityRow& row) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->save_entity;
  auto reset = s.Use();
  s.Bind(1, row.incident_id);
  s.Bind(2, row.key);
  s.Bind(3, row.label);
  s.Bind(4, JoinTextList(row.identifiers));
  s.Bind(5, row.last_seen_us);
  s.Bind(6, static_cast<int64_t>(row.domains));
  s.Bind(7, row.alert_count);
  return s.Run();
}

Status IncidentStore::DeleteEntities(int64_t incident_id) {
  std::lock_guard lock(mu_);
  auto reset = stmts_->delete_entities.Use();
  stmts_->delete_entities.Bind(1, incident_id);
  return stmts_->delete_entities.Run();
}

Result<std::vector<EntityRow>> IncidentStore::Entities(int64_t incident_id) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->entities;
  auto reset = s.Use();
  s.Bind(1, incident_id);
  std::vector<EntityRow> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return out;
    }
    EntityRow e;
    e.incident_id = s.Int(0);
    e.key = s.Text(1);
    e.label = s.Text(2);
    e.identifiers = SplitTextList(s.Text(3));
    e.last_seen_us = s.Int(4);
    e.domains = static_cast<uint32_t>(s.Int(5));
    e.alert_count = s.Int(6);
    out.push_back(std::move(e));
  }
}

Result<std::vector<AlertLink>> IncidentStore::Links(int64_t id) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->links;
  auto reset = s.Use();
  s.Bind(1, id);
  std::vector<AlertLink> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return out;
    }
    out.push_back({s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4)});
  }
}

Result<std::optional<AlertLink>> IncidentStore::LinkOf(std::string_view alert_id) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->link_of;
  auto reset = s.Use();
  s.Bind(1, alert_id);
  VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return std::optional<AlertLink>();
  }
  return std::optional<AlertLink>(AlertLink{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4)});
}

Result<std::vector<IncidentComment>> IncidentStore::Comments(int64_t id) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->comments;
  auto reset = s.Use();
  s.Bind(1, id);
  std::vector<IncidentComment> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return out;
    }
    out.push_back({s.Text(0), s.Text(1), s.Int(2)});
  }
}

Result<std::vector<IncidentAuditEntry>> IncidentStore::AuditLog(int64_t id) {
  std::lock_guard lock(mu_);
  SqliteStatement& s = stmts_->audit_log;
  auto reset = s.Use();
  s.Bind(1, id);
  std::vector<IncidentAuditEntry> out;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return out;
    }
    out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Int(3), s.Text(4), s.Text(5), s.Text(6)});
  }
}

}  // namespace vigil::incidents
