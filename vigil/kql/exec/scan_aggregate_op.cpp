#include "vigil/kql/exec/scan_aggregate_op.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <unordered_map>
#include <utility>

#include <xxhash.h>

#include "vigil/base/string_interner.h"
#include "vigil/kql/exec/fused_dcount.h"
#include "vigil/kql/exec/row_key.h"

namespace vigil::kql {

namespace {

constexpr size_t kMaxKeys = 3;

enum class KeyKind : uint8_t {
  kDict,  // a string or guid column: interned per distinct dictionary value
  kInt,   // an integer-backed column
  kExpr,  // an expression over integer-backed/real columns with an integer-backed result
};

struct KeyPlan {
  KeyKind kind = KeyKind::kInt;
  int column = -1;          // kDict, kInt: input schema column
  std::vector<int> inputs;  // kExpr: the columns it reads
  BExprPtr expr;
};

enum class AggKind : uint8_t { kCount, kDcount, kGeneric };

struct AggPlan {
  AggKind kind = AggKind::kGeneric;
  int column = -1;        // kDcount
  int64_t accuracy = 1;   // kDcount
};

// The group key of one row: a part per key (intern id or integer) and a null mask.
struct GroupKey {
  std::array<uint64_t, kMaxKeys + 1> parts{};
  bool operator==(const GroupKey& o) const { return parts == o.parts; }
};
struct GroupKeyHash {
  size_t operator()(const GroupKey& k) const {
    return static_cast<size_t>(XXH3_64bits(k.parts.data(), sizeof(k.parts)));
  }
};

bool IsIntType(Type t) {
  return t == Type::kBool || t == Type::kInt || t == Type::kLong || t == Type::kDateTime ||
         t == Type::kTimeSpan;
}

// False if the expression's value depends on more than the current row (window functions, row
// numbers, prev/next, pack_all) or is not deterministic.
bool RowLocal(const BExpr& e) {
  switch (e.kind) {
    case BKind::kRowNumber:
    case BKind::kPrevNext:
    case BKind::kPackAll:
    case BKind::kRowWindow:
      return false;
    case BKind::kCall:
      if (e.fn == nullptr || !e.fn->deterministic) {
        return false;
      }
      break;
    default:
      break;
  }
  return std::all_of(e.args.begin(), e.args.end(),
                     [](const BExprPtr& a) { return !a || RowLocal(*a); });
}

class ScanAggregateOp final : public PhysOp {
 public:
  ScanAggregateOp(PhysOpPtr input, Schema schema, std::vector<KeyPlan> keys,
                  std::vector<AggPlan> aggs, std::vector<AggSpec> specs, std::string label,
                  ExecContext* ctx)
      : keys_(std::move(keys)),
        aggs_(std::move(aggs)),
        specs_(std::move(specs)),
        label_(std::move(label)),
        ctx_(ctx) {
    schema_ = std::move(schema);
    inputs_.push_back(std::move(input));
  }

  std::string Describe() const override { return label_ + " fused-scan"; }

  void NeededInputs(const std::vector<bool>& out,
                    std::vector<std::vector<bool>>& in) const override {
    (void)out;
    for (const auto& k : keys_) {
      MarkExprColumns(*k.expr, in[0]);
    }
    for (const auto& spec : specs_) {
      for (const auto& arg : spec.args) {
        MarkExprColumns(*arg, in[0]);
      }
    }
  }

  KResult<bool> Next(Chunk& out) override {
    if (!built_) {
      built_ = true;
      auto ok = Build();
      if (!ok) {
        return ok;
      }
    }
    return EmitFromTable(*result_, pos_, out);
  }

 private:
  // One scan shard's groups; touched only by that shard's thread until the merge.
  struct Worker {
    std::vector<int> batch_col;  // input column -> batch column
    std::vector<ScanDictCache> cells;                         // per batch column
    std::vector<StringInterner> intern;  // per key
    std::vector<std::vector<int64_t>> code_id;                // per key: dict code -> intern id
    std::vector<uint64_t> id_space;                // per key: the store's value-id space seen
    std::vector<std::vector<int64_t>> value_id;    // per key: store value id -> intern id
    std::vector<std::shared_ptr<const store::Dictionary>> key_dict;  // per key
    std::vector<int64_t> code_group;  // single dictionary key: dict code -> group
    std::vector<int64_t> intern_group;  // single dictionary key: intern id -> group
    std::vector<FusedDcount> dcounts;  // per agg (kDcount only)
    size_t dcount_bytes = 0;           // their bitmaps
    std::vector<uint32_t> groups;  // per batch row
    std::unordered_map<GroupKey, uint32_t, GroupKeyHash> index;
    std::vector<std::vector<Value>> group_values;  // key Values per group
    std::vector<int64_t> counts;                   // [group * aggs + agg]
    std::vector<std::unique_ptr<AggregateState>> states;  // [group * aggs + agg]
    Chunk row;  // one-row chunk for expression keys
    std::vector<Value> args;
    RegexCache regex;
    std::vector<std::string> warnings;
    EvalContext eval;
  };

  KResult<bool> Build();
  // Appends a fresh count and state for every aggregate of one new group.
  void AddGroupStates(std::vector<int64_t>& counts,
                      std::vector<std::unique_ptr<AggregateState>>& states) const {
    for (size_t a = 0; a < aggs_.size(); ++a) {
      counts.push_back(0);
      states.push_back(aggs_[a].kind == AggKind::kCount ? nullptr : specs_[a].fn->create());
    }
  }
  // Groups the batch's rows (w.groups), then runs each aggregate over them.
  KResult<bool> Consume(Worker& w, const store::ColumnBatch& batch,
                        const std::vector<uint32_t>& rows);
  KResult<uint32_t> NewGroup(Worker& w, const GroupKey& key, const store::ColumnBatch& batch,
                             size_t r);

  std::vector<KeyPlan> keys_;
  std::vector<AggPlan> aggs_;
  std::vector<AggSpec> specs_;  // the summarize's aggregates, parallel to aggs_
  std::string label_;
  ExecContext* ctx_;
  std::atomic<size_t> bytes_{0};
  TablePtr result_;
  size_t pos_ = 0;
  bool built_ = false;
};

KResult<uint32_t> ScanAggregateOp::NewGroup(Worker& w, const GroupKey& key,
                                            const store::ColumnBatch& batch, size_t r) {
  const auto g = static_cast<uint32_t>(w.group_values.size());
  std::vector<Value> values;
  size_t bytes = 64 * (keys_.size() + aggs_.size() + 2);
  for (size_t k = 0; k < keys_.size(); ++k) {
    const KeyPlan& kp = keys_[k];
    if (kp.kind == KeyKind::kExpr) {
      values.push_back(Eval(*kp.expr, w.row, 0, w.eval));
      continue;
    }
    const int b = w.batch_col[static_cast<size_t>(kp.column)];
    values.push_back(ScanCell(batch.column(static_cast<size_t>(b)), r,
                              w.cells[static_cast<size_t>(b)]));
    bytes += values.back().AsString().size();
  }
  w.index.emplace(key, g);
  w.group_values.push_back(std::move(values));
  AddGroupStates(w.counts, w.states);
  const size_t total = bytes_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (total > ctx_->limits.memory_budget_bytes) {
    return KErr("KQL0902", "query exceeded its memory budget of " +
                               std::to_string(ctx_->limits.memory_budget_bytes >> 20) +
                               " MiB; narrow the time range or filter earlier");
  }
  return g;
}

KResult<bool> ScanAggregateOp::Consume(Worker& w, const store::ColumnBatch& batch,
                                       const std::vector<uint32_t>& rows) {
  const Schema& in = inputs_[0]->schema();
  if (w.batch_col.empty()) {
    w.batch_col.assign(in.size(), -1);
    for (size_t c = 0; c < in.size(); ++c) {
      w.batch_col[c] = batch.FindColumn(in[c].name);
    }
    w.cells.resize(batch.columns.size());
    w.row.rows = 1;
    w.row.cols.assign(in.size(), std::vector<Value>(1));
  }
  auto col_of = [&](int c) -> const store::ColumnVector& {
    return batch.column(static_cast<size_t>(w.batch_col[static_cast<size_t>(c)]));
  };
  for (size_t b = 0; b < batch.columns.size(); ++b) {
    w.cells[b].Refresh(batch.column(b));
  }
  const bool single_dict = keys_.size() == 1 && keys_[0].kind == KeyKind::kDict;
  for (size_t k = 0; k < keys_.size(); ++k) {
    if (keys_[k].kind == KeyKind::kDict) {
      const auto& col = col_of(keys_[k].column);
      if (w.key_dict[k] != col.dict) {
        w.key_dict[k] = col.dict;
        w.code_id[k].assign(col.dict->size(), -1);
        if (single_dict) {
          w.code_group.assign(col.dict->size(), -1);
        }
      }
    }
  }
  GroupKey key;
  const store::ColumnVector* single_key = single_dict ? &col_of(keys_[0].column) : nullptr;
  w.groups.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t r = rows[i];
    // The row's group.
    int64_t group = -1;
    int64_t* code_group_slot = nullptr;
    if (single_key != nullptr && !single_key->IsNull(r)) {
      code_group_slot = &w.code_group[single_key->codes[r]];
      group = *code_group_slot;
      if (group >= 0) {
        w.groups[i] = static_cast<uint32_t>(group);
        continue;
      }
    }
    if (group < 0) {
      key.parts.fill(0);
      for (size_t k = 0; k < keys_.size(); ++k) {
        const KeyPlan& kp = keys_[k];
        switch (kp.kind) {
          case KeyKind::kDict: {
            const auto& col = col_of(kp.column);
            const bool null = col.IsNull(r);
            if (null && col.type != schema::ColumnType::kString) {
              key.parts[kMaxKeys] |= uint64_t{1} << k;
              break;
            }
            int64_t* id = null ? nullptr : &w.code_id[k][col.codes[r]];
            if (id != nullptr && *id >= 0) {
              key.parts[k] = static_cast<uint64_t>(*id);
              break;
            }
            // A value the store numbered table-wide and this worker met in an earlier
            // dictionary: its intern id without comparing texts.
            int64_t* value_slot = nullptr;
            if (!null && col.dict->id_space() != 0) {
              if (w.id_space[k] != col.dict->id_space()) {
                w.id_space[k] = col.dict->id_space();
                w.value_id[k].clear();
              }
              const uint32_t value = col.dict->value_ids()[col.codes[r]];
              std::vector<int64_t>& ids = w.value_id[k];
              if (value >= ids.size()) {
                ids.resize(std::max<size_t>(value + 1, ids.size() * 2), -1);
              }
              value_slot = &ids[value];
              if (*value_slot >= 0) {
                *id = *value_slot;
                key.parts[k] = static_cast<uint64_t>(*value_slot);
                break;
              }
            }
            // A null string is the empty string (one group); guids group by canonical text.
            std::string guid_text;
            std::string_view text;
            uint32_t interned = 0;
            if (null) {
              interned = w.intern[k].Intern(text);
            } else {
              const uint32_t code = col.codes[r];
              text = (*col.dict)[code];
              if (col.type == schema::ColumnType::kGuid) {
                guid_text = ScanDictValue(col.type, text).AsString();
                interned = w.intern[k].Intern(guid_text);
              } else if (!col.dict->hashes().empty()) {  // the store hashed the values already
                interned = w.intern[k].Intern(text, col.dict->hashes()[code]);
              } else {
                interned = w.intern[k].Intern(text);
              }
            }
            if (id != nullptr) {
              *id = interned;
            }
            if (value_slot != nullptr) {
              *value_slot = interned;
            }
            key.parts[k] = interned;
            break;
          }
          case KeyKind::kInt: {
            const auto& col = col_of(kp.column);
            if (col.IsNull(r)) {
              key.parts[kMaxKeys] |= uint64_t{1} << k;
            } else {
              key.parts[k] = static_cast<uint64_t>(col.ints[r]);
            }
            break;
          }
          case KeyKind::kExpr: {
            for (int c : kp.inputs) {
              const int b = w.batch_col[static_cast<size_t>(c)];
              w.row.cols[static_cast<size_t>(c)][0] =
                  ScanCell(batch.column(static_cast<size_t>(b)), r,
                           w.cells[static_cast<size_t>(b)]);
            }
            const Value v = Eval(*kp.expr, w.row, 0, w.eval);
            if (v.is_null()) {
              key.parts[kMaxKeys] |= uint64_t{1} << k;
            } else {
              key.parts[k] = static_cast<uint64_t>(v.AsInt64());
            }
            break;
          }
        }
      }
      // One dictionary key that is not null: its intern id names the group directly.
      int64_t* id_group = nullptr;
      if (single_dict && key.parts[kMaxKeys] == 0) {
        const auto id = static_cast<size_t>(key.parts[0]);
        if (id >= w.intern_group.size()) {
          w.intern_group.resize(std::max(id + 1, w.intern_group.size() * 2), -1);
        }
        id_group = &w.intern_group[id];
        group = *id_group;
      }
      if (group < 0) {
        auto it = w.index.find(key);
        if (it != w.index.end()) {
          group = it->second;
        } else {
          auto g = NewGroup(w, key, batch, r);
          if (!g) {
            return tl::unexpected(g.error());
          }
          group = *g;
        }
        if (id_group != nullptr) {
          *id_group = group;
        }
      }
      if (code_group_slot != nullptr) {
        *code_group_slot = group;
      }
    }
    w.groups[i] = static_cast<uint32_t>(group);
  }
  // The aggregates, one at a time over the batch.
  const size_t n = aggs_.size();
  for (size_t a = 0; a < n; ++a) {
    const AggPlan& ap = aggs_[a];
    switch (ap.kind) {
      case AggKind::kCount:
        for (const uint32_t g : w.groups) {
          ++w.counts[g * n + a];
        }
        break;
      case AggKind::kDcount:
        w.dcounts[a].Add(col_of(ap.column), rows, w.groups, w.states);
        break;
      case AggKind::kGeneric:
        for (size_t i = 0; i < rows.size(); ++i) {
          const uint32_t r = rows[i];
          w.args.clear();
          for (const auto& arg : specs_[a].args) {
            if (arg->kind == BKind::kColumn) {
              const int b = w.batch_col[static_cast<size_t>(arg->column)];
              w.args.push_back(ScanCell(batch.column(static_cast<size_t>(b)), r,
                                        w.cells[static_cast<size_t>(b)]));
            } else {
              w.args.push_back(arg->constant);
            }
          }
          w.states[w.groups[i] * n + a]->Add(w.args);
        }
        break;
    }
  }
  return true;
}

KResult<bool> ScanAggregateOp::Build() {
  auto* scan = static_cast<ScanOp*>(inputs_[0].get());
  std::vector<std::unique_ptr<Worker>> workers;
  // Per aggregate: the store value ids' hashes the threads' fused dcounts share.
  std::vector<std::unique_ptr<SharedIdHashes>> shared_ids;
  for (size_t a = 0; a < aggs_.size(); ++a) {
    shared_ids.push_back(std::make_unique<SharedIdHashes>());
  }
  for (size_t i = 0; i < scan->ShardCount(); ++i) {
    auto w = std::make_unique<Worker>();
    w->intern.resize(keys_.size());
    w->code_id.resize(keys_.size());
    w->id_space.resize(keys_.size(), 0);
    w->value_id.resize(keys_.size());
    w->key_dict.resize(keys_.size());
    for (size_t a = 0; a < aggs_.size(); ++a) {
      w->dcounts.emplace_back(aggs_[a].accuracy, aggs_.size(), a, &w->dcount_bytes,
                              ctx_->limits.dcount_bitmap_bytes, shared_ids[a].get());
    }
    w->eval.fn = ctx_->eval.fn;
    w->eval.fn.regex = &w->regex;
    w->eval.fn.warnings = &w->warnings;
    workers.push_back(std::move(w));
  }
  auto ran = scan->RunBatches([&](size_t worker, const store::ColumnBatch& batch,
                                  const std::vector<uint32_t>& rows) -> KResult<bool> {
    return Consume(*workers[worker], batch, rows);
  }, [&](size_t worker) {
    // Feed the dcount bitmaps to their states on the worker's own thread.
    for (auto& d : workers[worker]->dcounts) {
      d.Finish(workers[worker]->states);
    }
  });
  if (!ran) {
    return ran;
  }
  for (auto& w : workers) {  // workers the scan did not use
    for (auto& d : w->dcounts) {
      d.Finish(w->states);
    }
  }
  // Merge the shards' groups (first shard's order first).
  std::unordered_map<std::vector<Value>, size_t, RowKeyHash, RowKeyEq<true>> index;
  std::vector<std::vector<Value>> keys;
  std::vector<int64_t> counts;
  std::vector<std::unique_ptr<AggregateState>> states;
  const size_t n = aggs_.size();
  for (auto& w : workers) {
    for (auto& warning : w->warnings) {
      ctx_->Warn(std::move(warning));
    }
    for (size_t g = 0; g < w->group_values.size(); ++g) {
      auto [it, inserted] = index.emplace(w->group_values[g], keys.size());
      if (inserted) {
        keys.push_back(std::move(w->group_values[g]));
        for (size_t a = 0; a < n; ++a) {
          counts.push_back(w->counts[g * n + a]);
          states.push_back(std::move(w->states[g * n + a]));
        }
        continue;
      }
      const size_t base = it->second * n;
      for (size_t a = 0; a < n; ++a) {
        counts[base + a] += w->counts[g * n + a];
        if (states[base + a] && w->states[g * n + a]) {
          states[base + a]->Merge(*w->states[g * n + a]);
        }
      }
    }
    w->states.clear();
  }
  auto charged = ctx_->Charge(bytes_.load());
  if (!charged) {
    return charged;
  }
  if (keys_.empty() && keys.empty()) {
    // summarize without keys yields one row even over no input
    keys.emplace_back();
    AddGroupStates(counts, states);
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema_);
  for (size_t g = 0; g < keys.size(); ++g) {
    AppendGroupRow(*out, schema_, keys[g], specs_, [&](size_t a, std::vector<Value>& values) {
      if (aggs_[a].kind == AggKind::kCount) {
        values.push_back(Value::Long(counts[g * n + a]));
      } else {
        states[g * n + a]->Finish(values);
      }
    });
  }
  result_ = std::move(out);
  return true;
}

}  // namespace

std::unique_ptr<PhysOp> MakeScanAggregate(PhysOpPtr& input, const Schema& schema,
                                          const std::vector<BExprPtr>& keys,
                                          const std::vector<AggSpec>& aggs,
                                          const std::string& label, ExecContext* ctx) {
  auto* scan = dynamic_cast<ScanOp*>(input.get());
  if (scan == nullptr || scan->started() || keys.size() > kMaxKeys || aggs.empty()) {
    return nullptr;
  }
  const Schema& in = input->schema();
  std::vector<KeyPlan> key_plans;
  for (const auto& k : keys) {
    KeyPlan kp;
    kp.expr = k;
    if (k->kind == BKind::kColumn) {
      const Type t = in[static_cast<size_t>(k->column)].type;
      kp.column = k->column;
      if (t == Type::kString || t == Type::kGuid) {
        kp.kind = KeyKind::kDict;
      } else if (IsIntType(t)) {
        kp.kind = KeyKind::kInt;
      } else {
        return nullptr;
      }
    } else {
      kp.kind = KeyKind::kExpr;
      std::vector<bool> reads(in.size(), false);
      MarkExprColumns(*k, reads);
      for (size_t c = 0; c < reads.size(); ++c) {
        if (reads[c]) {
          kp.inputs.push_back(static_cast<int>(c));
        }
      }
      if (!IsIntType(k->type) || !RowLocal(*k) || kp.inputs.empty()) {
        return nullptr;
      }
      for (int c : kp.inputs) {
        const Type t = in[static_cast<size_t>(c)].type;
        if (!IsIntType(t) && t != Type::kReal) {
          return nullptr;
        }
      }
    }
    key_plans.push_back(std::move(kp));
  }
  std::vector<AggPlan> agg_plans;
  for (const auto& a : aggs) {
    AggPlan ap;
    if (a.condition) {
      return nullptr;
    }
    if (a.fn->name == "count" && a.args.empty()) {
      ap.kind = AggKind::kCount;
    } else if (a.fn->name == "dcount" && !a.args.empty() && a.args[0]->kind == BKind::kColumn &&
               (a.args.size() == 1 ||
                (a.args[1]->kind == BKind::kConst && (a.args[1]->constant.kind() == Kind::kInt ||
                                                   a.args[1]->constant.kind() == Kind::kLong)))) {
      const Type t = in[static_cast<size_t>(a.args[0]->column)].type;
      if (t == Type::kDynamic) {
        return nullptr;
      }
      ap.kind = AggKind::kDcount;
      ap.column = a.args[0]->column;
      ap.accuracy = a.args.size() > 1 ? a.args[1]->constant.AsInt64() : 1;
    } else {
      for (const auto& arg : a.args) {
        if (arg->kind != BKind::kColumn && arg->kind != BKind::kConst) {
          return nullptr;
        }
      }
      ap.kind = AggKind::kGeneric;
    }
    agg_plans.push_back(ap);
  }
  return std::make_unique<ScanAggregateOp>(std::move(input), schema, std::move(key_plans),
                                           std::move(agg_plans), aggs, label, ctx);
}

}  // namespace vigil::kql
