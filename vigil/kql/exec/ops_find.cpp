// The find operator: the rows matching a predicate across tables (`in (...)`, or every table),
// shaped by Kusto's find output schema: a source column (`source_` or withsource=), then the
// `project` columns (null where a table lacks one, cast to a given `:type`) or, with the default
// project-smart, the predicate's columns and the columns common to all tables; the remaining
// columns of a row go into a `pack_` bag. Tables with none of the predicate's columns are
// skipped. Planned from compiler_ops3.cpp (PlanMoreOperators); built from scans, filters,
// projections and a union.
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {
namespace {

std::string CastFunction(Type t) {
  switch (t) {
    case Type::kString:
      return "tostring";
    case Type::kInt:
      return "toint";
    case Type::kLong:
      return "tolong";
    case Type::kReal:
      return "toreal";
    case Type::kDecimal:
      return "todecimal";
    case Type::kBool:
      return "tobool";
    case Type::kDateTime:
      return "todatetime";
    case Type::kTimeSpan:
      return "totimespan";
    case Type::kGuid:
      return "toguid";
    default:
      return "todynamic";
  }
}

void CollectNames(const ExprPtr& e, std::set<std::string>& out) {
  if (!e || e->kind == ExprKind::kTabular) {
    return;
  }
  if (e->kind == ExprKind::kName) {
    out.insert(e->name);
  }
  for (const auto& a : e->args) {
    CollectNames(a, out);
  }
}

struct Source {
  PhysOpPtr op;
  std::string label;
  Schema own;  // the table's columns before find adds nulls for missing predicate columns
};

// The input tables of find, as search gathers them.
KResult<std::vector<Source>> Sources(Compiler& c, const Operator& op, const ScopePtr& scope) {
  std::vector<Source> out;
  auto add_named = [&](const std::string& name, Pos pos) -> KResult<bool> {
    auto planned = PlanNamedTable(c, name, pos, scope);
    if (!planned) {
      return tl::unexpected(planned.error());
    }
    Schema own = (*planned)->schema();
    out.push_back({std::move(*planned), name, std::move(own)});
    return true;
  };
  if (!op.legs.empty()) {
    for (const auto& leg : op.legs) {
      if (leg->ops.size() == 1 && leg->ops[0].kind == OpKind::kSource &&
          leg->ops[0].source->kind == ExprKind::kName) {
        const std::string& name = leg->ops[0].source->name;
        const std::vector<std::string> names = name.find('*') != std::string::npos
                                                   ? MatchTableNames(c, name)
                                                   : std::vector<std::string>{name};
        for (const auto& n : names) {
          auto ok = add_named(n, leg->pos);
          if (!ok) {
            return tl::unexpected(ok.error());
          }
        }
        continue;
      }
      auto planned = c.PlanPipeline(*leg, scope);
      if (!planned) {
        return tl::unexpected(planned.error());
      }
      Schema own = (*planned)->schema();
      out.push_back({std::move(*planned), "find arg" + std::to_string(out.size()), std::move(own)});
    }
    return out;
  }
  for (const auto& n : AllTableNames(c)) {
    auto ok = add_named(n, op.pos);
    if (!ok) {
      return tl::unexpected(ok.error());
    }
  }
  return out;
}

struct OutCol {
  std::string name;    // output name (Col, or Col_type when a column has several types)
  std::string source;  // column name in the tables
  Type type = Type::kDynamic;
  bool cast = false;  // `project Col:type`: any type converts
};

}  // namespace

KResult<PhysOpPtr> PlanFind(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (input) {
    return KErr("KQL0110", "find starts a query: it cannot follow '|'", op.pos);
  }
  if (!op.predicate) {
    return KErr("KQL0110", "find needs a predicate: find in (T) where ...", op.pos);
  }
  std::string withsource = "source_";
  bool projected = false;
  bool pack_all = false;
  for (const auto& [k, v] : op.params) {
    if (k == "withsource" || k == "with_source") {
      withsource = v;
    } else if (k == "find_project") {
      projected = true;
    } else if (k == "pack_all") {
      pack_all = true;
    }
  }
  auto sources = Sources(c, op, scope);
  if (!sources) {
    return tl::unexpected(sources.error());
  }
  // Columns the predicate names (a name no table has is a let name or a function).
  std::set<std::string> mentioned;
  CollectNames(op.predicate, mentioned);
  std::set<std::string> referenced;
  std::map<std::string, Type> first_type;
  for (const auto& src : *sources) {
    for (const auto& col : src.own) {
      if (mentioned.count(col.name) > 0) {
        referenced.insert(col.name);
        first_type.emplace(col.name, col.type);
      }
    }
  }
  // Filter each table; a table with none of the predicate's columns is skipped.
  std::vector<Source> kept;
  std::optional<KqlError> first_error;
  for (auto& src : *sources) {
    std::vector<NamedExpr> nulls;
    bool any = referenced.empty();
    for (const auto& name : referenced) {
      if (FindColumn(src.own, name) >= 0) {
        any = true;
      } else {
        nulls.push_back({name, {}, MakeLiteralExpr(Value(), first_type[name], op.pos), op.pos});
      }
    }
    if (!any) {
      continue;
    }
    PhysOpPtr in = std::move(src.op);
    if (!nulls.empty()) {
      auto extended = PlanExtend(c, nulls, std::move(in), scope, "Extend");
      if (!extended) {
        return extended;
      }
      in = std::move(*extended);
    }
    auto filtered = PlanSearchFilter(c, op, std::move(in), scope, false);
    if (!filtered) {
      if (!first_error) {
        first_error = filtered.error();
      }
      continue;
    }
    kept.push_back({std::move(*filtered), src.label, std::move(src.own)});
  }
  if (kept.empty()) {
    if (first_error) {
      return tl::unexpected(*first_error);
    }
    return KErr("KQL0102", "find has no tables with the predicate's columns", op.pos);
  }
  // Output columns.
  std::vector<OutCol> cols;
  if (projected) {
    for (const auto& name : op.names) {
      OutCol col{name, name, Type::kString, false};
      auto declared = std::find_if(op.schema.begin(), op.schema.end(),
                                   [&](const auto& p) { return p.first == name; });
      if (declared != op.schema.end()) {
        col.type = declared->second;
        col.cast = true;
      } else {
        for (const auto& src : kept) {
          const int idx = FindColumn(src.own, name);
          if (idx >= 0) {
            col.type = src.own[static_cast<size_t>(idx)].type;
            break;
          }
        }
      }
      cols.push_back(std::move(col));
    }
  } else {
    std::vector<std::pair<std::string, Type>> order;
    for (const auto& src : kept) {
      for (const auto& col : src.own) {
        bool common = true;
        for (const auto& other : kept) {
          common = common && FindColumn(other.own, col.name) >= 0;
        }
        const std::pair<std::string, Type> key{col.name, col.type};
        if ((common || referenced.count(col.name) > 0) &&
            std::find(order.begin(), order.end(), key) == order.end()) {
          order.push_back(key);
        }
      }
    }
    for (const auto& entry : order) {
      const std::string& name = entry.first;
      const size_t types = static_cast<size_t>(std::count_if(
          order.begin(), order.end(), [&](const auto& p) { return p.first == name; }));
      cols.push_back({types > 1 ? name + "_" + std::string(TypeName(entry.second)) : name, name,
                      entry.second, false});
    }
    for (const auto& src : kept) {
      for (const auto& col : src.own) {
        pack_all = pack_all || std::none_of(cols.begin(), cols.end(),
                                            [&](const OutCol& o) { return o.source == col.name; });
      }
    }
  }
  Schema schema;
  for (const auto& col : cols) {
    if (col.name == withsource || FindColumn(schema, col.name) >= 0) {
      return KErr("KQL0110", "find: column '" + col.name + "' appears twice in the output", op.pos);
    }
    schema.push_back({col.name, col.type});
  }
  if (pack_all) {
    schema.push_back({"pack_", Type::kDynamic});
  }
  std::vector<PhysOpPtr> legs;
  std::vector<std::string> labels;
  for (auto& src : kept) {
    const Schema in_schema = src.op->schema();
    std::vector<BExprPtr> exprs;
    for (const auto& col : cols) {
      const int idx = FindColumn(src.own, col.source);
      ExprPtr e;
      if (idx < 0) {
        e = MakeLiteralExpr(Value(), col.type, op.pos);
      } else if (src.own[static_cast<size_t>(idx)].type == col.type) {
        e = MakeNameExpr(col.source, op.pos);
      } else if (col.cast) {
        e = MakeCallExpr(CastFunction(col.type), {MakeNameExpr(col.source, op.pos)}, op.pos);
      } else {
        e = MakeLiteralExpr(Value(), col.type, op.pos);
      }
      auto b = c.BindExpr(*e, in_schema, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      exprs.push_back(*b);
    }
    if (pack_all) {
      std::vector<ExprPtr> args;
      for (const auto& col : src.own) {
        const bool shown = std::any_of(cols.begin(), cols.end(), [&](const OutCol& o) {
          return o.source == col.name && o.type == col.type;
        });
        if (!shown) {
          args.push_back(MakeLiteralExpr(Value::String(col.name), Type::kString, op.pos));
          args.push_back(MakeNameExpr(col.name, op.pos));
        }
      }
      ExprPtr bag = args.empty() ? MakeLiteralExpr(Value::MakeBag({}), Type::kDynamic, op.pos)
                                 : MakeCallExpr("bag_pack", std::move(args), op.pos);
      auto b = c.BindExpr(*bag, in_schema, scope);
      if (!b) {
        return tl::unexpected(b.error());
      }
      exprs.push_back(*b);
    }
    legs.push_back(std::make_unique<ProjectOp>(std::move(src.op), schema, std::move(exprs),
                                               "FindProject " + src.label, c.ctx()));
    labels.push_back(src.label);
  }
  return MakeUnion(std::move(legs), std::move(labels), withsource, false, c.ctx());
}

}  // namespace vigil::kql
