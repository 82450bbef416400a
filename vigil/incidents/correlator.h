// Correlator: puts every arriving alert into exactly one incident. An alert joins the open
// incidents it shares a non-common entity with inside the time window (or that an attack-sequence
// rule ties it to); several such incidents are merged unless a never-merge guard holds. Also the
// manual operations (merge 2..5 incidents, link an alert to another or a new incident).
// Every link records a human-readable reason. Used by ingest (after the alert pipeline), the CLI
// and the API. Thread-safe: public methods take one mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/correlation_config.h"
#include "vigil/incidents/entities.h"
#include "vigil/incidents/incident_store.h"

namespace vigil::incidents {

struct Assignment {
  int64_t incident_id = 0;
  bool created = false;
  std::string reason;
  std::vector<int64_t> merged_incidents;  // incidents redirected into incident_id by this alert
};

class Correlator {
 public:
  static constexpr size_t kMaxManualMerge = 5;

  // `store` (and `alerts`, which may be null) outlive the correlator. Rebuilds the entity index
  // from the open incidents of the store.
  static Result<std::unique_ptr<Correlator>> Create(IncidentStore* store,
                                                    detect::alerts::AlertStore* alerts,
                                                    CorrelationConfig config);
  ~Correlator();
  Correlator(const Correlator&) = delete;
  Correlator& operator=(const Correlator&) = delete;

  // One incidents.db transaction per call. An alert already linked keeps its incident. With an
  // AlertStore, each alert record's incident_id is set (after the transaction commits).
  Result<Assignment> OnAlert(const detect::alerts::AlertRecord& alert);
  Result<std::vector<Assignment>> OnAlerts(std::span<const detect::alerts::AlertRecord> alerts);

  // Merges 2..5 incidents into the one with the most alerts (ties: the older). Fails with
  // kFailedPrecondition naming the guard when any pair may not be merged. Returns the target.
  Result<int64_t> Merge(std::span<const int64_t> ids, std::string_view actor);

  // Moves an alert to `incident` (an open one) or, with nullopt, to a new incident. Needs the
  // AlertStore. The incident it leaves is re-summarized, and resolved when it has no alert left.
  Result<Assignment> LinkAlert(std::string_view alert_id, std::optional<int64_t> incident,
                               std::string_view actor);

  // IncidentStore::Update that also refreshes the in-memory state (status, assignee, ...).
  Result<Incident> Update(int64_t id, const IncidentPatch& patch, std::string_view actor);

  // Directory data: these identities are one account.
  void AddAccountAlias(std::string_view sid, std::string_view upn, std::string_view name,
                       std::string_view domain);

  size_t open_incident_count() const;
  const CorrelationConfig& config() const { return config_; }

 private:
  struct Posting {
    int64_t incident_id;
    int64_t last_seen_us;
    uint32_t domains;
    int64_t alerts;
  };
  struct OpenIncident {
    Incident incident;
    std::unordered_map<std::string, EntityRow> entities;  // by key
  };
  // Writes and alert-store updates collected during one call, flushed at its end.
  struct Pending {
    std::unordered_set<int64_t> dirty;
    std::vector<std::pair<int64_t, std::string>> dirty_entities;
    std::vector<std::pair<std::string, int64_t>> alert_incident;
  };
  struct SequenceBits {
    uint32_t from;
    uint32_t to;
    const SequenceRule* rule;
  };

  Correlator(IncidentStore* store, detect::alerts::AlertStore* alerts, CorrelationConfig config);
  Status Rebuild();
  Result<std::vector<Assignment>> OnAlertsLocked(
      std::span<const detect::alerts::AlertRecord> alerts);
  void IndexEntity(int64_t incident_id, const EntityRow& row);
  uint32_t DomainsOf(const detect::alerts::AlertRecord& alert) const;
  Result<Assignment> Correlate(const detect::alerts::AlertRecord& alert, Pending& pending);
  Result<OpenIncident*> NewIncident(Pending& pending);
  void Absorb(OpenIncident& target, const detect::alerts::AlertRecord& alert,
              const std::vector<AlertEntity>& entities, uint32_t domains, Pending& pending);
  Status AddAlert(OpenIncident& target, const detect::alerts::AlertRecord& alert,
                  const std::vector<AlertEntity>& entities, uint32_t domains,
                  const std::string& reason, std::string_view actor, Pending& pending);
  std::vector<AlertEntity> EntitiesOf(const detect::alerts::AlertRecord& alert);
  void RemovePostings(int64_t incident_id, const EntityRow& row);
  Status LoadOpen(int64_t id);
  std::optional<std::string> MergeGuard(const Incident& a, const OpenIncident* a_state,
                                        const Incident& b, const OpenIncident* b_state) const;
  Status MergeInto(OpenIncident& target, int64_t source_id, std::string_view actor,
                   std::string_view why, Pending& pending);
  Status Flush(Pending& pending);
  void ApplyToAlerts(const Pending& pending, std::string_view actor);
  Status Resummarize(OpenIncident& state, Pending& pending);

  IncidentStore* store_;
  detect::alerts::AlertStore* alerts_;
  CorrelationConfig config_;
  EntityExtractor extractor_;  // refers to config_
  mutable std::mutex mu_;
  std::unordered_map<int64_t, OpenIncident> open_;
  std::unordered_map<std::string, std::vector<Posting>> postings_;  // identifier -> incidents
  size_t max_postings_ = 0;
  std::vector<SequenceBits> sequence_bits_;
};

// "2h", "35m", "3d" (rounded up; at least 1m).
std::string FormatWithin(int64_t gap_us);

}  // namespace vigil::incidents
