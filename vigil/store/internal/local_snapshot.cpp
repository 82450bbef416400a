#include "vigil/store/internal/column_block.h"
#include "vigil/store/internal/local_snapshot.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "vigil/base/log.h"
#include "vigil/base/string_interner.h"
#include "vigil/base/time.h"
#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/term_filter.h"

namespace vigil::store::internal {
namespace {

// Largest stored (decompressed) size of one segment column that LoadUnifiedColumn handles.
constexpr uint64_t kMaxUnifiedColumnBytes = uint64_t{32} << 20;
// ... and its stored bytes per row (values plus codes), on average.
constexpr uint64_t kMaxUnifiedBytesPerRow = 24;

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

// A copy of `in` holding only the rows of `selection`.
std::shared_ptr<const ColumnVector> FilterColumn(const ColumnVector& in,
                                                 const std::vector<uint32_t>& selection) {
  auto out = std::make_shared<ColumnVector>();
  out->type = in.type;
  out->dict = in.dict;
  ColumnVector& col = *out;
  std::vector<uint8_t> valid;
  valid.reserve(selection.size());
  for (uint32_t r : selection) {
    valid.push_back(in.valid[r]);
  }
  col.valid = std::move(valid);
  if (!in.ints.empty()) {
    col.ints.reserve(selection.size());
    for (uint32_t r : selection) {
      col.ints.push_back(in.ints[r]);
    }
  }
  if (!in.reals.empty()) {
    col.reals.reserve(selection.size());
    for (uint32_t r : selection) {
      col.reals.push_back(in.reals[r]);
    }
  }
  if (!in.codes.empty()) {
    col.codes.reserve(selection.size());
    for (uint32_t r : selection) {
      col.codes.push_back(in.codes[r]);
    }
  }
  return out;
}

class LocalScanCursor final : public ScanCursor {
 public:
  LocalScanCursor(TableView view, std::vector<int> columns, std::vector<std::string> names,
                  std::optional<int64_t> min_time, std::optional<int64_t> max_time,
                  std::vector<ResolvedHint> hints, std::shared_ptr<BlockCache> cache)
      : view_(std::move(view)),
        cache_(std::move(cache)),
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

  // Reads one column block through the cache: a hit is shared, not copied; a miss is read,
  // checked, decoded and then offered to the cache. The first miss on a small string-like
  // column of a segment loads the whole column with one dictionary (LoadUnifiedColumn).
  Status ReadColumn(const SegmentHandle& segment, size_t block_idx, int col,
                    std::shared_ptr<const ColumnVector>& out) {
    const BlockKey key{segment.cache_id, static_cast<uint32_t>(block_idx),
                       static_cast<uint32_t>(col)};
    if (cache_ != nullptr) {
      if (std::shared_ptr<const ColumnVector> hit = cache_->Find(key)) {
        out = std::move(hit);
        return Status::Ok();
      }
      // Tried once per segment column and scan: a corrupt block or a cache too small to keep
      // the column must not make every later block decode the whole column again.
      if (WantsUnifiedColumn(segment, col, cache_->capacity()) &&
          !cache_->Contains(BlockKey{segment.cache_id, 0, static_cast<uint32_t>(col)}) &&
          unify_tried_.emplace(segment.cache_id, col).second &&
          LoadUnifiedColumn(segment, col, block_idx, out)) {
        return Status::Ok();
      }
    }
    auto decoded = std::make_shared<ColumnVector>();
    VIGIL_RETURN_IF_ERROR(
        ReadColumnFromFile(segment, segment.info.blocks[block_idx], col, *decoded));
    out = decoded;
    if (cache_ != nullptr) {
      const size_t bytes = DecodedBlockBytes(*decoded, decoded->dict ? decoded->dict->ByteSize() : 0);
      cache_->Insert(key, std::move(decoded), bytes);
    }
    return Status::Ok();
  }

  // A string, guid or dynamic column whose stored text is small enough that one dictionary
  // for the whole segment pays off: few distinct values repeated across blocks (names, paths,
  // hashes), not near-unique text such as command lines. A single-block segment qualifies too:
  // its dictionary then gets the hashes and table-wide value ids the others have.
  static bool WantsUnifiedColumn(const SegmentHandle& segment, int col, size_t cache_capacity) {
    const SegmentInfo& info = segment.info;
    const ColumnType type = info.columns[col].type;
    if (info.blocks.empty() || schema::IsIntegerBacked(type) || type == ColumnType::kReal) {
      return false;
    }
    uint64_t raw = 0;
    for (const BlockMeta& block : info.blocks) {
      raw += block.columns[col].raw_size;
    }
    // Many stored bytes per row mean long values that rarely repeat within a block: a shared
    // dictionary would save little and cost a pass over all of them.
    return raw <= kMaxUnifiedColumnBytes && raw <= kMaxUnifiedBytesPerRow * info.rows &&
           raw * 8 <= cache_capacity;
  }

  // Decodes every block of column `col` of `segment`, re-codes them against one dictionary
  // and caches them all, so later scans evaluate filters and group keys once per distinct value
  // of the segment instead of once per block. Sets `out` to block `block_idx`. Returns false
  // (and caches nothing) when a block cannot be read; the caller then reads the block alone.
  bool LoadUnifiedColumn(const SegmentHandle& segment, int col, size_t block_idx,
                         std::shared_ptr<const ColumnVector>& out) {
    const SegmentInfo& info = segment.info;
    std::vector<std::shared_ptr<ColumnVector>> blocks;
    for (const BlockMeta& block : info.blocks) {
      auto decoded = std::make_shared<ColumnVector>();
      if (!ReadColumnFromFile(segment, block, col, *decoded).ok() || decoded->dict == nullptr) {
        return false;
      }
      blocks.push_back(std::move(decoded));
    }
    // Number the distinct values of all blocks and re-code each block against those numbers.
    StringInterner interner;
    std::vector<uint32_t> remap;
    for (const std::shared_ptr<ColumnVector>& block : blocks) {
      const Dictionary& own = *block->dict;
      remap.resize(own.size());
      for (size_t i = 0; i < own.size(); ++i) {
        remap[i] = interner.Intern(own[i]);
      }
      for (uint32_t& code : block->codes) {
        code = remap[code];
      }
    }
    auto unified = std::make_shared<Dictionary>();
    unified->Reserve(interner.size(), interner.text_bytes());
    for (uint32_t id = 0; id < interner.size(); ++id) {
      unified->Add(interner[id]);
    }
    unified->SetHashes(interner.hashes());  // StringInterner::Hash is XXH3_64bits, seed 0
    cache_->value_ids().Number(view_.schema->name(), info.columns[col].name, *unified);
    for (const std::shared_ptr<ColumnVector>& block : blocks) {
      block->dict = unified;
    }
    const size_t dict_share = unified->ByteSize() / blocks.size() + 1;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const size_t bytes = DecodedBlockBytes(*blocks[b], dict_share);
      cache_->Insert(BlockKey{segment.cache_id, static_cast<uint32_t>(b), static_cast<uint32_t>(col)},
                     blocks[b], bytes);
    }
    out = blocks[block_idx];
    ++stats_.unified_columns;
    return true;
  }

  Status ReadColumnFromFile(const SegmentHandle& segment, const BlockMeta& block, int col,
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
        auto nulls = std::make_shared<ColumnVector>();
        NullColumn(def.type, block.rows, *nulls);
        out.columns[i] = std::move(nulls);
        continue;
      }
      Status status = ReadColumn(segment, block_idx, col, out.columns[i]);
      if (!status.ok()) {
        ReportCorrupt(segment, block_idx, def.name, block.columns[col].offset, status);
        return false;
      }
    }
    if (need_time_filter) {
      std::shared_ptr<const ColumnVector> time_values;
      const ColumnVector* times = nullptr;
      if (time_out_idx >= 0) {
        times = out.columns[time_out_idx].get();
      } else {
        Status status = ReadColumn(segment, block_idx, seg_time_col, time_values);
        if (!status.ok()) {
          ReportCorrupt(segment, block_idx, info.columns[seg_time_col].name,
                        block.columns[seg_time_col].offset, status);
          return false;
        }
        times = time_values.get();
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
    FilterBatch(out);
  }

  void FilterBatch(ColumnBatch& out) {
    for (std::shared_ptr<const ColumnVector>& col : out.columns) {
      col = FilterColumn(*col, selection_);
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
      auto col = std::make_shared<ColumnVector>();
      FromColumnData(chunk.batch.column(columns_[i]), rows, *col);
      out.columns[i] = std::move(col);
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
          FilterBatch(out);
        }
      }
    }
    ++stats_.blocks_read;
    ++ScanCounters().blocks_read;
    stats_.rows_returned += out.rows;
    return out.rows > 0;
  }

  TableView view_;
  std::shared_ptr<BlockCache> cache_;
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
  std::set<std::pair<uint64_t, int>> unify_tried_;  // (segment cache id, column)
  ScanStats stats_;
};

}  // namespace

GlobalScanCounters& ScanCounters() {
  static GlobalScanCounters counters;
  return counters;
}

uint64_t SegmentHandle::NextCacheId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
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
                                        request.min_time, request.max_time, std::move(hints),
                                        cache_));
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
