// The `vigil` subcommands. Each Register* function adds one subcommand to the CLI11 app and
// runs it when selected. Shared options (data directory) come from GlobalOptions.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace vigil::app {

struct GlobalOptions {
  std::string data_dir;  // --data, $VIGIL_DATA, else ./vigil-data
  bool verbose = false;
  // --block-cache-mb: the store's decoded-block cache; unset = the store's default.
  std::optional<size_t> block_cache_mb;
};

// Exit codes: 0 success; 1 usage or fatal error; 2 finished, but some inputs could not be read.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitPartial = 2;

void RegisterIngestCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterTablesCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterDemoCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterHuntCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterRulesCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterDetectCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterAlertsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterIndicatorsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterDetectionsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterIncidentsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterActionsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterInvestigationsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterAppsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void RegisterUsersCommand(CLI::App& app, GlobalOptions& global, int& exit_code);

}  // namespace vigil::app
