// Correlator: merge mechanics and guards, manual merge and link, analyst updates.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "vigil/incidents/correlator.h"

namespace vigil::incidents {

using detect::alerts::AlertRecord;
using detect::alerts::ClassificationName;
using detect::alerts::DeterminationName;

std::optional<std::string> Correlator::MergeGuard(const Incident& a, const OpenIncident* a_state,
                                                  const Incident& b,
                                                  const OpenIncident* b_state) const {
  for (const Incident* inc : {&a, &b}) {
    if (!IsOpen(inc->status)) {
      return fmt::format("incident {} is {}", inc->id, IncidentStatusName(inc->status));
    }
  }
  if (!a.assigned_to.empty() && !b.assigned_to.empty() && a.assigned_to != b.assigned_to) {
    return fmt::format("incidents {} and {} are assigned to different people ({} and {})", a.id,
                       b.id, a.assigned_to, b.assigned_to);
  }
  if (a.classification != b.classification || a.determination != b.determination) {
    return fmt::format(
        "incidents {} and {} have different classification/determination ({}/{} and {}/{})", a.id,
        b.id, ClassificationName(a.classification), DeterminationName(a.determination),
        ClassificationName(b.classification), DeterminationName(b.determination));
  }
  if (a_state != nullptr && b_state != nullptr) {
    size_t total = a_state->entities.size();
    for (const auto& [key, row] : b_state->entities) {
      total += a_state->entities.count(key) == 0 ? 1 : 0;
    }
    if (total > config_.max_entities_per_incident) {
      return fmt::format(
          "merging incidents {} and {} would give {} entities, above the limit of {}", a.id, b.id,
          total, config_.max_entities_per_incident);
    }
  }
  return std::nullopt;
}

Status Correlator::MergeInto(OpenIncident& target, int64_t source_id, std::string_view actor,
                             std::string_view why, Pending& pending) {
  auto it = open_.find(source_id);
  if (it == open_.end()) {
    return FailedPreconditionError("incident {} is not open", source_id);
  }
  OpenIncident source = std::move(it->second);
  open_.erase(it);
  Incident& t = target.incident;
  Incident& s = source.incident;
  for (const auto& alert_id : s.alert_ids) {
    t.alert_ids.push_back(alert_id);
    pending.alert_incident.emplace_back(alert_id, t.id);
  }
  t.alerts_severity = std::max(t.alerts_severity, s.alerts_severity);
  if (s.first_activity_us != 0 &&
      (t.first_activity_us == 0 || s.first_activity_us < t.first_activity_us)) {
    t.first_activity_us = s.first_activity_us;
  }
  t.last_activity_us = std::max(t.last_activity_us, s.last_activity_us);
  using FactList = std::vector<std::string> IncidentFacts::*;
  for (FactList lists :
       {&IncidentFacts::service_sources, &IncidentFacts::detection_sources,
        &IncidentFacts::categories, &IncidentFacts::devices, &IncidentFacts::users}) {
    for (const auto& value : s.facts.*lists) {
      InsertSorted(t.facts.*lists, value);
    }
  }
  for (const auto& tag : s.custom_tags) {
    InsertSorted(t.custom_tags, tag);
  }
  for (const auto& tag : s.system_tags) {
    if (tag != "Redirected") {
      InsertSorted(t.system_tags, tag);
    }
  }
  RefreshDerived(t);
  for (auto& [key, row] : source.entities) {
    RemovePostings(s.id, row);
    EntityRow& merged = target.entities[key];
    if (merged.key.empty()) {
      merged = row;
      merged.incident_id = t.id;
    } else {
      merged.last_seen_us = std::max(merged.last_seen_us, row.last_seen_us);
      merged.domains |= row.domains;
      merged.alert_count += row.alert_count;
      for (const auto& id : row.identifiers) {
        if (std::find(merged.identifiers.begin(), merged.identifiers.end(), id) ==
            merged.identifiers.end()) {
          merged.identifiers.push_back(id);
        }
      }
    }
    IndexEntity(t.id, merged);
    pending.dirty_entities.emplace_back(t.id, key);
  }
  const int64_t now = store_->Now();
  const std::string old_status(IncidentStatusName(s.status));
  s.status = IncidentStatus::kRedirected;
  InsertSorted(s.system_tags, "Redirected");
  s.redirect_incident_id = t.id;
  s.last_update_us = now;
  t.last_update_us = now;
  VIGIL_RETURN_IF_ERROR(store_->Save(s));
  VIGIL_RETURN_IF_ERROR(store_->DeleteEntities(s.id));
  VIGIL_RETURN_IF_ERROR(store_->MoveLinks(s.id, t.id));
  VIGIL_RETURN_IF_ERROR(store_->Audit(s.id, actor, "status", old_status, "Redirected"));
  VIGIL_RETURN_IF_ERROR(store_->Audit(s.id, actor, "redirectIncidentId", "", std::to_string(t.id)));
  VIGIL_RETURN_IF_ERROR(
      store_->Audit(t.id, actor, "merge", "", fmt::format("incident {}: {}", s.id, why)));
  pending.dirty.insert(t.id);
  return Status::Ok();
}

Result<int64_t> Correlator::Merge(std::span<const int64_t> ids, std::string_view actor) {
  std::lock_guard lock(mu_);
  if (ids.size() < 2 || ids.size() > kMaxManualMerge) {
    return InvalidArgumentError("merge takes 2 to {} incidents, got {}", kMaxManualMerge,
                                ids.size());
  }
  std::set<int64_t> unique(ids.begin(), ids.end());
  if (unique.size() != ids.size()) {
    return InvalidArgumentError("merge lists an incident twice");
  }
  std::vector<Incident> incidents;
  for (int64_t id : ids) {
    auto it = open_.find(id);
    if (it != open_.end()) {
      incidents.push_back(it->second.incident);
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(Incident closed, store_->Get(id));
    incidents.push_back(std::move(closed));
  }
  std::sort(incidents.begin(), incidents.end(), [](const Incident& x, const Incident& y) {
    if (x.alert_ids.size() != y.alert_ids.size()) {
      return x.alert_ids.size() > y.alert_ids.size();
    }
    if (x.created_us != y.created_us) {
      return x.created_us < y.created_us;
    }
    return x.id < y.id;
  });
  const Incident& target = incidents.front();
  auto state_of = [this](int64_t id) -> const OpenIncident* {
    auto it = open_.find(id);
    return it == open_.end() ? nullptr : &it->second;
  };
  std::set<std::string> keys;
  for (const Incident& inc : incidents) {
    if (inc.id != target.id) {
      auto guard = MergeGuard(target, state_of(target.id), inc, state_of(inc.id));
      if (guard.has_value()) {
        return FailedPreconditionError("cannot merge: {}", *guard);
      }
    }
    if (const OpenIncident* state = state_of(inc.id)) {
      for (const auto& [key, row] : state->entities) {
        keys.insert(key);
      }
    }
  }
  if (keys.size() > config_.max_entities_per_incident) {
    return FailedPreconditionError(
        "cannot merge: the merged incident would have {} entities, above the limit of {}",
        keys.size(), config_.max_entities_per_incident);
  }
  Pending pending;
  const int64_t target_id = target.id;
  Status status = store_->WithTransaction([&]() -> Status {
    OpenIncident& state = open_.at(target_id);
    for (const Incident& inc : incidents) {
      if (inc.id != target_id) {
        VIGIL_RETURN_IF_ERROR(
            MergeInto(state, inc.id, actor, fmt::format("merged manually by {}", actor), pending));
      }
    }
    return Flush(pending);
  });
  if (!status.ok()) {
    Rebuild().IgnoreError();
    return status;
  }
  ApplyToAlerts(pending, actor);
  return target_id;
}

Status Correlator::Resummarize(OpenIncident& state, Pending& pending) {
  for (const auto& [key, row] : state.entities) {
    RemovePostings(state.incident.id, row);
  }
  state.entities.clear();
  VIGIL_RETURN_IF_ERROR(store_->DeleteEntities(state.incident.id));
  Incident& inc = state.incident;
  inc.facts = IncidentFacts();
  inc.alerts_severity = Severity::kInformational;
  inc.first_activity_us = 0;
  inc.last_activity_us = 0;
  for (const auto& alert_id : inc.alert_ids) {
    auto record = alerts_->Get(alert_id);
    if (!record.ok()) {
      continue;  // an alert the store no longer has adds nothing
    }
    Absorb(state, *record, EntitiesOf(*record), DomainsOf(*record), pending);
  }
  RefreshDerived(inc);
  pending.dirty.insert(inc.id);
  return Status::Ok();
}

Result<Assignment> Correlator::LinkAlert(std::string_view alert_id, std::optional<int64_t> incident,
                                         std::string_view actor) {
  std::lock_guard lock(mu_);
  if (alerts_ == nullptr) {
    return FailedPreconditionError("linking an alert needs the alert store");
  }
  VIGIL_ASSIGN_OR_RETURN(AlertRecord record, alerts_->Get(alert_id));
  VIGIL_ASSIGN_OR_RETURN(std::optional<AlertLink> link, store_->LinkOf(alert_id));
  if (incident.has_value() && open_.count(*incident) == 0) {
    VIGIL_ASSIGN_OR_RETURN(Incident closed, store_->Get(*incident));
    return FailedPreconditionError("incident {} is {}: alerts can only be linked to open incidents",
                                   closed.id, IncidentStatusName(closed.status));
  }
  Assignment assignment;
  if (link.has_value() && incident.has_value() && link->incident_id == *incident) {
    assignment.incident_id = *incident;
    assignment.reason = link->reason;
    return assignment;
  }
  Pending pending;
  Status status = store_->WithTransaction([&]() -> Status {
    OpenIncident* target = nullptr;
    if (incident.has_value()) {
      target = &open_.at(*incident);
      assignment.reason = fmt::format("linked manually by {}", actor);
    } else {
      VIGIL_ASSIGN_OR_RETURN(target, NewIncident(pending));
      assignment.created = true;
      assignment.reason = fmt::format("moved to a new incident by {}", actor);
    }
    assignment.incident_id = target->incident.id;
    VIGIL_RETURN_IF_ERROR(AddAlert(*target, record, EntitiesOf(record), DomainsOf(record),
                                   assignment.reason, actor, pending));
    VIGIL_RETURN_IF_ERROR(store_->Audit(target->incident.id, actor, "alerts", "", "+" + record.id));
    if (link.has_value()) {
      const int64_t old_id = link->incident_id;
      VIGIL_RETURN_IF_ERROR(store_->Audit(old_id, actor, "alerts", "-" + record.id, ""));
      auto it = open_.find(old_id);
      if (it != open_.end()) {
        auto& ids = it->second.incident.alert_ids;
        ids.erase(std::remove(ids.begin(), ids.end(), record.id), ids.end());
        if (ids.empty()) {
          Incident& old = it->second.incident;
          VIGIL_RETURN_IF_ERROR(
              store_->Audit(old_id, actor, "status", IncidentStatusName(old.status), "Resolved"));
          old.status = IncidentStatus::kResolved;
          old.last_update_us = store_->Now();
          for (const auto& [key, row] : it->second.entities) {
            RemovePostings(old_id, row);
          }
          VIGIL_RETURN_IF_ERROR(store_->DeleteEntities(old_id));
          VIGIL_RETURN_IF_ERROR(store_->Save(old));
          open_.erase(it);
        } else {
          VIGIL_RETURN_IF_ERROR(Resummarize(it->second, pending));
        }
      }
    }
    return Flush(pending);
  });
  if (!status.ok()) {
    Rebuild().IgnoreError();
    return status;
  }
  ApplyToAlerts(pending, actor);
  return assignment;
}

Result<Incident> Correlator::Update(int64_t id, const IncidentPatch& patch,
                                    std::string_view actor) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(Incident updated, store_->Update(id, patch, actor, alerts_));
  auto it = open_.find(id);
  if (it != open_.end()) {
    if (IsOpen(updated.status)) {
      it->second.incident = updated;
    } else {
      for (const auto& [key, row] : it->second.entities) {
        RemovePostings(id, row);
      }
      open_.erase(it);
    }
  } else if (IsOpen(updated.status)) {
    VIGIL_RETURN_IF_ERROR(LoadOpen(id));
  }
  return updated;
}

}  // namespace vigil::incidents
