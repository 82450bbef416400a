#include "vigil/kql/exec/engine.h"

#include <chrono>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/syntax/parser.h"

namespace vigil::kql {

Engine::Engine(const store::TableSource* source, const schema::Catalog* catalog)
    : source_(source), catalog_(catalog) {}

void Engine::AddTable(const std::string& name, TablePtr table) { tables_[name] = std::move(table); }

void Engine::AllowExternalDataDir(std::string dir) { externaldata_allow_.push_back(std::move(dir)); }

DataSources Engine::Sources() const {
  DataSources s;
  s.snapshot = source_ != nullptr ? source_->GetSnapshot() : nullptr;
  s.catalog = catalog_;
  s.memory_tables = tables_;
  s.externaldata_allow = externaldata_allow_;
  return s;
}

namespace {

struct Prepared {
  DataSources sources;
  std::unique_ptr<ExecContext> ctx;
  std::unique_ptr<Compiler> compiler;
  PhysOpPtr plan;
};

KResult<bool> Prepare(const DataSources& sources, std::string_view query,
                      const QueryOptions& options, Prepared& out, bool check_only = false) {
  out.sources = sources;
  out.sources.scope_min = options.scope_min_ticks;
  out.sources.scope_max = options.scope_max_ticks;
  out.ctx = std::make_unique<ExecContext>(options.limits,
                                          options.now_ticks != 0 ? options.now_ticks : NowTicks());
  out.ctx->check_only = check_only;
  auto script = ParseScript(query);
  if (!script) {
    return tl::unexpected(script.error());
  }
  out.compiler = std::make_unique<Compiler>(out.sources, out.ctx.get());
  auto plan = out.compiler->Plan(*script);
  if (!plan) {
    return tl::unexpected(plan.error());
  }
  out.plan = std::move(*plan);
  return true;
}

}  // namespace

KResult<QueryResult> Engine::Run(std::string_view query, const QueryOptions& options) const {
  const auto start = std::chrono::steady_clock::now();
  Prepared p;
  auto ok = Prepare(Sources(), query, options, p);
  if (!ok) {
    return tl::unexpected(ok.error());
  }
  QueryResult result;
  result.plan = ExplainTree(*p.plan);
  // Collect with the result-row limit: stop reading once we have limit + 1 rows.
  auto table = std::make_shared<Table>();
  table->Reset(p.plan->schema());
  Chunk chunk;
  const size_t limit = options.limits.max_result_rows;
  while (true) {
    chunk.Reset(p.plan->schema().size());
    auto more = p.plan->Next(chunk);
    if (!more) {
      return tl::unexpected(more.error());
    }
    if (!*more) {
      break;
    }
    if (table->rows + chunk.rows > limit) {
      chunk.rows = limit - table->rows;
      for (auto& col : chunk.cols) {
        col.resize(chunk.rows);
      }
      table->Append(chunk);
      result.truncated = true;
      break;
    }
    table->Append(chunk);
  }
  if (result.truncated) {
    p.ctx->Warn("the result was truncated to " + std::to_string(limit) +
                " rows (the limit of a hunting query); narrow the query or use summarize");
  }
  result.table = std::move(table);
  result.stats = p.ctx->stats;
  result.warnings = p.ctx->warnings;
  result.render = p.compiler->render();
  result.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

KResult<std::string> Engine::Explain(std::string_view query, const QueryOptions& options) const {
  Prepared p;
  auto ok = Prepare(Sources(), query, options, p);
  if (!ok) {
    return tl::unexpected(ok.error());
  }
  return ExplainTree(*p.plan);
}

KResult<Schema> Engine::Check(std::string_view query, const QueryOptions& options) const {
  Prepared p;
  auto ok = Prepare(Sources(), query, options, p, /*check_only=*/true);
  if (!ok) {
    return tl::unexpected(ok.error());
  }
  Schema schema = p.plan->schema();
  std::erase_if(schema, [](const auto& col) { return col.name == kOpenSchemaColumn; });
  return schema;
}

}  // namespace vigil::kql
