// The partition operator: splits its input by the distinct values of a key column and runs a
// subquery per partition, returning the union of the results (partitions in order of first
// appearance). `( ops )` applies the operators to each partition's rows (every strategy);
// `{ T | ... }` (legacy) runs a query with its own source, where the key column's name is the
// partition's key value as a scalar (also through toscalar(Key)). Planned from compiler_ops3.cpp.
#include <unordered_map>
#include <utility>

#include "vigil/kql/exec/operators3.h"

namespace vigil::kql {
namespace {

constexpr size_t kLegacyMaxPartitions = 64;

// `{ T | ... }` starts with a source; `( ops )` with an operator over the partition. `search`
// is taken as an operator (it filters the partition, a native-strategy operator).
bool IsSourceOp(OpKind kind) {
  return kind == OpKind::kSource || kind == OpKind::kDatatable || kind == OpKind::kPrint ||
         kind == OpKind::kRange || kind == OpKind::kExternalData || kind == OpKind::kUnion;
}

ScopePtr KeyScope(const ScopePtr& scope, const std::string& name, const Value& key, Type type) {
  auto child = std::make_shared<Scope>(scope);
  LetValue v;
  v.kind = LetValue::Kind::kScalar;
  v.scalar = MakeConst(key, type, name);
  child->Set(name, std::move(v));
  return child;
}

}  // namespace

KResult<PhysOpPtr> PlanPartition(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (!op.right || op.right->ops.empty() || op.by.empty() || !op.by[0].expr ||
      op.by[0].expr->kind != ExprKind::kName) {
    return KErr("KQL0110", "partition expects: partition by Column (Subquery)", op.pos);
  }
  std::string strategy = "legacy";
  for (const auto& [k, v] : op.params) {
    if (k == "hint.strategy") {
      strategy = v;
      if (strategy != "legacy" && strategy != "native" && strategy != "shuffle") {
        return KErr("KQL0110",
                    "partition: hint.strategy must be legacy, native or shuffle, not '" + v + "'",
                    op.pos);
      }
    }
  }
  const Schema in = input->schema();
  const std::string key_name = op.by[0].expr->name;
  const int key_col = FindColumn(in, key_name);
  if (key_col < 0) {
    return KErr("KQL0101", "unknown name '" + key_name + "' in partition by", op.by[0].expr->pos);
  }
  const Type key_type = in[static_cast<size_t>(key_col)].type;
  const bool with_source = IsSourceOp(op.right->ops[0].kind);
  // The docs reserve `{ T | ... }` for the legacy strategy, but Kusto also runs it with
  // hint.strategy=native (as the geo_point_in_polygon examples do): accepted with any strategy.
  // Plan once over an empty partition for the output schema (and the subquery's errors).
  auto empty = std::make_shared<Table>();
  empty->Reset(in);
  auto probe = with_source ? c.PlanPipeline(*op.right, KeyScope(scope, key_name, Value(), key_type))
                           : c.PlanPipeline(*op.right, scope,
                                            std::make_unique<TableOp>(empty, "PartitionRows"));
  if (!probe) {
    return probe;
  }
  const Schema schema = (*probe)->schema();
  Compiler* cp = &c;
  PipelinePtr right = op.right;
  auto transform = [cp, scope, right, schema, in, key_col, key_name, key_type, with_source,
                    strategy](const Table& t) -> KResult<TablePtr> {
    ExecContext* ctx = cp->ctx();
    std::vector<Value> keys;
    std::vector<std::vector<size_t>> rows_of;
    std::unordered_map<Value, size_t, ValueHash, ValueEq> index;
    const auto& key_values = t.cols[static_cast<size_t>(key_col)];
    for (size_t r = 0; r < t.rows; ++r) {
      const Value key = CellOrNull(key_values, r);
      auto [it, fresh] = index.emplace(key, keys.size());
      if (fresh) {
        keys.push_back(key);
        rows_of.emplace_back();
      }
      rows_of[it->second].push_back(r);
    }
    if (with_source && strategy == "legacy" && keys.size() > kLegacyMaxPartitions) {
      return KErr("KQL0110",
                  "partition: the legacy strategy with a subquery source allows at most " +
                      std::to_string(kLegacyMaxPartitions) + " partitions, got " +
                      std::to_string(keys.size()));
    }
    auto out = std::make_shared<Table>();
    out->Reset(schema);
    for (size_t p = 0; p < keys.size(); ++p) {
      auto ok = ctx->Check();
      if (!ok) {
        return tl::unexpected(ok.error());
      }
      KResult<PhysOpPtr> plan;
      if (with_source) {
        plan = cp->PlanPipeline(*right, KeyScope(scope, key_name, keys[p], key_type));
      } else {
        auto part = std::make_shared<Table>();
        part->Reset(in);
        std::vector<Value> row(in.size());
        for (size_t r : rows_of[p]) {
          for (size_t col = 0; col < in.size(); ++col) {
            row[col] = CellOrNull(t.cols[col], r);
          }
          auto appended = AppendCharged(*part, row, *ctx);
          if (!appended) {
            return tl::unexpected(appended.error());
          }
        }
        plan = cp->PlanPipeline(*right, scope, std::make_unique<TableOp>(part, "PartitionRows"));
      }
      if (!plan) {
        return tl::unexpected(plan.error());
      }
      auto result = cp->Execute(std::move(*plan));
      if (!result) {
        return tl::unexpected(result.error());
      }
      const Table& sub = **result;
      // Columns by name: a partition whose result lacks a column gets nulls there.
      std::vector<int> map(schema.size(), -1);
      for (size_t col = 0; col < schema.size(); ++col) {
        map[col] = FindColumn(sub.schema, schema[col].name);
      }
      std::vector<Value> row(schema.size());
      for (size_t sr = 0; sr < sub.rows; ++sr) {
        for (size_t col = 0; col < schema.size(); ++col) {
          row[col] = map[col] < 0
                         ? Value()
                         : CoerceTo(sub.cols[static_cast<size_t>(map[col])][sr], schema[col].type);
        }
        auto appended = AppendCharged(*out, row, *ctx);
        if (!appended) {
          return tl::unexpected(appended.error());
        }
      }
    }
    return TablePtr(out);
  };
  return PhysOpPtr(std::make_unique<MaterializeOp>(
      std::move(input), schema, transform, "Partition by " + key_name + " strategy=" + strategy,
      c.ctx()));
}

}  // namespace vigil::kql
