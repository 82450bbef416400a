// Hash join with Kusto's join kinds. The right side is built into a hash table; the left side
// is streamed against it (collected only where the kind needs to remember matches).
#include <unordered_map>

#include "vigil/kql/exec/operators.h"
#include "vigil/kql/exec/row_key.h"
#include "vigil/kql/exec/compiler_internal.h"
#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

namespace {

using KeyHash = RowKeyHash;
using KeyEq = RowKeyEq<false>;

bool AnyNull(const std::vector<Value>& key) {
  for (const auto& v : key) {
    if (v.is_null()) {
      return true;
    }
  }
  return false;
}

}  // namespace

// Join keys compare across int/long/real and guid/string: normalise.
Value NormalizeJoinKey(Value v) {
  if (v.kind() == Kind::kInt) {
    return Value::Long(v.AsInt64());
  }
  if (v.kind() == Kind::kGuid) {
    return Value::String(v.AsString());
  }
  return v;
}

JoinOp::JoinOp(PhysOpPtr left, PhysOpPtr right, JoinKind kind, std::vector<BExprPtr> left_keys,
               std::vector<BExprPtr> right_keys, Schema schema, std::vector<int> right_out,
               std::string label, ExecContext* ctx)
    : kind_(kind),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)),
      right_out_(std::move(right_out)),
      label_(std::move(label)),
      ctx_(ctx) {
  schema_ = std::move(schema);
  inputs_.push_back(std::move(left));
  inputs_.push_back(std::move(right));
}

// Kinds that drop left rows without a match: the build side's keys can filter the left scan
// (a dynamic semi-join filter, evaluated once per distinct dictionary value in the scan).
void JoinOp::PushKeySetIntoLeftScan(const std::vector<Value>& keys) {
  const bool drops_unmatched_left = kind_ == JoinKind::kInner || kind_ == JoinKind::kInnerUnique ||
                                    kind_ == JoinKind::kLeftSemi || kind_ == JoinKind::kRightSemi ||
                                    kind_ == JoinKind::kRightOuter ||
                                    kind_ == JoinKind::kRightAnti;
  if (!drops_unmatched_left || left_keys_.size() != 1 || left_keys_[0]->kind != BKind::kColumn ||
      keys.size() > 1'000'000) {
    return;
  }
  PhysOp* op = inputs_[0].get();
  ScanOp* scan = nullptr;
  while (op != nullptr) {
    if ((scan = dynamic_cast<ScanOp*>(op)) != nullptr) {
      break;
    }
    if (dynamic_cast<FilterOp*>(op) == nullptr || op->inputs().empty()) {
      return;
    }
    op = op->inputs()[0].get();
  }
  if (scan == nullptr || scan->started()) {
    return;
  }
  auto set = std::make_shared<std::unordered_set<Value, ValueHash, ValueEq>>();
  for (const auto& key : keys) {
    set->insert(key);
  }
  const int column = left_keys_[0]->column;
  auto in = std::make_shared<BExpr>();
  in->kind = BKind::kIn;
  in->type = Type::kBool;
  in->text = left_keys_[0]->text + " in (" + std::to_string(set->size()) + " join keys)";
  in->args.push_back(MakeColumn(0, left_keys_[0]->type, left_keys_[0]->text));
  in->set = std::move(set);
  scan->AddFilter(ScanFilter{column, in});
  label_ += " semi-join filter pushed into the left scan";
}

KResult<bool> JoinOp::Build() {
  auto right = Collect(*inputs_[1], *ctx_);
  if (!right) {
    return tl::unexpected(right.error());
  }
  const Table& rt = **right;
  Chunk rview;
  rview.rows = rt.rows;
  rview.cols = rt.cols;
  std::unordered_map<std::vector<Value>, std::vector<uint32_t>, KeyHash, KeyEq> hash;
  std::vector<Value> key(right_keys_.size());
  for (size_t r = 0; r < rt.rows; ++r) {
    for (size_t k = 0; k < right_keys_.size(); ++k) {
      key[k] = NormalizeJoinKey(Eval(*right_keys_[k], rview, r, ctx_->eval));
    }
    if (AnyNull(key)) {
      continue;
    }
    hash[key].push_back(static_cast<uint32_t>(r));
  }
  if (left_keys_.size() == 1) {
    std::vector<Value> keys;
    keys.reserve(hash.size());
    for (const auto& [key, rows] : hash) {
      keys.push_back(key[0]);
    }
    PushKeySetIntoLeftScan(keys);
    if (ScanOp* scan = BatchProbeScan()) {
      std::vector<std::pair<Value, std::vector<uint32_t>>> lists;
      lists.reserve(hash.size());
      for (auto& [key, rows] : hash) {
        lists.emplace_back(key[0], std::move(rows));
      }
      return ProbeScanBatches(*scan, lists, rt);
    }
  }
  std::vector<uint8_t> right_matched(rt.rows, 0);
  const bool emit_left = kind_ != JoinKind::kRightSemi && kind_ != JoinKind::kRightAnti;
  const size_t left_width = emit_left ? inputs_[0]->schema().size() : 0;

  auto out = std::make_shared<Table>();
  out->Reset(schema_);
  const EmitColumns cols = NeededOutputs(left_width);
  auto emit = [&](const Chunk* lc, size_t lr, const Table* rtab, long rr) {
    for (const size_t c : cols.left) {
      out->cols[c].push_back(lc != nullptr ? CellOrNull(lc->cols[c], lr)
                                           : CoerceTo(Value(), schema_[c].type));
    }
    for (const auto& [c, o] : cols.right) {
      out->cols[o].push_back(rr >= 0 ? rtab->cols[c][static_cast<size_t>(rr)]
                                     : CoerceTo(Value(), schema_[o].type));
    }
    out->rows++;
  };

  std::unordered_map<std::vector<Value>, bool, KeyHash, KeyEq> left_seen;  // innerunique
  size_t emitted_bytes = 0;
  auto read = ForEachChunk(*inputs_[0], *ctx_, [&](const Chunk& in) -> KResult<bool> {
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t k = 0; k < left_keys_.size(); ++k) {
        key[k] = NormalizeJoinKey(Eval(*left_keys_[k], in, r, ctx_->eval));
      }
      const std::vector<uint32_t>* matches = nullptr;
      if (!AnyNull(key)) {
        auto it = hash.find(key);
        if (it != hash.end()) {
          matches = &it->second;
        }
      }
      switch (kind_) {
        case JoinKind::kInnerUnique:
          if (matches == nullptr || !left_seen.emplace(key, true).second) {
            break;
          }
          for (uint32_t m : *matches) {
            emit(&in, r, &rt, m);
          }
          break;
        case JoinKind::kInner:
          if (matches != nullptr) {
            for (uint32_t m : *matches) {
              emit(&in, r, &rt, m);
            }
          }
          break;
        case JoinKind::kLeftOuter:
        case JoinKind::kFullOuter:
        case JoinKind::kRightOuter:
          if (matches != nullptr) {
            for (uint32_t m : *matches) {
              right_matched[m] = 1;
              emit(&in, r, &rt, m);
            }
          } else if (kind_ != JoinKind::kRightOuter) {
            emit(&in, r, &rt, -1);
          }
          break;
        case JoinKind::kLeftAnti:
          if (matches == nullptr) {
            emit(&in, r, &rt, -1);
          }
          break;
        case JoinKind::kLeftSemi:
          if (matches != nullptr) {
            emit(&in, r, &rt, -1);
          }
          break;
        case JoinKind::kRightAnti:
        case JoinKind::kRightSemi:
          if (matches != nullptr) {
            for (uint32_t m : *matches) {
              right_matched[m] = 1;
            }
          }
          break;
      }
    }
    const size_t width = cols.left.size() + cols.right.size();
    const size_t now_bytes = out->rows * width * sizeof(Value);
    if (now_bytes > emitted_bytes) {
      auto charged = ctx_->Charge(now_bytes - emitted_bytes);
      if (!charged) {
        return charged;
      }
      emitted_bytes = now_bytes;
    }
    return true;
  });
  if (!read) {
    return read;
  }
  if (kind_ == JoinKind::kRightOuter || kind_ == JoinKind::kFullOuter ||
      kind_ == JoinKind::kRightAnti || kind_ == JoinKind::kRightSemi) {
    const bool want_matched = kind_ == JoinKind::kRightSemi;
    for (size_t r = 0; r < rt.rows; ++r) {
      if ((right_matched[r] != 0) == want_matched) {
        emit(nullptr, 0, &rt, static_cast<long>(r));
      }
    }
  }
  result_ = std::move(out);
  return true;
}

JoinOp::EmitColumns JoinOp::NeededOutputs(size_t left_width) const {
  auto needed = [&](size_t c) { return needed_.empty() || (c < needed_.size() && needed_[c]); };
  EmitColumns cols;
  for (size_t c = 0; c < left_width; ++c) {
    if (needed(c)) {
      cols.left.push_back(c);
    }
  }
  for (size_t c = 0; c < right_out_.size(); ++c) {
    if (right_out_[c] >= 0 && needed(static_cast<size_t>(right_out_[c]))) {
      cols.right.emplace_back(c, static_cast<size_t>(right_out_[c]));
    }
  }
  return cols;
}

KResult<bool> JoinOp::Next(Chunk& out) {
  if (!built_) {
    built_ = true;
    auto ok = Build();
    if (!ok) {
      return ok;
    }
  }
  return EmitFromTable(*result_, pos_, out);
}

}  // namespace vigil::kql
