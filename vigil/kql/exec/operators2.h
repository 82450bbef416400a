// Physical operators and planning entry points of the rarer tabular operators (parse family,
// make-series, mv-apply, top-nested, search, evaluate plugins, externaldata, FileProfile).
// RowExtendOp streams; MaterializeOp reads its input to the end and transforms it as a whole.
// Planned by compiler_ops3.cpp; one query runs on one thread, like every operator.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

// Per input row, computes extra values (written to output columns `targets`, which are either
// new columns after the input's or input columns being replaced) or drops the row when the
// callback returns false (parse-where).
class RowExtendOp : public PhysOp {
 public:
  using RowFn = std::function<bool(const Chunk& in, size_t row, std::vector<Value>& extra)>;
  RowExtendOp(PhysOpPtr input, Schema schema, std::vector<int> targets, RowFn fn,
              std::string label, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

 private:
  std::vector<int> targets_;
  RowFn fn_;
  std::string label_;
  ExecContext* ctx_;
  Chunk in_;
};

// Reads its input into a table, then emits transform(table). Used by the operators whose output
// depends on all input rows (make-series, top-nested, mv-apply, FileProfile).
class MaterializeOp : public PhysOp {
 public:
  using TransformFn = std::function<KResult<TablePtr>(const Table& input)>;
  MaterializeOp(PhysOpPtr input, Schema schema, TransformFn transform, std::string label,
                ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

 private:
  TransformFn transform_;
  std::string label_;
  ExecContext* ctx_;
  TablePtr result_;
  size_t pos_ = 0;
};

// Text -> value of `type` with Kusto's conversion functions (tolong, todatetime, ...); null when
// the text does not convert.
Value ConvertText(const std::string& text, Type type, FunctionContext& fn_ctx);
// A value converted to a declared column type (mv-apply `to typeof()`, evaluate output schemas).
Value ToDeclared(const Value& v, Type t, FunctionContext& fn);
// A copy of a table's rows as one chunk, for Eval over materialised input.
Chunk TableChunk(const Table& t);
// Appends a row to `table`, charging the memory budget every 1024 rows.
KResult<bool> AppendCharged(Table& table, const std::vector<Value>& row, ExecContext& ctx);

// Planning entry points (dispatched by PlanMoreOperators in compiler_ops3.cpp).
KResult<PhysOpPtr> PlanParse(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanParseKv(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope);
KResult<PhysOpPtr> PlanMakeSeries(Compiler& c, const Operator& op, PhysOpPtr input,
                                  ScopePtr scope);
KResult<PhysOpPtr> PlanTopNested(Compiler& c, const Operator& op, PhysOpPtr input,
                                 ScopePtr scope);
KResult<PhysOpPtr> PlanFileProfile(Compiler& c, const Operator& op, PhysOpPtr input,
                                   ScopePtr scope);
KResult<PhysOpPtr> PlanMvApply(Compiler& c, const Operator& op, PhysOpPtr input,
                               ScopePtr scope);
KResult<PhysOpPtr> PlanExternalData(Compiler& c, const Operator& op);

}  // namespace vigil::kql
