#include "tests/kql_conformance/run_suite.h"

#include <chrono>

#include <fmt/format.h>

#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"
#include "vigil/store/store.h"

namespace vigil::kql::testing {

RunReport RunHuntingSuite(const std::filesystem::path& corpus,
                          const std::filesystem::path& data_dir, int64_t now_ticks) {
  RunReport report;
  store::StoreOptions store_options;
  store_options.dir = data_dir;
  store_options.background_flush = false;
  auto opened = store::Store::Open(store_options, schema::Catalog::Default());
  if (!opened.ok()) {
    report.failures.push_back({data_dir.string(), "store", opened.status().message()});
    return report;
  }
  const std::unique_ptr<store::Store> store = std::move(*opened);
  Engine engine(store.get(), &schema::Catalog::Default());
  QueryOptions options;
  options.now_ticks = now_ticks;
  options.limits.max_result_rows = 1000;
  options.limits.timeout = std::chrono::seconds(30);
  options.limits.memory_budget_bytes = size_t{1} << 30;
  const auto start = std::chrono::steady_clock::now();
  for (const CorpusEntry& q : ReadCorpus(corpus)) {
    if (!q.binds) {
      continue;
    }
    ++report.queries;
    auto result = engine.Run(q.query, options);
    if (result) {
      ++report.ran;
      report.with_rows += result->table && result->table->rows > 0 ? 1 : 0;
      report.truncated += result->truncated ? 1 : 0;
      continue;
    }
    const KqlError& err = result.error();
    if (err.code == "KQL0108" && err.message.find("externaldata") != std::string::npos) {
      ++report.refused_externaldata;
      continue;
    }
    ++report.by_code[err.code];
    report.failures.push_back({q.where, err.code, OneLine(err.ToString())});
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::string Summary(const RunReport& r) {
  std::string out = fmt::format(
      "hunting queries on the demo data: {} run, {} without error ({} returned rows, {} hit the "
      "row limit), {} externaldata refused, {} failed, {:.1f} s\n",
      r.queries, r.ran, r.with_rows, r.truncated, r.refused_externaldata, r.failures.size(),
      r.seconds);
  for (const Failure& f : r.failures) {
    out += "  " + f.where + ": " + f.detail + "\n";
  }
  return out;
}

std::string RenderRunSection(const RunReport& r, size_t failure_ceiling) {
  std::string out = "## Runtime conformance: hunting queries on the demo data\n\n";
  out += fmt::format(
      "Every hunting query the reference binds runs on the store `vigil demo --days 10` writes "
      "(20,000 rows over 18 tables, one attack), with now() at the data's end, at most 1,000 "
      "result rows and 30 s per query. The test fails above {} failures.\n\n",
      failure_ceiling);
  out += fmt::format("- queries: {}\n", r.queries);
  out += fmt::format("- ran without error: {} ({} returned rows, {} hit the row limit)\n", r.ran,
                     r.with_rows, r.truncated);
  out += fmt::format(
      "- externaldata refused by design (a hunt has no network; `--externaldata-dir` allows "
      "local files): {}\n",
      r.refused_externaldata);
  out += fmt::format("- failed: {}\n\n", r.failures.size());
  if (!r.failures.empty()) {
    out += "| query | error |\n|---|---|\n";
    for (const Failure& f : r.failures) {
      out += "| " + Escape(f.where) + " | " + Escape(f.detail) + " |\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace vigil::kql::testing
