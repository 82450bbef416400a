// What every API handler works on: the data directory and the open stores of one `vigil
// serve` process. Owned by the server (apps/vigil serve), which opens everything before it
// listens and closes it after the last request. The stores are thread-safe (each takes its own
// mutex); the KQL engine runs one query per thread.
#pragma once

#include <string>

namespace vigil::store {
class Store;
}  // namespace vigil::store
namespace vigil::kql {
class Engine;
}  // namespace vigil::kql
namespace vigil::detect::alerts {
class AlertStore;
}  // namespace vigil::detect::alerts
namespace vigil::detect::ioc {
class IndicatorStore;
}  // namespace vigil::detect::ioc
namespace vigil::incidents {
class IncidentStore;
class Correlator;
}  // namespace vigil::incidents
namespace vigil::respond {
class ActionStore;
}  // namespace vigil::respond

namespace vigil::api {

struct ApiContext {
  std::string data_dir;
  store::Store* store = nullptr;            // telemetry (hunting, machines)
  const kql::Engine* engine = nullptr;      // over `store`
  detect::alerts::AlertStore* alerts = nullptr;
  detect::ioc::IndicatorStore* indicators = nullptr;
  incidents::IncidentStore* incidents = nullptr;
  incidents::Correlator* correlator = nullptr;  // incident changes go through it when set
  respond::ActionStore* actions = nullptr;
};

}  // namespace vigil::api
