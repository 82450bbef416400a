// `vigil tables`: what the store holds per table (rows, time range, bytes on disk); with --all,
// every table of the hunting schema, empty or not.
#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "apps/vigil/ingest_command.h"
#include "apps/vigil/progress_bar.h"
#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"

namespace vigil::app {
namespace {

struct TablesArgs {
  bool all = false;
};

int RunTables(const GlobalOptions& global, const TablesArgs& args) {
  auto opened = OpenStore(global);
  if (!opened.ok()) {
    fmt::print(stderr, "vigil tables: {}\n", opened.status().message());
    return kExitError;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  const std::vector<store::TableStats> stats = store->Stats();
  fmt::print("{:<40} {:>12} {:>30} {:>30} {:>12}\n", "Table", "Rows", "From", "To", "On disk");
  uint64_t total_rows = 0;
  uint64_t total_bytes = 0;
  for (const auto& table : schema::Catalog::Default().tables()) {
    const store::TableStats* found = nullptr;
    for (const auto& s : stats) {
      if (s.table == table->name()) {
        found = &s;
      }
    }
    if (found == nullptr || found->rows == 0) {
      if (args.all) {
        fmt::print("{:<40} {:>12} {:>30} {:>30} {:>12}\n", table->name(), 0, "-", "-", "-");
      }
      continue;
    }
    total_rows += found->rows;
    total_bytes += found->bytes_on_disk;
    fmt::print("{:<40} {:>12} {:>30} {:>30} {:>12}\n", table->name(), WithThousands(found->rows),
               found->min_time ? FormatDateTime(*found->min_time) : "-",
               found->max_time ? FormatDateTime(*found->max_time) : "-",
               HumanBytes(found->bytes_on_disk));
  }
  fmt::print("{:<40} {:>12} {:>30} {:>30} {:>12}\n", "Total", WithThousands(total_rows), "", "",
             HumanBytes(total_bytes));
  if (total_rows == 0) {
    fmt::print("(no rows yet: load some with `vigil ingest PATH...` or `vigil demo`)\n");
  }
  const Status closed = store->Close();
  if (!closed.ok()) {
    fmt::print(stderr, "vigil tables: {}\n", closed.message());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

void RegisterTablesCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<TablesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tables", "Show rows, time range and bytes on disk per hunting table in the data directory");
  cmd->add_flag("--all", args->all, "list every table of the hunting schema, empty ones too");
  cmd->callback([&global, &exit_code, args] { exit_code = RunTables(global, *args); });
}

}  // namespace vigil::app
