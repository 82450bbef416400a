// `vigil demo`: writes the built-in demo data set (see demo_data.h), ingests it through the same
// path as `vigil ingest` (Sigma rules and continuous custom detections inline), then runs the
// scheduled custom detections of the shipped content once, as of the data's end time.
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "apps/vigil/commands.h"
#include "apps/vigil/demo_data.h"
#include "apps/vigil/detection_setup.h"
#include "apps/vigil/incident_response.h"
#include "apps/vigil/ingest_command.h"
#include "apps/vigil/scheduled_detections.h"
#include "vigil/base/time.h"
#include "vigil/detect/custom_detection_file.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;

struct DemoArgs {
  std::string out_dir;
  bool force = false;
  int days = 30;
  int devices = 25;
  uint64_t seed = 42;
  std::string end;         // ISO datetime the data ends at; "" = now
  std::string detections;  // custom detection files/dir; "" = the shipped content
};

void PrintFacts() {
  using F = DemoAttackFacts;
  fmt::print(
      "The attack: phishing mail from {} ({}) to {} with {} (SHA256 {}) and a link to {};\n"
      "  {} opened it on {} ({}); credentials of {} ({}) were dumped and used on {};\n"
      "  Kerberoasting from {}; mailbox access and mass download from {}.\n\n",
      F::kSender, F::kSenderIp, F::kVictimUpn, F::kAttachmentName, F::kAttachmentSha256,
      F::kPhishUrl, F::kVictimAccount, F::kVictimDevice, F::kVictimSid, F::kAdminAccount,
      F::kAdminUpn, F::kLateralDevice, F::kLateralDevice, F::kAttackerCloudIp);
}

int RunDemo(const GlobalOptions& global, const DemoArgs& args) {
  const fs::path out =
      args.out_dir.empty() ? fs::path(global.data_dir) / "demo-input" : fs::path(args.out_dir);
  const fs::path marker = fs::path(global.data_dir) / "demo-loaded";
  if (fs::exists(marker) && !args.force) {
    fmt::print("Demo data is already loaded in '{}' (use --force to load it again).\n\n",
               global.data_dir);
    return kExitOk;
  }
  DemoOptions options;
  options.days = args.days;
  options.devices = args.devices;
  options.seed = args.seed;
  options.end_ticks = NowTicks();
  if (!args.end.empty()) {
    auto parsed = ParseDateTime(args.end);
    if (!parsed) {
      fmt::print(stderr, "vigil demo: cannot read --end '{}'\n", args.end);
      return kExitError;
    }
    options.end_ticks = *parsed;
  }
  auto files = WriteDemoData(out, options);
  if (!files.ok()) {
    fmt::print(stderr, "vigil demo: {}\n", files.status().message());
    return kExitError;
  }
  fmt::print("Wrote {} demo events ({} days, {} devices, seed {}) to '{}'.\n", files->events,
             args.days, args.devices, args.seed, out.string());
  PrintFacts();

  const std::string detections = args.detections.empty() ? DefaultContentPath("detections") : args.detections;
  IngestArgs events;
  events.respond = false;  // correlated once below, when every alert is in
  events.paths = {files->sysmon_jsonl.string(), files->security_xml.string()};
  if (!detections.empty()) {
    events.detection.custom = {detections};
  }
  int code = RunIngest(global, events);
  if (code != kExitOk) {
    return code;
  }
  for (const DemoTableFile& table : files->tables) {
    IngestArgs shaped = events;
    shaped.table = table.table;
    shaped.paths = {table.path.string()};
    fmt::print("\n");
    code = RunIngest(global, shaped);
    if (code != kExitOk) {
      return code;
    }
  }
  if (!detections.empty()) {
    fmt::print("\nScheduled custom detections ({}), as of {}:\n", detections,
               FormatDateTime(options.end_ticks));
    auto loaded = detect::LoadCustomDetections({detections});
    for (const auto& error : loaded.errors) {
      fmt::print(stderr, "vigil demo: {}\n", error);
    }
    auto summary =
        RunScheduledDetections(global, loaded.rules, options.end_ticks, /*first_run=*/true);
    if (!summary.ok()) {
      fmt::print(stderr, "vigil demo: scheduled detections: {}\n", summary.status().message());
      return kExitError;
    }
    fmt::print("{} alert(s) from scheduled detections\n", summary->alerts);
  }
  fmt::print("\nIncidents and automated investigations:\n");
  auto response = CorrelateAndRespond(global, ResponseRunOptions{true, options.end_ticks / 10});
  if (!response.ok()) {
    fmt::print(stderr, "vigil demo: incidents: {}\n", response.status().message());
    return kExitError;
  }
  PrintResponseSummary(*response, stdout);
  std::FILE* f = std::fopen(marker.string().c_str(), "w");
  if (f != nullptr) {
    std::fputs("demo data loaded\n", f);
    std::fclose(f);
  }
  fmt::print(
      "\nNext: `vigil alerts list`, `vigil tables`, `vigil hunt \"AlertInfo | take 10\"`.\n");
  return kExitOk;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Generate the demo data set (a company's endpoint, identity, mail and cloud-app telemetry "
      "with one multi-stage attack in it), ingest it and run the detections");
  cmd->add_option("--days", args->days, "days of telemetry (3..90)")->capture_default_str();
  cmd->add_option("--devices", args->devices, "devices (5..500)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed (same seed and day: same data)")
      ->capture_default_str();
  cmd->add_option("--end", args->end, "the data ends at this time (default: now)");
  cmd->add_option("--out", args->out_dir,
                  "where to write the demo input files (default: <data>/demo-input)");
  cmd->add_option("--detections", args->detections,
                  "custom detection files or directory (default: the shipped content)");
  cmd->add_flag("--force", args->force, "load the demo data again even if it is already loaded");
  cmd->callback([&global, &exit_code, args] { exit_code = RunDemo(global, *args); });
}

}  // namespace vigil::app
