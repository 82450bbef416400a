// Custom detections: a KQL hunting query run on a schedule (or on every ingested batch, for
// "continuous" rules) whose result rows become alerts, as Defender's custom detection rules.
// CustomDetectionRunner is used by the detection service and `vigil detect --custom`.
// Thread-safe: Validate/Run only read the engine and the rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect {

// Defender's rule frequencies and their lookbacks: 24h -> 30 days, 12h -> 48h, 3h -> 12h,
// 1h -> 4h; continuous (near-real-time) rules run on each ingested batch.
enum class DetectionPeriod : uint8_t { kContinuous, kEvery1h, kEvery3h, kEvery12h, kEvery24h };

// Accepts Graph's `"0"`, `"1H"`, `"3H"`, `"12H"`, `"24H"` and `continuous`, `1h`, ... (any case).
Result<DetectionPeriod> ParseDetectionPeriod(std::string_view text);
std::string_view DetectionPeriodName(DetectionPeriod period);  // "0", "1H", ... (Graph form)
int64_t PeriodTicks(DetectionPeriod period);                   // 0 for continuous
int64_t LookbackTicks(DetectionPeriod period);                 // 0 for continuous
inline constexpr int64_t kFirstRunLookbackTicks = int64_t{30} * 24 * 3600 * 10'000'000;
inline constexpr size_t kMaxAlertsPerRun = 100;
// Limits of Validate(): binding a query may run its bind-time subqueries (toscalar,
// materialize); validation needs only the result schema.
inline constexpr size_t kValidateMemoryBytes = size_t{64} << 20;
inline constexpr std::chrono::milliseconds kValidateTimeout{2'000};
inline constexpr size_t kValidateMaxRows = 1'000;

struct CustomDetectionRule {
  std::string id;
  std::string name;   // detection name (displayName)
  std::string query;  // KQL
  DetectionPeriod period = DetectionPeriod::kEvery24h;
  bool enabled = true;
  // Alert template.
  std::string title;  // defaults to the name
  std::string description;
  std::string category = "SuspiciousActivity";
  Severity severity = Severity::kMedium;
  std::vector<std::string> techniques;
  std::string recommended_actions;
  std::string created_by;
  // Result columns whose entities are impacted (DeviceId, AccountSid, RecipientEmailAddress,
  // ...). Empty: the device and the account columns present.
  std::vector<std::string> impacted_columns;
};

// The columns that can identify an impacted entity (Defender's list).
const std::vector<std::string>& EntityColumns();

struct CustomDetectionRun {
  std::vector<AlertDraft> alerts;  // at most kMaxAlertsPerRun
  size_t result_rows = 0;
  bool capped = false;             // more rows than alerts allowed
  int64_t window_start_ticks = 0;  // the lookback scope the query ran over
  int64_t window_end_ticks = 0;
  std::vector<std::string> warnings;
};

class CustomDetectionRunner {
 public:
  // The engine outlives the runner.
  explicit CustomDetectionRunner(const kql::Engine& engine) : engine_(engine) {}

  // Binds the query and checks what Defender requires: Timestamp, ReportId and at least one
  // entity column in the output; impacted_columns present; for continuous rules one table of
  // the near-real-time list and no join, lookup, union, externaldata or nested sources.
  Status Validate(const CustomDetectionRule& rule) const;

  // Runs a scheduled rule at `now_ticks`: over its lookback (30 days on the first run).
  Result<CustomDetectionRun> Run(const CustomDetectionRule& rule, int64_t now_ticks,
                                 bool first_run) const;

  // Runs a continuous rule over one ingested batch (only rules whose table is the batch's).
  Result<CustomDetectionRun> RunOnBatch(const CustomDetectionRule& rule,
                                        const schema::TableBatch& batch, int64_t now_ticks) const;

  // The table a continuous rule reads ("" when the query does not qualify).
  static std::string ContinuousTable(std::string_view query, std::string* why);

 private:
  Result<CustomDetectionRun> Drafts(const CustomDetectionRule& rule,
                                    const kql::QueryResult& result) const;
  const kql::Engine& engine_;
};

}  // namespace vigil::detect
