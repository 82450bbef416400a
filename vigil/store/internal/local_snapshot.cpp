#include "vigil/store/internal/local_snapshot.h"

#include <unistd.h>

#include <algorithm>
#include <unordered_map>

#include "vigil/base/log.h"
#include "vigil/base/time.h"
#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/term_filter.h"

namespace vigil::store::internal {
namespace {

using schema::ColumnData;
using schema::ColumnType;

struct ResolvedHint {
  PredicateHint::Kind kind;
  std::string column;
  // Lower-cased terms of each needle: one needle (the hint text) for kHasTerm and
  // kStringEquals, one per entry of PredicateHint::terms for kHasAnyTerm.
  std::vector<std::vector<std::string>> needles;
  int64_t min = 0;
  int64_t max = 0;
};

std::vector<std::string> LowerTerms(std::string_view text) {
  std::vector<std::string> terms;
  ForEachTerm(text, [&](std::string_view term) { terms.emplace_back(term); });
  return terms;
}

// A needle is ruled out when the filter rules out one of its terms; one without terms never is.
bool RuledOut(const TermBloom& bloom, bool partial, const std::vector<std::string>& terms) {
  return std::any_of(terms.begin(), terms.end(), [&](const std::string& term) {
    return !FilterMayContainTerm(bloom, partial, term);
  });
}

void NullColumn(ColumnType type, size_t rows, ColumnVector& out) {
  out.type = type;
  out.valid.assign(rows, 0);
  out.ints.clear();
  out.reals.clear();
  out.codes.clear();
  out.dict.reset();
  if (schema::IsIntegerBacked(type)) {
    out.ints.assign(rows, 0);
  } else if (type == ColumnType::kReal) {
    out.reals.assign(rows, 0.0);
  } else {
    auto dict = std::make_shared<Dictionary>();
    dict->Add({});
    out.dict = std::move(dict);
    out.codes.assign(rows, 0);
  }
}

void FromColumnData(const ColumnData& col, size_t rows, ColumnVector& out) {
  out.type = col.type;
  out.valid.assign(col.valid.begin(), col.valid.begin() + rows);
  out.ints.clear();
  out.reals.clear();
  out.codes.clear();
  out.dict.reset();
  if (schema::IsIntegerBacked(col.type)) {
    out.ints.assign(col.ints.begin(), col.ints.begin() + rows);
    return;
  }
  if (col.type == ColumnType::kReal) {
    out.reals.assign(col.reals.begin(), col.reals.begin() + rows);
    return;
  }
  auto dict = std::make_shared<Dictionary>();
  std::unordered_map<std::string_view, uint32_t> codes;
  out.codes.resize(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    if (col.valid[r] == 0) {
      continue;
    }
    const std::string_view value = col.GetBytes(r);
    auto [it, inserted] = codes.emplace(value, static_cast<uint32_t>(dict->size()));
    if (inserted) {
      dict->Add(value);
    }
    out.codes[r] = it->second;
  }
  if (dict->empty()) {
    dict->Add({});
  }
  out.dict = std::move(dict);
}

void FilterColumn(ColumnVector& col, const std::vector<uint32_t>& selection) {
  std::vector<uint8_t> valid;
  valid.reserve(selection.size());
  for (uint32_t r : selection) {
    valid.push_back(col.valid[r]);
  }
  col.valid = std::move(valid);
  if (!col.ints.empty()) {
    std::vector<int64_t> ints;
    ints.reserve(selection.size());
    for (uint32_t r : selection) {
      ints.push_back(col.ints[r]);
    }
    col.ints = std::move(ints);
  }
  if (!col.reals.empty()) {
    std::vector<double> reals;
    reals.reserve(selection.size());
    for (uint32_t r : selection) {
      reals.push_back(col.reals[r]);
    }
    col.reals = std::move(reals);
  }
  if (!col.codes.empty()) {
    std::vector<uint32_t> codes;
    codes.reserve(selection.size());
    for (uint32_t r : selection) {
      codes.push_back(col.codes[r]);
    }
    col.codes = std::move(codes);
  }
}

class LocalScanCursor final : public ScanCursor {
 public:
  LocalScanCursor(TableView view, std::vector<int> columns, std::vector<std::string> names,
                  std::optional<int64_t> min_time, std::optional<int64_t> max_time,
                  std::vector<ResolvedHint> hints)
      : view_(std::move(view)),
        columns_(std::move(columns)),
        names_(std::move(names)),
        hints_(std::move(hints)) {
    has_range_ = min_time.has_value() || max_time.has_value();
    lo_ = min_time.value_or(INT64_MIN);
    hi_ = max_time.value_or(INT64_MAX);
    lo_day_ = PartitionDay(lo_);
    hi_day_ = PartitionDay(hi_);
    time_col_ = view_.schema->timestamp_column();
  }

  Result<bool> Next(ColumnBatch& out) override {
    while (segment_idx_ < view_.segments.size()) {
      const SegmentHandle& segment = *view_.segments[segment_idx_];
      if (!file_.is_open()) {
        if (SkipSegment(segment.info)) {
          ++stats_.partitions_skipped;
          ScanCounters().blocks_skipped += segment.info.blocks.size();
          ++segment_idx_;
          continue;
        }
        auto file = File::OpenRead(segment.path);
        if (!file.ok()) {
          VIGIL_LOG_WARN("store", "skipping segment: {}", file.error().ToString());
          stats_.blocks_corrupt += segment.info.blocks.size();
          ++segment_idx_;
          continue;
        }
        file_ = std::move(*file);
        block_idx_ = 0;
      }
      if (block_idx_ >= segment.info.blocks.size()) {
        file_.Close();
        ++segment_idx_;
        continue;
      }
      if (ReadSegmentBlock(segment, block_idx_++, out)) {
        return true;
      }
    }
    while (chunk_idx_ < view_.chunks.size()) {
      const MemChunk& chunk = *view_.chunks[chunk_idx_++];
      if (ReadChunk(chunk, out)) {
        return true;
      }
    }
    return false;
  }

  const ScanStats& stats() const override { return stats_; }

 private:
  bool SkipSegment(const SegmentInfo& info) const {
    if (!has_range_) {
      return false;
    }
    if (info.day < lo_day_ || info.day > hi_day_) {
      return true;
    }
    if (time_col_ < 0) {
      return false;
    }
    return !info.has_time || info.max_time < lo_ || info.min_time > hi_;
  }

  bool HintSkips(const SegmentInfo& info, const BlockMeta& block) const {
    for (const ResolvedHint& hint : hints_) {
      const int col = info.FindColumn(hint.column);
      if (col < 0) {
        continue;
      }
      const BlockColumnMeta& meta = block.columns[col];
      const ColumnType type = info.columns[col].type;
      if (hint.kind == PredicateHint::Kind::kIntRange) {
        if (!schema::IsIntegerBacked(type)) {
          continue;
        }
        if (!meta.has_min_max || meta.max < hint.min || meta.min > hint.max) {
          return true;
        }
        continue;
      }
      if (schema::IsIntegerBacked(type) || type == ColumnType::kReal || meta.bloom.empty() ||
          hint.needles.empty()) {
        continue;
      }
      if (meta.null_count == block.rows) {
        return true;
      }
      // kHasTerm / kStringEquals hold one needle, so this is "any term absent" for them.
      const TermBloom bloom = TermBloom::FromBytes(meta.bloom);
      if (std::all_of(hint.needles.begin(), hint.needles.end(),
                      [&](const std::vector<std::string>& terms) {
                        return RuledOut(bloom, meta.bloom_partial, terms);
                      })) {
        return true;
      }
    }
    return false;
  }

  Status ReadColumn(const SegmentHandle& segment, const BlockMeta& block, int col,
                    ColumnVector& out) {
    const BlockColumnMeta& meta = block.columns[col];
    VIGIL_RETURN_IF_ERROR(file_.ReadAt(meta.offset, meta.stored_size, stored_, segment.path));
    if (Hash64(stored_) != meta.checksum) {
      return DataLossError("checksum mismatch");
    }
    VIGIL_RETURN_IF_ERROR(Decompress(meta.codec, stored_, meta.raw_size, raw_));
    return DecodeColumnBlock(raw_, segment.info.columns[col].type, block.rows, out);
  }

  bool ReadSegmentBlock(const SegmentHandle& segment, size_t block_idx, ColumnBatch& out) {
    const SegmentInfo& info = segment.info;
    const BlockMeta& block = info.blocks[block_idx];
    const int seg_time_col =
        time_col_ >= 0 ? info.FindColumn(view_.schema->column(time_col_).name) : -1;
    bool need_time_filter = false;
    if (has_range_ && time_col_ >= 0) {
      if (seg_time_col < 0 || !block.columns[seg_time_col].has_min_max ||
          block.columns[seg_time_col].max < lo_ || block.columns[seg_time_col].min > hi_) {
        ++stats_.blocks_skipped_time;
        ++ScanCounters().blocks_skipped;
        return false;
      }
      const BlockColumnMeta& meta = block.columns[seg_time_col];
      need_time_filter = meta.null_count > 0 || meta.min < lo_ || meta.max > hi_;
    }
    if (HintSkips(info, block)) {
      ++stats_.blocks_skipped_hint;
      ++ScanCounters().blocks_skipped;
      return false;
    }
    out.rows = block.rows;
    out.names = names_;
    out.columns.resize(columns_.size());
    int time_out_idx = -1;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const schema::ColumnDef& def = view_.schema->column(columns_[i]);
      if (columns_[i] == time_col_) {
        time_out_idx = static_cast<int>(i);
      }
      const int col = info.FindColumn(def.name);
      if (col < 0 || info.columns[col].type != def.type) {
        NullColumn(def.type, block.rows, out.columns[i]);
        continue;
      }
      Status status = ReadColumn(segment, block, col, out.columns[i]);
      if (!status.ok()) {
        ReportCorrupt(segment, block_idx, def.name, block.columns[col].offset, status);
        return false;
      }
    }
    if (need_time_filter) {
      ColumnVector time_values;
      const ColumnVector* times = nullptr;
      if (time_out_idx >= 0) {
        times = &out.columns[time_out_idx];
      } else {
        Status status = ReadColumn(segment, block, seg_time_col, time_values);
        if (!status.ok()) {
          ReportCorrupt(segment, block_idx, info.columns[seg_time_col].name,
                        block.columns[seg_time_col].offset, status);
          return false;
        }
        times = &time_values;
      }
      ApplyTimeFilter(*times, out);
    }
    ++stats_.blocks_read;
    ++ScanCounters().blocks_read;
    stats_.rows_returned += out.rows;
    return out.rows > 0;
  }

  void ReportCorrupt(const SegmentHandle& segment, size_t block_idx, std::string_view column,
                     uint64_t offset, const Status& status) {
    VIGIL_LOG_WARN("store",
                   "corrupt block skipped: segment '{}' block {} column '{}' at offset {}: {}",
                   segment.path.string(), block_idx, column, offset, status.message());
    ++stats_.blocks_corrupt;
    ++ScanCounters().blocks_corrupt;
  }

  void ApplyTimeFilter(const ColumnVector& times, ColumnBatch& out) {
    selection_.clear();
    for (size_t r = 0; r < out.rows; ++r) {
      if (times.valid[r] != 0 && times.ints[r] >= lo_ && times.ints[r] <= hi_) {
        selection_.push_back(static_cast<uint32_t>(r));
      }
    }
    if (selection_.size() == out.rows) {
      return;
    }
    for (ColumnVector& col : out.columns) {
      FilterColumn(col, selection_);
    }
    out.rows = selection_.size();
  }

  bool ReadChunk(const MemChunk& chunk, ColumnBatch& out) {
    const size_t rows = chunk.batch.rows();
    if (rows == 0) {
      return false;
    }
    if (has_range_) {
      if (chunk.max_day < lo_day_ || chunk.min_day > hi_day_ ||
          (time_col_ >= 0 && (!chunk.has_time || chunk.max_time < lo_ || chunk.min_time > hi_))) {
        ++stats_.blocks_skipped_time;
        ++ScanCounters().blocks_skipped;
        return false;
      }
    }
    out.rows = rows;
    out.names = names_;
    out.columns.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
      FromColumnData(chunk.batch.column(columns_[i]), rows, out.columns[i]);
    }
    if (has_range_) {
      if (time_col_ >= 0) {
        ColumnVector times;
        FromColumnData(chunk.batch.column(time_col_), rows, times);
        ApplyTimeFilter(times, out);
      } else {
        selection_.clear();
        for (size_t r = 0; r < rows; ++r) {
          const int64_t day = chunk.RowDay(r);
          if (day >= lo_day_ && day <= hi_day_) {
            selection_.push_back(static_cast<uint32_t>(r));
          }
        }
        if (selection_.size() != rows) {
          for (ColumnVector& col : out.columns) {
            FilterColumn(col, selection_);
          }
          out.rows = selection_.size();
        }
      }
    }
    ++stats_.blocks_read;
    ++ScanCounters().blocks_read;
    stats_.rows_returned += out.rows;
    return out.rows > 0;
  }

  TableView view_;
  std::vector<int> columns_;
  std::vector<std::string> names_;
  std::vector<ResolvedHint> hints_;
  bool has_range_ = false;
  int64_t lo_ = 0;
  int64_t hi_ = 0;
  int64_t lo_day_ = 0;
  int64_t hi_day_ = 0;
  int time_col_ = -1;

  size_t segment_idx_ = 0;
  size_t block_idx_ = 0;
  size_t chunk_idx_ = 0;
  File file_;
  std::string stored_;
  std::string raw_;
  std::vector<uint32_t> selection_;
  ScanStats stats_;
};

}  // namespace

GlobalScanCounters& ScanCounters() {
  static GlobalScanCounters counters;
  return counters;
}

SegmentHandle::~SegmentHandle() {
  if (!obsolete.load()) {
    return;
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) {
    VIGIL_LOG_WARN("store", "cannot remove retired segment '{}': {}", path.string(), ec.message());
    return;
  }
  // Removes the day directory once its last segment is gone (fails harmlessly otherwise).
  ::rmdir(path.parent_path().c_str());
}

Result<std::unique_ptr<ScanCursor>> LocalSnapshot::Scan(const ScanRequest& request) const {
  const schema::TableSchema* table = catalog_->Find(request.table);
  if (table == nullptr) {
    return NotFoundError("unknown table '{}'", request.table);
  }
  std::vector<int> columns;
  std::vector<std::string> names;
  if (request.columns.empty()) {
    for (size_t i = 0; i < table->column_count(); ++i) {
      columns.push_back(static_cast<int>(i));
      names.push_back(table->column(i).name);
    }
  } else {
    for (const std::string& name : request.columns) {
      const int index = table->FindColumn(name);
      if (index < 0) {
        return NotFoundError("unknown column '{}' in table '{}'", name, request.table);
      }
      columns.push_back(index);
      names.push_back(name);
    }
  }
  std::vector<ResolvedHint> hints;
  for (const PredicateHint& hint : request.hints) {
    ResolvedHint resolved{hint.kind, hint.column, {}, hint.min, hint.max};
    if (hint.kind == PredicateHint::Kind::kHasAnyTerm) {
      for (const std::string& needle : hint.terms) {
        resolved.needles.push_back(LowerTerms(needle));
      }
    } else if (hint.kind != PredicateHint::Kind::kIntRange) {
      resolved.needles.push_back(LowerTerms(hint.text));
    }
    hints.push_back(std::move(resolved));
  }
  TableView view;
  if (auto it = tables_.find(table->name()); it != tables_.end()) {
    view = it->second;
  }
  view.schema = table;
  if (request.shard_count > 1) {
    if (request.shard_index >= request.shard_count) {
      return InvalidArgumentError("scan shard {} of {} is out of range", request.shard_index,
                                  request.shard_count);
    }
    auto keep = [&](auto& items) {
      std::decay_t<decltype(items)> mine;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i % request.shard_count == request.shard_index) {
          mine.push_back(items[i]);
        }
      }
      items = std::move(mine);
    };
    keep(view.segments);
    keep(view.chunks);
  }
  return std::unique_ptr<ScanCursor>(
      std::make_unique<LocalScanCursor>(std::move(view), std::move(columns), std::move(names),
                                        request.min_time, request.max_time, std::move(hints)));
}

Status ReadWholeSegment(const SegmentHandle& segment, schema::TableBatch& out) {
  const SegmentInfo& info = segment.info;
  const schema::TableSchema& table = out.schema();
  VIGIL_ASSIGN_OR_RETURN(File file, File::OpenRead(segment.path));
  std::string stored;
  std::string raw;
  std::vector<ColumnVector> columns(table.column_count());
  std::vector<int> seg_cols(table.column_count(), -1);
  for (size_t c = 0; c < table.column_count(); ++c) {
    const int col = info.FindColumn(table.column(c).name);
    if (col >= 0 && info.columns[col].type == table.column(c).type) {
      seg_cols[c] = col;
    }
  }
  for (size_t b = 0; b < info.blocks.size(); ++b) {
    const BlockMeta& block = info.blocks[b];
    for (size_t c = 0; c < table.column_count(); ++c) {
      if (seg_cols[c] < 0) {
        NullColumn(table.column(c).type, block.rows, columns[c]);
        continue;
      }
      const BlockColumnMeta& meta = block.columns[seg_cols[c]];
      VIGIL_RETURN_IF_ERROR(file.ReadAt(meta.offset, meta.stored_size, stored, segment.path));
      if (Hash64(stored) != meta.checksum) {
        return DataLossError("segment '{}': block {} checksum mismatch at offset {}",
                             segment.path.string(), b, meta.offset);
      }
      VIGIL_RETURN_IF_ERROR(Decompress(meta.codec, stored, meta.raw_size, raw));
      Status status = DecodeColumnBlock(raw, table.column(c).type, block.rows, columns[c]);
      if (!status.ok()) {
        return status.Annotate(fmt::format("segment '{}' block {} at offset {}",
                                           segment.path.string(), b, meta.offset));
      }
    }
    for (size_t r = 0; r < block.rows; ++r) {
      out.BeginRow();
      for (size_t c = 0; c < table.column_count(); ++c) {
        const ColumnVector& col = columns[c];
        if (col.valid[r] == 0) {
          continue;
        }
        if (schema::IsIntegerBacked(col.type)) {
          out.SetInt(c, col.ints[r]);
        } else if (col.type == ColumnType::kReal) {
          out.SetReal(c, col.reals[r]);
        } else {
          out.SetBytes(c, (*col.dict)[col.codes[r]]);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace vigil::store::internal
