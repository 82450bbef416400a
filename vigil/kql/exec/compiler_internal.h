// Internal declarations shared by the compiler's translation units (compiler_*.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/exec/compiler.h"
#include "vigil/kql/exec/operators.h"

namespace vigil::kql {

struct LetValue {
  enum class Kind : uint8_t { kScalar, kTabular, kFunction, kTable };
  Kind kind = Kind::kScalar;
  BExprPtr scalar;                 // kScalar: bound expression (usually a constant)
  ExprPtr tabular;                 // kTabular: expression planned on each use, in `scope`
  // kTabular, kFunction: the defining scope. Weak: the scope holds this value, and the defining
  // scope is always an ancestor of (or the same as) the scope a use resolves from.
  std::weak_ptr<Scope> scope;
  std::shared_ptr<Scope> defining_scope() const { return scope.lock(); }
  StatementPtr function;           // kFunction
  TablePtr table;                  // kTable: materialised (materialize(), tabular arguments)
};

class Scope {
 public:
  explicit Scope(std::shared_ptr<Scope> parent = nullptr) : parent_(std::move(parent)) {}
  void Set(const std::string& name, LetValue value) { names_[name] = std::move(value); }
  const LetValue* Find(const std::string& name) const {
    auto it = names_.find(name);
    if (it != names_.end()) {
      return &it->second;
    }
    return parent_ ? parent_->Find(name) : nullptr;
  }
  void CollectNames(std::vector<std::string>& out) const {
    for (const auto& [k, v] : names_) {
      out.push_back(k);
    }
    if (parent_) {
      parent_->CollectNames(out);
    }
  }
  // Join conditions: `$left`/`$right` resolve through these.
  const Schema* left = nullptr;
  const Schema* right = nullptr;

 private:
  std::shared_ptr<Scope> parent_;
  std::map<std::string, LetValue> names_;
};
using ScopePtr = std::shared_ptr<Scope>;

// Engine::Check only: a column of this name marks an open schema (after evaluate bag_unpack
// without a declared schema), in which unknown names bind as dynamic nulls, as in Kusto's binder.
inline constexpr std::string_view kOpenSchemaColumn = "$open_schema";

// Helpers shared across compiler files.
std::string ExprText(const Expr& e);  // compact source-like text for EXPLAIN and column names
BExprPtr MakeConst(Value v, Type type, std::string text = {});
BExprPtr MakeColumn(int index, Type type, std::string name);
std::string Suggest(const std::string& name, const std::vector<std::string>& candidates);
// Default column name Kusto gives an unnamed expression (Column1, or the column/member name).
std::string DefaultColumnName(const Expr& e, size_t position);
bool ContainsAggregate(const Expr& e);
// A function body or let value the parser read as a one-source pipeline that is really a
// scalar (`{ pack_array(...) }`, `{ case(...) }`): the scalar expression, else nullptr.
const Expr* TrivialPipelineScalar(const Expr& e, const ScopePtr& scope);
// Call arguments per parameter of a user function (positional, then `name = value`); null
// where not given.
KResult<std::vector<const Expr*>> MapArguments(const Statement& fn, const Expr& call);
// Type inference helpers.
Type ArithType(const std::string& op, Type a, Type b);
Type TypeOfValue(const Value& v);
// Unique output name: appends 1, 2, ... when `name` is taken in `schema`.
std::string UniqueName(const Schema& schema, const std::string& name);

// Planning entry points shared across compiler_*.cpp files.
KResult<PhysOpPtr> PlanOperator(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanNamedTable(Compiler& c, const std::string& name, Pos pos, ScopePtr scope);
// Stored and in-memory table names matching a wildcard pattern (`Device*Events`).
std::vector<std::string> MatchTableNames(Compiler& c, const std::string& pattern);
// Every table with data, for `search` and `find` without `in`: the in-memory tables, and the
// stored tables when there is a store.
std::vector<std::string> AllTableNames(Compiler& c);
// Union of planned inputs: columns unified by name (outer) or the common ones (inner), with an
// optional source column named `withsource`.
PhysOpPtr MakeUnion(std::vector<PhysOpPtr> inputs, std::vector<std::string> labels,
                    const std::string& withsource, bool inner, ExecContext* ctx);
KResult<PhysOpPtr> PlanUnion(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
// project (compiler_project.cpp), and the project-away/keep/rename/reorder/by-names family.
KResult<PhysOpPtr> PlanProject(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanProjectVariants(Compiler& c, const Operator& op, PhysOpPtr input,
                                       ScopePtr scope);
// `(a, b) = f(x)` items of project/extend/print as one item per output of f (tuple_expand.cpp).
std::vector<NamedExpr> ExpandTupleItems(const std::vector<NamedExpr>& items);
// extend (and the extend part of serialize); `verb` names the operator in EXPLAIN.
KResult<PhysOpPtr> PlanExtend(Compiler& c, const std::vector<NamedExpr>& given, PhysOpPtr input,
                              ScopePtr scope, const std::string& verb);

}  // namespace vigil::kql
