// Planning of the common tabular operators: where (with pushdown into scans), extend, summarize, count, distinct, sort, top, take, union, serialize, render, getschema,
// invoke. Join and lookup are in compiler_join.cpp; the rarer operators in compiler_ops2.cpp
// (PlanExtraOperator).
#include <algorithm>

#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

KResult<PhysOpPtr> PlanExtraOperator(Compiler& c, const Operator& op, PhysOpPtr input,
                                     ScopePtr scope);
KResult<PhysOpPtr> PlanSummarize(Compiler& c, const Operator& op, PhysOpPtr input,
                                 ScopePtr scope);
KResult<PhysOpPtr> PlanJoin(Compiler& c, const Operator& op, PhysOpPtr left, ScopePtr scope);

namespace {

void SplitConjuncts(const ExprPtr& e, std::vector<ExprPtr>& out) {
  if (e->kind == ExprKind::kBinary && e->op == "and") {
    SplitConjuncts(e->args[0], out);
    SplitConjuncts(e->args[1], out);
    return;
  }
  out.push_back(e);
}

void CollectColumns(const BExpr& e, std::vector<int>& cols, bool& row_dependent) {
  if (e.kind == BKind::kColumn) {
    if (std::find(cols.begin(), cols.end(), e.column) == cols.end()) {
      cols.push_back(e.column);
    }
  }
  if (e.kind == BKind::kRowNumber || e.kind == BKind::kPrevNext || e.kind == BKind::kPackAll ||
      e.kind == BKind::kRowWindow ||
      (e.kind == BKind::kCall && e.fn != nullptr && !e.fn->deterministic)) {
    row_dependent = true;
  }
  for (const auto& a : e.args) {
    CollectColumns(*a, cols, row_dependent);
  }
}

ScanOp* FindScanBelowFilters(PhysOp* op) {
  while (op != nullptr) {
    if (auto* scan = dynamic_cast<ScanOp*>(op)) {
      return scan;
    }
    if (dynamic_cast<FilterOp*>(op) == nullptr || op->inputs().empty()) {
      return nullptr;
    }
    op = op->inputs()[0].get();
  }
  return nullptr;
}

// Timestamp bounds and store hints from one bound conjunct over the scan's schema.
void DeriveScanHints(const BExpr& e, const Schema& schema, ScanOp& scan) {
  auto is_ts = [&](const BExprPtr& x) {
    return x->kind == BKind::kColumn && schema[static_cast<size_t>(x->column)].name == "Timestamp";
  };
  auto const_time = [](const BExprPtr& x) -> std::optional<int64_t> {
    if (x->kind == BKind::kConst && x->constant.kind() == Kind::kDateTime) {
      return x->constant.AsInt64();
    }
    return std::nullopt;
  };
  if (e.kind == BKind::kCompare && e.args.size() == 2) {
    const BExprPtr& a = e.args[0];
    const BExprPtr& b = e.args[1];
    std::string op = e.op;
    std::optional<int64_t> t;
    if (is_ts(a) && (t = const_time(b))) {
    } else if (is_ts(b) && (t = const_time(a))) {
      // flip: const < ts  ==  ts > const
      if (op == "<") op = ">";
      else if (op == "<=") op = ">=";
      else if (op == ">") op = "<";
      else if (op == ">=") op = "<=";
    } else {
      t.reset();
    }
    if (t) {
      if (op == ">") {
        scan.SetTimeRange(*t + 1, std::nullopt);
      } else if (op == ">=") {
        scan.SetTimeRange(*t, std::nullopt);
      } else if (op == "<") {
        scan.SetTimeRange(std::nullopt, *t - 1);
      } else if (op == "<=") {
        scan.SetTimeRange(std::nullopt, *t);
      } else if (op == "==") {
        scan.SetTimeRange(*t, *t);
      }
    }
  }
  if (e.kind == BKind::kBetween && !e.negated && is_ts(e.args[0])) {
    auto lo = const_time(e.args[1]);
    std::optional<int64_t> hi = const_time(e.args[2]);
    if (!hi && lo && e.args[2]->kind == BKind::kConst &&
        e.args[2]->constant.kind() == Kind::kTimeSpan) {
      hi = *lo + e.args[2]->constant.AsInt64();
    }
    scan.SetTimeRange(lo, hi);
  }
  // Term hints for has / == / =~ on a plain string column with a constant.
  if (e.kind == BKind::kStrOp && !e.negated && e.matcher && e.args[0]->kind == BKind::kColumn &&
      schema[static_cast<size_t>(e.args[0]->column)].type == Type::kString) {
    const std::string& needle = e.matcher->needle();
    const std::string& col = schema[static_cast<size_t>(e.args[0]->column)].name;
    bool single_term = !needle.empty();
    bool any_term = false;
    for (unsigned char ch : needle) {
      single_term = single_term && IsTermByte(ch);
      any_term = any_term || IsTermByte(ch);
    }
    store::PredicateHint hint;
    hint.column = col;
    hint.text = needle;
    if ((e.str_op == StringOp::kHas || e.str_op == StringOp::kHasCs) && single_term) {
      hint.kind = store::PredicateHint::Kind::kHasTerm;
      scan.AddHint(hint);
    } else if ((e.str_op == StringOp::kEqualsCi || e.str_op == StringOp::kHas ||
                e.str_op == StringOp::kHasCs) && any_term) {
      hint.kind = store::PredicateHint::Kind::kStringEquals;
      scan.AddHint(hint);
    }
  }
  // has_any / has_all with constant single-term needles on a plain string column. has_any: one
  // hint, the block must hold one of the needles; has_all: each needle must be present.
  if (e.kind == BKind::kHasAny && !e.negated && !e.matchers.empty() && e.args.size() == 1 &&
      e.args[0]->kind == BKind::kColumn &&
      schema[static_cast<size_t>(e.args[0]->column)].type == Type::kString) {
    auto is_single_term = [](const std::string& needle) {
      return !needle.empty() && std::all_of(needle.begin(), needle.end(),
                                            [](unsigned char ch) { return IsTermByte(ch); });
    };
    const std::string& col = schema[static_cast<size_t>(e.args[0]->column)].name;
    store::PredicateHint any_hint;
    any_hint.kind = store::PredicateHint::Kind::kHasAnyTerm;
    any_hint.column = col;
    bool all_single = true;
    for (const auto& m : e.matchers) {
      const bool single = is_single_term(m->needle());
      all_single = all_single && single;
      if (e.all && single) {
        store::PredicateHint hint;
        hint.kind = store::PredicateHint::Kind::kHasTerm;
        hint.column = col;
        hint.text = m->needle();
        scan.AddHint(hint);
      }
      any_hint.terms.push_back(m->needle());
    }
    if (!e.all && all_single) {
      scan.AddHint(std::move(any_hint));
    }
  }
  if (e.kind == BKind::kCompare && e.op == "==" && e.args[0]->kind == BKind::kColumn &&
      e.args[1]->kind == BKind::kConst && e.args[1]->constant.is_string() &&
      schema[static_cast<size_t>(e.args[0]->column)].type == Type::kString) {
    store::PredicateHint hint;
    hint.kind = store::PredicateHint::Kind::kStringEquals;
    hint.column = schema[static_cast<size_t>(e.args[0]->column)].name;
    hint.text = e.args[1]->constant.AsString();
    bool any_term = false;
    for (unsigned char ch : hint.text) {
      any_term = any_term || IsTermByte(ch);
    }
    if (any_term) {
      scan.AddHint(hint);
    }
  }
}

KResult<PhysOpPtr> PlanWhere(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  const Schema schema = input->schema();
  ScanOp* scan = FindScanBelowFilters(input.get());
  std::vector<ExprPtr> conjuncts;
  SplitConjuncts(op.predicate, conjuncts);
  std::vector<BExprPtr> residual;
  for (const auto& conj : conjuncts) {
    auto b = c.BindExpr(*conj, schema, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    if ((*b)->kind == BKind::kConst) {
      if (IsTrue((*b)->constant)) {
        continue;
      }
    }
    if (scan != nullptr) {
      std::vector<int> cols;
      bool row_dependent = false;
      CollectColumns(**b, cols, row_dependent);
      if (cols.size() == 1 && !row_dependent) {
        DeriveScanHints(**b, schema, *scan);
        Schema one = {schema[static_cast<size_t>(cols[0])]};
        // Rebind against a one-column schema (alias TimeGenerated handled by the binder).
        auto b1 = c.BindExpr(*conj, one, scope);
        if (b1) {
          scan->AddFilter(ScanFilter{cols[0], *b1});
          continue;
        }
      }
    }
    residual.push_back(*b);
  }
  if (residual.empty()) {
    return input;
  }
  BExprPtr pred = residual[0];
  for (size_t i = 1; i < residual.size(); ++i) {
    auto both = std::make_shared<BExpr>();
    both->kind = BKind::kAnd;
    both->type = Type::kBool;
    both->args = {pred, residual[i]};
    both->text = pred->text + " and " + residual[i]->text;
    pred = both;
  }
  return PhysOpPtr(std::make_unique<FilterOp>(std::move(input), pred, c.ctx()));
}

KResult<std::vector<SortSpec>> BindSortKeys(Compiler& c, const std::vector<SortKey>& keys,
                                            const Schema& schema, ScopePtr scope,
                                            std::string& label) {
  std::vector<SortSpec> out;
  for (const auto& k : keys) {
    auto b = c.BindExpr(*k.expr, schema, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    SortSpec s;
    s.expr = *b;
    s.ascending = k.ascending;
    s.nulls_first = k.nulls == SortKey::Nulls::kFirst ||
                    (k.nulls == SortKey::Nulls::kDefault && k.ascending);
    label += (out.empty() ? "" : ", ") + (*b)->text + (k.ascending ? " asc" : " desc");
    out.push_back(s);
  }
  return out;
}

KResult<size_t> ConstCount(Compiler& c, const ExprPtr& e, ScopePtr scope) {
  auto b = c.BindExpr(*e, Schema{}, scope);
  if (!b) {
    return tl::unexpected(b.error());
  }
  if ((*b)->kind != BKind::kConst || !(*b)->constant.is_integral() ||
      (*b)->constant.AsInt64() < 0) {
    return KErr("KQL0110", "expected a non-negative constant row count", e->pos);
  }
  return static_cast<size_t>((*b)->constant.AsInt64());
}

KResult<PhysOpPtr> PlanGetSchema(PhysOpPtr input) {
  auto table = std::make_shared<Table>();
  table->Reset({{"ColumnName", Type::kString},
                {"ColumnOrdinal", Type::kInt},
                {"DataType", Type::kString},
                {"ColumnType", Type::kString}});
  static const std::pair<Type, const char*> kClr[] = {
      {Type::kBool, "System.SByte"},     {Type::kInt, "System.Int32"},
      {Type::kLong, "System.Int64"},     {Type::kReal, "System.Double"},
      {Type::kDecimal, "System.Data.SqlTypes.SqlDecimal"},
      {Type::kString, "System.String"},  {Type::kDateTime, "System.DateTime"},
      {Type::kTimeSpan, "System.TimeSpan"}, {Type::kGuid, "System.Guid"},
      {Type::kDynamic, "System.Object"}};
  const Schema& s = input->schema();
  for (size_t i = 0; i < s.size(); ++i) {
    std::string clr = "System.Object";
    for (const auto& [t, n] : kClr) {
      if (t == s[i].type) {
        clr = n;
      }
    }
    table->AppendRow({Value::String(s[i].name), Value::Int(static_cast<int64_t>(i)),
                      Value::String(clr), Value::String(std::string(TypeName(s[i].type)))});
  }
  return PhysOpPtr(std::make_unique<TableOp>(table, "GetSchema"));
}

}  // namespace

KResult<PhysOpPtr> PlanExtendItems(Compiler& c, const std::vector<NamedExpr>& items,
                                   PhysOpPtr input, ScopePtr scope) {
  return PlanExtend(c, items, std::move(input), std::move(scope), "Extend");
}

KResult<PhysOpPtr> PlanOperator(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (!input && op.kind != OpKind::kUnion) {
    return PlanExtraOperator(c, op, nullptr, scope);
  }
  switch (op.kind) {
    case OpKind::kWhere:
      return PlanWhere(c, op, std::move(input), scope);
    case OpKind::kProject:
      return PlanProject(c, op, std::move(input), scope);
    case OpKind::kProjectAway:
    case OpKind::kProjectKeep:
    case OpKind::kProjectRename:
    case OpKind::kProjectReorder:
      return PlanProjectVariants(c, op, std::move(input), scope);
    case OpKind::kExtend:
      return PlanExtend(c, op.exprs, std::move(input), scope, "Extend");
    case OpKind::kSummarize:
      return PlanSummarize(c, op, std::move(input), scope);
    case OpKind::kCount:
      return PhysOpPtr(std::make_unique<CountOp>(std::move(input),
                                                 op.names.empty() ? "Count" : op.names[0],
                                                 c.ctx()));
    case OpKind::kDistinct: {
      const Schema in = input->schema();
      Schema schema;
      std::vector<BExprPtr> exprs;
      for (size_t i = 0; i < op.exprs.size(); ++i) {
        const auto& ne = op.exprs[i];
        if (ne.expr->kind == ExprKind::kStar) {
          for (size_t k = 0; k < in.size(); ++k) {
            schema.push_back(in[k]);
            exprs.push_back(MakeColumn(static_cast<int>(k), in[k].type, in[k].name));
          }
          continue;
        }
        auto b = c.BindExpr(*ne.expr, in, scope);
        if (!b) {
          return tl::unexpected(b.error());
        }
        schema.push_back({ne.name.empty() ? DefaultColumnName(*ne.expr, i + 1) : ne.name,
                          (*b)->type});
        exprs.push_back(*b);
      }
      return PhysOpPtr(std::make_unique<DistinctOp>(std::move(input), schema, exprs, c.ctx()));
    }
    case OpKind::kSort: {
      std::string label = "Sort [";
      auto keys = BindSortKeys(c, op.sort, input->schema(), scope, label);
      if (!keys) {
        return tl::unexpected(keys.error());
      }
      return PhysOpPtr(
          std::make_unique<SortOp>(std::move(input), *keys, 0, label + "]", c.ctx()));
    }
    case OpKind::kTop: {
      auto n = ConstCount(c, op.count, scope);
      if (!n) {
        return tl::unexpected(n.error());
      }
      std::string label = "TopN " + std::to_string(*n) + " [";
      auto keys = BindSortKeys(c, op.sort, input->schema(), scope, label);
      if (!keys) {
        return tl::unexpected(keys.error());
      }
      if (*n == 0) {
        return PhysOpPtr(std::make_unique<TakeOp>(std::move(input), 0));
      }
      return PhysOpPtr(
          std::make_unique<SortOp>(std::move(input), *keys, *n, label + "]", c.ctx()));
    }
    case OpKind::kTake:
    case OpKind::kSample: {
      const ExprPtr& e = op.count ? op.count : (op.exprs.empty() ? nullptr : op.exprs[0].expr);
      if (!e) {
        return KErr("KQL0110", "expected a row count", op.pos);
      }
      auto n = ConstCount(c, e, scope);
      if (!n) {
        return tl::unexpected(n.error());
      }
      return PhysOpPtr(std::make_unique<TakeOp>(std::move(input), *n));
    }
    case OpKind::kJoin:
    case OpKind::kLookup:
      return PlanJoin(c, op, std::move(input), scope);
    case OpKind::kUnion:
      return PlanUnion(c, op, std::move(input), scope);
    case OpKind::kSerialize: {
      auto sorted = std::make_unique<SortOp>(std::move(input), std::vector<SortSpec>{}, 0,
                                             "Serialize", c.ctx());
      if (op.exprs.empty()) {
        return PhysOpPtr(std::move(sorted));
      }
      return PlanExtend(c, op.exprs, std::move(sorted), scope, "Extend");
    }
    case OpKind::kAs: {
      if (!op.names.empty()) {
        auto table = c.Execute(std::move(input));
        if (!table) {
          return tl::unexpected(table.error());
        }
        LetValue v;
        v.kind = LetValue::Kind::kTable;
        v.table = *table;
        scope->Set(op.names[0], v);
        return PhysOpPtr(std::make_unique<TableOp>(*table, "As " + op.names[0]));
      }
      return input;
    }
    case OpKind::kGetSchema:
      return PlanGetSchema(std::move(input));
    case OpKind::kRender: {
      auto& r = c.mutable_render();
      r.kind = op.text;
      r.properties = op.params;
      return input;
    }
    case OpKind::kConsume:
      return PhysOpPtr(std::make_unique<TakeOp>(std::move(input), 0));
    case OpKind::kInvoke: {
      if (op.exprs.empty() || op.exprs[0].expr->kind != ExprKind::kCall) {
        return KErr("KQL0110", "invoke expects a function call", op.pos);
      }
      auto table = c.Execute(std::move(input));
      if (!table) {
        return tl::unexpected(table.error());
      }
      auto inner = std::make_shared<Scope>(scope);
      LetValue v;
      v.kind = LetValue::Kind::kTable;
      v.table = *table;
      inner->Set("__invoke_input", v);
      auto call = std::make_shared<Expr>(*op.exprs[0].expr);
      auto arg = std::make_shared<Expr>();
      arg->kind = ExprKind::kName;
      arg->name = "__invoke_input";
      arg->pos = op.pos;
      call->args.insert(call->args.begin(), arg);
      const LetValue* fn = scope->Find(call->name);
      if (fn == nullptr || fn->kind != LetValue::Kind::kFunction) {
        return PlanExtraOperator(c, op, std::make_unique<TableOp>(*table, "Input"), scope);
      }
      return c.PlanTabularExpr(*call, inner);
    }
    default:
      return PlanExtraOperator(c, op, std::move(input), scope);
  }
}

}  // namespace vigil::kql
