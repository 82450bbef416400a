// `vigil demo`: writes the built-in demo data set (see demo_data.h), ingests it through the same
// path as `vigil ingest`, and shows what the store now holds.
#include <filesystem>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/demo_data.h"
#include "apps/vigil/ingest_command.h"
#include "vigil/base/time.h"

namespace vigil::app {
namespace {

struct DemoArgs {
  std::string out_dir;
  bool force = false;
};

int RunDemo(const GlobalOptions& global, const DemoArgs& args) {
  const std::filesystem::path out =
      args.out_dir.empty() ? std::filesystem::path(global.data_dir) / "demo-input"
                           : std::filesystem::path(args.out_dir);
  const std::filesystem::path marker = std::filesystem::path(global.data_dir) / "demo-loaded";
  if (std::filesystem::exists(marker) && !args.force) {
    fmt::print("Demo data is already loaded in '{}' (use --force to load it again).\n\n",
               global.data_dir);
  } else {
    auto files = WriteDemoData(out, NowTicks());
    if (!files.ok()) {
      fmt::print(stderr, "vigil demo: {}\n", files.status().message());
      return kExitError;
    }
    fmt::print("Wrote {} demo events to '{}'.\n\n", files->events, out.string());
    IngestArgs events;
    events.paths = {files->sysmon_jsonl.string(), files->security_xml.string()};
    int code = RunIngest(global, events);
    if (code != kExitOk) {
      return code;
    }
    IngestArgs inventory;
    inventory.table = "DeviceInfo";
    inventory.paths = {files->inventory_csv.string()};
    fmt::print("\n");
    code = RunIngest(global, inventory);
    if (code != kExitOk) {
      return code;
    }
    std::FILE* f = std::fopen(marker.string().c_str(), "w");
    if (f != nullptr) {
      std::fputs("demo data loaded\n", f);
      std::fclose(f);
    }
    fmt::print("\n");
  }
  return kExitOk;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Generate the demo data set (three days of a small company's Windows telemetry with one "
      "attack in it) and ingest it; then run `vigil tables`");
  cmd->add_option("--out", args->out_dir,
                  "where to write the demo input files (default: <data>/demo-input)");
  cmd->add_flag("--force", args->force, "load the demo data again even if it is already loaded");
  cmd->callback([&global, &exit_code, args] { exit_code = RunDemo(global, *args); });
}

}  // namespace vigil::app
