#include "vigil/store/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>

#include "vigil/base/log.h"
#include "vigil/base/time.h"
#include "vigil/store/internal/block_cache.h"
#include "vigil/store/internal/encoding.h"
#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/local_snapshot.h"
#include "vigil/store/internal/segment.h"
#include "vigil/store/internal/wal.h"

namespace vigil::store {

namespace fs = std::filesystem;
using internal::File;
using internal::MemChunk;
using internal::SegmentHandle;
using internal::SegmentInfo;

namespace {

constexpr std::string_view kCheckpointMagic = "VIGILCKP";
constexpr uint32_t kCheckpointVersion = 2;
constexpr uint64_t kCheckpointSeed = 0x56434b50;  // "VCKP"
constexpr size_t kMaxWalRecordBytes = size_t{1} << 30;
constexpr auto kRetentionPeriod = std::chrono::hours(1);

// "2026-10-24" for days since 1970-01-01 (proleptic Gregorian; years outside 0..9999 keep their
// sign and digits). Computed here rather than through FormatDateTime so every int64 day works.
std::string DayDirName(int64_t day) {
  const int64_t shifted = day + 719468;  // days from 0000-03-01
  const int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  const int64_t day_of_era = shifted - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t dom = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}", year, month, dom);
}

std::string SegmentFileName(uint64_t id) { return fmt::format("{:016x}.vseg", id); }

std::string EncodeCheckpoint(uint64_t wal_seq) {
  internal::ByteWriter out;
  out.PutBytes(kCheckpointMagic);
  out.PutU32(kCheckpointVersion);
  out.PutU32(0);
  out.PutU64(wal_seq);
  out.PutU64(internal::Hash64(out.buffer(), kCheckpointSeed));
  return out.Release();
}

Result<uint64_t> DecodeCheckpoint(std::string_view data, const fs::path& path) {
  internal::ByteReader in(data);
  std::string_view magic;
  uint32_t version = 0;
  uint32_t flags = 0;
  uint64_t seq = 0;
  uint64_t hash = 0;
  if (data.size() != 32 || !in.GetBytes(8, magic) || magic != kCheckpointMagic ||
      !in.GetU32(version) || !in.GetU32(flags) || !in.GetU64(seq) || !in.GetU64(hash) ||
      hash != internal::Hash64(data.substr(0, 24), kCheckpointSeed)) {
    return DataLossError("checkpoint '{}' is corrupt (offset 0, {} bytes)", path.string(),
                         data.size());
  }
  if (version != kCheckpointVersion) {
    return DataLossError("checkpoint '{}': unsupported version {}", path.string(), version);
  }
  return seq;
}

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

struct Store::Impl {
  struct PendingWrite {
    std::string record;
    std::vector<std::shared_ptr<MemChunk>> chunks;
    Status status;
    bool done = false;
  };
  struct TableState {
    const schema::TableSchema* schema = nullptr;
    std::vector<std::shared_ptr<SegmentHandle>> segments;
    std::vector<std::shared_ptr<const MemChunk>> active;  // in the current WAL files
    std::vector<std::shared_ptr<const MemChunk>> frozen;  // being flushed
  };

  StoreOptions options;
  const schema::Catalog* catalog = nullptr;
  File lock_file;  // flock()ed <dir>/LOCK: one Store per directory at a time
  fs::path wal_dir;
  fs::path tables_dir;
  fs::path checkpoint_path;
  internal::SegmentWriteOptions segment_options;
  std::shared_ptr<internal::BlockCache> block_cache;

  // Guards everything below up to maint_mu. Lock order: maint_mu, then mu.
  mutable std::mutex mu;
  std::condition_variable commit_cv;
  File wal_file;
  fs::path wal_path;
  uint64_t wal_seq = 0;
  bool writing = false;
  std::vector<PendingWrite*> queue;
  Status wal_error;
  bool closed = false;
  std::map<std::string, TableState> tables;
  uint64_t unflushed_rows = 0;
  int64_t retention_cutoff_day = INT64_MIN;
  StoreHealth health;

  // Serializes Flush, Compact and ApplyRetention.
  std::mutex maint_mu;
  std::atomic<uint64_t> next_segment_id{1};
  // Written by Flush (under maint_mu), read by the background loop.
  std::atomic<std::chrono::steady_clock::rep> last_flush{
      std::chrono::steady_clock::now().time_since_epoch().count()};
  std::chrono::steady_clock::time_point last_retention{};  // background thread only

  void MarkFlushed() { last_flush = std::chrono::steady_clock::now().time_since_epoch().count(); }
  std::chrono::steady_clock::duration SinceLastFlush() const {
    return std::chrono::steady_clock::now().time_since_epoch() -
           std::chrono::steady_clock::duration(last_flush.load());
  }

  std::mutex bg_mu;
  std::condition_variable_any bg_cv;
  std::atomic<bool> flush_requested{false};
  std::jthread background;

  TableState& State(const schema::TableSchema& table) {
    TableState& state = tables[table.name()];
    state.schema = &table;
    return state;
  }

  Status OpenDirs();
  Result<uint64_t> ReadCheckpoint();
  Status LoadSegments(uint64_t checkpoint);
  Result<uint64_t> ReplayWal(uint64_t checkpoint);
  Status AppendAll(std::span<const schema::TableBatch* const> batches);
  Status Flush();
  Status Compact();
  Status ApplyRetention(int64_t now_ticks);
  Status WriteSegment(const schema::TableSchema& table, int64_t day,
                      std::span<const internal::RowRun> rows, uint64_t wal_high,
                      std::vector<uint64_t> supersedes, std::shared_ptr<SegmentHandle>& out);
  void RemoveWalFilesUpTo(uint64_t seq);
  void BackgroundLoop(std::stop_token stop);
  void StopBackground();
};

Status Store::Impl::OpenDirs() {
  wal_dir = options.dir / "wal";
  tables_dir = options.dir / "tables";
  checkpoint_path = options.dir / "CHECKPOINT";
  std::error_code ec;
  fs::create_directories(wal_dir, ec);
  if (!ec) {
    fs::create_directories(tables_dir, ec);
  }
  if (ec) {
    return IoError("cannot create store directory '{}': {}", options.dir.string(), ec.message());
  }
  const fs::path lock_path = options.dir / "LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return IoError("cannot open '{}'", lock_path.string());
  }
  lock_file = File(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    lock_file.Close();
    return FailedPreconditionError("store '{}' is already open (by this or another process)",
                                   options.dir.string());
  }
  return Status::Ok();
}

Result<uint64_t> Store::Impl::ReadCheckpoint() {
  std::error_code ec;
  if (!fs::exists(checkpoint_path, ec)) {
    return uint64_t{0};
  }
  VIGIL_ASSIGN_OR_RETURN(std::string data, internal::ReadWholeFile(checkpoint_path));
  return DecodeCheckpoint(data, checkpoint_path);
}

Status Store::Impl::LoadSegments(uint64_t checkpoint) {
  struct Found {
    fs::path path;
    SegmentInfo info;
    const schema::TableSchema* table;
  };
  std::vector<Found> found;
  std::set<uint64_t> superseded;
  uint64_t max_id = 0;
  std::error_code ec;
  for (const auto& table_entry : fs::directory_iterator(tables_dir, ec)) {
    if (!table_entry.is_directory()) {
      continue;
    }
    const std::string table_name = table_entry.path().filename().string();
    const schema::TableSchema* table = catalog->Find(table_name);
    if (table == nullptr) {
      VIGIL_LOG_WARN("store", "ignoring data of unknown table '{}' in '{}'", table_name,
                     table_entry.path().string());
      continue;
    }
    std::error_code day_ec;
    for (const auto& day_entry : fs::directory_iterator(table_entry.path(), day_ec)) {
      if (!day_entry.is_directory()) {
        continue;
      }
      std::error_code file_ec;
      for (const auto& file_entry : fs::directory_iterator(day_entry.path(), file_ec)) {
        const fs::path& path = file_entry.path();
        if (path.extension() == ".tmp") {
          // A segment write that never completed (crash before rename).
          fs::remove(path, file_ec);
          continue;
        }
        if (path.extension() != ".vseg") {
          continue;
        }
        auto info = internal::ReadSegmentInfo(path);
        if (!info.ok()) {
          VIGIL_LOG_WARN("store", "skipping corrupt segment: {}", info.error().ToString());
          ++health.corrupt_segments;
          continue;
        }
        if (info->table != table_name ||
            DayDirName(info->day) != day_entry.path().filename().string()) {
          VIGIL_LOG_WARN("store", "skipping misplaced segment '{}' (table '{}', day {})",
                         path.string(), info->table, DayDirName(info->day));
          ++health.corrupt_segments;
          continue;
        }
        max_id = std::max(max_id, info->id);
        for (uint64_t id : info->supersedes) {
          superseded.insert(id);
          max_id = std::max(max_id, id);
        }
        found.push_back({path, std::move(*info), table});
      }
    }
  }
  next_segment_id = max_id + 1;
  for (Found& segment : found) {
    if (superseded.contains(segment.info.id)) {
      // Compaction finished but crashed before removing its inputs.
      fs::remove(segment.path, ec);
      continue;
    }
    if (segment.info.wal_high > checkpoint) {
      // Written by a flush that did not reach its checkpoint: the WAL still has these rows.
      fs::remove(segment.path, ec);
      continue;
    }
    State(*segment.table)
        .segments.push_back(std::make_shared<SegmentHandle>(segment.path, std::move(segment.info)));
  }
  for (auto& [name, state] : tables) {
    std::sort(state.segments.begin(), state.segments.end(), [](const auto& a, const auto& b) {
      return std::tie(a->info.day, a->info.id) < std::tie(b->info.day, b->info.id);
    });
  }
  return Status::Ok();
}

Result<uint64_t> Store::Impl::ReplayWal(uint64_t checkpoint) {
  std::vector<uint64_t> seqs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(wal_dir, ec)) {
    uint64_t seq = 0;
    if (internal::ParseWalFileName(entry.path().filename().string(), seq)) {
      seqs.push_back(seq);
    }
  }
  if (ec) {
    return IoError("cannot list WAL directory '{}': {}", wal_dir.string(), ec.message());
  }
  std::sort(seqs.begin(), seqs.end());
  uint64_t max_seq = checkpoint;
  for (uint64_t seq : seqs) {
    max_seq = std::max(max_seq, seq);
    const fs::path path = internal::WalFilePath(wal_dir, seq);
    if (seq <= checkpoint) {
      fs::remove(path, ec);  // already in segments
      continue;
    }
    auto read = internal::ReadWalFile(path, seq);
    if (!read.ok()) {
      VIGIL_LOG_WARN("store", "{}; moving it aside as .corrupt", read.error().ToString());
      fs::path aside = path;
      aside += ".corrupt";
      fs::rename(path, aside, ec);
      ++health.wal_torn_tails;
      continue;
    }
    if (read->torn) {
      VIGIL_LOG_WARN("store", "WAL file '{}': torn tail ({}), truncating {} unacknowledged bytes",
                     path.string(), read->torn_reason, read->file_bytes - read->valid_bytes);
      ++health.wal_torn_tails;
      health.wal_bytes_truncated += read->file_bytes - read->valid_bytes;
      if (read->valid_bytes < internal::kWalHeaderSize) {
        fs::remove(path, ec);
      } else if (::truncate(path.c_str(), static_cast<off_t>(read->valid_bytes)) != 0) {
        return IoError("cannot truncate torn WAL file '{}'", path.string());
      } else {
        VIGIL_ASSIGN_OR_RETURN(File file, File::OpenAppend(path));
        VIGIL_RETURN_IF_ERROR(file.Sync(path));
      }
    }
    for (const std::string& payload : read->payloads) {
      auto chunks = internal::DecodeWalPayload(payload, *catalog, &health.wal_chunks_dropped);
      if (!chunks.ok()) {
        VIGIL_LOG_WARN("store", "WAL file '{}': skipping undecodable record: {}", path.string(),
                       chunks.error().ToString());
        continue;
      }
      for (auto& chunk : *chunks) {
        chunk->wal_bytes = payload.size() / std::max<size_t>(chunks->size(), 1);
        unflushed_rows += chunk->batch.rows();
        State(chunk->batch.schema()).active.push_back(std::move(chunk));
      }
    }
  }
  if (health.wal_chunks_dropped > 0) {
    VIGIL_LOG_WARN("store", "dropped {} replayed WAL chunks of tables unknown to the catalog",
                   health.wal_chunks_dropped);
  }
  return max_seq;
}

Status Store::Impl::AppendAll(std::span<const schema::TableBatch* const> batches) {
  PendingWrite write;
  const int64_t ingest_ticks = NowTicks();
  uint64_t invalid_dynamic = 0;
  for (const schema::TableBatch* batch : batches) {
    if (batch == nullptr || batch->empty()) {
      continue;
    }
    const schema::TableSchema* table = catalog->Find(batch->schema().name());
    if (table == nullptr || table->column_count() != batch->schema().column_count()) {
      return InvalidArgumentError("table '{}' does not match the store's catalog",
                                  batch->schema().name());
    }
    write.chunks.push_back(internal::MakeMemChunk(*table, *batch, ingest_ticks, &invalid_dynamic));
  }
  if (write.chunks.empty()) {
    return Status::Ok();
  }
  // One record buffer per appending thread: a fresh multi-megabyte string per Append would be
  // mapped, page-faulted in and unmapped every time.
  thread_local std::string record_buffer;
  write.record.swap(record_buffer);
  struct GiveBack {
    std::string& from;
    std::string& to;
    ~GiveBack() {
      if (from.capacity() <= (size_t{64} << 20)) {
        to.swap(from);
      }
    }
  } give_back{write.record, record_buffer};
  const size_t payload_size = internal::EncodeWalRecord(write.chunks, write.record);
  if (payload_size > kMaxWalRecordBytes) {
    return InvalidArgumentError("batch of {} bytes exceeds the WAL record limit; split it",
                                payload_size);
  }
  for (auto& chunk : write.chunks) {
    chunk->wal_bytes = payload_size / write.chunks.size();
  }

  std::unique_lock lock(mu);
  if (closed) {
    return FailedPreconditionError("store '{}' is closed", options.dir.string());
  }
  if (!wal_error.ok()) {
    return wal_error;
  }
  health.invalid_dynamic_values += invalid_dynamic;
  queue.push_back(&write);
  while (!write.done) {
    if (writing) {
      commit_cv.wait(lock);
      continue;
    }
    // Leader: write every queued record with one write and one fsync (group commit).
    writing = true;
    std::vector<PendingWrite*> group;
    group.swap(queue);
    File& file = wal_file;
    const fs::path path = wal_path;
    lock.unlock();
    Status status;
    if (group.size() == 1) {
      status = file.WriteAll(group[0]->record, path);
    } else {
      std::string buffer;
      for (PendingWrite* pending : group) {
        buffer.append(pending->record);
      }
      status = file.WriteAll(buffer, path);
    }
    if (status.ok()) {
      status = file.Sync(path);
    }
    lock.lock();
    if (!status.ok()) {
      VIGIL_LOG_ERROR("store", "WAL write failed, appends fail until the next flush: {}",
                      status.ToString());
      wal_error = status;
    } else {
      ++health.wal_syncs;
      health.wal_records += group.size();
    }
    for (PendingWrite* pending : group) {
      pending->status = status;
      if (status.ok()) {
        for (auto& chunk : pending->chunks) {
          unflushed_rows += chunk->batch.rows();
          State(chunk->batch.schema()).active.push_back(std::move(chunk));
        }
      }
      pending->done = true;
    }
    writing = false;
    commit_cv.notify_all();
  }
  if (unflushed_rows >= options.flush_rows && options.background_flush) {
    flush_requested = true;
    bg_cv.notify_one();
  }
  return write.status;
}

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

void Store::Impl::BackgroundLoop(std::stop_token stop) {
  const auto tick =
      std::min<std::chrono::milliseconds>(options.flush_interval, std::chrono::milliseconds(1000));
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(bg_mu);
      bg_cv.wait_for(lock, stop, tick, [&] { return flush_requested.load(); });
    }
    if (stop.stop_requested()) {
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    bool due = flush_requested.load();
    {
      std::lock_guard lock(mu);
      due = due || (unflushed_rows > 0 && SinceLastFlush() >= options.flush_interval);
    }
    if (due) {
      Status status = Flush();
      if (status.ok()) {
        status = Compact();
      }
      if (!status.ok()) {
        VIGIL_LOG_WARN("store", "background flush failed, will retry: {}", status.ToString());
        std::lock_guard lock(mu);
        ++health.background_errors;
      }
    }
    if (options.background_retention && now - last_retention >= kRetentionPeriod) {
      last_retention = now;
      Status status = ApplyRetention(NowTicks());
      if (!status.ok()) {
        VIGIL_LOG_WARN("store", "retention failed: {}", status.ToString());
      }
    }
  }
}

void Store::Impl::StopBackground() {
  if (background.joinable()) {
    background.request_stop();
    bg_cv.notify_all();
    background.join();
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  if (impl_ != nullptr) {
    Status status = Close();
    if (!status.ok()) {
      VIGIL_LOG_WARN("store", "closing store: {}", status.ToString());
    }
  }
}

Result<std::unique_ptr<Store>> Store::Open(StoreOptions options, const schema::Catalog& catalog) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->catalog = &catalog;
  impl->segment_options.block_rows = impl->options.block_rows;
  impl->segment_options.zstd_level = impl->options.zstd_level;
  impl->segment_options.codec = impl->options.compression == Compression::kLz4
                                    ? internal::Codec::kLz4
                                    : internal::Codec::kZstd;
  impl->block_cache = std::make_shared<internal::BlockCache>(
      impl->options.block_cache_bytes.value_or(internal::DefaultBlockCacheBytes()));
  if (impl->options.dir.empty()) {
    return InvalidArgumentError("store directory is empty");
  }
  VIGIL_RETURN_IF_ERROR(impl->OpenDirs());
  VIGIL_ASSIGN_OR_RETURN(uint64_t checkpoint, impl->ReadCheckpoint());
  VIGIL_RETURN_IF_ERROR(impl->LoadSegments(checkpoint));
  VIGIL_ASSIGN_OR_RETURN(uint64_t max_seq, impl->ReplayWal(checkpoint));
  impl->wal_seq = max_seq + 1;
  impl->wal_path = internal::WalFilePath(impl->wal_dir, impl->wal_seq);
  VIGIL_ASSIGN_OR_RETURN(impl->wal_file, internal::CreateWalFile(impl->wal_path, impl->wal_seq));
  Impl* raw = impl.get();
  if (raw->options.background_flush) {
    raw->background = std::jthread([raw](std::stop_token stop) { raw->BackgroundLoop(stop); });
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::Append(const schema::TableBatch& batch) {
  const schema::TableBatch* one[] = {&batch};
  return impl_->AppendAll(one);
}

Status Store::AppendAll(std::span<const schema::TableBatch* const> batches) {
  return impl_->AppendAll(batches);
}

Status Store::Flush() { return impl_->Flush(); }

Status Store::Compact() { return impl_->Compact(); }

Status Store::ApplyRetention(int64_t now_ticks) { return impl_->ApplyRetention(now_ticks); }

std::vector<TableStats> Store::Stats() const {
  std::lock_guard lock(impl_->mu);
  std::vector<TableStats> result;
  auto widen = [](TableStats& stats, int64_t min, int64_t max) {
    stats.min_time = stats.min_time ? std::min(*stats.min_time, min) : min;
    stats.max_time = stats.max_time ? std::max(*stats.max_time, max) : max;
  };
  for (const auto& [name, state] : impl_->tables) {
    TableStats stats;
    stats.table = name;
    std::set<int64_t> days;
    for (const auto& segment : state.segments) {
      stats.rows += segment->info.rows;
      stats.segment_bytes += segment->info.file_bytes;
      ++stats.segments;
      days.insert(segment->info.day);
      if (segment->info.has_time) {
        widen(stats, segment->info.min_time, segment->info.max_time);
      }
    }
    stats.days = days.size();
    for (const auto* list : {&state.frozen, &state.active}) {
      for (const auto& chunk : *list) {
        stats.rows += chunk->batch.rows();
        stats.unflushed_rows += chunk->batch.rows();
        stats.wal_bytes += chunk->wal_bytes;
        if (chunk->has_time) {
          widen(stats, chunk->min_time, chunk->max_time);
        }
      }
    }
    stats.bytes_on_disk = stats.segment_bytes + stats.wal_bytes;
    if (stats.rows > 0) {
      result.push_back(std::move(stats));
    }
  }
  return result;
}

StoreHealth Store::Health() const {
  std::lock_guard lock(impl_->mu);
  return impl_->health;
}

BlockCacheStats Store::CacheStats() const { return impl_->block_cache->Stats(); }

Status Store::Close() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->closed) {
      return Status::Ok();
    }
  }
  impl_->StopBackground();
  Status status = impl_->Flush();
  std::lock_guard maint(impl_->maint_mu);
  std::unique_lock lock(impl_->mu);
  impl_->commit_cv.wait(lock, [&] { return !impl_->writing; });
  impl_->closed = true;
  impl_->wal_file.Close();
  impl_->lock_file.Close();
  return status;
}

void Store::AbandonForTest() {
  impl_->StopBackground();
  std::lock_guard maint(impl_->maint_mu);
  std::unique_lock lock(impl_->mu);
  impl_->commit_cv.wait(lock, [&] { return !impl_->writing; });
  impl_->closed = true;
  impl_->wal_file.Close();
  impl_->lock_file.Close();
}

const schema::Catalog& Store::catalog() const { return *impl_->catalog; }

std::shared_ptr<const Snapshot> Store::GetSnapshot() const {
  std::map<std::string, internal::TableView> views;
  std::lock_guard lock(impl_->mu);
  for (const auto& [name, state] : impl_->tables) {
    if (state.segments.empty() && state.frozen.empty() && state.active.empty()) {
      continue;
    }
    internal::TableView& view = views[name];
    view.schema = state.schema;
    view.segments.assign(state.segments.begin(), state.segments.end());
    view.chunks.reserve(state.frozen.size() + state.active.size());
    view.chunks.insert(view.chunks.end(), state.frozen.begin(), state.frozen.end());
    view.chunks.insert(view.chunks.end(), state.active.begin(), state.active.end());
  }
  return std::make_shared<internal::LocalSnapshot>(*impl_->catalog, std::move(views),
                                                   impl_->block_cache);
}

}  // namespace vigil::store
