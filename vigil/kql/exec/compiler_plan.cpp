// Planning of statements and sources (tables, let names, user functions, datatable, print,
// range, externaldata) and the dispatch over tabular operators; union is in compiler_union.cpp.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {


Compiler::Compiler(const DataSources& sources, ExecContext* ctx) : sources_(sources), ctx_(ctx) {}
Compiler::~Compiler() = default;

KResult<TablePtr> Compiler::Execute(PhysOpPtr op) {
  PropagateNeeds(*op);
  return Collect(*op, *ctx_);
}

KResult<bool> BindLet(Compiler* compiler, const Statement& st, ScopePtr scope) {
  LetValue v;
  switch (st.kind) {
    case Statement::Kind::kLetFunction:
      v.kind = LetValue::Kind::kFunction;
      v.scope = scope;
      // keep the statement alive: copy into a shared statement
      v.function = std::make_shared<Statement>(st);
      scope->Set(st.name, std::move(v));
      return true;
    case Statement::Kind::kLet: {
      const Expr& value = *st.value;
      // materialize(T): run once, keep the table
      if (value.kind == ExprKind::kCall && value.name == "materialize" && value.args.size() == 1) {
        auto op = compiler->PlanTabularExpr(*value.args[0], scope);
        if (!op) {
          return tl::unexpected(op.error());
        }
        auto table = compiler->Execute(std::move(*op));
        if (!table) {
          return tl::unexpected(table.error());
        }
        v.kind = LetValue::Kind::kTable;
        v.table = *table;
        scope->Set(st.name, std::move(v));
        return true;
      }
      bool tabular = value.kind == ExprKind::kTabular;
      if (tabular) {
        if (const Expr* scalar = TrivialPipelineScalar(value, scope)) {
          auto b = compiler->BindExpr(*scalar, Schema{}, scope);
          if (b) {
            v.kind = LetValue::Kind::kScalar;
            v.scalar = *b;
            scope->Set(st.name, std::move(v));
            return true;
          }
        }
      }
      if (value.kind == ExprKind::kName) {
        const LetValue* other = scope->Find(value.name);
        if (other != nullptr) {
          tabular = other->kind != LetValue::Kind::kScalar;
          if (other->kind == LetValue::Kind::kFunction) {
            scope->Set(st.name, *other);
            return true;
          }
        } else {
          const auto& s = compiler->sources();
          tabular = s.memory_tables.count(value.name) > 0 ||
                    (s.catalog != nullptr && s.catalog->Find(value.name) != nullptr);
        }
      }
      if (value.kind == ExprKind::kCall) {
        const LetValue* other = scope->Find(value.name);
        if (other != nullptr && other->kind == LetValue::Kind::kFunction && other->function->value &&
            other->function->value->kind == ExprKind::kTabular &&
            TrivialPipelineScalar(*other->function->value, other->defining_scope()) == nullptr) {
          tabular = true;
        }
        if (value.name == "table" || value.name == "view") {
          tabular = true;
        }
      }
      if (tabular) {
        v.kind = LetValue::Kind::kTabular;
        v.tabular = st.value;
        v.scope = scope;
        scope->Set(st.name, std::move(v));
        return true;
      }
      auto b = compiler->BindExpr(value, Schema{}, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      v.kind = LetValue::Kind::kScalar;
      v.scalar = *b;
      scope->Set(st.name, std::move(v));
      return true;
    }
    default:
      return true;  // set / declare: accepted, no effect
  }
}

KResult<PhysOpPtr> Compiler::Plan(const Script& script) {
  auto scope = std::make_shared<Scope>();
  const Statement* query = nullptr;
  for (const auto& st : script.statements) {
    if (st->kind == Statement::Kind::kQuery) {
      query = st.get();
      continue;  // Kusto returns every query's result; we return the last one
    }
    auto ok = BindLet(this, *st, scope);
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (query == nullptr || !query->value) {
    return KErr("KQL0013", "the script has no query: add a tabular expression after the lets");
  }
  auto op = PlanTabularExpr(*query->value, scope);
  if (!op) {
    return op;
  }
  PropagateNeeds(**op);
  return op;
}

namespace {

bool HasWildcard(const std::string& name) { return name.find('*') != std::string::npos; }

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace

// Table by name: let-bound, in-memory, or a hunting table in the store.
KResult<PhysOpPtr> PlanNamedTable(Compiler& c, const std::string& name, Pos pos, ScopePtr scope) {
  if (const LetValue* let = scope->Find(name)) {
    switch (let->kind) {
      case LetValue::Kind::kTable:
        return PhysOpPtr(std::make_unique<TableOp>(let->table, "Table " + name));
      case LetValue::Kind::kTabular:
        return c.PlanTabularExpr(*let->tabular, let->defining_scope());
      case LetValue::Kind::kFunction: {
        Expr call;
        call.kind = ExprKind::kCall;
        call.name = name;
        call.pos = pos;
        return c.PlanTabularExpr(call, scope);
      }
      case LetValue::Kind::kScalar:
        return KErr("KQL0109", "'" + name + "' is a scalar, not a table", pos);
    }
  }
  const auto& sources = c.sources();
  if (auto it = sources.memory_tables.find(name); it != sources.memory_tables.end()) {
    return PhysOpPtr(std::make_unique<TableOp>(it->second, "Table " + name));
  }
  const schema::TableSchema* ts = sources.catalog != nullptr ? sources.catalog->Find(name) : nullptr;
  if (ts != nullptr) {
    Schema schema;
    for (const auto& col : ts->columns()) {
      schema.push_back({col.name, FromColumnType(col.type)});
    }
    if (!sources.snapshot) {
      auto empty = std::make_shared<Table>();
      empty->Reset(schema);
      return PhysOpPtr(std::make_unique<TableOp>(empty, "Table " + name + " (no data)"));
    }
    auto scan = std::make_unique<ScanOp>(sources.snapshot, name, schema, c.ctx());
    if (ts->timestamp_column() >= 0) {
      scan->SetTimeRange(sources.scope_min, sources.scope_max);
    }
    return PhysOpPtr(std::move(scan));
  }
  std::vector<std::string> names;
  scope->CollectNames(names);
  for (const auto& [n, t] : sources.memory_tables) {
    names.push_back(n);
  }
  if (sources.catalog != nullptr) {
    for (const auto& t : sources.catalog->tables()) {
      names.push_back(t->name());
    }
  }
  std::string msg = "unknown table '" + name + "'";
  const std::string s = Suggest(name, names);
  if (!s.empty()) {
    msg += "; did you mean '" + s + "'?";
  }
  return KErr("KQL0102", msg, pos);
}

std::vector<std::string> MatchTableNames(Compiler& c, const std::string& pattern) {
  std::vector<std::string> out;
  for (const auto& [n, t] : c.sources().memory_tables) {
    if (WildcardMatch(pattern, n)) {
      out.push_back(n);
    }
  }
  if (c.sources().catalog != nullptr) {
    for (const auto& t : c.sources().catalog->tables()) {
      if (WildcardMatch(pattern, t->name()) &&
          c.sources().memory_tables.count(t->name()) == 0) {
        out.push_back(t->name());
      }
    }
  }
  return out;
}

std::vector<std::string> AllTableNames(Compiler& c) {
  std::vector<std::string> names;
  for (const auto& [n, t] : c.sources().memory_tables) {
    names.push_back(n);
  }
  if (c.sources().snapshot) {
    for (const auto& n : MatchTableNames(c, "*")) {
      if (std::find(names.begin(), names.end(), n) == names.end()) {
        names.push_back(n);
      }
    }
  }
  return names;
}

namespace {

KResult<TablePtr> EvalConstRows(Compiler& c, const std::vector<NamedExpr>& exprs, ScopePtr scope,
                                Schema& schema) {
  auto table = std::make_shared<Table>();
  std::vector<Value> row;
  for (size_t i = 0; i < exprs.size(); ++i) {
    auto b = c.BindExpr(*exprs[i].expr, Schema{}, scope);
    if (!b) {
      return tl::unexpected(b.error());
    }
    std::string name = exprs[i].name.empty() ? DefaultColumnName(*exprs[i].expr, i) : exprs[i].name;
    if (exprs[i].name.empty() && exprs[i].expr->kind != ExprKind::kName) {
      name = "print_" + std::to_string(i);
    }
    schema.push_back({name, (*b)->type});
    Chunk empty;
    row.push_back(CoerceTo(Eval(**b, empty, 0, c.ctx()->eval), (*b)->type));
  }
  table->Reset(schema);
  table->AppendRow(row);
  return TablePtr(std::move(table));
}

KResult<PhysOpPtr> PlanSourceOperator(Compiler& c, const Operator& op, ScopePtr scope) {
  switch (op.kind) {
    case OpKind::kSource:
      return c.PlanTabularExpr(*op.source, scope);
    case OpKind::kDatatable: {
      auto table = std::make_shared<Table>();
      Schema schema;
      for (const auto& [n, t] : op.schema) {
        schema.push_back({n, t});
      }
      table->Reset(schema);
      if (schema.empty()) {
        return KErr("KQL0110", "datatable needs at least one column", op.pos);
      }
      if (op.exprs.size() % schema.size() != 0) {
        return KErr("KQL0110",
                    "datatable has " + std::to_string(op.exprs.size()) + " values for " +
                        std::to_string(schema.size()) + " columns",
                    op.pos);
      }
      std::vector<Value> row;
      for (size_t i = 0; i < op.exprs.size(); ++i) {
        auto b = c.BindExpr(*op.exprs[i].expr, Schema{}, scope);
        if (!b) {
          return tl::unexpected(b.error());
        }
        Chunk empty;
        Value v = Eval(**b, empty, 0, c.ctx()->eval);
        const Type t = schema[i % schema.size()].type;
        if (t == Type::kString && v.is_null()) {
          v = Value::String("");
        }
        row.push_back(CoerceTo(v, t));
        if (row.size() == schema.size()) {
          table->AppendRow(row);
          row.clear();
        }
      }
      return PhysOpPtr(std::make_unique<TableOp>(table, "Datatable rows=" +
                                                            std::to_string(table->rows)));
    }
    case OpKind::kPrint: {
      Schema schema;
      auto table = EvalConstRows(c, ExpandTupleItems(op.exprs), scope, schema);
      if (!table) {
        return tl::unexpected(table.error());
      }
      return PhysOpPtr(std::make_unique<TableOp>(*table, "Print"));
    }
    case OpKind::kRange: {
      if (op.exprs.size() < 3 || op.names.empty()) {
        return KErr("KQL0110", "range expects: range Name from A to B step C", op.pos);
      }
      Value vals[3];
      Type type = Type::kLong;
      for (int i = 0; i < 3; ++i) {
        auto b = c.BindExpr(*op.exprs[static_cast<size_t>(i)].expr, Schema{}, scope);
        if (!b) {
          return tl::unexpected(b.error());
        }
        Chunk empty;
        vals[i] = Eval(**b, empty, 0, c.ctx()->eval);
        if (i == 0) {
          type = (*b)->type == Type::kInt ? Type::kLong : (*b)->type;
        }
      }
      auto table = std::make_shared<Table>();
      table->Reset({{op.names[0], type}});
      if (vals[0].is_null() || vals[1].is_null() || vals[2].is_null()) {
        return PhysOpPtr(std::make_unique<TableOp>(table, "Range"));
      }
      const bool real = vals[0].kind() == Kind::kReal || vals[1].kind() == Kind::kReal ||
                        vals[2].kind() == Kind::kReal;
      size_t count = 0;
      constexpr size_t kMaxRange = 10'000'000;
      if (real) {
        const double step = vals[2].AsReal();
        if (step == 0) {
          return KErr("KQL0110", "range step must not be 0", op.pos);
        }
        for (double x = vals[0].AsReal(); step > 0 ? x <= vals[1].AsReal() : x >= vals[1].AsReal();
             x += step) {
          table->cols[0].push_back(Value::Real(x));
          if (++count > kMaxRange) {
            return KErr("KQL0902", "range would produce more than 10,000,000 rows", op.pos);
          }
        }
      } else {
        const int64_t step = vals[2].AsInt64();
        if (step == 0) {
          return KErr("KQL0110", "range step must not be 0", op.pos);
        }
        for (int64_t x = vals[0].AsInt64();
             step > 0 ? x <= vals[1].AsInt64() : x >= vals[1].AsInt64(); x += step) {
          Value v = vals[0].kind() == Kind::kDateTime   ? Value::DateTime(x)
                    : vals[0].kind() == Kind::kTimeSpan ? Value::TimeSpan(x)
                                                        : Value::Long(x);
          table->cols[0].push_back(v);
          if (++count > kMaxRange) {
            return KErr("KQL0902", "range would produce more than 10,000,000 rows", op.pos);
          }
          if ((step > 0 && x > INT64_MAX - step) || (step < 0 && x < INT64_MIN - step)) {
            break;
          }
        }
      }
      table->rows = count;
      auto charged = c.ctx()->Charge(count * sizeof(Value));
      if (!charged) {
        return tl::unexpected(charged.error());
      }
      return PhysOpPtr(std::make_unique<TableOp>(table, "Range rows=" + std::to_string(count)));
    }
    case OpKind::kUnion:
      return PlanUnion(c, op, nullptr, scope);
    default:
      break;
  }
  return PlanOperator(c, op, nullptr, scope);
}

}  // namespace

KResult<PhysOpPtr> Compiler::PlanPipeline(const Pipeline& p, std::shared_ptr<Scope> scope,
                                          PhysOpPtr input) {
  size_t start = 0;
  if (!input) {
    if (p.ops.empty()) {
      return KErr("KQL0013", "empty pipeline", p.pos);
    }
    auto src = PlanSourceOperator(*this, p.ops[0], scope);
    if (!src) {
      return src;
    }
    input = std::move(*src);
    start = 1;
  }
  for (size_t i = start; i < p.ops.size(); ++i) {
    auto next = PlanOperator(*this, p.ops[i], std::move(input), scope);
    if (!next) {
      return next;
    }
    input = std::move(*next);
  }
  return input;
}

KResult<PhysOpPtr> Compiler::PlanTabularExpr(const Expr& e, std::shared_ptr<Scope> scope) {
  switch (e.kind) {
    case ExprKind::kTabular:
      return PlanPipeline(*e.pipeline, scope);
    case ExprKind::kName:
      if (HasWildcard(e.name)) {
        Operator u;
        u.kind = OpKind::kUnion;
        u.pos = e.pos;
        auto leg = std::make_shared<Pipeline>();
        Operator src;
        src.kind = OpKind::kSource;
        src.source = std::make_shared<Expr>(e);
        leg->ops.push_back(src);
        u.legs.push_back(leg);
        return PlanUnion(*this, u, nullptr, scope);
      }
      return PlanNamedTable(*this, e.name, e.pos, scope);
    case ExprKind::kCall: {
      if ((e.name == "table" || e.name == "view") && e.args.size() >= 1 &&
          e.args[0]->kind == ExprKind::kLiteral) {
        return PlanNamedTable(*this, e.args[0]->literal.ToText(), e.pos, scope);
      }
      if (e.name == "materialize" && e.args.size() == 1) {
        auto op = PlanTabularExpr(*e.args[0], scope);
        if (!op) {
          return op;
        }
        auto table = Execute(std::move(*op));
        if (!table) {
          return tl::unexpected(table.error());
        }
        return PhysOpPtr(std::make_unique<TableOp>(*table, "Materialized"));
      }
      const LetValue* let = scope->Find(e.name);
      if (let == nullptr || let->kind != LetValue::Kind::kFunction) {
        if (let != nullptr && e.args.empty()) {
          return PlanNamedTable(*this, e.name, e.pos, scope);
        }
        return KErr("KQL0103", "unknown tabular function '" + e.name + "'", e.pos);
      }
      const Statement& fn = *let->function;
      auto inner = std::make_shared<Scope>(let->defining_scope());
      auto mapped = MapArguments(fn, e);
      if (!mapped) {
        return tl::unexpected(mapped.error());
      }
      const std::vector<const Expr*>& given = *mapped;
      for (size_t i = 0; i < fn.params.size(); ++i) {
        const FunctionParam& p = fn.params[i];
        LetValue v;
        if (p.tabular) {
          if (given[i] == nullptr) {
            return KErr("KQL0104", e.name + "(): missing table argument '" + p.name + "'", e.pos);
          }
          v.kind = LetValue::Kind::kTabular;
          v.tabular = std::make_shared<Expr>(*given[i]);
          v.scope = scope;
          inner->Set(p.name, std::move(v));
          continue;
        }
        v.kind = LetValue::Kind::kScalar;
        if (given[i] != nullptr) {
          auto b = BindExpr(*given[i], Schema{}, scope);
          if (!b) {
            return tl::unexpected(b.error());
          }
          v.scalar = *b;
        } else if (p.default_value) {
          auto b = BindExpr(*p.default_value, Schema{}, let->defining_scope());
          if (!b) {
            return tl::unexpected(b.error());
          }
          v.scalar = *b;
        } else {
          return KErr("KQL0104", e.name + "(): missing argument '" + p.name + "'", e.pos);
        }
        inner->Set(p.name, std::move(v));
      }
      for (const auto& st : fn.body) {
        auto ok = BindLet(this, *st, inner);
        if (!ok) {
          return tl::unexpected(ok.error());
        }
      }
      if (!fn.value) {
        return KErr("KQL0110", e.name + "(): the function has no result", e.pos);
      }
      return PlanTabularExpr(*fn.value, inner);
    }
    default:
      return KErr("KQL0109", "expected a tabular expression", e.pos);
  }
}

}  // namespace vigil::kql
