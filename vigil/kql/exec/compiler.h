// The binder and planner: turns a parsed Script into a tree of physical operators. Resolves
// names against the hunting schema (all 65 tables; `TimeGenerated` is another name for
// `Timestamp`), let-bound names and user functions; type-checks expressions and calls against
// the function registry; pushes Timestamp ranges, predicate hints and single-column filters into
// table scans; prunes unused columns. Subqueries needed at bind time (toscalar, `in (T | ...)`,
// materialize) are executed on the spot. One Compiler serves one query on one thread.
//
// Binder error codes (stable): KQL0101 unknown name (with "did you mean"), KQL0102 unknown
// table, KQL0103 unknown function, KQL0104 wrong argument count or type, KQL0105 aggregate
// outside summarize, KQL0106 operator/feature not supported, KQL0107 type mismatch,
// KQL0108 externaldata refused, KQL0109 tabular/scalar mismatch, KQL0110 invalid operator argument.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vigil/kql/exec/physical.h"
#include "vigil/kql/syntax/ast.h"
#include "vigil/store/table_source.h"

namespace vigil::kql {

// Where tables come from: the store snapshot, plus in-memory tables (tests, datatable-loaded
// fixtures) that shadow it.
struct DataSources {
  std::shared_ptr<const store::Snapshot> snapshot;  // may be null
  const schema::Catalog* catalog = nullptr;         // may be null
  std::map<std::string, TablePtr> memory_tables;
  std::vector<std::string> externaldata_allow;      // local directories externaldata may read
  std::optional<int64_t> scope_min, scope_max;      // every stored table's Timestamp (ticks)
};

struct RenderInfo {
  std::string kind;  // "" when the query has no render
  std::vector<std::pair<std::string, std::string>> properties;
};

class Scope;

class Compiler {
 public:
  Compiler(const DataSources& sources, ExecContext* ctx);
  ~Compiler();

  // Plans the last query statement of the script (earlier lets are bound on the way).
  KResult<PhysOpPtr> Plan(const Script& script);
  const RenderInfo& render() const { return render_; }

  // Internal API used by the compiler's own translation units.
  KResult<PhysOpPtr> PlanPipeline(const Pipeline& p, std::shared_ptr<Scope> scope,
                                  PhysOpPtr input = nullptr);
  KResult<PhysOpPtr> PlanTabularExpr(const Expr& e, std::shared_ptr<Scope> scope);
  KResult<BExprPtr> BindExpr(const Expr& e, const Schema& schema, std::shared_ptr<Scope> scope);
  KResult<TablePtr> Execute(PhysOpPtr op);
  ExecContext* ctx() { return ctx_; }
  const DataSources& sources() const { return sources_; }
  RenderInfo& mutable_render() { return render_; }

 private:
  const DataSources& sources_;
  ExecContext* ctx_;
  RenderInfo render_;
};

}  // namespace vigil::kql
