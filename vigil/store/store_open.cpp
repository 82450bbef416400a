// Opening a store: its directories and lock, the checkpoint, the segments on disk (checked
// against their day directories) and the replay of WAL records the checkpoint does not cover.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "vigil/base/log.h"
#include "vigil/store/internal/encoding.h"
#include "vigil/store/internal/store_impl.h"
#include "vigil/store/internal/wal.h"

namespace vigil::store {

using internal::DayDirName;
using internal::DecodeCheckpoint;
using internal::File;
using internal::MemChunk;
using internal::SegmentHandle;
using internal::SegmentInfo;

namespace {

constexpr std::string_view kCheckpointMagic = "VIGILCKP";
constexpr uint32_t kCheckpointVersion = 2;
constexpr uint64_t kCheckpointSeed = 0x56434b50;  // "VCKP"

}  // namespace

namespace internal {

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

}  // namespace internal

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

}  // namespace vigil::store
