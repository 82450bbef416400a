#include "vigil/kql/exec/scan_op.h"

#include <algorithm>

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

std::unique_ptr<ScanOp> ScanOp::CloneForColumns(std::vector<bool> needed) const {
  auto copy = std::make_unique<ScanOp>(snapshot_, table_, schema_, ctx_);
  copy->min_time_ = min_time_;
  copy->max_time_ = max_time_;
  copy->hints_ = hints_;
  copy->filters_ = filters_;
  copy->needed_ = std::move(needed);
  return copy;
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
    switch (h.kind) {
      case store::PredicateHint::Kind::kHasTerm:
        out += " hint(has " + h.column + " \"" + h.text + "\")";
        break;
      case store::PredicateHint::Kind::kStringEquals:
        out += " hint(terms " + h.column + " \"" + h.text + "\")";
        break;
      case store::PredicateHint::Kind::kIntRange:
        out += " hint(range " + h.column + " " + std::to_string(h.min) + " .. " +
               std::to_string(h.max) + ")";
        break;
      case store::PredicateHint::Kind::kHasAnyTerm: {
        // Long indicator lists stay readable: the first few needles and a count.
        constexpr size_t kShown = 8;
        out += " hint(has_any " + h.column + " (";
        for (size_t i = 0; i < h.terms.size() && i < kShown; ++i) {
          out += (i == 0 ? "\"" : ",\"") + h.terms[i] + "\"";
        }
        if (h.terms.size() > kShown) {
          out += ",... +" + std::to_string(h.terms.size() - kShown);
        }
        out += "))";
        break;
      }
    }
  }
  return out;
}

namespace {

// The inclusive range a pushed filter on an integer-backed column (long, int, datetime,
// timespan) allows, when it is `column <op> constant` (either side; op <, <=, >, >=, ==),
// `column between (constant .. constant)`, or an `and` of those. nullopt for anything else,
// and for constants of another kind (a real bound, a long against a datetime), which keep the
// general evaluator and its conversions.
std::optional<std::pair<int64_t, int64_t>> IntRangeOf(const BExpr& e, Type column_type) {
  auto family = [](Kind k) {
    switch (k) {
      case Kind::kInt:
      case Kind::kLong:
        return 1;
      case Kind::kDateTime:
        return 2;
      case Kind::kTimeSpan:
        return 3;
      default:
        return 0;
    }
  };
  int column_family = 0;
  switch (column_type) {
    case Type::kInt:
    case Type::kLong:
      column_family = 1;
      break;
    case Type::kDateTime:
      column_family = 2;
      break;
    case Type::kTimeSpan:
      column_family = 3;
      break;
    default:
      return std::nullopt;
  }
  auto is_column = [](const BExprPtr& x) { return x->kind == BKind::kColumn && x->column == 0; };
  auto constant = [&](const BExprPtr& x) -> std::optional<int64_t> {
    if (x->kind != BKind::kConst || family(x->constant.kind()) != column_family) {
      return std::nullopt;
    }
    return x->constant.AsInt64();
  };
  if (e.kind == BKind::kAnd && e.args.size() == 2) {
    auto a = IntRangeOf(*e.args[0], column_type);
    auto b = IntRangeOf(*e.args[1], column_type);
    if (!a || !b) {
      return std::nullopt;
    }
    return std::make_pair(std::max(a->first, b->first), std::min(a->second, b->second));
  }
  if (e.kind == BKind::kBetween && !e.negated && e.args.size() == 3 && is_column(e.args[0])) {
    auto lo = constant(e.args[1]);
    auto hi = constant(e.args[2]);
    if (lo && hi) {
      return std::make_pair(*lo, *hi);
    }
    return std::nullopt;
  }
  if (e.kind != BKind::kCompare || e.args.size() != 2) {
    return std::nullopt;
  }
  std::string op = e.op;
  std::optional<int64_t> c;
  if (is_column(e.args[0]) && (c = constant(e.args[1]))) {
  } else if (is_column(e.args[1]) && (c = constant(e.args[0]))) {
    if (op == "<") op = ">";
    else if (op == "<=") op = ">=";
    else if (op == ">") op = "<";
    else if (op == ">=") op = "<=";
  } else {
    return std::nullopt;
  }
  const int64_t v = *c;
  if (op == "==") return std::make_pair(v, v);
  if (op == ">=") return std::make_pair(v, INT64_MAX);
  if (op == "<=") return std::make_pair(INT64_MIN, v);
  if (op == ">") {
    return v == INT64_MAX ? std::make_pair(int64_t{1}, int64_t{0}) : std::make_pair(v + 1, INT64_MAX);
  }
  if (op == "<") {
    return v == INT64_MIN ? std::make_pair(int64_t{1}, int64_t{0}) : std::make_pair(INT64_MIN, v - 1);
  }
  return std::nullopt;
}

}  // namespace

KResult<bool> ScanOp::Open() {
  std::vector<bool> want = needed_;
  for (const auto& f : filters_) {
    want[static_cast<size_t>(f.column)] = true;
  }
  request_ = store::ScanRequest{};
  request_.table = table_;
  batch_to_schema_.clear();
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (want[i]) {
      request_.columns.push_back(schema_[i].name);
      batch_to_schema_.push_back(static_cast<int>(i));
    }
  }
  if (request_.columns.empty()) {
    // count-only queries still need rows: read the narrowest column
    const int ts = FindColumn(schema_, "Timestamp");
    const int pick = ts >= 0 ? ts : 0;
    request_.columns.push_back(schema_[static_cast<size_t>(pick)].name);
    batch_to_schema_.push_back(pick);
  }
  request_.min_time = min_time_;
  request_.max_time = max_time_;
  request_.hints = hints_;
  for (const auto& f : filters_) {
    for (size_t b = 0; b < batch_to_schema_.size(); ++b) {
      if (batch_to_schema_[b] == f.column) {
        BatchFilter bf;
        bf.column = b;
        bf.predicate = f.predicate.get();
        const Type type = schema_[static_cast<size_t>(f.column)].type;
        if (type == Type::kString) {
          bf.text = StringFilter::Compile(*f.predicate);
          bf.null_verdict = bf.text && bf.text->Match(std::string_view());
        } else if (auto range = IntRangeOf(*f.predicate, type)) {
          bf.int_range = true;
          bf.lo = range->first;
          bf.hi = range->second;
        }
        batch_filters_.push_back(std::move(bf));
      }
    }
  }
  const size_t shards = ShardCount();
  for (size_t i = 0; i < shards; ++i) {
    auto worker = std::make_unique<ScanWorker>();
    store::ScanRequest req = request_;
    req.shard_count = static_cast<uint32_t>(shards);
    req.shard_index = static_cast<uint32_t>(i);
    auto cursor = snapshot_->Scan(req);
    if (!cursor) {
      return KErr("KQL0905", "scan of " + table_ + " failed: " + cursor.error().ToString());
    }
    worker->cursor = std::move(*cursor);
    worker->dict_cache.assign(batch_to_schema_.size(), DictCache{});
    worker->verdicts.resize(batch_filters_.size());
    worker->verdicts_complete.assign(batch_filters_.size(), 0);
    worker->value_verdicts.resize(batch_filters_.size());
    worker->value_space.assign(batch_filters_.size(), 0);
    if (shards > 1) {
      // Each thread evaluates with its own regex cache and warning list.
      worker->regex = std::make_unique<RegexCache>();
      worker->eval.fn = ctx_->eval.fn;
      worker->eval.fn.regex = worker->regex.get();
      worker->eval.fn.warnings = &worker->warnings;
    }
    workers_.push_back(std::move(worker));
  }
  return true;
}

Value ScanOp::Cell(ScanWorker& w, size_t b, size_t r) const {
  return ScanCell(w.batch.column(b), r, w.dict_cache[b]);
}

bool ScanDictCache::Refresh(const store::ColumnVector& col) {
  if (!col.dict || dict == col.dict) {
    return false;
  }
  dict = col.dict;
  values.assign(col.dict->size(), Value());
  decoded.assign(col.dict->size(), 0);
  return true;
}

Value ScanCell(const store::ColumnVector& col, size_t r, ScanDictCache& cache) {
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
      const uint32_t code = col.codes[r];
      if (cache.decoded[code] == 0) {
        cache.values[code] = ScanDictValue(col.type, (*col.dict)[code]);
        cache.decoded[code] = 1;
      }
      return cache.values[code];
    }
    default:
      return IntValue(col.type, col.ints[r]);
  }
}

Value ScanIntValue(schema::ColumnType type, int64_t v) { return IntValue(type, v); }

Value ScanDictValue(schema::ColumnType type, std::string_view raw) {
  if (type == schema::ColumnType::kString) {
    return Value::String(std::string(raw));
  }
  if (type == schema::ColumnType::kGuid) {
    return Value::Guid(std::string(raw));
  }
  return DynamicToValue(store::DynamicView(raw));
}

KResult<bool> ScanOp::Produce(ScanWorker& w, Chunk& out, bool threaded) {
  auto more = Select(w, threaded);
  if (!more || !*more) {
    return more;
  }
  const std::vector<uint32_t>& sel = w.sel;
  out.Reset(schema_.size());
  for (size_t b = 0; b < batch_to_schema_.size(); ++b) {
    const size_t c = static_cast<size_t>(batch_to_schema_[b]);
    if (!needed_[c]) {
      continue;
    }
    auto& dst = out.cols[c];
    dst.reserve(sel.size());
    for (uint32_t r : sel) {
      dst.push_back(Cell(w, b, r));
    }
  }
  out.rows = sel.size();  // columns not needed stay empty (see Chunk)
  return true;
}

size_t ScanOp::ShardCount() const {
  size_t shards = ctx_->limits.scan_threads;
  if (shards == 0) {
    shards = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  }
  return shards;
}

void ScanOp::Finish() {
  for (auto& w : workers_) {
    ctx_->stats.rows_scanned += w->stats.rows_scanned;
    ctx_->stats.bytes_scanned += w->stats.bytes_scanned;
    ctx_->stats.blocks_read += w->stats.blocks_read;
    ctx_->stats.blocks_skipped += w->stats.blocks_skipped;
    ctx_->stats.partitions_skipped += w->stats.partitions_skipped;
    for (auto& warning : w->warnings) {
      ctx_->Warn(std::move(warning));
    }
    w->stats = QueryStats{};
    w->warnings.clear();
  }
}

void ScanOp::StartThreads() {
  active_ = workers_.size();
  for (auto& worker : workers_) {
    ScanWorker* w = worker.get();
    threads_.emplace_back([this, w] {
      while (true) {
        Chunk chunk;
        auto more = Produce(*w, chunk, /*threaded=*/true);
        std::unique_lock<std::mutex> lock(mu_);
        if (!more) {
          if (!error_) {
            error_ = more.error();
          }
          stop_ = true;
          break;
        }
        if (!*more) {
          break;
        }
        not_full_.wait(lock, [this] { return queue_.size() < kQueueDepth || stop_.load(); });
        if (stop_) {
          break;
        }
        queue_.push_back(std::move(chunk));
        not_empty_.notify_one();
      }
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
      not_empty_.notify_all();
    });
  }
}

void ScanOp::StopThreads() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  not_full_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

ScanOp::~ScanOp() { StopThreads(); }

KResult<bool> ScanOp::Next(Chunk& out) {
  out.Reset(schema_.size());
  if (done_) {
    return false;
  }
  if (workers_.empty()) {
    auto ok = Open();
    if (!ok) {
      return ok;
    }
    if (workers_.size() > 1) {
      StartThreads();
    }
  }
  if (workers_.size() == 1) {
    auto more = Produce(*workers_[0], out, /*threaded=*/false);
    if (!more || !*more) {
      Finish();
      done_ = true;
    }
    return more;
  }
  std::unique_lock<std::mutex> lock(mu_);
  not_empty_.wait(lock, [this] { return !queue_.empty() || active_ == 0 || error_.has_value(); });
  if (error_) {
    KqlError e = *error_;
    lock.unlock();
    StopThreads();
    Finish();
    done_ = true;
    return tl::unexpected(e);
  }
  if (queue_.empty()) {
    lock.unlock();
    StopThreads();
    Finish();
    done_ = true;
    return false;
  }
  out = std::move(queue_.front());
  queue_.pop_front();
  not_full_.notify_one();
  return true;
}

}  // namespace vigil::kql
