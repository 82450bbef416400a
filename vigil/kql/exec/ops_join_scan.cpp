// JoinOp's batch probe: when the left input is a store scan joined on one column, the scan's
// own threads probe its column batches. The key of a dictionary-encoded column is looked up
// once per distinct value of the block's dictionary (not once per row), only the needed left
// columns become Values, and each shard fills its own part of the result.
#include <atomic>
#include <unordered_map>
#include <vector>

#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

ScanOp* JoinOp::BatchProbeScan() const {
  if (left_keys_.size() != 1 || left_keys_[0]->kind != BKind::kColumn) {
    return nullptr;
  }
  switch (kind_) {
    case JoinKind::kInner:
    case JoinKind::kInnerUnique:
    case JoinKind::kLeftSemi:
    case JoinKind::kLeftAnti:
    case JoinKind::kLeftOuter:
      break;
    default:
      return nullptr;  // the right-side kinds remember which right rows matched
  }
  auto* scan = dynamic_cast<ScanOp*>(inputs_[0].get());
  return scan != nullptr && !scan->started() ? scan : nullptr;
}

KResult<bool> JoinOp::ProbeScanBatches(
    ScanOp& scan, const std::vector<std::pair<Value, std::vector<uint32_t>>>& keys,
    const Table& right) {
  std::unordered_map<Value, uint32_t, ValueHash, ValueEq> index;
  index.reserve(keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    index.emplace(keys[i].first, i);
  }
  // innerunique keeps one left row per key: the first shard to claim a key emits it.
  std::vector<std::atomic<uint8_t>> claimed(keys.size());  // value-initialized: 0
  const Schema& left_schema = inputs_[0]->schema();
  const size_t left_width = left_schema.size();
  const EmitColumns cols = NeededOutputs(left_width);
  const size_t width = cols.left.size() + cols.right.size();
  const int key_col = left_keys_[0]->column;

  struct Shard {
    std::vector<int> batch_col;  // left column -> batch column
    std::vector<ScanDictCache> cells;
    std::shared_ptr<const store::Dictionary> key_dict;
    std::vector<int64_t> code_key;  // dict code -> key index; -1 none; -2 not looked up yet
    Table out;
  };
  std::vector<Shard> shards(scan.ShardCount());
  for (Shard& sh : shards) {
    sh.out.Reset(schema_);
  }
  std::atomic<size_t> bytes{0};
  const size_t budget = ctx_->limits.memory_budget_bytes;

  auto ran = scan.RunBatches([&](size_t worker, const store::ColumnBatch& batch,
                                 const std::vector<uint32_t>& rows) -> KResult<bool> {
    Shard& sh = shards[worker];
    if (sh.batch_col.empty()) {
      sh.batch_col.assign(left_width, -1);
      for (size_t c = 0; c < left_width; ++c) {
        sh.batch_col[c] = batch.FindColumn(left_schema[c].name);
      }
      sh.cells.resize(batch.columns.size());
    }
    for (size_t b = 0; b < batch.columns.size(); ++b) {
      sh.cells[b].Refresh(batch.column(b));
    }
    const int kb = sh.batch_col[static_cast<size_t>(key_col)];
    if (kb < 0) {
      return KErr("KQL0905", "join key column missing from the scan");
    }
    const store::ColumnVector& key_vec = batch.column(static_cast<size_t>(kb));
    if (key_vec.dict && sh.key_dict != key_vec.dict) {
      sh.key_dict = key_vec.dict;
      sh.code_key.assign(key_vec.dict->size(), -2);
    }
    auto key_of = [&](uint32_t r) -> int64_t {
      auto lookup = [&]() -> int64_t {
        const Value v = NormalizeJoinKey(
            ScanCell(key_vec, r, sh.cells[static_cast<size_t>(kb)]));
        if (v.is_null()) {
          return -1;
        }
        auto it = index.find(v);
        return it == index.end() ? -1 : static_cast<int64_t>(it->second);
      };
      if (!key_vec.dict || key_vec.IsNull(r)) {
        return lookup();
      }
      int64_t& slot = sh.code_key[key_vec.codes[r]];
      if (slot == -2) {
        slot = lookup();
      }
      return slot;
    };
    const size_t before = sh.out.rows;
    auto emit = [&](uint32_t r, long rr) {
      for (const size_t c : cols.left) {
        const int b = sh.batch_col[c];
        sh.out.cols[c].push_back(b >= 0 ? ScanCell(batch.column(static_cast<size_t>(b)), r,
                                                   sh.cells[static_cast<size_t>(b)])
                                        : CoerceTo(Value(), schema_[c].type));
      }
      for (const auto& [c, o] : cols.right) {
        sh.out.cols[o].push_back(rr >= 0 ? right.cols[c][static_cast<size_t>(rr)]
                                         : CoerceTo(Value(), schema_[o].type));
      }
      sh.out.rows++;
    };
    for (const uint32_t r : rows) {
      const int64_t k = key_of(r);
      const std::vector<uint32_t>* matches =
          k >= 0 ? &keys[static_cast<size_t>(k)].second : nullptr;
      switch (kind_) {
        case JoinKind::kInnerUnique:
          if (matches != nullptr &&
              claimed[static_cast<size_t>(k)].exchange(1, std::memory_order_relaxed) == 0) {
            for (uint32_t m : *matches) {
              emit(r, m);
            }
          }
          break;
        case JoinKind::kInner:
          if (matches != nullptr) {
            for (uint32_t m : *matches) {
              emit(r, m);
            }
          }
          break;
        case JoinKind::kLeftOuter:
          if (matches != nullptr) {
            for (uint32_t m : *matches) {
              emit(r, m);
            }
          } else {
            emit(r, -1);
          }
          break;
        case JoinKind::kLeftAnti:
          if (matches == nullptr) {
            emit(r, -1);
          }
          break;
        case JoinKind::kLeftSemi:
          if (matches != nullptr) {
            emit(r, -1);
          }
          break;
        default:
          break;
      }
    }
    const size_t added = (sh.out.rows - before) * width * sizeof(Value) + 1;
    if (bytes.fetch_add(added, std::memory_order_relaxed) + added > budget) {
      return KErr("KQL0902", "query exceeded its memory budget of " +
                                 std::to_string(budget >> 20) +
                                 " MiB; narrow the time range or filter earlier");
    }
    return true;
  });
  if (!ran) {
    return ran;
  }
  auto charged = ctx_->Charge(bytes.load());
  if (!charged) {
    return charged;
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema_);
  for (Shard& sh : shards) {
    for (size_t c = 0; c < schema_.size(); ++c) {
      auto& dst = out->cols[c];
      auto& src = sh.out.cols[c];
      if (dst.empty()) {
        dst = std::move(src);
      } else {
        dst.insert(dst.end(), std::make_move_iterator(src.begin()),
                   std::make_move_iterator(src.end()));
      }
    }
    out->rows += sh.out.rows;
  }
  label_ += " (batch probe)";
  result_ = std::move(out);
  return true;
}

}  // namespace vigil::kql
