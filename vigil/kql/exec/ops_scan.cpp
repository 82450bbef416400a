// The scan operator: matches the serialized input, row by row, against a sequence of steps
// with Kusto's matching logic (each row is checked against the steps from the last to the first;
// Check 1 promotes the previous step's state, Check 2 extends the step's own active sequence).
// `StepName.Column` in conditions and assignments reads the state being checked. Planned from
// compiler_ops3.cpp (PlanMoreOperators); streams, keeping one record per step and step.
#include <algorithm>
#include <deque>
#include <map>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {
namespace {

struct BoundStep {
  std::string name;
  std::string output;  // all | last | none
  BExprPtr condition;
  std::vector<std::pair<size_t, BExprPtr>> assignments;  // declared column index -> value
};

// The state of step k: the records of steps 0..k (input columns then declared columns each).
struct StepState {
  bool active = false;
  std::vector<std::vector<Value>> records;
  int64_t match_id = 0;
};

struct PendingRow {  // output=last: the latest match of a step, emitted when its series ends
  bool set = false;
  uint64_t seq = 0;
  std::vector<Value> row;
};

// `s1.col` (kMember over a step name) becomes the synthetic column name "s1.col".
ExprPtr RewriteStepRefs(const ExprPtr& e, const std::vector<std::string>& steps) {
  if (!e || e->kind == ExprKind::kTabular) {
    return e;
  }
  if (e->kind == ExprKind::kMember && e->args.size() == 1 && e->args[0] &&
      e->args[0]->kind == ExprKind::kName &&
      std::find(steps.begin(), steps.end(), e->args[0]->name) != steps.end()) {
    auto out = std::make_shared<Expr>();
    out->kind = ExprKind::kName;
    out->pos = e->pos;
    out->name = e->args[0]->name + "." + e->name;
    return out;
  }
  bool changed = false;
  std::vector<ExprPtr> args;
  args.reserve(e->args.size());
  for (const auto& a : e->args) {
    args.push_back(RewriteStepRefs(a, steps));
    changed = changed || args.back() != a;
  }
  if (!changed) {
    return e;
  }
  auto out = std::make_shared<Expr>(*e);
  out->args = std::move(args);
  return out;
}

class PatternScanOp : public PhysOp {
 public:
  PatternScanOp(PhysOpPtr input, Schema schema, std::vector<BoundStep> steps, std::vector<Value> defaults,
         bool with_match_id, ExecContext* ctx)
      : steps_(std::move(steps)),
        defaults_(std::move(defaults)),
        with_match_id_(with_match_id),
        ctx_(ctx) {
    n_in_ = input->schema().size();
    width_ = n_in_ + defaults_.size();
    schema_ = std::move(schema);
    inputs_.push_back(std::move(input));
    states_.resize(steps_.size());
    pending_.resize(steps_.size());
    eval_.Reset(width_ * (steps_.size() + 1));
    for (auto& col : eval_.cols) {
      col.resize(1);
    }
    eval_.rows = 1;
  }

  KResult<bool> Next(Chunk& out) override {
    out.Reset(schema_.size());
    while (out.rows < kChunkRows) {
      if (pos_ >= in_.rows) {
        if (done_) {
          break;
        }
        auto ok = ctx_->Check();
        if (!ok) {
          return ok;
        }
        in_.Reset(n_in_);
        auto more = inputs_[0]->Next(in_);
        if (!more) {
          return more;
        }
        pos_ = 0;
        if (!*more) {
          done_ = true;
          FlushAllPending(out);
          break;
        }
        continue;
      }
      ProcessRow(pos_++, out);
    }
    return out.rows > 0;
  }

  std::string Describe() const override {
    std::string text = "Scan steps=[";
    for (size_t i = 0; i < steps_.size(); ++i) {
      text += (i > 0 ? "," : "") + steps_[i].name;
      if (steps_[i].output != "all") {
        text += " output=" + steps_[i].output;
      }
    }
    return text + "]" + (with_match_id_ ? " with_match_id" : "");
  }

 private:
  // Loads the current row and a state (nullptr: empty) into the evaluation row.
  void Load(const std::vector<Value>& row, const StepState* state) {
    for (size_t i = 0; i < width_; ++i) {
      eval_.cols[i][0] = row[i];
    }
    for (size_t k = 0; k < steps_.size(); ++k) {
      const size_t base = width_ * (k + 1);
      const bool have = state != nullptr && state->active && k < state->records.size();
      for (size_t i = 0; i < width_; ++i) {
        eval_.cols[base + i][0] =
            have ? state->records[k][i] : (i < n_in_ ? Value() : defaults_[i - n_in_]);
      }
    }
  }

  std::vector<Value> Extend(const BoundStep& step, const std::vector<Value>& row) {
    std::vector<Value> ext = row;
    for (const auto& [idx, expr] : step.assignments) {
      ext[n_in_ + idx] =
          ToDeclared(Eval(*expr, eval_, 0, ctx_->eval), schema_[n_in_ + idx].type, ctx_->eval.fn);
    }
    return ext;
  }

  void Emit(Chunk& out, const std::vector<Value>& ext, int64_t match_id) {
    for (size_t i = 0; i < width_; ++i) {
      out.cols[i].push_back(ext[i]);
    }
    if (with_match_id_) {
      out.cols[width_].push_back(Value::Long(match_id));
    }
    out.rows++;
  }

  void Output(Chunk& out, size_t k, std::vector<Value> ext, int64_t match_id) {
    const std::string& mode = steps_[k].output;
    if (mode == "all") {
      Emit(out, ext, match_id);
    } else if (mode == "last") {
      if (with_match_id_) {
        ext.push_back(Value::Long(match_id));
      }
      pending_[k] = PendingRow{true, seq_++, std::move(ext)};
    }
  }

  void FlushPending(Chunk& out, size_t k) {
    if (!pending_[k].set) {
      return;
    }
    for (size_t i = 0; i < pending_[k].row.size(); ++i) {
      out.cols[i].push_back(std::move(pending_[k].row[i]));
    }
    out.rows++;
    pending_[k] = PendingRow{};
  }

  void FlushAllPending(Chunk& out) {
    std::vector<size_t> order;
    for (size_t k = 0; k < pending_.size(); ++k) {
      if (pending_[k].set) {
        order.push_back(k);
      }
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return pending_[a].seq < pending_[b].seq; });
    for (size_t k : order) {
      FlushPending(out, k);
    }
  }

  void ProcessRow(size_t r, Chunk& out) {
    std::vector<Value> row(width_);
    for (size_t i = 0; i < n_in_; ++i) {
      row[i] = CellOrNull(in_.cols[i], r);
    }
    for (size_t i = 0; i < defaults_.size(); ++i) {
      row[n_in_ + i] = defaults_[i];
    }
    for (size_t k = steps_.size(); k-- > 0;) {
      const BoundStep& step = steps_[k];
      if (k > 0 && states_[k - 1].active) {  // Check 1: advance the previous step's sequence
        Load(row, &states_[k - 1]);
        if (IsTrue(Eval(*step.condition, eval_, 0, ctx_->eval))) {
          std::vector<Value> ext = Extend(step, row);
          FlushPending(out, k);
          FlushPending(out, k - 1);
          states_[k] = std::move(states_[k - 1]);
          states_[k].records.push_back(ext);
          states_[k - 1] = StepState{};
          Output(out, k, std::move(ext), states_[k].match_id);
          continue;
        }
      }
      if (k > 0 && !states_[k].active) {
        continue;
      }
      // Check 2: the step's own active sequence (or the first step, which may start one).
      Load(row, &states_[k]);
      if (!IsTrue(Eval(*step.condition, eval_, 0, ctx_->eval))) {
        continue;
      }
      std::vector<Value> ext = Extend(step, row);
      StepState& state = states_[k];
      if (!state.active) {
        state.active = true;
        state.match_id = next_match_id_++;
        state.records = {ext};
      } else {
        state.records[k] = ext;
      }
      Output(out, k, std::move(ext), state.match_id);
    }
  }

  std::vector<BoundStep> steps_;
  std::vector<Value> defaults_;
  bool with_match_id_;
  ExecContext* ctx_;
  size_t n_in_ = 0;
  size_t width_ = 0;
  std::vector<StepState> states_;
  std::vector<PendingRow> pending_;
  Chunk eval_;
  Chunk in_;
  size_t pos_ = 0;
  bool done_ = false;
  int64_t next_match_id_ = 0;
  uint64_t seq_ = 0;
};

}  // namespace

KResult<PhysOpPtr> PlanScan(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (op.scan_steps.empty()) {
    return KErr("KQL0110", "scan needs at least one step", op.pos);
  }
  const Schema in = input->schema();
  std::string match_id;
  for (const auto& [k, v] : op.params) {
    if (k == "with_match_id") {
      match_id = v;
    }
  }
  Schema out = in;
  std::vector<Value> defaults;
  for (size_t i = 0; i < op.schema.size(); ++i) {
    const auto& [name, type] = op.schema[i];
    if (FindColumn(out, name) >= 0) {
      return KErr("KQL0110", "scan: declared column '" + name + "' already exists", op.pos);
    }
    Value def;
    if (i < op.defaults.size() && op.defaults[i]) {
      auto b = c.BindExpr(*op.defaults[i], Schema{}, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      Chunk none;
      def = ToDeclared(Eval(**b, none, 0, c.ctx()->eval), type, c.ctx()->eval.fn);
    }
    out.push_back({name, type});
    defaults.push_back(std::move(def));
  }
  const size_t width = out.size();
  std::vector<std::string> names;
  for (const auto& step : op.scan_steps) {
    if (std::find(names.begin(), names.end(), step.name) != names.end()) {
      return KErr("KQL0110", "scan: step name '" + step.name + "' is used twice", step.pos);
    }
    names.push_back(step.name);
  }
  // Binding schema: the row, then each step's record as "Step.Column".
  Schema bind = out;
  for (const auto& step_name : names) {
    for (size_t i = 0; i < width; ++i) {
      bind.push_back({step_name + "." + out[i].name, out[i].type});
    }
  }
  std::vector<BoundStep> steps;
  for (const auto& step : op.scan_steps) {
    BoundStep bs;
    bs.name = step.name;
    bs.output = step.output;
    auto cond = c.BindExpr(*RewriteStepRefs(step.condition, names), bind, scope);
    if (!cond) {
      return tl::unexpected(cond.error());
    }
    if ((*cond)->type != Type::kBool && (*cond)->type != Type::kDynamic) {
      return KErr("KQL0107", "scan: the condition of step '" + step.name + "' must be bool",
                  step.condition->pos);
    }
    bs.condition = *cond;
    for (const auto& assign : step.assignments) {
      const int idx = FindColumn(out, assign.name);
      if (idx < static_cast<int>(in.size())) {
        return KErr("KQL0110",
                    "scan: '" + assign.name + "' is not a declared column (declare it first)",
                    assign.pos);
      }
      auto value = c.BindExpr(*RewriteStepRefs(assign.expr, names), bind, scope);
      if (!value) {
        return tl::unexpected(value.error());
      }
      bs.assignments.emplace_back(static_cast<size_t>(idx) - in.size(), *value);
    }
    steps.push_back(std::move(bs));
  }
  if (!match_id.empty()) {
    if (FindColumn(out, match_id) >= 0) {
      return KErr("KQL0110", "scan: match id column '" + match_id + "' already exists", op.pos);
    }
    out.push_back({match_id, Type::kLong});
  }
  return PhysOpPtr(std::make_unique<PatternScanOp>(std::move(input), std::move(out), std::move(steps),
                                            std::move(defaults), !match_id.empty(), c.ctx()));
}

}  // namespace vigil::kql
