// Moving rows out of memory and the WAL into segments: flush (rows by day, sorted by
// Timestamp), compaction of a day's small segments, retention, and writing one segment
// durably.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "vigil/base/log.h"
#include "vigil/store/internal/store_impl.h"
#include "vigil/store/internal/wal.h"

namespace vigil::store {

using internal::DayDirName;
using internal::EncodeCheckpoint;
using internal::File;
using internal::MemChunk;
using internal::SegmentHandle;
using internal::SegmentInfo;

namespace {

std::string SegmentFileName(uint64_t id) { return fmt::format("{:016x}.vseg", id); }

// Consecutive rows of `refs` (in order) as runs over the chunks' batches.
template <typename Ref, typename BatchOf>
std::vector<internal::RowRun> ToRuns(const std::vector<Ref>& refs, BatchOf&& batch_of) {
  std::vector<internal::RowRun> runs;
  for (const Ref& ref : refs) {
    const schema::TableBatch* batch = batch_of(ref);
    if (!runs.empty() && runs.back().batch == batch && runs.back().end == ref.row) {
      ++runs.back().end;
    } else {
      runs.push_back({batch, ref.row, size_t{ref.row} + 1});
    }
  }
  return runs;
}

// Rows of a chunk list for one table, grouped by day and sorted by Timestamp within a day, as
// runs of chunk rows (the segment writer gathers them; nothing is copied). The runs point into
// `chunks`, which must outlive the result.
std::map<int64_t, std::vector<internal::RowRun>> PartitionByDay(
    const schema::TableSchema& table, const std::vector<std::shared_ptr<const MemChunk>>& chunks,
    int64_t cutoff_day) {
  struct RowRef {
    int64_t time;
    uint32_t chunk;
    uint32_t row;
  };
  std::map<int64_t, std::vector<RowRef>> by_day;
  const int time_col = table.timestamp_column();
  for (uint32_t c = 0; c < chunks.size(); ++c) {
    const MemChunk& chunk = *chunks[c];
    if (chunk.min_day == chunk.max_day && chunk.min_day >= cutoff_day) {
      // The whole chunk is one day (the common case): no per-row day computation.
      std::vector<RowRef>& refs = by_day[chunk.min_day];
      const schema::ColumnData* times = time_col >= 0 ? &chunk.batch.column(time_col) : nullptr;
      for (uint32_t r = 0; r < chunk.batch.rows(); ++r) {
        const bool has = times != nullptr && times->valid[r] != 0;
        refs.push_back({has ? times->ints[r] : INT64_MIN, c, r});
      }
      continue;
    }
    for (uint32_t r = 0; r < chunk.batch.rows(); ++r) {
      const int64_t day = chunk.RowDay(r);
      if (day < cutoff_day) {
        continue;
      }
      int64_t time = INT64_MIN;
      if (time_col >= 0 && chunk.batch.column(time_col).valid[r] != 0) {
        time = chunk.batch.column(time_col).ints[r];
      }
      by_day[day].push_back({time, c, r});
    }
  }
  std::map<int64_t, std::vector<internal::RowRun>> result;
  for (auto& [day, refs] : by_day) {
    auto by_time = [](const RowRef& a, const RowRef& b) { return a.time < b.time; };
    if (!std::is_sorted(refs.begin(), refs.end(), by_time)) {
      std::stable_sort(refs.begin(), refs.end(), by_time);
    }
    result[day] = ToRuns(refs, [&](const RowRef& ref) { return &chunks[ref.chunk]->batch; });
  }
  return result;
}

// The rows of `batch` sorted by Timestamp (stable), as runs over `batch`.
std::vector<internal::RowRun> TimeOrderRuns(const schema::TableBatch& batch) {
  struct RowRef {
    int64_t time;
    uint32_t row;
  };
  const int time_col = batch.schema().timestamp_column();
  std::vector<RowRef> refs(batch.rows());
  for (uint32_t r = 0; r < batch.rows(); ++r) {
    const bool has = time_col >= 0 && batch.column(time_col).valid[r] != 0;
    refs[r] = {has ? batch.column(time_col).ints[r] : INT64_MIN, r};
  }
  auto by_time = [](const RowRef& a, const RowRef& b) { return a.time < b.time; };
  if (!std::is_sorted(refs.begin(), refs.end(), by_time)) {
    std::stable_sort(refs.begin(), refs.end(), by_time);
  }
  return ToRuns(refs, [&](const RowRef&) { return &batch; });
}

}  // namespace

Status Store::Impl::WriteSegment(const schema::TableSchema& table, int64_t day,
                                 std::span<const internal::RowRun> rows, uint64_t wal_high,
                                 std::vector<uint64_t> supersedes,
                                 std::shared_ptr<SegmentHandle>& out) {
  const fs::path table_dir = tables_dir / table.name();
  const fs::path day_dir = table_dir / DayDirName(day);
  std::error_code ec;
  const bool new_table_dir = !fs::exists(table_dir, ec);
  const bool new_day_dir = !fs::exists(day_dir, ec);
  fs::create_directories(day_dir, ec);
  if (ec) {
    return IoError("cannot create '{}': {}", day_dir.string(), ec.message());
  }
  if (new_table_dir) {
    VIGIL_RETURN_IF_ERROR(internal::FsyncDir(tables_dir));
  }
  if (new_day_dir) {
    VIGIL_RETURN_IF_ERROR(internal::FsyncDir(table_dir));
  }
  SegmentInfo info;
  info.table = table.name();
  info.day = day;
  info.id = next_segment_id++;
  info.wal_high = wal_high;
  info.supersedes = std::move(supersedes);
  const fs::path path = day_dir / SegmentFileName(info.id);
  VIGIL_ASSIGN_OR_RETURN(
      SegmentInfo written,
      internal::WriteSegment(path, table, rows, std::move(info), segment_options));
  VIGIL_RETURN_IF_ERROR(internal::FsyncDir(day_dir));
  out = std::make_shared<SegmentHandle>(path, std::move(written));
  return Status::Ok();
}

void Store::Impl::RemoveWalFilesUpTo(uint64_t seq) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(wal_dir, ec)) {
    uint64_t file_seq = 0;
    if (internal::ParseWalFileName(entry.path().filename().string(), file_seq) && file_seq <= seq) {
      std::error_code remove_ec;
      fs::remove(entry.path(), remove_ec);
    }
  }
}

Status Store::Impl::Flush() {
  std::lock_guard maint(maint_mu);
  uint64_t next_seq = 0;
  {
    std::lock_guard lock(mu);
    if (closed) {
      return FailedPreconditionError("store '{}' is closed", options.dir.string());
    }
    const bool any = std::any_of(tables.begin(), tables.end(),
                                 [](const auto& entry) { return !entry.second.active.empty(); });
    next_seq = wal_seq + 1;
    if (!any) {
      // Older WAL files hold nothing unflushed (e.g. the empty files of earlier opens).
      RemoveWalFilesUpTo(wal_seq - 1);
      MarkFlushed();
      return Status::Ok();
    }
  }
  const fs::path next_path = internal::WalFilePath(wal_dir, next_seq);
  VIGIL_ASSIGN_OR_RETURN(File next_file, internal::CreateWalFile(next_path, next_seq));

  // Freeze: everything in WAL files <= frozen_high moves to `frozen`; new appends go to the
  // new WAL file and the (now empty) active lists.
  uint64_t frozen_high = 0;
  int64_t cutoff_day = INT64_MIN;
  std::vector<std::pair<const schema::TableSchema*, std::vector<std::shared_ptr<const MemChunk>>>>
      work;
  {
    std::unique_lock lock(mu);
    commit_cv.wait(lock, [&] { return !writing; });
    frozen_high = wal_seq;
    wal_file = std::move(next_file);
    wal_path = next_path;
    wal_seq = next_seq;
    wal_error = Status::Ok();  // the new file is clean
    unflushed_rows = 0;
    cutoff_day = retention_cutoff_day;
    for (auto& [name, state] : tables) {
      state.frozen = std::move(state.active);
      state.active.clear();
      if (!state.frozen.empty()) {
        work.emplace_back(state.schema, state.frozen);
      }
    }
  }
  flush_requested = false;

  std::vector<std::pair<std::string, std::shared_ptr<SegmentHandle>>> written;
  Status status;
  for (auto& [table, chunks] : work) {
    std::map<int64_t, std::vector<internal::RowRun>> days =
        PartitionByDay(*table, chunks, cutoff_day);
    for (auto& [day, runs] : days) {
      std::shared_ptr<SegmentHandle> handle;
      status = WriteSegment(*table, day, runs, frozen_high, {}, handle);
      if (!status.ok()) {
        break;
      }
      written.emplace_back(table->name(), std::move(handle));
    }
    if (!status.ok()) {
      break;
    }
  }
  if (status.ok()) {
    status = internal::WriteFileDurably(checkpoint_path, EncodeCheckpoint(frozen_high));
  }
  if (!status.ok()) {
    // Undo: the frozen rows stay in the WAL and go back to the active lists.
    for (auto& [name, handle] : written) {
      handle->obsolete = true;
    }
    written.clear();
    std::lock_guard lock(mu);
    for (auto& [name, state] : tables) {
      for (const auto& chunk : state.frozen) {
        unflushed_rows += chunk->batch.rows();
      }
      state.frozen.insert(state.frozen.end(), state.active.begin(), state.active.end());
      state.active = std::move(state.frozen);
      state.frozen.clear();
    }
    return status.Annotate("flush failed");
  }
  {
    std::lock_guard lock(mu);
    for (auto& [name, handle] : written) {
      TableState& state = tables[name];
      state.segments.push_back(std::move(handle));
    }
    for (auto& [name, state] : tables) {
      state.frozen.clear();
    }
    ++health.flushes;
    health.segments_written += written.size();
  }
  RemoveWalFilesUpTo(frozen_high);
  MarkFlushed();
  return Status::Ok();
}

Status Store::Impl::Compact() {
  std::lock_guard maint(maint_mu);
  struct Job {
    const schema::TableSchema* table;
    int64_t day;
    std::vector<std::shared_ptr<SegmentHandle>> inputs;
  };
  std::vector<Job> jobs;
  {
    std::lock_guard lock(mu);
    if (closed) {
      return FailedPreconditionError("store '{}' is closed", options.dir.string());
    }
    for (auto& [name, state] : tables) {
      std::map<int64_t, std::vector<std::shared_ptr<SegmentHandle>>> small;
      for (const auto& segment : state.segments) {
        if (segment->info.rows < options.compact_max_rows) {
          small[segment->info.day].push_back(segment);
        }
      }
      for (auto& [day, segments] : small) {
        if (segments.size() < std::max<size_t>(options.compact_min_segments, 2)) {
          continue;
        }
        // Bound the memory of one merge.
        Job job{state.schema, day, {}};
        uint64_t rows = 0;
        for (auto& segment : segments) {
          if (job.inputs.size() >= 2 && rows + segment->info.rows > 4 * options.compact_max_rows) {
            break;
          }
          rows += segment->info.rows;
          job.inputs.push_back(segment);
        }
        jobs.push_back(std::move(job));
      }
    }
  }
  for (Job& job : jobs) {
    schema::TableBatch merged(*job.table);
    std::vector<uint64_t> ids;
    uint64_t wal_high = 0;
    Status status;
    for (const auto& input : job.inputs) {
      status = internal::ReadWholeSegment(*input, merged);
      if (!status.ok()) {
        break;
      }
      ids.push_back(input->info.id);
      wal_high = std::max(wal_high, input->info.wal_high);
    }
    if (!status.ok()) {
      VIGIL_LOG_WARN("store", "not compacting {} {}: {}", job.table->name(), DayDirName(job.day),
                     status.ToString());
      continue;
    }
    std::shared_ptr<SegmentHandle> output;
    VIGIL_RETURN_IF_ERROR(
        WriteSegment(*job.table, job.day, TimeOrderRuns(merged), wal_high, ids, output));
    std::lock_guard lock(mu);
    TableState& state = tables[job.table->name()];
    for (const auto& input : job.inputs) {
      input->obsolete = true;
      std::erase(state.segments, input);
    }
    state.segments.push_back(std::move(output));
    std::sort(state.segments.begin(), state.segments.end(), [](const auto& a, const auto& b) {
      return std::tie(a->info.day, a->info.id) < std::tie(b->info.day, b->info.id);
    });
    ++health.compactions;
  }
  return Status::Ok();
}

Status Store::Impl::ApplyRetention(int64_t now_ticks) {
  if (options.retention_days <= 0) {
    return Status::Ok();
  }
  const int64_t cutoff = internal::PartitionDay(now_ticks) - options.retention_days;
  std::lock_guard maint(maint_mu);
  std::vector<std::shared_ptr<SegmentHandle>> dropped;
  std::lock_guard lock(mu);
  retention_cutoff_day = std::max(retention_cutoff_day, cutoff);
  for (auto& [name, state] : tables) {
    std::set<int64_t> days;
    std::erase_if(state.segments, [&](const std::shared_ptr<SegmentHandle>& segment) {
      if (segment->info.day >= cutoff) {
        return false;
      }
      segment->obsolete = true;
      days.insert(segment->info.day);
      dropped.push_back(segment);  // unlinked after `mu` is released
      return true;
    });
    if (!days.empty()) {
      VIGIL_LOG_INFO("store", "retention dropped {} day partitions of {}", days.size(), name);
    }
    health.partitions_dropped += days.size();
  }
  return Status::Ok();
}

}  // namespace vigil::store
