// The KQL engine's entry point: parse, bind, plan and run a query over a TableSource snapshot
// (plus optional in-memory tables), with limits (result rows, memory, time, cancellation).
// Thread-safe: each Run() works on its own snapshot and state; run queries from many threads.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/exec/compiler.h"
#include "vigil/kql/exec/physical.h"

namespace vigil::kql {

struct QueryOptions {
  QueryLimits limits;
  int64_t now_ticks = 0;  // 0: the wall clock at the start of the query
  // Time scope (ticks, inclusive) applied to every stored table's Timestamp, like the hunting
  // API's `Timespan` and custom detections' lookback. In-memory tables are not scoped.
  std::optional<int64_t> scope_min_ticks;
  std::optional<int64_t> scope_max_ticks;
};

struct QueryResult {
  TablePtr table;
  bool truncated = false;  // more rows than limits.max_result_rows
  QueryStats stats;
  std::vector<std::string> warnings;
  RenderInfo render;
  std::string plan;
  double elapsed_ms = 0;
};

class Engine {
 public:
  // `source` may be null (only in-memory tables and computed sources then).
  Engine(const store::TableSource* source, const schema::Catalog* catalog);

  // In-memory tables shadow stored ones (test fixtures, `load` in golden files).
  void AddTable(const std::string& name, TablePtr table);
  // Directories externaldata may read local files from (none by default).
  void AllowExternalDataDir(std::string dir);

  KResult<QueryResult> Run(std::string_view query, const QueryOptions& options = {}) const;
  // Parses, binds and plans; returns the plan text without running the final pipeline (bind-time
  // subqueries such as toscalar() or materialize() do run).
  KResult<std::string> Explain(std::string_view query, const QueryOptions& options = {}) const;
  // Parses and binds; returns the result schema.
  KResult<Schema> Check(std::string_view query, const QueryOptions& options = {}) const;

 private:
  DataSources Sources() const;
  const store::TableSource* source_;
  const schema::Catalog* catalog_;
  std::map<std::string, TablePtr> tables_;
  std::vector<std::string> externaldata_allow_;
};

// Output renderings of a result.
std::string FormatTable(const QueryResult& result);  // aligned text
std::string FormatCsv(const QueryResult& result);
// {"Schema":[{"Name","Type"}],"Results":[{...}],"Stats":{...}} like the hunting API.
std::string FormatJson(const QueryResult& result);
// The two members every hunting answer has, appended to `out`: `"<schema_key>":[{"<name_key>":
// column,"<type_key>":type},...],"<results_key>":[{column: value,...},...]`. The Defender
// shape uses Schema/Name/Type/Results, the Graph shape schema/name/type/results.
struct JsonTableKeys {
  std::string_view schema = "Schema", name = "Name", type = "Type", results = "Results";
};
void AppendSchemaAndResults(std::string& out, const Table& table, const JsonTableKeys& keys);
// Kusto's text of a cell for tables and CSV: strings raw, datetimes ISO 8601, dynamic JSON.
std::string CellText(const Value& v);

}  // namespace vigil::kql
