#include "vigil/kql/exec/scan_op.h"

#include "vigil/base/time.h"

namespace vigil::kql {

namespace {

Value DynamicToValue(const store::DynamicView& v, int depth = 0) {
  using K = store::DynamicView::Kind;
  switch (v.kind()) {
    case K::kNull:
      return Value();
    case K::kBool:
      return Value::Bool(v.AsBool());
    case K::kLong:
      return Value::Long(v.AsLong());
    case K::kReal:
      return Value::Real(v.AsReal());
    case K::kString:
      return Value::String(std::string(v.AsString()));
    case K::kArray: {
      Array items;
      if (depth < 100) {
        items.reserve(v.size());
        for (size_t i = 0; i < v.size(); ++i) {
          items.push_back(DynamicToValue(v.At(i), depth + 1));
        }
      }
      return Value::MakeArray(std::move(items));
    }
    case K::kObject: {
      Bag items;
      if (depth < 100) {
        items.reserve(v.size());
        for (size_t i = 0; i < v.size(); ++i) {
          items.emplace_back(std::string(v.KeyAt(i)), DynamicToValue(v.ValueAt(i), depth + 1));
        }
      }
      return Value::MakeBag(std::move(items));
    }
  }
  return Value();
}

Value IntValue(schema::ColumnType type, int64_t v) {
  switch (type) {
    case schema::ColumnType::kBool:
      return Value::Bool(v != 0);
    case schema::ColumnType::kInt:
      return Value::Int(v);
    case schema::ColumnType::kDateTime:
      return Value::DateTime(v);
    case schema::ColumnType::kTimeSpan:
      return Value::TimeSpan(v);
    default:
      return Value::Long(v);
  }
}

std::string FormatTicks(int64_t t) { return FormatDateTime(t); }

}  // namespace

ScanOp::ScanOp(std::shared_ptr<const store::Snapshot> snapshot, std::string table, Schema schema,
               ExecContext* ctx)
    : snapshot_(std::move(snapshot)), table_(std::move(table)), ctx_(ctx) {
  schema_ = std::move(schema);
  needed_.assign(schema_.size(), true);
}

void ScanOp::SetTimeRange(std::optional<int64_t> min_time, std::optional<int64_t> max_time) {
  if (min_time && (!min_time_ || *min_time > *min_time_)) {
    min_time_ = min_time;
  }
  if (max_time && (!max_time_ || *max_time < *max_time_)) {
    max_time_ = max_time;
  }
}

std::string ScanOp::Describe() const {
  std::string out = "Scan " + table_ + " cols=[";
  bool first = true;
  for (size_t i = 0; i < schema_.size(); ++i) {
    bool used = needed_[i];
    for (const auto& f : filters_) {
      used = used || f.column == static_cast<int>(i);
    }
    if (used) {
      out += (first ? "" : ",") + schema_[i].name;
      first = false;
    }
  }
  out += "]";
  if (min_time_ || max_time_) {
    out += " time=[" + (min_time_ ? FormatTicks(*min_time_) : std::string("-inf")) + " .. " +
           (max_time_ ? FormatTicks(*max_time_) : std::string("+inf")) + "]";
  }
  for (const auto& f : filters_) {
    out += " filter(" + f.predicate->text + ")";
  }
  for (const auto& h : hints_) {
    out += h.kind == store::PredicateHint::Kind::kHasTerm ? " hint(has " : " hint(terms ";
    out += h.column + " \"" + h.text + "\")";
  }
  return out;
}

KResult<bool> ScanOp::Open() {
  store::ScanRequest req;
  req.table = table_;
  std::vector<bool> want = needed_;
  for (const auto& f : filters_) {
    want[static_cast<size_t>(f.column)] = true;
  }
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (want[i]) {
      req.columns.push_back(schema_[i].name);
      batch_to_schema_.push_back(static_cast<int>(i));
    }
  }
  if (req.columns.empty()) {
    // count-only queries still need rows: read the narrowest column
    const int ts = FindColumn(schema_, "Timestamp");
    const int pick = ts >= 0 ? ts : 0;
    req.columns.push_back(schema_[static_cast<size_t>(pick)].name);
    batch_to_schema_.push_back(pick);
  }
  req.min_time = min_time_;
  req.max_time = max_time_;
  req.hints = hints_;
  auto cursor = snapshot_->Scan(req);
  if (!cursor) {
    return KErr("KQL0905", "scan of " + table_ + " failed: " + cursor.error().ToString());
  }
  cursor_ = std::move(*cursor);
  dict_cache_.assign(batch_to_schema_.size(), DictCache{});
  return true;
}

KResult<bool> ScanOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  if (done_) {
    return false;
  }
  if (!cursor_) {
    auto ok = Open();
    if (!ok) {
      return ok;
    }
  }
  // Filters by batch column.
  std::vector<std::pair<size_t, const BExpr*>> filters;
  for (const auto& f : filters_) {
    for (size_t b = 0; b < batch_to_schema_.size(); ++b) {
      if (batch_to_schema_[b] == f.column) {
        filters.emplace_back(b, f.predicate.get());
      }
    }
  }
  Chunk one;
  one.rows = 1;
  one.cols.resize(1);
  one.cols[0].resize(1);
  while (true) {
    auto ok = ctx_->Check();
    if (!ok) {
      return ok;
    }
    const uint64_t before_read = cursor_->stats().blocks_read;
    auto more = cursor_->Next(batch_);
    if (!more) {
      return KErr("KQL0905", "scan of " + table_ + " failed: " + more.error().ToString());
    }
    const auto& st = cursor_->stats();
    ctx_->stats.blocks_read += st.blocks_read - before_read;
    if (!*more) {
      ctx_->stats.blocks_skipped += st.blocks_skipped_time + st.blocks_skipped_hint;
      ctx_->stats.partitions_skipped += st.partitions_skipped;
      done_ = true;
      return false;
    }
    ctx_->stats.rows_scanned += batch_.rows;
    for (const auto& col : batch_.columns) {
      if (col.dict) {
        ctx_->stats.bytes_scanned += col.codes.size() * 4;
      } else {
        ctx_->stats.bytes_scanned += batch_.rows * 8;
      }
    }
    // Refresh dictionary caches.
    for (size_t b = 0; b < batch_.columns.size(); ++b) {
      const auto& col = batch_.columns[b];
      auto& cache = dict_cache_[b];
      if (col.dict && cache.dict != col.dict) {
        cache.dict = col.dict;
        cache.values.assign(col.dict->values.size(), Value());
        cache.decoded.assign(col.dict->values.size(), 0);
        cache.verdict.assign(col.dict->values.size(), -1);
      }
    }
    auto cell = [&](size_t b, size_t r) -> Value {
      const auto& col = batch_.columns[b];
      if (col.IsNull(r)) {
        if (col.type == schema::ColumnType::kString) {
          return Value::String(std::string());
        }
        return Value();
      }
      switch (col.type) {
        case schema::ColumnType::kReal:
          return Value::Real(col.reals[r]);
        case schema::ColumnType::kString:
        case schema::ColumnType::kGuid:
        case schema::ColumnType::kDynamic: {
          auto& cache = dict_cache_[b];
          const uint32_t code = col.codes[r];
          if (cache.decoded[code] == 0) {
            const std::string& raw = col.dict->values[code];
            if (col.type == schema::ColumnType::kString) {
              cache.values[code] = Value::String(raw);
            } else if (col.type == schema::ColumnType::kGuid) {
              cache.values[code] = Value::Guid(raw);
            } else {
              cache.values[code] = DynamicToValue(store::DynamicView(raw));
            }
            cache.decoded[code] = 1;
          }
          return cache.values[code];
        }
        default:
          return IntValue(col.type, col.ints[r]);
      }
    };
    // Selection by the pushed filters.
    std::vector<uint32_t> sel;
    sel.reserve(batch_.rows);
    for (size_t r = 0; r < batch_.rows; ++r) {
      bool pass = true;
      for (const auto& [b, pred] : filters) {
        const auto& col = batch_.columns[b];
        auto& cache = dict_cache_[b];
        if (col.dict && !col.IsNull(r)) {
          int8_t& v = cache.verdict[col.codes[r]];
          if (v < 0) {
            one.cols[0][0] = cell(b, r);
            v = IsTrue(Eval(*pred, one, 0, ctx_->eval)) ? 1 : 0;
          }
          pass = v == 1;
        } else {
          one.cols[0][0] = cell(b, r);
          pass = IsTrue(Eval(*pred, one, 0, ctx_->eval));
        }
        if (!pass) {
          break;
        }
      }
      if (pass) {
        sel.push_back(static_cast<uint32_t>(r));
      }
    }
    if (sel.empty()) {
      continue;
    }
    for (size_t b = 0; b < batch_to_schema_.size(); ++b) {
      const size_t c = static_cast<size_t>(batch_to_schema_[b]);
      if (!needed_[c]) {
        continue;
      }
      auto& dst = out.cols[c];
      dst.reserve(sel.size());
      for (uint32_t r : sel) {
        dst.push_back(cell(b, r));
      }
    }
    out.rows = sel.size();  // columns not needed stay empty (see Chunk)
    return true;
  }
}

}  // namespace vigil::kql
