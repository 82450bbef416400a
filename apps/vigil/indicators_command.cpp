// `vigil indicators`: the indicators in <data>/indicators.db that `vigil ingest` (and later the
// server) match every event against. `import FILE` reads the Defender CSV template or the API's
// JSON forms (bad records are reported and skipped), `list`, `delete ID` and `sweep` (drop
// expired ones). Every change is audited under --actor.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "apps/vigil/commands.h"
#include "vigil/base/time.h"
#include "vigil/detect/ioc/import.h"
#include "vigil/detect/ioc/indicator_store.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using detect::ioc::IndicatorStore;

struct IndicatorsArgs {
  std::string file;
  std::string id;
  std::string actor = "cli";
  bool include_expired = false;
};

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<IndicatorStore>> OpenIndicators(const GlobalOptions& global) {
  std::error_code ec;
  fs::create_directories(global.data_dir, ec);
  return IndicatorStore::Open((fs::path(global.data_dir) / "indicators.db").string());
}

int Fail(const Status& status) {
  fmt::print(stderr, "vigil indicators: {}\n", status.message());
  return kExitError;
}

int RunImport(const GlobalOptions& global, const IndicatorsArgs& args) {
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    return Fail(NotFoundError("cannot read '{}'", args.file));
  }
  std::stringstream text;
  text << in.rdbuf();
  detect::ioc::ImportOptions options;
  options.now_us = NowUs();
  options.created_by = args.actor;
  auto imported = detect::ioc::ImportIndicators(text.str(), options);
  if (!imported.ok()) {
    return Fail(imported.status());
  }
  auto store = OpenIndicators(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  size_t stored = 0;
  size_t refused = 0;
  for (auto& indicator : imported->indicators) {
    auto submitted = (*store)->Submit(std::move(indicator), args.actor, options.now_us);
    if (!submitted.ok()) {
      ++refused;
      fmt::print(stderr, "{}: refused: {}\n", args.file, submitted.status().message());
      continue;
    }
    ++stored;
  }
  for (const auto& error : imported->errors) {
    fmt::print(stderr, "{}:{}: record {} skipped: {}\n", args.file, error.line, error.record,
               error.message);
  }
  fmt::print("Imported {} indicator(s) from {} record(s); {} skipped as invalid, {} refused by the "
             "store\n",
             stored, imported->records, imported->errors.size(), refused);
  return imported->errors.empty() && refused == 0 ? kExitOk : kExitPartial;
}

int RunList(const GlobalOptions& global, const IndicatorsArgs& args) {
  auto store = OpenIndicators(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  detect::ioc::IndicatorListFilter filter;
  filter.include_expired = args.include_expired;
  filter.now_us = NowUs();
  auto list = (*store)->List(filter);
  if (!list.ok()) {
    return Fail(list.status());
  }
  fmt::print("{:<6}  {:<22}  {:<18}  {:<13}  {:<28}  {}\n", "Id", "Type", "Action", "Severity",
             "Expires", "Value / Title");
  for (const auto& i : *list) {
    fmt::print("{:<6}  {:<22}  {:<18}  {:<13}  {:<28}  {} / {}\n", i.id,
               detect::ioc::IndicatorTypeName(i.indicator_type),
               detect::ioc::IndicatorActionName(i.action), detect::SeverityName(i.severity),
               i.expiration_time_us == 0 ? std::string("never")
                                         : FormatDateTime(i.expiration_time_us * 10),
               i.indicator_value, i.title);
  }
  fmt::print("({} indicators)\n", list->size());
  return kExitOk;
}

int RunDelete(const GlobalOptions& global, const IndicatorsArgs& args) {
  auto store = OpenIndicators(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  const Status deleted = (*store)->Delete(args.id, args.actor, NowUs());
  if (!deleted.ok()) {
    return Fail(deleted);
  }
  fmt::print("Deleted indicator {}\n", args.id);
  return kExitOk;
}

int RunSweep(const GlobalOptions& global, const IndicatorsArgs& args) {
  auto store = OpenIndicators(global);
  if (!store.ok()) {
    return Fail(store.status());
  }
  auto swept = (*store)->SweepExpired(NowUs(), args.actor);
  if (!swept.ok()) {
    return Fail(swept.status());
  }
  fmt::print("Removed {} expired indicator(s)\n", *swept);
  return kExitOk;
}

}  // namespace

void RegisterIndicatorsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "indicators", "Manage indicators (file hashes, IPs, domains, URLs, certificates)");
  cmd->require_subcommand(1);
  auto args = std::make_shared<IndicatorsArgs>();
  CLI::App* import = cmd->add_subcommand(
      "import", "Import indicators from a CSV (Defender template) or JSON file");
  import->add_option("file", args->file, "CSV or JSON file")->required();
  import->add_option("--actor", args->actor, "who imports (audit)")->capture_default_str();
  import->callback([&global, &exit_code, args] { exit_code = RunImport(global, *args); });
  CLI::App* list = cmd->add_subcommand("list", "List the active indicators");
  list->add_flag("--all", args->include_expired, "include expired ones");
  list->callback([&global, &exit_code, args] { exit_code = RunList(global, *args); });
  CLI::App* del = cmd->add_subcommand("delete", "Delete an indicator");
  del->add_option("id", args->id, "indicator id")->required();
  del->add_option("--actor", args->actor, "who deletes (audit)")->capture_default_str();
  del->callback([&global, &exit_code, args] { exit_code = RunDelete(global, *args); });
  CLI::App* sweep = cmd->add_subcommand("sweep", "Remove expired indicators");
  sweep->callback([&global, &exit_code, args] { exit_code = RunSweep(global, *args); });
}

}  // namespace vigil::app
