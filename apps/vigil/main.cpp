// `vigil`: the command-line entry point. Subcommands live in *_command.cpp.
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "apps/vigil/commands.h"
#include "vigil/base/allocator.h"
#include "vigil/base/log.h"

int main(int argc, char** argv) {
  vigil::TuneAllocator();
  CLI::App app{"Vigil: self-hosted XDR. Ingest Windows telemetry into the hunting tables and hunt in KQL."};
  app.set_version_flag("--version", std::string("vigil 0.1.0"));
  app.require_subcommand(1);
  app.fallthrough();

  vigil::app::GlobalOptions global;
  const char* env_data = std::getenv("VIGIL_DATA");
  global.data_dir = env_data != nullptr && *env_data != '\0' ? env_data : "./vigil-data";
  app.add_option("--data", global.data_dir,
                 "data directory (default: $VIGIL_DATA, else ./vigil-data)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", global.verbose, "debug logging");
  app.add_option("--block-cache-mb", global.block_cache_mb,
                 "memory for decoded store blocks kept between hunts, in MiB (0: off; default: "
                 "an eighth of RAM, at most 4096)")
      ->check(CLI::Range(0, 1 << 20));

  int exit_code = vigil::app::kExitOk;
  vigil::app::RegisterIngestCommand(app, global, exit_code);
  vigil::app::RegisterTablesCommand(app, global, exit_code);
  vigil::app::RegisterDemoCommand(app, global, exit_code);
  vigil::app::RegisterHuntCommand(app, global, exit_code);
  vigil::app::RegisterDetectCommand(app, global, exit_code);
  vigil::app::RegisterRulesCommand(app, global, exit_code);
  vigil::app::RegisterAlertsCommand(app, global, exit_code);
  vigil::app::RegisterIndicatorsCommand(app, global, exit_code);
  vigil::app::RegisterDetectionsCommand(app, global, exit_code);
  vigil::app::RegisterIncidentsCommand(app, global, exit_code);
  vigil::app::RegisterInvestigationsCommand(app, global, exit_code);
  vigil::app::RegisterActionsCommand(app, global, exit_code);
  vigil::app::RegisterServeCommand(app, global, exit_code);
  vigil::app::RegisterAppsCommand(app, global, exit_code);
  vigil::app::RegisterUsersCommand(app, global, exit_code);

  app.parse_complete_callback([&global] {
    if (global.verbose) {
      vigil::log::SetMinLevel(vigil::log::Level::kDebug);
    }
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
