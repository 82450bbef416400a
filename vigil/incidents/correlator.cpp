#include "vigil/incidents/correlator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "vigil/base/log.h"
#include "vigil/detect/alerts/evidence.h"

namespace vigil::incidents {
namespace {

using detect::alerts::AlertRecord;

// What one open incident shares with the arriving alert.
struct Candidate {
  std::vector<std::string> shared;  // entity labels within the window
  int64_t max_gap_us = 0;
  std::string sequence;  // attack-sequence reason, when a rule matched
};

std::string JoinLabels(const std::vector<std::string>& labels) {
  constexpr size_t kShown = 3;
  std::string out;
  const size_t shown = std::min(labels.size(), kShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) {
      out += (i + 1 == shown && labels.size() <= kShown) ? " and " : ", ";
    }
    out += labels[i];
  }
  if (labels.size() > kShown) {
    out += fmt::format(" and {} more", labels.size() - kShown);
  }
  return out;
}

bool TableMatches(std::string_view pattern, std::string_view table) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return FoldCase(table.substr(0, pattern.size())) == FoldCase(pattern);
  }
  return FoldCase(table) == FoldCase(pattern);
}

}  // namespace

std::string FormatWithin(int64_t gap_us) {
  const int64_t minutes = std::max<int64_t>(1, (gap_us + kMicrosPerMinute - 1) / kMicrosPerMinute);
  if (minutes < 60) {
    return fmt::format("{}m", minutes);
  }
  const int64_t hours = (gap_us + kMicrosPerHour - 1) / kMicrosPerHour;
  if (hours < 48) {
    return fmt::format("{}h", hours);
  }
  return fmt::format("{}d", (hours + 23) / 24);
}

Correlator::Correlator(IncidentStore* store, detect::alerts::AlertStore* alerts,
                       CorrelationConfig config)
    : store_(store), alerts_(alerts), config_(std::move(config)), extractor_(config_) {
  max_postings_ = std::max<size_t>(16, 2 * config_.max_incidents_per_entity + 2);
  for (const auto& rule : config_.sequences) {
    SequenceBits bits{0, 0, &rule};
    for (size_t i = 0; i < config_.domains.size() && i < 32; ++i) {
      if (config_.domains[i].name == rule.from) {
        bits.from |= 1u << i;
      }
      if (config_.domains[i].name == rule.to) {
        bits.to |= 1u << i;
      }
    }
    if (bits.from != 0 && bits.to != 0) {
      sequence_bits_.push_back(bits);
    }
  }
}

Correlator::~Correlator() = default;

Result<std::unique_ptr<Correlator>> Correlator::Create(IncidentStore* store,
                                                       detect::alerts::AlertStore* alerts,
                                                       CorrelationConfig config) {
  if (store == nullptr) {
    return InvalidArgumentError("correlator needs an incident store");
  }
  std::unique_ptr<Correlator> correlator(new Correlator(store, alerts, std::move(config)));
  VIGIL_RETURN_IF_ERROR(correlator->Rebuild());
  return correlator;
}

Status Correlator::LoadOpen(int64_t id) {
  VIGIL_ASSIGN_OR_RETURN(Incident incident, store_->Get(id));
  VIGIL_ASSIGN_OR_RETURN(std::vector<EntityRow> rows, store_->Entities(id));
  OpenIncident& state = open_[id];
  state.incident = std::move(incident);
  for (auto& row : rows) {
    if (row.key.rfind("account:", 0) == 0) {
      extractor_.aliases().Unify(row.identifiers);
    }
    IndexEntity(id, row);
    std::string key = row.key;
    state.entities.emplace(std::move(key), std::move(row));
  }
  return Status::Ok();
}

Status Correlator::Rebuild() {
  open_.clear();
  postings_.clear();
  VIGIL_ASSIGN_OR_RETURN(std::vector<int64_t> ids, store_->OpenIncidentIds());
  open_.reserve(ids.size());
  for (int64_t id : ids) {
    VIGIL_RETURN_IF_ERROR(LoadOpen(id));
  }
  return Status::Ok();
}

size_t Correlator::open_incident_count() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

void Correlator::AddAccountAlias(std::string_view sid, std::string_view upn, std::string_view name,
                                 std::string_view domain) {
  std::lock_guard lock(mu_);
  extractor_.AddAccountAlias(sid, upn, name, domain);
}

void Correlator::IndexEntity(int64_t incident_id, const EntityRow& row) {
  for (const auto& id : row.identifiers) {
    std::vector<Posting>& list = postings_[id];
    bool found = false;
    for (auto& p : list) {
      if (p.incident_id == incident_id) {
        p.last_seen_us = std::max(p.last_seen_us, row.last_seen_us);
        p.domains |= row.domains;
        p.alerts = std::max(p.alerts, row.alert_count);
        found = true;
        break;
      }
    }
    if (found) {
      continue;
    }
    list.push_back({incident_id, row.last_seen_us, row.domains, row.alert_count});
    if (list.size() > max_postings_) {
      // Bounded: drop postings of closed incidents, else the least recently seen one.
      std::erase_if(list, [this](const Posting& p) { return open_.count(p.incident_id) == 0; });
      if (list.size() > max_postings_) {
        auto oldest = std::min_element(list.begin(), list.end(), [](const auto& a, const auto& b) {
          return a.last_seen_us < b.last_seen_us;
        });
        list.erase(oldest);
      }
    }
  }
}

void Correlator::RemovePostings(int64_t incident_id, const EntityRow& row) {
  for (const auto& id : row.identifiers) {
    auto it = postings_.find(id);
    if (it == postings_.end()) {
      continue;
    }
    std::erase_if(it->second,
                  [incident_id](const Posting& p) { return p.incident_id == incident_id; });
    if (it->second.empty()) {
      postings_.erase(it);
    }
  }
}

uint32_t Correlator::DomainsOf(const AlertRecord& alert) const {
  uint32_t bits = 0;
  const std::string service = FoldCase(alert.service_source);
  const std::string detection = FoldCase(alert.detection_source);
  const std::string category = FoldCase(alert.category);
  for (size_t i = 0; i < config_.domains.size() && i < 32; ++i) {
    const CorrelationDomain& domain = config_.domains[i];
    bool match = false;
    for (const auto& source : domain.sources) {
      const std::string folded = FoldCase(source);
      match = match || (!folded.empty() && (service.find(folded) != std::string::npos ||
                                            detection.find(folded) != std::string::npos));
    }
    for (const auto& table : domain.tables) {
      match = match || (!alert.source_table.empty() && TableMatches(table, alert.source_table));
    }
    for (const auto& c : domain.categories) {
      match = match || (!category.empty() && FoldCase(c) == category);
    }
    if (match) {
      bits |= 1u << i;
    }
  }
  return bits;
}

std::vector<AlertEntity> Correlator::EntitiesOf(const AlertRecord& alert) {
  auto evidence = detect::alerts::EvidenceFromJson(alert.evidence_json);
  if (!evidence.ok()) {
    VIGIL_LOG_WARN("incidents", "alert {} has unreadable evidence, correlated without it: {}",
                   alert.id, evidence.status().message());
    return {};
  }
  return extractor_.Extract(*evidence);
}

Result<Correlator::OpenIncident*> Correlator::NewIncident(Pending& pending) {
  Incident incident;
  RefreshDerived(incident);
  VIGIL_ASSIGN_OR_RETURN(int64_t id, store_->Create(incident));
  OpenIncident& state = open_[id];
  state.incident = std::move(incident);
  pending.dirty.insert(id);
  return &state;
}

void Correlator::Absorb(OpenIncident& target, const AlertRecord& alert,
                        const std::vector<AlertEntity>& entities, uint32_t domains,
                        Pending& pending) {
  Incident& inc = target.incident;
  const int64_t last =
      alert.last_activity_us != 0 ? alert.last_activity_us : alert.first_activity_us;
  AddAlertSummary(inc, alert.severity, alert.first_activity_us, last, alert.service_source,
                  alert.detection_source, alert.category);
  bool has_account = false;
  for (const auto& e : entities) {
    has_account = has_account || e.kind == "account";
  }
  for (const auto& e : entities) {
    if (e.kind == "device" && inc.facts.devices.size() < kMaxFactValues) {
      InsertSorted(inc.facts.devices, e.name);
    } else if ((e.kind == "account" || (e.kind == "mailbox" && !has_account)) &&
               inc.facts.users.size() < kMaxFactValues) {
      InsertSorted(inc.facts.users, e.name);
    }
    if (extractor_.Ignored(e)) {
      continue;
    }
    EntityRow& row = target.entities[e.key];
    if (row.key.empty()) {
      row.incident_id = inc.id;
      row.key = e.key;
      row.label = e.label;
    }
    for (const auto& id : e.identifiers) {
      if (std::find(row.identifiers.begin(), row.identifiers.end(), id) == row.identifiers.end()) {
        row.identifiers.push_back(id);
      }
    }
    row.last_seen_us = std::max(row.last_seen_us, last);
    row.domains |= domains;
    ++row.alert_count;
    IndexEntity(inc.id, row);
    pending.dirty_entities.emplace_back(inc.id, e.key);
  }
  RefreshDerived(inc);
  pending.dirty.insert(inc.id);
}

Status Correlator::AddAlert(OpenIncident& target, const AlertRecord& alert,
                            const std::vector<AlertEntity>& entities, uint32_t domains,
                            const std::string& reason, std::string_view actor, Pending& pending) {
  Incident& inc = target.incident;
  inc.alert_ids.push_back(alert.id);  // callers checked that the alert was not linked here
  Absorb(target, alert, entities, domains, pending);
  const int64_t now = store_->Now();
  inc.last_update_us = now;
  VIGIL_RETURN_IF_ERROR(store_->Link({alert.id, inc.id, reason, std::string(actor), now}));
  pending.alert_incident.emplace_back(alert.id, inc.id);
  return Status::Ok();
}

Result<Assignment> Correlator::Correlate(const AlertRecord& alert, Pending& pending) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<AlertLink> link, store_->LinkOf(alert.id));
  if (link.has_value()) {
    Assignment existing;
    existing.incident_id = link->incident_id;
    existing.reason = link->reason;
    return existing;
  }
  const std::vector<AlertEntity> entities = EntitiesOf(alert);
  const uint32_t domains = DomainsOf(alert);
  const int64_t last =
      alert.last_activity_us != 0 ? alert.last_activity_us : alert.first_activity_us;
  const int64_t first = alert.first_activity_us != 0 ? alert.first_activity_us : last;
  auto gap_to = [&](int64_t seen) {
    return seen < first ? first - seen : (seen > last ? seen - last : 0);
  };

  std::map<int64_t, Candidate> candidates;
  for (const AlertEntity& entity : entities) {
    if (extractor_.Ignored(entity)) {
      continue;
    }
    std::map<int64_t, Posting> hits;
    for (const auto& id : entity.identifiers) {
      auto it = postings_.find(id);
      if (it == postings_.end()) {
        continue;
      }
      for (const Posting& p : it->second) {
        if (open_.count(p.incident_id) == 0) {
          continue;
        }
        auto [hit, inserted] = hits.try_emplace(p.incident_id, p);
        if (!inserted) {
          hit->second.last_seen_us = std::max(hit->second.last_seen_us, p.last_seen_us);
          hit->second.domains |= p.domains;
          hit->second.alerts = std::max(hit->second.alerts, p.alerts);
        }
      }
    }
    size_t within = 0;
    int64_t alerts_within = 0;
    for (const auto& [id, p] : hits) {
      if (gap_to(p.last_seen_us) <= config_.window_us) {
        ++within;
        alerts_within += p.alerts;
      }
    }
    if (within > config_.max_incidents_per_entity ||
        alerts_within > static_cast<int64_t>(config_.max_alerts_per_entity)) {
      continue;  // too common to mean anything
    }
    const bool identity = entity.kind == "account" || entity.kind == "mailbox";
    for (const auto& [id, p] : hits) {
      const int64_t gap = gap_to(p.last_seen_us);
      if (identity) {
        for (const SequenceBits& bits : sequence_bits_) {
          if ((domains & bits.to) != 0 && (p.domains & bits.from) != 0 && p.last_seen_us <= last &&
              gap <= bits.rule->window_us) {
            Candidate& c = candidates[id];
            if (c.sequence.empty()) {
              c.sequence =
                  fmt::format("attack sequence: {} -> {} for {} within {}", bits.rule->from,
                              bits.rule->to, entity.name, FormatWithin(gap));
            }
            break;
          }
        }
      }
      if (gap <= config_.window_us) {
        Candidate& c = candidates[id];
        c.shared.push_back(entity.label);
        c.max_gap_us = std::max(c.max_gap_us, gap);
      }
    }
  }

  auto reason_of = [](const Candidate& c) {
    if (!c.sequence.empty()) {
      return c.sequence;
    }
    return fmt::format("shares {} within {}", JoinLabels(c.shared), FormatWithin(c.max_gap_us));
  };

  Assignment assignment;
  if (candidates.empty()) {
    VIGIL_ASSIGN_OR_RETURN(OpenIncident * state, NewIncident(pending));
    assignment.incident_id = state->incident.id;
    assignment.created = true;
    assignment.reason = "no related open incident";
    VIGIL_RETURN_IF_ERROR(
        AddAlert(*state, alert, entities, domains, assignment.reason, config_.actor, pending));
    return assignment;
  }
  std::vector<int64_t> order;
  for (const auto& [id, c] : candidates) {
    order.push_back(id);
  }
  std::sort(order.begin(), order.end(), [this](int64_t a, int64_t b) {
    const Incident& x = open_.at(a).incident;
    const Incident& y = open_.at(b).incident;
    if (x.alert_ids.size() != y.alert_ids.size()) {
      return x.alert_ids.size() > y.alert_ids.size();
    }
    if (x.created_us != y.created_us) {
      return x.created_us < y.created_us;
    }
    return a < b;
  });
  OpenIncident& target = open_.at(order[0]);
  assignment.incident_id = order[0];
  assignment.reason = reason_of(candidates[order[0]]);
  for (size_t i = 1; i < order.size(); ++i) {
    const int64_t other_id = order[i];
    OpenIncident& other = open_.at(other_id);
    std::optional<std::string> guard = MergeGuard(target.incident, &target, other.incident, &other);
    const std::string why = reason_of(candidates[other_id]);
    if (guard.has_value()) {
      assignment.reason += fmt::format("; not merged with incident {}: {}", other_id, *guard);
      continue;
    }
    VIGIL_RETURN_IF_ERROR(MergeInto(target, other_id, config_.actor,
                                    fmt::format("alert {} {}", alert.id, why), pending));
    assignment.merged_incidents.push_back(other_id);
    assignment.reason += fmt::format("; merged incident {} ({})", other_id, why);
  }
  VIGIL_RETURN_IF_ERROR(
      AddAlert(target, alert, entities, domains, assignment.reason, config_.actor, pending));
  return assignment;
}

Status Correlator::Flush(Pending& pending) {
  std::vector<int64_t> dirty(pending.dirty.begin(), pending.dirty.end());
  std::sort(dirty.begin(), dirty.end());
  for (int64_t id : dirty) {
    auto it = open_.find(id);
    if (it != open_.end()) {
      VIGIL_RETURN_IF_ERROR(store_->Save(it->second.incident));
    }
  }
  std::sort(pending.dirty_entities.begin(), pending.dirty_entities.end());
  pending.dirty_entities.erase(
      std::unique(pending.dirty_entities.begin(), pending.dirty_entities.end()),
      pending.dirty_entities.end());
  for (const auto& [id, key] : pending.dirty_entities) {
    auto it = open_.find(id);
    if (it == open_.end()) {
      continue;
    }
    auto row = it->second.entities.find(key);
    if (row != it->second.entities.end()) {
      VIGIL_RETURN_IF_ERROR(store_->SaveEntity(row->second));
    }
  }
  return Status::Ok();
}

void Correlator::ApplyToAlerts(const Pending& pending, std::string_view actor) {
  if (alerts_ == nullptr) {
    return;
  }
  std::map<std::string, int64_t> last;
  for (const auto& [alert_id, incident_id] : pending.alert_incident) {
    last[alert_id] = incident_id;
  }
  for (const auto& [alert_id, incident_id] : last) {
    detect::alerts::AlertPatch patch;
    patch.incident_id = std::to_string(incident_id);
    auto updated = alerts_->Update(alert_id, patch, actor);
    if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) {
      VIGIL_LOG_WARN("incidents", "cannot set the incident of alert {}: {}", alert_id,
                     updated.status().message());
    }
  }
}

Result<std::vector<Assignment>> Correlator::OnAlertsLocked(std::span<const AlertRecord> alerts) {
  Pending pending;
  std::vector<Assignment> out;
  out.reserve(alerts.size());
  Status status = store_->WithTransaction([&]() -> Status {
    for (const AlertRecord& alert : alerts) {
      VIGIL_ASSIGN_OR_RETURN(Assignment assignment, Correlate(alert, pending));
      out.push_back(std::move(assignment));
    }
    return Flush(pending);
  });
  if (!status.ok()) {
    // The transaction was rolled back: bring memory back in line with the store.
    Rebuild().IgnoreError();
    return status;
  }
  ApplyToAlerts(pending, config_.actor);
  return out;
}

Result<std::vector<Assignment>> Correlator::OnAlerts(std::span<const AlertRecord> alerts) {
  std::lock_guard lock(mu_);
  return OnAlertsLocked(alerts);
}

Result<Assignment> Correlator::OnAlert(const AlertRecord& alert) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(std::vector<Assignment> out, OnAlertsLocked(std::span(&alert, 1)));
  return std::move(out.front());
}

}  // namespace vigil::incidents
