// IncidentStore::Update: analyst changes with their audit trail and the propagation to alerts.
#include <fmt/format.h>

#include <algorithm>

#include "vigil/base/sqlite_db.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/incident_store.h"

namespace vigil::incidents {

using detect::alerts::ClassificationName;
using detect::alerts::DeterminationName;

Status IncidentStore::UpdateLocked(Incident& inc, const IncidentPatch& patch,
                                   std::string_view actor, bool& resolved, bool& assigned) {
  struct Change {
    std::string field, old_value, new_value;
  };
  std::vector<Change> changes;
  auto note = [&](std::string_view field, std::string_view old_value, std::string_view new_value) {
    if (old_value != new_value) {
      changes.push_back({std::string(field), std::string(old_value), std::string(new_value)});
    }
  };
  if (patch.status) {
    VIGIL_ASSIGN_OR_RETURN(IncidentStatus status, ParseIncidentStatus(*patch.status));
    if (status == IncidentStatus::kRedirected) {
      return InvalidArgumentError("status Redirected is set by merges only");
    }
    note("status", IncidentStatusName(inc.status), IncidentStatusName(status));
    resolved = status == IncidentStatus::kResolved && inc.status != status;
    inc.status = status;
  }
  if (patch.assigned_to) {
    note("assignedTo", inc.assigned_to, *patch.assigned_to);
    assigned = inc.assigned_to != *patch.assigned_to;
    inc.assigned_to = *patch.assigned_to;
  }
  AlertClassification classification = inc.classification;
  AlertDetermination determination = inc.determination;
  if (patch.classification) {
    VIGIL_ASSIGN_OR_RETURN(classification,
                           detect::alerts::ParseClassification(*patch.classification));
    if (!patch.determination && !detect::alerts::DeterminationFits(classification, determination)) {
      determination = AlertDetermination::kNotAvailable;
    }
  }
  if (patch.determination) {
    VIGIL_ASSIGN_OR_RETURN(determination, detect::alerts::ParseDetermination(*patch.determination));
    if (determination != AlertDetermination::kNotAvailable &&
        classification != AlertClassification::kTruePositive) {
      return InvalidArgumentError(
          "determination '{}' can only be set when the classification is TruePositive (it is {})",
          DeterminationName(determination), ClassificationName(classification));
    }
    if (!detect::alerts::DeterminationFits(classification, determination)) {
      return InvalidArgumentError("determination '{}' does not fit classification '{}'",
                                  DeterminationName(determination),
                                  ClassificationName(classification));
    }
  }
  note("classification", ClassificationName(inc.classification),
       ClassificationName(classification));
  note("determination", DeterminationName(inc.determination), DeterminationName(determination));
  inc.classification = classification;
  inc.determination = determination;
  if (patch.title) {
    const std::string old_title = inc.title;
    inc.title_custom = !patch.title->empty();
    if (inc.title_custom) {
      inc.title = *patch.title;
    }
    RefreshDerived(inc);
    note("title", old_title, inc.title);
  }
  if (patch.severity) {
    const Severity old_severity = inc.severity;
    if (patch.severity->empty()) {
      inc.severity_override = false;
    } else {
      VIGIL_ASSIGN_OR_RETURN(inc.severity, detect::alerts::ParseSeverity(*patch.severity));
      inc.severity_override = true;
    }
    RefreshDerived(inc);
    note("severity", detect::SeverityName(old_severity), detect::SeverityName(inc.severity));
  }
  for (const auto& tag : patch.add_tags) {
    if (tag.empty() || tag.size() > 200) {
      return InvalidArgumentError("tag must be 1 to 200 bytes");
    }
    if (InsertSorted(inc.custom_tags, tag)) {
      note("tags", "", "+" + tag);
    }
  }
  for (const auto& tag : patch.remove_tags) {
    auto it = std::find(inc.custom_tags.begin(), inc.custom_tags.end(), tag);
    if (it != inc.custom_tags.end()) {
      inc.custom_tags.erase(it);
      note("tags", "-" + tag, "");
    }
  }
  if (patch.comment) {
    if (patch.comment->size() > kMaxCommentBytes) {
      return InvalidArgumentError("comment is {} bytes, more than the limit of {}",
                                  patch.comment->size(), kMaxCommentBytes);
    }
    if (patch.comment->empty()) {
      return InvalidArgumentError("comment is empty");
    }
  }
  const int64_t now = Now();
  if (!changes.empty() || patch.comment) {
    inc.last_update_us = now;
  }
  VIGIL_RETURN_IF_ERROR(Save(inc));
  for (const auto& c : changes) {
    VIGIL_RETURN_IF_ERROR(Audit(inc.id, actor, c.field, c.old_value, c.new_value));
  }
  if (patch.comment) {
    VIGIL_RETURN_IF_ERROR(AddComment(inc.id, *patch.comment, actor, now));
  }
  return Status::Ok();
}

Result<Incident> IncidentStore::Update(int64_t id, const IncidentPatch& patch,
                                       std::string_view actor, detect::alerts::AlertStore* alerts) {
  std::lock_guard lock(mu_);
  VIGIL_ASSIGN_OR_RETURN(Incident inc, GetLocked(id));
  bool resolved = false;
  bool assigned = false;
  VIGIL_RETURN_IF_ERROR(WithTransaction(
      [&]() -> Status { return UpdateLocked(inc, patch, actor, resolved, assigned); }));
  if (alerts != nullptr && (resolved || assigned)) {
    for (const auto& alert_id : inc.alert_ids) {
      detect::alerts::AlertPatch alert_patch;
      if (resolved) {
        alert_patch.status = "Resolved";
      }
      if (assigned) {
        alert_patch.assigned_to = inc.assigned_to;
      }
      auto updated = alerts->Update(alert_id, alert_patch, actor);
      if (!updated.ok() && updated.status().code() != StatusCode::kNotFound) {
        return updated.status().Annotate(fmt::format("incident {}", id));
      }
    }
  }
  return inc;
}

}  // namespace vigil::incidents
