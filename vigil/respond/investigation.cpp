#include "vigil/respond/investigation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include "vigil/base/time.h"
#include "vigil/detect/alerts/evidence.h"
#include "vigil/kql/error.h"

namespace vigil::respond {
namespace {

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

// Why an action must never be proposed on this target, or "" when it may: killing or
// quarantining a critical Windows process takes the machine down (lsass.exe is the *victim* of
// credential theft, not the attacker), and the built-in service accounts cannot be disabled.
std::string ProtectedTarget(const Action& action) {
  const ActionTarget& t = action.target;
  if (action.type == ActionType::kKillProcess ||
      action.type == ActionType::kStopAndQuarantineFile) {
    std::string path = LowerAscii(t.file_path);
    const size_t slash = path.find_last_of("\\/");
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    static constexpr std::string_view kCritical[] = {
        "lsass.exe",    "csrss.exe", "wininit.exe", "winlogon.exe", "services.exe",
        "smss.exe",     "svchost.exe", "system",    "registry",     "lsaiso.exe"};
    for (std::string_view critical : kCritical) {
      if (name == critical) {
        return "critical system process " + name;
      }
    }
  }
  if (action.type == ActionType::kDisableUser || action.type == ActionType::kForcePasswordReset ||
      action.type == ActionType::kRevokeSessions) {
    const std::string sid = LowerAscii(t.account_sid);
    const std::string name = LowerAscii(t.account_name);
    if (sid == "s-1-5-18" || sid == "s-1-5-19" || sid == "s-1-5-20" || name == "system" ||
        name == "local service" || name == "network service" || name == "localsystem") {
      return "built-in account " + (name.empty() ? sid : name);
    }
  }
  return "";
}

constexpr int64_t kDayUs = int64_t{86400} * 1'000'000;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<double> Number(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return value;
}

bool Compare(CompareOp op, const std::string& cell, const std::string& value) {
  const auto a = Number(cell);
  const auto b = Number(value);
  if (op == CompareOp::kContains) {
    return Lower(cell).find(Lower(value)) != std::string::npos;
  }
  int order = 0;
  if (a && b) {
    order = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else {
    const std::string x = Lower(cell);
    const std::string y = Lower(value);
    order = x < y ? -1 : (x > y ? 1 : 0);
  }
  switch (op) {
    case CompareOp::kEq:
      return order == 0;
    case CompareOp::kNe:
      return order != 0;
    case CompareOp::kLt:
      return order < 0;
    case CompareOp::kLe:
      return order <= 0;
    case CompareOp::kGt:
      return order > 0;
    case CompareOp::kGe:
      return order >= 0;
    case CompareOp::kContains:
      break;
  }
  return false;
}

// The workload an entity belongs to, for automation levels of cross-domain blocks.
Domain EntityDomain(const std::string& type) {
  if (type == "Url" || type == "MailMessage" || type == "Mailbox") {
    return Domain::kEmail;
  }
  if (type == "User") {
    return Domain::kIdentity;
  }
  if (type == "CloudApplication") {
    return Domain::kCloud;
  }
  return Domain::kEndpoint;
}

// Whether the target carries what the connector needs to act.
bool TargetUsable(ActionType type, const ActionTarget& t) {
  const bool device = !t.device_id.empty() || !t.device_name.empty();
  switch (DomainOf(type)) {
    case Domain::kEndpoint:
      if (type == ActionType::kStopAndQuarantineFile ||
          type == ActionType::kReleaseFromQuarantine) {
        return device && !t.sha256.empty();
      }
      if (type == ActionType::kKillProcess) {
        return device && (t.process_id >= 0 || !t.sha256.empty());
      }
      if (type == ActionType::kAddIndicator) {
        return !t.indicator_id.empty() || !t.sha256.empty() || !t.url.empty();
      }
      return device;
    case Domain::kEmail:
      if (type == ActionType::kSoftDeleteEmail) {
        return !t.network_message_id.empty();
      }
      if (type == ActionType::kBlockSender) {
        return !t.sender.empty();
      }
      return !t.url.empty();
    case Domain::kIdentity:
      return !t.account_sid.empty() || !t.account_upn.empty() || !t.account_name.empty();
    case Domain::kCloud:
      return !t.application.empty();
  }
  return false;
}

}  // namespace

struct Investigator::Entity {
  detect::Evidence evidence;
  std::string key;
  std::string host_device_id, host_device_name;
  detect::Severity max_severity = detect::Severity::kInformational;
  std::set<std::string> categories;  // lower-case
  std::set<std::string> roles;
  int64_t alerts = 0;
};

struct Investigator::Collected {
  std::map<std::string, std::string> values;  // placeholders (entity + captures)
  struct QueryRow {
    size_t rows = 0;
    std::map<std::string, std::string> first;  // column -> text of the first row
  };
  std::map<std::string, QueryRow> results;
};

Investigator::Investigator(const kql::Engine& engine, ActionStore& actions,
                           detect::ioc::IndicatorStore* indicators, Playbook playbook,
                           AutomationPolicy policy, InvestigatorOptions options)
    : engine_(engine),
      actions_(actions),
      indicators_(indicators),
      playbook_(std::move(playbook)),
      policy_(std::move(policy)),
      options_(options) {}

kql::QueryOptions Investigator::Options(int64_t now_us) const {
  kql::QueryOptions o;
  o.now_ticks = now_us * kTicksPerMicrosecond;
  o.scope_min_ticks = (now_us - playbook_.lookback_days * kDayUs) * kTicksPerMicrosecond;
  o.scope_max_ticks = o.now_ticks;
  o.limits.max_result_rows = options_.max_result_rows;
  o.limits.memory_budget_bytes = options_.memory_budget_bytes;
  o.limits.timeout = options_.query_timeout;
  o.limits.scan_threads = 1;
  return o;
}

std::string Investigator::DeviceGroup(const std::string& device_id, int64_t now_us) {
  if (device_id.empty()) {
    return {};
  }
  if (const auto it = device_groups_.find(device_id); it != device_groups_.end()) {
    return it->second;
  }
  const std::string query = fmt::format(
      "DeviceInfo | where DeviceId == {} and isnotempty(MachineGroup) | sort by Timestamp desc "
      "| take 1 | project MachineGroup",
      KqlStringLiteral(device_id));
  std::string group;
  auto result = engine_.Run(query, Options(now_us));
  if (result && result->table && result->table->rows > 0 && !result->table->cols.empty()) {
    group = result->table->cols[0][0].ToText();
  }
  device_groups_[device_id] = group;
  return group;
}

Result<Investigator::Collected> Investigator::Collect(const Entity& entity,
                                                      const EntityPlaybook& book, int64_t now_us,
                                                      InvestigationRecord& record, bool& failed) {
  Collected c;
  const detect::Evidence& e = entity.evidence;
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) {
      c.values[name] = value;
    }
  };
  put("sha256", e.sha256);
  put("sha1", e.sha1);
  put("md5", e.md5);
  put("file_name", e.file_name);
  put("folder_path", e.folder_path);
  put("device_id", e.device_id.empty() ? entity.host_device_id : e.device_id);
  put("device_name", e.device_name.empty() ? entity.host_device_name : e.device_name);
  put("account_name", e.account_name);
  put("account_domain", e.account_domain);
  put("account_sid", e.account_sid);
  put("account_upn", e.account_upn);
  put("account_object_id", e.account_object_id);
  put("mailbox", e.mailbox);
  put("network_message_id", e.network_message_id);
  put("url", e.remote_url);
  put("ip", e.remote_ip.empty() ? e.local_ip : e.remote_ip);
  put("application", e.application);
  put("process_command_line", e.process_command_line);
  for (const PlaybookQuery& q : book.queries) {
    auto kql = FillTemplate(q.kql, c.values);
    if (!kql.ok()) {
      record.log.push_back({now_us, fmt::format("{} {}: skipped query '{}': {}", e.entity_type,
                                                entity.key, q.name, kql.status().message())});
      continue;
    }
    auto result = engine_.Run(*kql, Options(now_us));
    if (!result) {
      failed = true;
      record.log.push_back(
          {now_us, fmt::format("{} {}: query '{}' failed: {}: {}", e.entity_type, entity.key,
                               q.name, result.error().code, result.error().ToString())});
      continue;
    }
    Collected::QueryRow row;
    const kql::Table& table = *result->table;
    row.rows = table.rows;
    if (table.rows > 0) {
      for (size_t col = 0; col < table.schema.size() && col < table.cols.size(); ++col) {
        row.first[table.schema[col].name] = table.cols[col][0].ToText();
      }
    }
    for (const auto& [placeholder, column] : q.capture) {
      const auto it = row.first.find(column);
      if (it != row.first.end() && !it->second.empty()) {
        c.values[placeholder] = it->second;
      }
    }
    record.log.push_back({now_us, fmt::format("{} {}: query '{}' returned {} rows", e.entity_type,
                                              entity.key, q.name, row.rows)});
    c.results[q.name] = std::move(row);
  }
  return c;
}

namespace {

struct Scored {
  Verdict verdict = Verdict::kUnknown;
  std::vector<std::string> reasons;
};

template <typename EntityT, typename CollectedT>
Scored Score(const EntityT& entity, const EntityPlaybook& book, const CollectedT& c) {
  Scored s;
  bool matched = false;
  for (const ScoreRule& rule : book.rules) {
    const ScoreCondition& w = rule.when;
    std::string detail;
    bool ok = true;
    if (!w.query.empty()) {
      const auto it = c.results.find(w.query);
      if (it == c.results.end()) {
        ok = false;
      } else if (w.column == "$rows") {
        ok = Compare(w.op, std::to_string(it->second.rows), w.value);
        detail = fmt::format("{} rows", it->second.rows);
      } else {
        const auto cell = it->second.first.find(w.column);
        ok = cell != it->second.first.end() && Compare(w.op, cell->second, w.value);
        if (ok) {
          detail = fmt::format("{} = {}", w.column, cell->second);
        }
      }
    }
    if (ok && w.min_alert_severity) {
      ok = entity.alerts > 0 && entity.max_severity >= *w.min_alert_severity;
    }
    if (ok && !w.alert_category.empty()) {
      ok = entity.categories.count(Lower(w.alert_category)) != 0;
    }
    if (ok && w.min_alerts > 0) {
      ok = entity.alerts >= w.min_alerts;
    }
    if (ok && !w.role.empty()) {
      ok = entity.roles.count(Lower(w.role)) != 0;
    }
    if (!ok) {
      continue;
    }
    matched = true;
    s.verdict = std::max(s.verdict, rule.verdict);
    s.reasons.push_back(detail.empty() ? rule.reason : fmt::format("{} ({})", rule.reason, detail));
  }
  if (!matched) {
    s.verdict = book.default_verdict;
  }
  return s;
}

}  // namespace

Result<InvestigationRecord> Investigator::Run(
    int64_t incident_id, const std::vector<detect::alerts::AlertRecord>& alerts, int64_t now_us) {
  VIGIL_ASSIGN_OR_RETURN(auto existing, actions_.FindInvestigationByIncident(incident_id));
  InvestigationRecord record;
  if (existing) {
    record = std::move(*existing);
    if (record.state == InvestigationState::kTerminatedByUser) {
      return record;
    }
    record.log.push_back(
        {now_us, fmt::format("investigation updated with {} alerts", alerts.size())});
  } else {
    record.incident_id = incident_id;
    record.created_us = now_us;
    record.log.push_back(
        {now_us, fmt::format("investigation of incident {} started with {} "
                             "alerts (playbook '{}', last {} days)",
                             incident_id, alerts.size(), playbook_.name, playbook_.lookback_days)});
  }
  record.playbook = playbook_.name;
  record.state = InvestigationState::kRunning;
  record.updated_us = now_us;

  // Entities of every alert, merged by entity key, with the alert facts scoring can use.
  std::vector<Entity> entities;
  std::map<std::string, size_t> index;
  std::set<std::string> alert_ids(record.alert_ids.begin(), record.alert_ids.end());
  size_t dropped = 0;
  for (const auto& alert : alerts) {
    alert_ids.insert(alert.id);
    auto evidence = detect::alerts::EvidenceFromJson(alert.evidence_json);
    if (!evidence.ok()) {
      record.log.push_back({now_us, fmt::format("alert {}: unreadable evidence: {}", alert.id,
                                                evidence.status().message())});
      continue;
    }
    std::string host_id, host_name;
    for (const auto& e : *evidence) {
      if (e.entity_type == "Machine" && host_id.empty() && host_name.empty()) {
        host_id = e.device_id;
        host_name = e.device_name;
      }
    }
    for (const auto& e : *evidence) {
      const std::string key = detect::alerts::EntityKey(e);
      if (key.empty()) {
        continue;
      }
      auto [it, inserted] = index.emplace(key, entities.size());
      if (inserted) {
        if (entities.size() >= options_.max_entities) {
          index.erase(it);
          ++dropped;
          continue;
        }
        Entity entity;
        entity.evidence = e;
        entity.key = key;
        entity.host_device_id = host_id;
        entity.host_device_name = host_name;
        entities.push_back(std::move(entity));
      }
      Entity& entity = entities[it->second];
      entity.alerts++;
      entity.max_severity = std::max(entity.max_severity, alert.severity);
      entity.categories.insert(Lower(alert.category));
      entity.roles.insert(Lower(e.evidence_role));
    }
  }
  record.alert_ids.assign(alert_ids.begin(), alert_ids.end());
  if (dropped > 0) {
    record.log.push_back({now_us, fmt::format("{} entities beyond the limit of {} were not "
                                              "investigated",
                                              dropped, options_.max_entities)});
  }
  // Save first so proposed actions can name the investigation.
  VIGIL_ASSIGN_OR_RETURN(record.id, actions_.SaveInvestigation(record));

  ActionFilter mine;
  mine.investigation_id = record.id;
  mine.limit = 100000;
  VIGIL_ASSIGN_OR_RETURN(auto proposed, actions_.List(mine));
  std::set<std::string> known;
  for (const Action& a : proposed) {
    known.insert(ActionKey(a));
  }

  bool failed = false;
  size_t new_actions = 0;
  // Entities of earlier runs that these alerts no longer mention keep their last verdict.
  std::vector<EvidenceVerdict> earlier = std::move(record.evidence);
  record.evidence.clear();
  for (const Entity& entity : entities) {
    const EntityPlaybook* book = playbook_.For(entity.evidence.entity_type);
    EvidenceVerdict ev;
    ev.entity_key = entity.key;
    ev.entity = entity.evidence;
    if (book == nullptr) {
      ev.verdict = Verdict::kUnknown;
      ev.reasons.push_back("no playbook for this entity type");
      record.evidence.push_back(std::move(ev));
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(auto collected, Collect(entity, *book, now_us, record, failed));
    Scored scored = Score(entity, *book, collected);
    ev.verdict = scored.verdict;
    ev.reasons = std::move(scored.reasons);
    if (const auto s = collected.values.find("sender"); s != collected.values.end()) {
      ev.sender = s->second;
    }
    record.log.push_back({now_us, fmt::format("{} {}: verdict {}", entity.evidence.entity_type,
                                              entity.key, VerdictName(ev.verdict))});

    ActionTarget target;
    const detect::Evidence& e = entity.evidence;
    target.entity_type = e.entity_type;
    target.device_id = e.device_id.empty() ? entity.host_device_id : e.device_id;
    target.device_name = e.device_name.empty() ? entity.host_device_name : e.device_name;
    target.sha256 = e.sha256;
    target.file_path = e.folder_path;
    target.account_sid = e.account_sid;
    target.account_upn = e.account_upn;
    target.account_name = e.account_name;
    target.network_message_id = e.network_message_id;
    target.sender = ev.sender;
    target.url = e.remote_url;
    target.ip = e.remote_ip;
    target.application = e.application;
    target.process_id = e.process_id;
    const std::string group = DeviceGroup(target.device_id, now_us);
    const std::string reason =
        fmt::format("{} {} ({})", VerdictName(ev.verdict), e.entity_type,
                    ev.reasons.empty() ? std::string("no reason") : ev.reasons.front());

    auto propose = [&](Action action, Domain domain) -> Status {
      const AutomationLevel level = policy_.LevelFor(domain, group);
      const Decision decision =
          Decide(level, domain, ev.verdict, e.entity_type == "File" ? e.folder_path : "");
      if (decision == Decision::kNone) {
        record.log.push_back({now_us, fmt::format("{} on {}: not proposed (level {}, {} {})",
                                                  ActionTypeName(action.type), entity.key,
                                                  AutomationLevelName(level), DomainName(domain),
                                                  VerdictName(ev.verdict))});
        return Status::Ok();
      }
      if (const std::string why = ProtectedTarget(action); !why.empty()) {
        record.log.push_back({now_us, fmt::format("{} on {}: not proposed ({})",
                                                  ActionTypeName(action.type), entity.key, why)});
        return Status::Ok();
      }
      if (!TargetUsable(action.type, action.target)) {
        record.log.push_back({now_us, fmt::format("{} on {}: not proposed (the entity lacks "
                                                  "what the connector needs)",
                                                  ActionTypeName(action.type), entity.key)});
        return Status::Ok();
      }
      action.approval =
          decision == Decision::kAutomatic ? ApprovalState::kNotRequired : ApprovalState::kPending;
      action.source = ActionSource(action.type, /*automated=*/true);
      action.requestor = "automation";
      action.reason = reason;
      action.incident_id = incident_id;
      action.investigation_id = record.id;
      if (!known.insert(ActionKey(action)).second) {
        return Status::Ok();
      }
      VIGIL_ASSIGN_OR_RETURN(const int64_t id, actions_.Propose(action, "automation"));
      ++new_actions;
      record.log.push_back(
          {now_us,
           fmt::format("action {} {} via {} on {}: {}", id, ActionTypeName(action.type),
                       ConnectorName(action.connector), entity.key, DecisionName(decision))});
      return Status::Ok();
    };

    if (const auto it = book->remediations.find(ev.verdict); it != book->remediations.end()) {
      for (ActionType type : it->second) {
        Action action;
        action.type = type;
        action.target = target;
        action.connector = DefaultConnector(type);
        VIGIL_RETURN_IF_ERROR(propose(std::move(action), DomainOf(type)));
      }
    }

    // Cross-domain block: a malicious file, URL or sender is blocked by every connector that
    // enforces that kind of indicator.
    if (ev.verdict == Verdict::kMalicious) {
      const Domain domain = EntityDomain(e.entity_type);
      std::optional<detect::ioc::IndicatorType> type;
      std::string value;
      std::vector<Connector> connectors;
      if (e.entity_type == "File" && !e.sha256.empty()) {
        type = detect::ioc::IndicatorType::kFileSha256;
        value = e.sha256;
        connectors = {Connector::kEndpoint, Connector::kMail};
      } else if (e.entity_type == "Url" && !e.remote_url.empty()) {
        type = detect::ioc::IndicatorType::kUrl;
        value = e.remote_url;
        connectors = {Connector::kProxy, Connector::kMail, Connector::kEndpoint};
      }
      if (type &&
          Decide(policy_.LevelFor(domain, group), domain, ev.verdict, "") != Decision::kNone) {
        ActionTarget indicator_target;
        indicator_target.entity_type = e.entity_type;
        indicator_target.sha256 = e.sha256;
        indicator_target.url = e.remote_url;
        if (indicators_ != nullptr) {
          detect::ioc::Indicator indicator;
          indicator.indicator_type = *type;
          indicator.indicator_value = value;
          indicator.action = *type == detect::ioc::IndicatorType::kFileSha256
                                 ? detect::ioc::IndicatorAction::kBlockAndRemediate
                                 : detect::ioc::IndicatorAction::kBlock;
          indicator.severity = detect::Severity::kHigh;
          indicator.generate_alert = true;
          indicator.title = fmt::format("Incident {}: malicious {} blocked by investigation {}",
                                        incident_id, Lower(e.entity_type), record.id);
          indicator.description = reason;
          indicator.category = *type == detect::ioc::IndicatorType::kUrl ? "Phishing" : "Malware";
          indicator.application = "Vigil automated investigation";
          auto submitted = indicators_->Submit(indicator, "automation", now_us);
          if (submitted.ok()) {
            indicator_target.indicator_id = submitted->id;
            record.log.push_back(
                {now_us, fmt::format("indicator {} {} {} created", submitted->id,
                                     IndicatorTypeName(*type), submitted->indicator_value)});
          } else {
            record.log.push_back({now_us, fmt::format("indicator for {} not created: {}",
                                                      entity.key, submitted.status().message())});
          }
        }
        for (Connector connector : connectors) {
          Action action;
          action.type = ActionType::kAddIndicator;
          action.target = indicator_target;
          action.connector = connector;
          VIGIL_RETURN_IF_ERROR(propose(std::move(action), domain));
        }
      }
      if (e.entity_type == "MailMessage" && !ev.sender.empty()) {
        Action action;
        action.type = ActionType::kBlockSender;
        action.target.entity_type = "MailMessage";
        action.target.sender = ev.sender;
        action.connector = Connector::kMail;
        VIGIL_RETURN_IF_ERROR(propose(std::move(action), Domain::kEmail));
      }
    }
    record.evidence.push_back(std::move(ev));
  }
  const size_t investigated = record.evidence.size();
  for (auto& old : earlier) {
    if (index.count(old.entity_key) == 0) {
      record.evidence.push_back(std::move(old));
    }
  }
  record.log.push_back(
      {now_us, fmt::format("{} entities investigated, {} new actions", investigated, new_actions)});
  VIGIL_ASSIGN_OR_RETURN(auto all, actions_.List(mine));
  const bool threats = std::any_of(record.evidence.begin(), record.evidence.end(), [](auto& e) {
    return e.verdict == Verdict::kMalicious || e.verdict == Verdict::kSuspicious;
  });
  record.state = failed ? InvestigationState::kFailed : StateFromActions(all, threats);
  record.updated_us = now_us;
  VIGIL_RETURN_IF_ERROR(actions_.SaveInvestigation(record).status());
  return record;
}

}  // namespace vigil::respond
