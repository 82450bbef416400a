// ConsoleDetections: the live detection configuration the console changes while `vigil serve`
// runs: custom KQL detections (the shipped ones from content/ plus those created through the
// API, kept as <data>/detections/<id>.yml) and the on/off switches of custom detections and of
// the Sigma/correlation rules the server loaded (kept in console.db). Every change is pushed to
// the IngestService, which swaps it in between requests. Thread-safe (one mutex).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/console/console_store.h"
#include "vigil/base/status.h"
#include "vigil/detect/custom_detection.h"

namespace vigil::api {
class IngestService;
}  // namespace vigil::api

namespace vigil::api::console {

struct DetectionView {
  detect::CustomDetectionRule rule;
  std::string origin;  // "content" or "console"
  bool enabled = true;
};

struct RuleView {
  std::string id;  // the Sigma/correlation id (the title or name when the rule has none)
  std::string title, level, status, author;
  std::string kind;  // "sigma" or "correlation"
  bool enabled = true;
  std::vector<std::string> tags;
};

// A YAML double-quoted scalar holding `text` exactly (escapes quotes, backslashes and control
// characters; UTF-8 passes through). Also used for <data>/automation.yml.
std::string YamlQuoted(std::string_view text);

// Writes `text` to `path` through "<path>.tmp" and a rename, so a concurrent reader sees the old
// or the new file, never part of one; creates the parent directories. Used for
// <data>/detections/<id>.yml and <data>/automation.yml.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view text);

class ConsoleDetections {
 public:
  // `content`: the custom detections loaded from content/ (or --detections), every period.
  // Reads the console's rules from <data_dir>/detections/ and the switches from `store`, then
  // applies them to `ingest` (may be null: nothing runs live, e.g. in tests). `store` and
  // `ingest` outlive this object.
  static Result<std::unique_ptr<ConsoleDetections>> Create(
      std::string data_dir, std::vector<detect::CustomDetectionRule> content, ConsoleStore& store,
      IngestService* ingest);

  std::vector<DetectionView> ListDetections();
  // Validates the rule as `vigil detections check` does (the YAML written must parse back and
  // the query must bind with the required columns), assigns the next id "vigil-cd-cNNNN",
  // writes <data>/detections/<id>.yml and runs it from the next ingested batch (continuous
  // rules; scheduled ones run with `vigil detections run`). InvalidArgument names the problem.
  Result<DetectionView> AddDetection(detect::CustomDetectionRule rule);
  Result<DetectionView> SetDetectionEnabled(std::string_view id, bool enabled,
                                            std::string_view actor);

  std::vector<RuleView> ListRules();
  Result<RuleView> SetRuleEnabled(std::string_view id, bool enabled, std::string_view actor);

  // The YAML document of a rule in the custom detection file format (parses back to it).
  static std::string RuleYaml(const detect::CustomDetectionRule& rule);

 private:
  ConsoleDetections(std::string data_dir, ConsoleStore& store, IngestService* ingest)
      : data_dir_(std::move(data_dir)), store_(store), ingest_(ingest) {}
  Status ApplyDetectionsLocked();
  Status ApplyRulesLocked();
  std::vector<RuleView> RulesLocked();

  const std::string data_dir_;
  ConsoleStore& store_;
  IngestService* const ingest_;
  std::mutex mu_;
  std::vector<DetectionView> detections_;  // guarded by mu_; content first, then console
};

}  // namespace vigil::api::console
