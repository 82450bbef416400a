// JSON shapes of alerts and incidents as the MDE/M365D APIs (PascalCase enums) and Graph
// security v1.0 (camelCase enums) return them, built as JsonValue records so OData options
// apply to them. Used by the alert and incident handlers. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/odata/json_value.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/incident_store.h"

namespace vigil::api::resources {

// MDE alert (api_shapes.md 1.2); `with_evidence` adds the evidence array.
odata::JsonValue DefenderAlertJson(const detect::alerts::AlertRecord& alert, bool with_evidence);
// The alert inside an M365D incident (2.1): alertId, ..., devices[], entities[].
odata::JsonValue IncidentAlertJson(const detect::alerts::AlertRecord& alert);
// Graph alert (3.2) with Graph-shaped evidence.
odata::JsonValue GraphAlertJson(const detect::alerts::AlertRecord& alert,
                                std::string_view base_url);

// M365D incident (2.1) with its comments and (when given) alerts.
odata::JsonValue DefenderIncidentJson(const incidents::Incident& incident,
                                      const std::vector<incidents::IncidentComment>& comments,
                                      const std::vector<detect::alerts::AlertRecord>* alerts);
// Graph incident (3.1); alerts added by the caller for $expand=alerts.
odata::JsonValue GraphIncidentJson(const incidents::Incident& incident,
                                   const std::vector<incidents::IncidentComment>& comments,
                                   std::string_view base_url);

// The member names of each shape (the fields $filter and $orderby accept).
std::vector<std::string> FieldsOf(const odata::JsonValue& sample);

// A machine's riskScore as Defender derives it: the highest severity among the open (not
// Resolved) alerts with that device in their evidence, by DeviceId; devices without one are
// "None".
std::map<std::string, detect::Severity> DeviceRisk(
    const std::vector<detect::alerts::AlertRecord>& alerts);

}  // namespace vigil::api::resources
