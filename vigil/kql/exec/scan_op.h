// ScanOp: reads one hunting table from a store Snapshot. It applies what the planner pushed
// down: the Timestamp range and predicate hints (the store skips whole blocks with them), and
// single-column filters, evaluated once per distinct dictionary value for string, guid and
// dynamic columns (once per row otherwise) before any row is turned into Values. Only the
// columns the rest of the plan needs are decoded (set by PropagateNeeds); the others stay null.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include "vigil/kql/exec/physical.h"
#include "vigil/kql/exec/string_filter.h"
#include "vigil/store/table_source.h"

namespace vigil::kql {

// The Values of one column's current dictionary, decoded on first use (a scan reads each
// distinct value once per block, not once per row).
struct ScanDictCache {
  std::shared_ptr<const store::Dictionary> dict;  // held: a freed address may be reused
  std::vector<Value> values;
  std::vector<uint8_t> decoded;
  // Resets the cache when `col` carries a new dictionary; true if it did.
  bool Refresh(const store::ColumnVector& col);
};

// A stored cell as a Value, as scans produce it: a null string is the empty string; guid text is
// canonicalised; dynamic values are decoded. `cache` must be refreshed for `col`'s dictionary.
Value ScanCell(const store::ColumnVector& col, size_t row, ScanDictCache& cache);
Value ScanIntValue(schema::ColumnType type, int64_t v);
Value ScanDictValue(schema::ColumnType type, std::string_view raw);

struct ScanFilter {
  int column = -1;   // index in the table schema
  BExprPtr predicate;  // bound against a one-column schema (the column at index 0)
};

class ScanOp : public PhysOp {
 public:
  ScanOp(std::shared_ptr<const store::Snapshot> snapshot, std::string table, Schema schema,
         ExecContext* ctx);
  ~ScanOp() override;
  void SetTimeRange(std::optional<int64_t> min_time, std::optional<int64_t> max_time);
  void AddHint(store::PredicateHint hint) { hints_.push_back(std::move(hint)); }
  void AddFilter(ScanFilter filter) { filters_.push_back(std::move(filter)); }
  void SetNeeded(std::vector<bool> needed) override { needed_ = std::move(needed); }

  // With ExecContext::limits.scan_threads > 1 the table is read in that many shards on their
  // own threads (decode, pushed filters and Value conversion run in parallel); chunks then
  // arrive in no particular order, as in Kusto.
  KResult<bool> Next(Chunk& out) override;
  std::string Describe() const override;
  // Fused consumers (ScanAggregateOp): runs the whole scan, handing every decoded batch and its
  // rows that pass the pushed filters to `sink` on the worker's own thread (worker index in
  // [0, ShardCount())). Instead of Next(); a sink error stops every worker and is returned.
  // `done`, when given, runs on a worker's thread after its last batch (not after an error).
  using BatchSink = std::function<KResult<bool>(size_t worker, const store::ColumnBatch& batch,
                                                const std::vector<uint32_t>& rows)>;
  KResult<bool> RunBatches(const BatchSink& sink,
                           const std::function<void(size_t worker)>& done = nullptr);
  size_t ShardCount() const;
  // True once the scan has opened its cursors (filters can no longer be added).
  bool started() const { return !workers_.empty(); }
  // A fresh, unstarted scan of the same table, time range, hints and filters that decodes only
  // the `needed` columns (two-phase plans read the table twice).
  std::unique_ptr<ScanOp> CloneForColumns(std::vector<bool> needed) const;

 private:
  using DictCache = ScanDictCache;
  // One shard's cursor and state; owned by one thread at a time.
  struct ScanWorker {
    std::unique_ptr<store::ScanCursor> cursor;
    store::ColumnBatch batch;
    std::vector<DictCache> dict_cache;
    // Memoised verdicts per pushed filter (several filters may read one column), per value of
    // the filter column's current dictionary: -1 unknown, 0 false, 1 true.
    std::vector<std::vector<int8_t>> verdicts;
    // Per pushed filter: every value of the current dictionary has its verdict already.
    std::vector<uint8_t> verdicts_complete;
    // Per pushed filter on a column the store numbers table-wide (Dictionary::value_ids): the
    // verdict per value id, kept across dictionaries (segments) of that id space.
    std::vector<std::vector<int8_t>> value_verdicts;
    std::vector<uint64_t> value_space;
    std::vector<uint32_t> sel;
    std::unique_ptr<RegexCache> regex;  // threaded workers only
    EvalContext eval;                   // threaded workers only
    std::vector<std::string> warnings;
    QueryStats stats;
  };
  static constexpr size_t kQueueDepth = 4;
  // Filter f's verdicts for a new dictionary `dict` from those kept per table-wide value id.
  static void SeedVerdicts(ScanWorker& w, size_t f, const store::Dictionary& dict);
  // Keeps the verdicts reached over `dict`, the dictionary being replaced, per value id.
  static void KeepVerdicts(ScanWorker& w, size_t f, const store::Dictionary& dict);

  KResult<bool> Open();
  // Reads the next batch with rows passing the pushed filters into w.batch / w.sel; false at
  // the end.
  KResult<bool> Select(ScanWorker& w, bool threaded);
  KResult<bool> Produce(ScanWorker& w, Chunk& out, bool threaded);
  Value Cell(ScanWorker& w, size_t b, size_t r) const;
  void StartThreads();
  void StopThreads();
  void Finish();  // merges worker stats and warnings into the query context

  std::shared_ptr<const store::Snapshot> snapshot_;
  std::string table_;
  ExecContext* ctx_;
  std::optional<int64_t> min_time_;
  std::optional<int64_t> max_time_;
  std::vector<store::PredicateHint> hints_;
  std::vector<ScanFilter> filters_;
  std::vector<bool> needed_;

  store::ScanRequest request_;
  std::vector<int> batch_to_schema_;  // batch column -> schema column
  struct BatchFilter {
    size_t column = 0;  // in the batch
    const BExpr* predicate = nullptr;
    std::shared_ptr<const StringFilter> text;  // string columns: runs on the raw text
    bool null_verdict = false;                 // text's verdict for null (empty) cells
    // Integer-backed columns compared with constants: the cell must lie in [lo, hi] (null
    // cells fail, as comparisons with null are not true).
    bool int_range = false;
    int64_t lo = INT64_MIN;
    int64_t hi = INT64_MAX;
  };
  std::vector<BatchFilter> batch_filters_;
  std::vector<std::unique_ptr<ScanWorker>> workers_;
  bool done_ = false;

  // Threaded mode.
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Chunk> queue_;
  size_t active_ = 0;
  std::atomic<bool> stop_{false};
  std::optional<KqlError> error_;
};

// Marks the columns each operator needs from its inputs, from the root down, and tells every
// ScanOp which columns to decode.
void PropagateNeeds(PhysOp& root);

}  // namespace vigil::kql
