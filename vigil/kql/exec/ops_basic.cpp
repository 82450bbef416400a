// Streaming operators (table, filter, project/extend, take, count, union) and sort/top.
#include <algorithm>
#include <numeric>
#include <queue>

#include "vigil/kql/exec/operators.h"

namespace vigil::kql {

KResult<bool> EmitFromTable(const Table& table, size_t& pos, Chunk& out) {
  out.Reset(table.schema.size());
  if (pos >= table.rows) {
    return false;
  }
  const size_t n = std::min(kChunkRows, table.rows - pos);
  for (size_t c = 0; c < table.cols.size(); ++c) {
    if (table.cols[c].size() < pos + n) {
      continue;  // a column the plan does not need (left empty)
    }
    out.cols[c].assign(table.cols[c].begin() + static_cast<ptrdiff_t>(pos),
                       table.cols[c].begin() + static_cast<ptrdiff_t>(pos + n));
  }
  out.rows = n;
  pos += n;
  return true;
}

TableOp::TableOp(TablePtr table, std::string label)
    : table_(std::move(table)), label_(std::move(label)) {
  schema_ = table_->schema;
}

KResult<bool> TableOp::Next(Chunk& out) { return EmitFromTable(*table_, pos_, out); }

LazyTableOp::LazyTableOp(Schema schema, std::function<KResult<TablePtr>()> produce,
                         std::string label)
    : produce_(std::move(produce)), label_(std::move(label)) {
  schema_ = std::move(schema);
}

KResult<bool> LazyTableOp::Next(Chunk& out) {
  if (!table_) {
    auto t = produce_();
    if (!t) {
      return tl::unexpected(t.error());
    }
    table_ = *t;
  }
  return EmitFromTable(*table_, pos_, out);
}

FilterOp::FilterOp(PhysOpPtr input, BExprPtr predicate, ExecContext* ctx)
    : predicate_(std::move(predicate)), ctx_(ctx) {
  schema_ = input->schema();
  inputs_.push_back(std::move(input));
}

KResult<bool> FilterOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  while (true) {
    auto ok = ctx_->Check();
    if (!ok) {
      return ok;
    }
    in_.Reset(schema_.size());
    auto more = inputs_[0]->Next(in_);
    if (!more || !*more) {
      return more;
    }
    std::vector<uint32_t> keep;
    keep.reserve(in_.rows);
    for (size_t r = 0; r < in_.rows; ++r) {
      if (IsTrue(Eval(*predicate_, in_, r, ctx_->eval))) {
        keep.push_back(static_cast<uint32_t>(r));
      }
    }
    if (keep.empty()) {
      continue;
    }
    if (keep.size() == in_.rows) {
      std::swap(out, in_);
      return true;
    }
    for (size_t c = 0; c < schema_.size(); ++c) {
      auto& dst = out.cols[c];
      if (in_.cols[c].empty()) {
        continue;  // a column the plan does not need
      }
      dst.reserve(keep.size());
      for (uint32_t r : keep) {
        dst.push_back(std::move(in_.cols[c][r]));
      }
    }
    out.rows = keep.size();
    return true;
  }
}

ProjectOp::ProjectOp(PhysOpPtr input, Schema schema, std::vector<BExprPtr> exprs,
                     std::string label, ExecContext* ctx)
    : exprs_(std::move(exprs)), label_(std::move(label)), ctx_(ctx) {
  schema_ = std::move(schema);
  for (const auto& e : exprs_) {
    passthrough_.push_back(e->kind == BKind::kColumn ? e->column : -1);
  }
  // A passthrough column may be moved out of the input chunk when nothing else reads it.
  std::vector<int> uses(input->schema().size(), 0);
  for (size_t c = 0; c < exprs_.size(); ++c) {
    if (passthrough_[c] >= 0) {
      uses[static_cast<size_t>(passthrough_[c])]++;
    }
  }
  std::vector<bool> read_by_exprs(input->schema().size(), false);
  for (size_t c = 0; c < exprs_.size(); ++c) {
    if (passthrough_[c] < 0) {
      MarkExprColumns(*exprs_[c], read_by_exprs);
    }
  }
  for (size_t c = 0; c < exprs_.size(); ++c) {
    const int src = passthrough_[c];
    single_use_.push_back(src >= 0 && uses[static_cast<size_t>(src)] == 1 &&
                          !read_by_exprs[static_cast<size_t>(src)]);
  }
  inputs_.push_back(std::move(input));
}

KResult<bool> ProjectOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  in_.Reset(inputs_[0]->schema().size());
  auto more = inputs_[0]->Next(in_);
  if (!more || !*more) {
    return more;
  }
  ctx_->eval.chunk_base_row = base_row_;
  // Computed columns first (they read the input), then plain column references, moved when
  // the input column is referenced once.
  for (size_t c = 0; c < exprs_.size(); ++c) {
    if (passthrough_[c] >= 0) {
      continue;
    }
    auto& dst = out.cols[c];
    if (c < needed_.size() && !needed_[c]) {
      dst.assign(in_.rows, Value());  // unread above: nulls keep the chunk's shape
      continue;
    }
    dst.reserve(in_.rows);
    for (size_t r = 0; r < in_.rows; ++r) {
      dst.push_back(CoerceTo(Eval(*exprs_[c], in_, r, ctx_->eval), schema_[c].type));
    }
  }
  for (size_t c = 0; c < exprs_.size(); ++c) {
    if (passthrough_[c] < 0) {
      continue;
    }
    const auto src = static_cast<size_t>(passthrough_[c]);
    if (single_use_[c]) {
      std::swap(out.cols[c], in_.cols[src]);
    } else {
      out.cols[c] = in_.cols[src];
    }
  }
  out.rows = in_.rows;
  base_row_ += in_.rows;
  return true;
}

TakeOp::TakeOp(PhysOpPtr input, size_t limit) : limit_(limit) {
  schema_ = input->schema();
  inputs_.push_back(std::move(input));
}

KResult<bool> TakeOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  if (taken_ >= limit_) {
    return false;
  }
  auto more = inputs_[0]->Next(out);
  if (!more || !*more) {
    return more;
  }
  if (taken_ + out.rows > limit_) {
    out.rows = limit_ - taken_;
    for (auto& col : out.cols) {
      if (col.size() > out.rows) {
        col.resize(out.rows);
      }
    }
  }
  taken_ += out.rows;
  return true;
}

CountOp::CountOp(PhysOpPtr input, std::string name, ExecContext* ctx) : ctx_(ctx) {
  schema_ = {{std::move(name), Type::kLong}};
  inputs_.push_back(std::move(input));
}

KResult<bool> CountOp::Next(Chunk& out) {
  out.Reset(1);
  if (done_) {
    return false;
  }
  done_ = true;
  int64_t n = 0;
  auto read = ForEachChunk(*inputs_[0], *ctx_, [&](const Chunk& in) -> KResult<bool> {
    n += static_cast<int64_t>(in.rows);
    return true;
  });
  if (!read) {
    return read;
  }
  out.cols[0].push_back(Value::Long(n));
  out.rows = 1;
  return true;
}

ConcatOp::ConcatOp(std::vector<PhysOpPtr> inputs, Schema schema,
                   std::vector<std::vector<int>> maps, std::string label)
    : maps_(std::move(maps)), label_(std::move(label)) {
  schema_ = std::move(schema);
  inputs_ = std::move(inputs);
}

KResult<bool> ConcatOp::Next(Chunk& out) {
  while (current_ < inputs_.size()) {
    auto& input = *inputs_[current_];
    in_.Reset(input.schema().size());
    auto more = input.Next(in_);
    if (!more) {
      return more;
    }
    if (!*more) {
      ++current_;
      continue;
    }
    out.Reset(schema_.size());
    const auto& map = maps_[current_];
    for (size_t c = 0; c < map.size(); ++c) {
      if (map[c] >= 0) {
        out.cols[static_cast<size_t>(map[c])] = std::move(in_.cols[c]);
      }
    }
    for (auto& col : out.cols) {
      col.resize(in_.rows);
    }
    out.rows = in_.rows;
    return true;
  }
  out.Reset(schema_.size());
  return false;
}

SortOp::SortOp(PhysOpPtr input, std::vector<SortSpec> keys, size_t limit, std::string label,
               ExecContext* ctx)
    : keys_(std::move(keys)), limit_(limit), label_(std::move(label)), ctx_(ctx) {
  schema_ = input->schema();
  inputs_.push_back(std::move(input));
}

KResult<bool> SortOp::Build() {
  auto table = Collect(*inputs_[0], *ctx_);
  if (!table) {
    return tl::unexpected(table.error());
  }
  const Table& in = **table;
  // Evaluate sort keys per row once.
  Chunk view;
  view.rows = in.rows;
  view.cols = in.cols;  // shared values (cheap shared_ptr copies for strings)
  std::vector<std::vector<Value>> keyvals(keys_.size());
  for (size_t k = 0; k < keys_.size(); ++k) {
    keyvals[k].reserve(in.rows);
    for (size_t r = 0; r < in.rows; ++r) {
      keyvals[k].push_back(Eval(*keys_[k].expr, view, r, ctx_->eval));
    }
  }
  auto less = [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < keys_.size(); ++k) {
      const Value& x = keyvals[k][a];
      const Value& y = keyvals[k][b];
      if (x.is_null() || y.is_null()) {
        if (x.is_null() && y.is_null()) {
          continue;
        }
        // nulls first/last independent of the direction
        return x.is_null() ? keys_[k].nulls_first : !keys_[k].nulls_first;
      }
      const int c = CompareValues(x, y);
      if (c != 0) {
        return keys_[k].ascending ? c < 0 : c > 0;
      }
    }
    return false;
  };
  std::vector<uint32_t> order(in.rows);
  std::iota(order.begin(), order.end(), 0);
  if (limit_ > 0 && limit_ < in.rows) {
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(limit_), order.end(),
                      less);
    order.resize(limit_);
  } else {
    std::stable_sort(order.begin(), order.end(), less);
  }
  auto out = std::make_shared<Table>();
  out->Reset(schema_);
  for (size_t c = 0; c < schema_.size(); ++c) {
    out->cols[c].reserve(order.size());
    for (uint32_t r : order) {
      out->cols[c].push_back(in.cols[c][r]);
    }
  }
  out->rows = order.size();
  result_ = std::move(out);
  return true;
}

KResult<bool> SortOp::Next(Chunk& out) {
  if (!built_) {
    built_ = true;
    auto ok = Build();
    if (!ok) {
      return ok;
    }
  }
  // The whole sorted result in one chunk, so prev()/next()/row_number() see every row.
  out.Reset(schema_.size());
  if (pos_ >= result_->rows) {
    return false;
  }
  out.cols = result_->cols;
  out.rows = result_->rows;
  pos_ = result_->rows;
  return true;
}

}  // namespace vigil::kql
