// The scan interface between telemetry storage and the KQL engine: a TableSource hands out
// immutable Snapshots; a Snapshot scans one table (columns, time range, predicate hints) into
// ColumnBatches. The local columnar Store implements it (vigil/store/store.h); a ClickHouse
// backend could implement it later. Snapshots are thread-safe (scan them from many threads);
// a ScanCursor and the ColumnBatch it fills belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/column_type.h"
#include "vigil/store/dynamic_value.h"

namespace vigil::store {

// A hint the storage may use to skip whole blocks. Hints never filter rows exactly: the caller
// still evaluates its predicate on every returned row.
struct PredicateHint {
  enum class Kind : uint8_t {
    kHasTerm,       // string `column has term` (whole term, case-insensitive): bloom filter
    kStringEquals,  // string `column == value` or `=~ value`: every term of value must be present
    kIntRange,      // integer-backed/datetime `column` within [min, max] (inclusive): block min/max
    kHasAnyTerm,    // string `column has_any (terms)`: at least one of `terms` must be present
  };
  Kind kind = Kind::kHasTerm;
  std::string column = {};
  std::string text = {};    // kHasTerm, kStringEquals
  int64_t min = INT64_MIN;  // kIntRange
  int64_t max = INT64_MAX;  // kIntRange
  // kHasAnyTerm: the needles. A block is skipped only when every needle has a term the block
  // certainly lacks; a needle without any term (e.g. "" or "--") never lets a block be skipped.
  std::vector<std::string> terms = {};
};

struct ScanRequest {
  std::string table;
  std::vector<std::string> columns = {};  // empty = every column, in schema order
  // Inclusive bounds on the Timestamp column. Rows outside are never returned (tables without
  // a Timestamp are filtered by their ingest-day partition only).
  std::optional<int64_t> min_time = {};
  std::optional<int64_t> max_time = {};
  std::vector<PredicateHint> hints = {};
  // Parallel scans: this cursor reads only the segments (and in-memory chunks) whose position
  // modulo shard_count is shard_index, so shard_count cursors together read each row once.
  uint32_t shard_count = 1;
  uint32_t shard_index = 0;
};

// The values of a string, guid or dynamic column block: distinct values plus a per-row code,
// so a predicate can run once per distinct value. Dynamic values are in the binary encoding
// (read them with DynamicView). The values live back to back in one buffer (one allocation per
// block, not one per value).
class Dictionary {
 public:
  size_t size() const { return offsets_.size() - 1; }
  bool empty() const { return offsets_.size() == 1; }
  std::string_view operator[](size_t i) const {
    return std::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  // All values back to back; value i is packed()[offsets()[i], offsets()[i + 1]).
  std::string_view packed() const { return bytes_; }
  const std::vector<size_t>& offsets() const { return offsets_; }
  void Reserve(size_t values, size_t bytes) {
    offsets_.reserve(values + 1);
    bytes_.reserve(bytes);
  }
  void Add(std::string_view value) {
    bytes_.append(value);
    offsets_.push_back(bytes_.size());
  }
  // Building a value in place: append to bytes(), then EndValue().
  std::string& bytes() { return bytes_; }
  void EndValue() { offsets_.push_back(bytes_.size()); }
  void ShrinkToFit() {
    bytes_.shrink_to_fit();
    offsets_.shrink_to_fit();
  }
  // XXH3_64bits (seed 0) of each value, when the store computed them (dictionaries it keeps
  // in its block cache); empty otherwise. Lets a reader intern values without hashing them.
  const std::vector<uint64_t>& hashes() const { return hashes_; }
  void SetHashes(std::vector<uint64_t> hashes) { hashes_ = std::move(hashes); }
  // Table-wide numbers of the values, when the store assigned them (dictionaries it keeps in
  // its block cache): within one id space (one table column of one Store) a value has the same
  // number in every dictionary, so a reader can keep per-value state across dictionaries
  // without comparing texts. Empty, with space 0, otherwise.
  const std::vector<uint32_t>& value_ids() const { return value_ids_; }
  uint64_t id_space() const { return id_space_; }
  void SetValueIds(uint64_t space, std::vector<uint32_t> ids) {
    id_space_ = space;
    value_ids_ = std::move(ids);
  }
  // Memory held (text plus offsets).
  size_t ByteSize() const {
    return bytes_.capacity() + offsets_.capacity() * sizeof(size_t) +
           hashes_.capacity() * sizeof(uint64_t) + value_ids_.capacity() * sizeof(uint32_t);
  }

 private:
  std::string bytes_;
  std::vector<size_t> offsets_{0};
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> value_ids_;
  uint64_t id_space_ = 0;
};

// One column of a ColumnBatch. Integer-backed types (bool, int, long, datetime, timespan) fill
// `ints`; real fills `reals`; string, guid and dynamic fill `dict` + `codes`. `valid[r]` is 0
// for null (the value slot then holds 0 / code 0 and must be ignored).
struct ColumnVector {
  schema::ColumnType type = schema::ColumnType::kString;
  std::vector<uint8_t> valid;
  std::vector<int64_t> ints;
  std::vector<double> reals;
  std::shared_ptr<const Dictionary> dict;
  std::vector<uint32_t> codes;

  bool IsNull(size_t row) const { return valid[row] == 0; }
  // String/guid text (or the raw dynamic encoding); empty for null.
  std::string_view GetString(size_t row) const {
    return valid[row] != 0 ? (*dict)[codes[row]] : std::string_view();
  }
  // Dynamic value; a null view for null cells.
  DynamicView GetDynamic(size_t row) const {
    return valid[row] != 0 ? DynamicView((*dict)[codes[row]]) : DynamicView();
  }
};

// The requested columns for a block of rows, in the order of ScanRequest::columns. Columns
// are immutable and may be shared with the store's block cache: replace one, never edit it.
struct ColumnBatch {
  size_t rows = 0;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<const ColumnVector>> columns;

  const ColumnVector& column(size_t i) const { return *columns[i]; }

  int FindColumn(std::string_view name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
};

// What a scan read and what it skipped, for EXPLAIN output and tests.
struct ScanStats {
  uint64_t partitions_skipped = 0;  // day partitions outside the time range
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped_time = 0;  // block min/max outside the time range
  uint64_t blocks_skipped_hint = 0;  // a predicate hint ruled the block out
  uint64_t blocks_corrupt = 0;       // checksum or decode failure: reported and skipped
  uint64_t rows_returned = 0;
  // Segment columns this scan decoded whole into its store's block cache, with one dictionary.
  uint64_t unified_columns = 0;
};

class ScanCursor {
 public:
  virtual ~ScanCursor() = default;
  // Fills `out` with the next non-empty batch; returns false at the end. Errors are returned
  // only for the whole scan (e.g. I/O failure); a corrupt block is logged, counted and skipped.
  virtual Result<bool> Next(ColumnBatch& out) = 0;
  virtual const ScanStats& stats() const = 0;
};

class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Fails for an unknown table or column.
  virtual Result<std::unique_ptr<ScanCursor>> Scan(const ScanRequest& request) const = 0;
};

class TableSource {
 public:
  virtual ~TableSource() = default;
  virtual const schema::Catalog& catalog() const = 0;
  // A consistent view: later appends are not visible through it.
  virtual std::shared_ptr<const Snapshot> GetSnapshot() const = 0;
};

}  // namespace vigil::store
