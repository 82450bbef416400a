// Physical operators of the executor and the per-query execution context. Operators pull
// Chunks from their inputs (Volcano style, a chunk of up to kChunkRows rows at a time); blocking
// operators (summarize, sort, join build, ...) materialise what they need and charge it to the
// query's memory budget. One query runs on one thread; the context is not shared.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "vigil/kql/error.h"
#include "vigil/kql/exec/bound_expr.h"
#include "vigil/kql/exec/relation.h"

namespace vigil::kql {

template <typename T>
using KResult = tl::expected<T, KqlError>;

inline tl::unexpected<KqlError> KErr(std::string code, std::string message, Pos pos = {}) {
  return tl::unexpected<KqlError>(KqlError{std::move(code), std::move(message), pos});
}

struct QueryLimits {
  size_t max_result_rows = 100'000;              // truncated with a warning, as the hunting API
  size_t memory_budget_bytes = size_t{4} << 30;  // materialised state of one query
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  const std::atomic<bool>* cancel = nullptr;     // set to true to cancel (Ctrl-C)
  size_t scan_threads = 0;  // shards (threads) per table scan; 0 = one per core, at most 4
  // A fused dcount's (group, value) bitmaps, per scan thread; past it dcount adds row by row.
  size_t dcount_bitmap_bytes = size_t{16} << 20;
};

struct QueryStats {
  uint64_t rows_scanned = 0;
  uint64_t bytes_scanned = 0;
  uint64_t blocks_read = 0;
  uint64_t blocks_skipped = 0;  // by time range or predicate hints
  uint64_t partitions_skipped = 0;
  uint64_t peak_memory_bytes = 0;
};

class ExecContext {
 public:
  ExecContext(QueryLimits limits, int64_t now_ticks);
  EvalContext eval;
  QueryLimits limits;
  QueryStats stats;
  std::vector<std::string> warnings;
  // Engine::Check: bind and plan only. Sources that would reach outside the store (externaldata)
  // yield an empty table of their declared schema instead of being read or refused.
  bool check_only = false;

  // Adds `bytes` to the materialised state; fails once the budget is exceeded.
  KResult<bool> Charge(size_t bytes);
  void Release(size_t bytes) { used_ = used_ > bytes ? used_ - bytes : 0; }
  // Fails with KQL0903 (timeout) or KQL0904 (cancelled).
  KResult<bool> Check();
  void Warn(std::string message);
  // Thread-safe probes for scan threads (Check() is for the query's own thread).
  bool Cancelled() const {
    return limits.cancel != nullptr && limits.cancel->load(std::memory_order_relaxed);
  }
  bool Expired() const { return std::chrono::steady_clock::now() > deadline_; }

 private:
  RegexCache regex_;
  size_t used_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  uint32_t check_counter_ = 0;
};

class PhysOp {
 public:
  virtual ~PhysOp() = default;
  // Fills `out` (reset to the schema's width) with the next rows; false at the end.
  virtual KResult<bool> Next(Chunk& out) = 0;
  // One line for EXPLAIN, e.g. `Filter FileName =~ "cmd.exe"`.
  virtual std::string Describe() const = 0;
  // Given which output columns are needed, marks which input columns each input must provide
  // (`in` is pre-sized to one all-false vector per input). Default: every input column.
  virtual void NeededInputs(const std::vector<bool>& out, std::vector<std::vector<bool>>& in) const;
  // Called by PropagateNeeds with this operator's own needed outputs (scans use it).
  virtual void SetNeeded(std::vector<bool> needed) { (void)needed; }
  const Schema& schema() const { return schema_; }
  const std::vector<std::unique_ptr<PhysOp>>& inputs() const { return inputs_; }

 protected:
  Schema schema_;
  std::vector<std::unique_ptr<PhysOp>> inputs_;
};
using PhysOpPtr = std::unique_ptr<PhysOp>;

// Reads `op` to the end, calling `fn(const Chunk&) -> KResult<bool>` for each chunk and checking
// the query's limits between chunks. Stops at the first error (from `op`, the limits or `fn`).
template <typename Fn>
KResult<bool> ForEachChunk(PhysOp& op, ExecContext& ctx, Fn&& fn) {
  Chunk chunk;
  while (true) {
    auto ok = ctx.Check();
    if (!ok) {
      return ok;
    }
    chunk.Reset(op.schema().size());
    auto more = op.Next(chunk);
    if (!more || !*more) {
      return more;
    }
    auto done = fn(chunk);
    if (!done) {
      return done;
    }
  }
}

// Reads an operator to the end into a Table (charging the memory budget).
KResult<TablePtr> Collect(PhysOp& op, ExecContext& ctx);
// Multi-line plan text (children indented by two spaces).
std::string ExplainTree(const PhysOp& op);

}  // namespace vigil::kql
