// `vigil detections`: custom detection rules (KQL + frequency + entity mapping, see
// vigil/detect/custom_detection_file.h). `check FILE...` binds each query against the schema and
// applies Defender's requirements; `run FILE...` runs the scheduled rules once over the store
// (each over its lookback, or 30 days with --first-run) and turns their rows into alerts
// (AlertInfo/AlertEvidence + <data>/alerts.db). Continuous rules run inside `vigil ingest
// --detections FILE` on every batch.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/incident_response.h"
#include "apps/vigil/scheduled_detections.h"
#include "vigil/base/time.h"
#include "vigil/detect/custom_detection_file.h"
#include "vigil/kql/exec/engine.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;

struct DetectionsArgs {
  std::vector<std::string> paths;
  bool first_run = false;
  std::string now;
};

int RunCheck(const GlobalOptions& global, const DetectionsArgs& args) {
  (void)global;
  auto loaded = detect::LoadCustomDetections(args.paths);
  kql::Engine engine(nullptr, &schema::Catalog::Default());
  detect::CustomDetectionRunner runner(engine);
  size_t ok = 0;
  for (const auto& rule : loaded.rules) {
    const Status valid = runner.Validate(rule);
    if (valid.ok()) {
      ++ok;
      fmt::print("ok      {} ({}, every {})\n", rule.name, rule.id,
                 detect::DetectionPeriodName(rule.period));
    } else {
      fmt::print("invalid {} ({}): {}\n", rule.name, rule.id, valid.message());
    }
  }
  for (const auto& error : loaded.errors) {
    fmt::print("error   {}\n", error);
  }
  fmt::print("{} of {} custom detections valid; {} could not be read\n", ok, loaded.rules.size(),
             loaded.errors.size());
  return ok == loaded.rules.size() && loaded.errors.empty() ? kExitOk : kExitPartial;
}

int RunRun(const GlobalOptions& global, const DetectionsArgs& args) {
  auto loaded = detect::LoadCustomDetections(args.paths);
  for (const auto& error : loaded.errors) {
    fmt::print(stderr, "vigil detections: {}\n", error);
  }
  int64_t now_ticks = NowTicks();
  if (!args.now.empty()) {
    auto parsed = ParseDateTime(args.now);
    if (!parsed) {
      fmt::print(stderr, "vigil detections: cannot read --now '{}'\n", args.now);
      return kExitError;
    }
    now_ticks = *parsed;
  }
  auto summary = RunScheduledDetections(global, loaded.rules, now_ticks, args.first_run);
  if (!summary.ok()) {
    fmt::print(stderr, "vigil detections: writing alerts failed: {}\n", summary.status().message());
    return kExitError;
  }
  fmt::print("{} alert(s) written\n", summary->alerts);
  auto response = CorrelateAndRespond(global, ResponseRunOptions{});
  if (!response.ok()) {
    fmt::print(stderr, "vigil detections: incidents: {}\n", response.status().message());
    return kExitError;
  }
  PrintResponseSummary(*response, stdout);
  const int failures = summary->failures;
  return failures == 0 && loaded.errors.empty() ? kExitOk : kExitPartial;
}

}  // namespace

void RegisterDetectionsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("detections", "Custom detection rules (KQL)");
  cmd->require_subcommand(1);
  auto args = std::make_shared<DetectionsArgs>();
  CLI::App* check = cmd->add_subcommand("check", "Validate custom detection files");
  check->add_option("paths", args->paths, "YAML files or directories")->required();
  check->callback([&global, &exit_code, args] { exit_code = RunCheck(global, *args); });
  CLI::App* run = cmd->add_subcommand("run", "Run scheduled custom detections once, now");
  run->add_option("paths", args->paths, "YAML files or directories")->required();
  run->add_flag("--first-run", args->first_run, "look back 30 days, as a rule's first run does");
  run->add_option("--now", args->now, "run as of this time (default: now)");
  run->callback([&global, &exit_code, args] { exit_code = RunRun(global, *args); });
}

}  // namespace vigil::app
