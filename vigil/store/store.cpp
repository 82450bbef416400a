#include "vigil/store/store.h"

#include <algorithm>
#include <set>

#include "vigil/base/log.h"
#include "vigil/base/time.h"
#include "vigil/store/internal/store_impl.h"
#include "vigil/store/internal/wal.h"

namespace vigil::store {

using internal::File;
using internal::MemChunk;
using internal::SegmentHandle;
using internal::SegmentInfo;
using internal::kMaxWalRecordBytes;
using internal::kRetentionPeriod;

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
