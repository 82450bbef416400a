// The attack story of an incident as JSON: the incident, a graph of its alerts and entities
// (alert -> entity edges with the evidence role, entity -> entity edges where evidence relates
// them) and a timeline of its alerts. Used by the CLI (`vigil incidents story`) and the API.
// Thread-safe as far as the stores are (both serialize their calls).
#pragma once

#include <cstdint>
#include <string>

#include "vigil/base/status.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/incident_store.h"

namespace vigil::incidents {

// {"incident":{...},"nodes":[{"id","type","label",...}],"edges":[{"from","to","relation"}],
//  "timeline":[{"time","alertId","title","severity","source",...}]}. Alerts the alert store no
// longer has are left out. Errors: incident not found, store failures.
Result<std::string> StoryJson(IncidentStore& incidents, detect::alerts::AlertStore& alerts,
                              int64_t incident_id);

// The incident object alone (also used by `incidents show --format json` and `list`).
std::string IncidentJson(const Incident& incident);

}  // namespace vigil::incidents
