// Planning of union: legs (tables, wildcards, subqueries), isfuzzy, withsource, kind=inner|outer,
// and the column unification shared with search/find (MakeUnion).
#include <algorithm>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

// Union of already planned inputs: columns unified by name (outer), optional source column.
PhysOpPtr MakeUnion(std::vector<PhysOpPtr> inputs, std::vector<std::string> labels,
                    const std::string& withsource, bool inner, ExecContext* ctx) {
  Schema schema;
  if (!withsource.empty()) {
    schema.push_back({withsource, Type::kString});
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (const auto& col : inputs[i]->schema()) {
      const int idx = FindColumn(schema, col.name);
      if (idx < 0) {
        schema.push_back(col);
      } else if (schema[static_cast<size_t>(idx)].type != col.type) {
        schema[static_cast<size_t>(idx)].type = Type::kDynamic;
      }
    }
  }
  if (inner) {
    Schema common;
    for (const auto& col : schema) {
      bool everywhere = true;
      if (col.name != withsource) {
        for (const auto& in : inputs) {
          everywhere = everywhere && FindColumn(in->schema(), col.name) >= 0;
        }
      }
      if (everywhere) {
        common.push_back(col);
      }
    }
    schema = std::move(common);
  }
  std::vector<std::vector<int>> maps;
  std::vector<PhysOpPtr> wrapped;
  for (size_t i = 0; i < inputs.size(); ++i) {
    PhysOpPtr in = std::move(inputs[i]);
    if (!withsource.empty()) {
      // add the source column in front
      Schema s2;
      std::vector<BExprPtr> exprs;
      s2.push_back({withsource, Type::kString});
      exprs.push_back(MakeConst(Value::String(labels[i]), Type::kString));
      for (size_t c = 0; c < in->schema().size(); ++c) {
        s2.push_back(in->schema()[c]);
        exprs.push_back(MakeColumn(static_cast<int>(c), in->schema()[c].type, in->schema()[c].name));
      }
      in = std::make_unique<ProjectOp>(std::move(in), s2, exprs, "Extend " + withsource, ctx);
    }
    std::vector<int> map;
    for (const auto& col : in->schema()) {
      map.push_back(FindColumn(schema, col.name));
    }
    maps.push_back(std::move(map));
    wrapped.push_back(std::move(in));
  }
  std::string label = "Union";
  if (!withsource.empty()) {
    label += " withsource=" + withsource;
  }
  return std::make_unique<ConcatOp>(std::move(wrapped), schema, std::move(maps), label);
}

KResult<PhysOpPtr> PlanUnion(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  std::string withsource;
  bool isfuzzy = false;
  bool inner = false;
  for (const auto& [k, v] : op.params) {
    if (k == "withsource") {
      withsource = v;
    } else if (k == "isfuzzy") {
      isfuzzy = v == "true";
    } else if (k == "kind") {
      inner = v == "inner";
    }
  }
  std::vector<PhysOpPtr> inputs;
  std::vector<std::string> labels;
  if (input) {
    // `T | as Name | union ...`: the source column shows the `as` name
    const std::string d = input->Describe();
    labels.push_back(d.rfind("As ", 0) == 0 ? d.substr(3) : "union arg0");
    inputs.push_back(std::move(input));
  }
  for (const auto& leg : op.legs) {
    // A leg that is a bare (possibly wildcard) name expands to every matching table.
    if (leg->ops.size() == 1 && leg->ops[0].kind == OpKind::kSource &&
        leg->ops[0].source->kind == ExprKind::kName) {
      const std::string& name = leg->ops[0].source->name;
      std::vector<std::string> names;
      if (name.find('*') != std::string::npos) {
        names = MatchTableNames(c, name);
      } else {
        names.push_back(name);
      }
      for (const auto& n : names) {
        auto planned = PlanNamedTable(c, n, leg->pos, scope);
        if (!planned) {
          if (isfuzzy) {
            c.ctx()->Warn("union isfuzzy: skipped '" + n + "': " + planned.error().message);
            continue;
          }
          return planned;
        }
        labels.push_back(n);
        inputs.push_back(std::move(*planned));
      }
      continue;
    }
    auto planned = c.PlanPipeline(*leg, scope);
    if (!planned) {
      if (isfuzzy) {
        c.ctx()->Warn("union isfuzzy: skipped a leg: " + planned.error().message);
        continue;
      }
      return planned;
    }
    if (!leg->ops.empty() && leg->ops.back().kind == OpKind::kAs && !leg->ops.back().names.empty()) {
      labels.push_back(leg->ops.back().names[0]);
    } else {
      labels.push_back("union arg" + std::to_string(labels.size()));
    }
    inputs.push_back(std::move(*planned));
  }
  if (inputs.empty()) {
    return KErr("KQL0102", "union has no tables to read", op.pos);
  }
  return MakeUnion(std::move(inputs), std::move(labels), withsource, inner, c.ctx());
}

}  // namespace vigil::kql
