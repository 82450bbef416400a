// The physical operators. Each is built by the planner (compiler_ops.cpp) from bound
// expressions and reads its input through PhysOp::Next. Streaming operators: TableOp, FilterOp,
// ProjectOp (also extend), TakeOp, ConcatOp (union), MvExpandOp, ParseOp. Blocking ones:
// CountOp, SortOp (also top), DistinctOp, SummarizeOp, JoinOp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vigil/kql/exec/physical.h"

namespace vigil::kql {

// Emits the next chunk of a materialised table from row `pos` (advanced); false at the end.
// Columns shorter than the table (not needed by the plan) stay empty.
KResult<bool> EmitFromTable(const Table& table, size_t& pos, Chunk& out);

// Marks the input columns an expression reads (all of them for pack_all()).
void MarkExprColumns(const BExpr& e, std::vector<bool>& cols);

// Emits a materialised table.
class TableOp : public PhysOp {
 public:
  TableOp(TablePtr table, std::string label);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

 private:
  TablePtr table_;
  std::string label_;
  size_t pos_ = 0;
};

// Runs a callback once to produce a table lazily (materialize(), subqueries).
class LazyTableOp : public PhysOp {
 public:
  LazyTableOp(Schema schema, std::function<KResult<TablePtr>()> produce, std::string label);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

 private:
  std::function<KResult<TablePtr>()> produce_;
  std::string label_;
  TablePtr table_;
  size_t pos_ = 0;
};

class FilterOp : public PhysOp {
 public:
  FilterOp(PhysOpPtr input, BExprPtr predicate, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return "Filter " + predicate_->text; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  BExprPtr predicate_;
  ExecContext* ctx_;
  Chunk in_;
};

// Computes output columns from expressions over each input row. `passthrough[i] >= 0` copies
// input column i without evaluating (plain column references, the common case).
class ProjectOp : public PhysOp {
 public:
  ProjectOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> exprs, std::string label,
            ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;
  // Computed columns nobody above reads are not evaluated (their inputs were pruned from the
  // scan, so evaluating them would read columns that were never decoded).
  void SetNeeded(std::vector<bool> needed) override { needed_ = std::move(needed); }

 private:
  std::vector<BExprPtr> exprs_;
  std::vector<bool> needed_;  // empty: every output column is needed
  std::vector<int> passthrough_;
  std::vector<bool> single_use_;
  std::string label_;
  ExecContext* ctx_;
  Chunk in_;
  size_t base_row_ = 0;
};

class TakeOp : public PhysOp {
 public:
  TakeOp(PhysOpPtr input, size_t limit);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return "Take " + std::to_string(limit_); }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  size_t limit_;
  size_t taken_ = 0;
};

class CountOp : public PhysOp {
 public:
  CountOp(PhysOpPtr input, std::string name, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return "Count"; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  ExecContext* ctx_;
  bool done_ = false;
};

struct SortSpec {
  BExprPtr expr;
  bool ascending = false;
  bool nulls_first = false;
};

// sort by / order by, and top N (limit > 0): keeps only N rows in a heap.
class SortOp : public PhysOp {
 public:
  SortOp(PhysOpPtr input, std::vector<SortSpec> keys, size_t limit, std::string label,
         ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  KResult<bool> Build();
  std::vector<SortSpec> keys_;
  size_t limit_;
  std::string label_;
  ExecContext* ctx_;
  TablePtr result_;
  size_t pos_ = 0;
  bool built_ = false;
};

// Concatenates inputs with a common output schema (union): each input's column i maps to
// output column map[input][i] (missing columns are null).
class ConcatOp : public PhysOp {
 public:
  ConcatOp(std::vector<PhysOpPtr> inputs, Schema schema, std::vector<std::vector<int>> maps,
           std::string label);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  std::vector<std::vector<int>> maps_;
  std::string label_;
  size_t current_ = 0;
  Chunk in_;
};

struct AggSpec {
  const AggregateFunction* fn = nullptr;
  std::vector<BExprPtr> args;
  BExprPtr condition;  // not used: *if variants take the condition as an argument
  size_t outputs = 1;
  std::string text;
};

// Appends one summarize output row to `out`: the group's key values, then each aggregate's
// outputs as `finish(a, values)` appends them for aggregate `a` (missing ones are null), each
// coerced to its column's type in `schema`.
template <typename Finish>
void AppendGroupRow(Table& out, const Schema& schema, const std::vector<Value>& keys,
                    const std::vector<AggSpec>& aggs, Finish&& finish) {
  size_t c = 0;
  for (const auto& v : keys) {
    out.cols[c].push_back(CoerceTo(v, schema[c].type));
    ++c;
  }
  std::vector<Value> finished;
  for (size_t a = 0; a < aggs.size(); ++a) {
    finished.clear();
    finish(a, finished);
    for (size_t i = 0; i < aggs[a].outputs; ++i) {
      out.cols[c].push_back(CoerceTo(i < finished.size() ? finished[i] : Value(), schema[c].type));
      ++c;
    }
  }
  out.rows++;
}

class SummarizeOp : public PhysOp {
 public:
  SummarizeOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> keys,
              std::vector<AggSpec> aggs, std::string label, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  KResult<bool> Build();
  std::vector<BExprPtr> keys_;
  std::vector<AggSpec> aggs_;
  std::string label_;
  ExecContext* ctx_;
  TablePtr result_;
  size_t pos_ = 0;
  bool built_ = false;
};

class DistinctOp : public PhysOp {
 public:
  DistinctOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> exprs, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override;

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

 private:
  std::vector<BExprPtr> exprs_;
  ExecContext* ctx_;
  std::vector<std::vector<Value>> seen_rows_;
  struct State;
  std::shared_ptr<State> state_;
  Chunk in_;
};

enum class JoinKind : uint8_t {
  kInnerUnique,
  kInner,
  kLeftOuter,
  kRightOuter,
  kFullOuter,
  kLeftAnti,
  kRightAnti,
  kLeftSemi,
  kRightSemi,
};

// Hash join: builds a hash table on the right side (Kusto's convention: the right side is the
// one to keep small), probes with the left. Output: left columns then right columns, right
// columns renamed with a `1` suffix on collision (as Kusto), for anti/semi kinds one side only.
class ScanOp;

// A join key as the hash table holds it: int as long, guid as its text, so keys compare
// across int/long and guid/string.
Value NormalizeJoinKey(Value v);

class JoinOp : public PhysOp {
 public:
  JoinOp(PhysOpPtr left, PhysOpPtr right, JoinKind kind, std::vector<BExprPtr> left_keys,
         std::vector<BExprPtr> right_keys, Schema schema, std::vector<int> right_out,
         std::string label, ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return label_; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override;

  void SetNeeded(std::vector<bool> needed) override { needed_ = std::move(needed); }

 private:
  KResult<bool> Build();
  void PushKeySetIntoLeftScan(const std::vector<Value>& keys);
  // The left input when it is a store scan this join can probe batch by batch on the scan's
  // threads (one column key; a kind that needs no memory of the right side's matches).
  ScanOp* BatchProbeScan() const;
  // Probes `scan`'s batches against the build side: `keys` maps each (normalized) right key to
  // its rows in `right`. Fills result_.
  KResult<bool> ProbeScanBatches(ScanOp& scan,
                                 const std::vector<std::pair<Value, std::vector<uint32_t>>>& keys,
                                 const Table& right);
  // The output columns to fill, worked out once (not per emitted row): left columns (their
  // output index is their input index) and (right column, output column) pairs.
  struct EmitColumns {
    std::vector<size_t> left;
    std::vector<std::pair<size_t, size_t>> right;
  };
  EmitColumns NeededOutputs(size_t left_width) const;
  std::vector<bool> needed_;  // output columns the plan reads; the others stay empty
  JoinKind kind_;
  std::vector<BExprPtr> left_keys_;
  std::vector<BExprPtr> right_keys_;
  std::vector<int> right_out_;  // right column -> output column (-1: dropped)
  std::string label_;
  ExecContext* ctx_;
  TablePtr result_;
  size_t pos_ = 0;
  bool built_ = false;
};

// mv-expand: for each row, one output row per element of the array (or bag) columns.
class MvExpandOp : public PhysOp {
 public:
  MvExpandOp(PhysOpPtr input, Schema schema, std::vector<int> columns, std::vector<BExprPtr> exprs,
             std::vector<Type> to_types, bool bag_as_array, int index_column, size_t limit,
             ExecContext* ctx);
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override { return "MvExpand"; }

 private:
  std::vector<int> columns_;  // output column index for each expanded expression
  std::vector<BExprPtr> exprs_;
  std::vector<Type> to_types_;
  bool bag_as_array_;
  int index_column_;
  size_t limit_;
  ExecContext* ctx_;
  Chunk in_;
  size_t in_row_ = 0;
  bool in_done_ = false;
};

}  // namespace vigil::kql
