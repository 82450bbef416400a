#include "vigil/store/internal/segment.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string_view>

#include "vigil/store/internal/column_block.h"
#include "vigil/store/internal/file_util.h"
#include "vigil/store/internal/term_filter.h"

namespace vigil::store::internal {
namespace {

using schema::ColumnData;
using schema::ColumnType;

constexpr std::string_view kSegmentMagic = "VIGILSEG";
constexpr std::string_view kSegmentEndMagic = "VSEGEND1";
constexpr uint64_t kHeaderSeed = 0x56534547;  // "VSEG"
// Footer per-column flags byte: bits 0-1 codec, then these.
constexpr uint8_t kCodecMask = 0x03;
constexpr uint8_t kHasMinMax = 0x04;
constexpr uint8_t kHasBloom = 0x08;
// Since version 4: the bloom covers only IsPartialFilterTerm() terms (the block had more
// distinct terms than kMaxFilterTerms).
constexpr uint8_t kPartialBloom = 0x10;
constexpr uint8_t kKnownFlagsV3 = kCodecMask | kHasMinMax | kHasBloom;
constexpr uint8_t kKnownFlags = kKnownFlagsV3 | kPartialBloom;



void PutInfo(const SegmentInfo& info, ByteWriter& out) {
  out.PutString(info.table);
  out.PutSignedVarint(info.day);
  out.PutU64(info.id);
  out.PutU64(info.wal_high);
  out.PutVarint(info.supersedes.size());
  for (uint64_t id : info.supersedes) {
    out.PutU64(id);
  }
  out.PutVarint(info.columns.size());
  for (const auto& column : info.columns) {
    out.PutString(column.name);
    out.PutU8(static_cast<uint8_t>(column.type));
  }
  out.PutU64(info.rows);
  out.PutU8(info.has_time ? 1 : 0);
  out.PutI64(info.min_time);
  out.PutI64(info.max_time);
  out.PutVarint(info.blocks.size());
  for (const auto& block : info.blocks) {
    out.PutU32(block.rows);
    for (const auto& col : block.columns) {
      out.PutVarint(col.offset);
      out.PutVarint(col.stored_size);
      out.PutVarint(col.raw_size);
      out.PutU64(col.checksum);
      out.PutU8(static_cast<uint8_t>(
          static_cast<uint8_t>(col.codec) | (col.has_min_max ? kHasMinMax : 0) |
          (col.bloom.empty() ? 0 : kHasBloom) |
          (col.bloom.empty() || !col.bloom_partial ? 0 : kPartialBloom)));
      out.PutVarint(col.null_count);
      if (col.has_min_max) {
        out.PutSignedVarint(col.min);
        out.PutSignedVarint(col.max);
      }
      if (!col.bloom.empty()) {
        out.PutString(col.bloom);
      }
    }
  }
}

// `version` is the file's (a known one); it decides which column flags are valid.
bool GetInfo(ByteReader& in, uint32_t version, SegmentInfo& info) {
  const uint8_t known_flags = version >= 4 ? kKnownFlags : kKnownFlagsV3;
  std::string_view text;
  uint64_t count = 0;
  if (!in.GetString(text)) {
    return false;
  }
  info.table.assign(text);
  if (!in.GetSignedVarint(info.day) || !in.GetU64(info.id) || !in.GetU64(info.wal_high) ||
      !in.GetVarint(count) || count > in.remaining() / 8) {
    return false;
  }
  info.supersedes.resize(count);
  for (auto& id : info.supersedes) {
    if (!in.GetU64(id)) {
      return false;
    }
  }
  if (!in.GetVarint(count) || count > in.remaining()) {
    return false;
  }
  info.columns.resize(count);
  for (auto& column : info.columns) {
    uint8_t type = 0;
    if (!in.GetString(text) || !in.GetU8(type) || type < 1 || type > 9) {
      return false;
    }
    column.name.assign(text);
    column.type = static_cast<ColumnType>(type);
  }
  uint8_t has_time = 0;
  if (!in.GetU64(info.rows) || !in.GetU8(has_time) || !in.GetI64(info.min_time) ||
      !in.GetI64(info.max_time) || !in.GetVarint(count) || count > in.remaining()) {
    return false;
  }
  info.has_time = has_time != 0;
  info.blocks.resize(count);
  for (auto& block : info.blocks) {
    if (!in.GetU32(block.rows)) {
      return false;
    }
    block.columns.resize(info.columns.size());
    for (auto& col : block.columns) {
      uint64_t stored_size = 0;
      uint64_t raw_size = 0;
      uint64_t null_count = 0;
      uint8_t flags = 0;
      if (!in.GetVarint(col.offset) || !in.GetVarint(stored_size) || !in.GetVarint(raw_size) ||
          stored_size > UINT32_MAX || raw_size > UINT32_MAX || !in.GetU64(col.checksum) ||
          !in.GetU8(flags) || (flags & kCodecMask) > 2 || (flags & ~known_flags) != 0 ||
          !in.GetVarint(null_count) || null_count > block.rows) {
        return false;
      }
      col.stored_size = static_cast<uint32_t>(stored_size);
      col.raw_size = static_cast<uint32_t>(raw_size);
      col.null_count = static_cast<uint32_t>(null_count);
      col.codec = static_cast<Codec>(flags & kCodecMask);
      col.has_min_max = (flags & kHasMinMax) != 0;
      if (col.has_min_max && (!in.GetSignedVarint(col.min) || !in.GetSignedVarint(col.max))) {
        return false;
      }
      col.bloom.clear();
      col.bloom_partial = false;
      if ((flags & kHasBloom) != 0) {
        if (!in.GetString(text)) {
          return false;
        }
        col.bloom.assign(text);
        col.bloom_partial = (flags & kPartialBloom) != 0;
      } else if ((flags & kPartialBloom) != 0) {
        return false;
      }
    }
  }
  return in.at_end();
}

}  // namespace


int SegmentInfo::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Result<SegmentInfo> WriteSegment(const std::filesystem::path& path, const schema::TableBatch& rows,
                                 SegmentInfo info, const SegmentWriteOptions& options) {
  const RowRun run{&rows, 0, rows.rows()};
  return WriteSegment(path, rows.schema(), std::span<const RowRun>(&run, 1), std::move(info),
                      options);
}

Result<SegmentInfo> WriteSegment(const std::filesystem::path& path,
                                 const schema::TableSchema& table, std::span<const RowRun> runs,
                                 SegmentInfo info, const SegmentWriteOptions& options) {
  info.columns = table.columns();
  info.rows = 0;
  for (const RowRun& run : runs) {
    info.rows += run.end - run.begin;
  }
  info.blocks.clear();
  const int time_col = table.timestamp_column();
  info.has_time = false;

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  VIGIL_ASSIGN_OR_RETURN(File out, File::Create(tmp));
  struct RemoveUnlessKept {
    const std::filesystem::path& path;
    bool keep = false;
    ~RemoveUnlessKept() {
      if (!keep) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
      }
    }
  } cleanup{tmp};
  // Written in pieces of about kWriteChunk bytes; the file is never held whole in memory.
  constexpr size_t kWriteChunk = size_t{1} << 20;
  ByteWriter file;
  uint64_t file_offset = 0;
  auto drain = [&]() -> Status {
    VIGIL_RETURN_IF_ERROR(out.WriteAll(file.buffer(), tmp));
    file_offset += file.size();
    file.Clear();
    return Status::Ok();
  };
  file.PutBytes(kSegmentMagic);
  file.PutU32(kSegmentFormatVersion);
  file.PutU32(0);  // flags
  file.PutU64(Hash64(std::string_view(file.buffer()).substr(0, 16), kHeaderSeed));

  const size_t block_rows = std::max<size_t>(options.block_rows, 1);
  BlockEncoder encoder(options);
  std::vector<RowRun> block_runs;
  std::vector<ColumnPiece> pieces;
  size_t run_index = 0;
  size_t run_pos = runs.empty() ? 0 : runs[0].begin;
  for (uint64_t done = 0; done < info.rows;) {
    // The runs (or parts of runs) that make up the next block.
    block_runs.clear();
    size_t want = std::min<uint64_t>(block_rows, info.rows - done);
    while (want > 0) {
      while (run_pos >= runs[run_index].end) {
        ++run_index;
        run_pos = runs[run_index].begin;
      }
      const size_t take = std::min(want, runs[run_index].end - run_pos);
      block_runs.push_back({runs[run_index].batch, run_pos, run_pos + take});
      run_pos += take;
      want -= take;
    }
    BlockMeta block;
    block.rows = static_cast<uint32_t>(std::min<uint64_t>(block_rows, info.rows - done));
    done += block.rows;
    block.columns.resize(table.column_count());
    for (size_t c = 0; c < table.column_count(); ++c) {
      pieces.clear();
      for (const RowRun& part : block_runs) {
        pieces.push_back({&part.batch->column(c), part.begin, part.end});
      }
      BlockColumnMeta& meta = block.columns[c];
      encoder.Encode(table.column(c).type, pieces, meta);
      meta.offset = file_offset + file.size();
      file.PutBytes(encoder.stored());
      if (static_cast<int>(c) == time_col && meta.has_min_max) {
        if (!info.has_time) {
          info.min_time = meta.min;
          info.max_time = meta.max;
          info.has_time = true;
        }
        info.min_time = std::min(info.min_time, meta.min);
        info.max_time = std::max(info.max_time, meta.max);
      }
      if (file.size() >= kWriteChunk) {
        VIGIL_RETURN_IF_ERROR(drain());
      }
    }
    info.blocks.push_back(std::move(block));
  }

  ByteWriter footer;
  PutInfo(info, footer);
  const uint64_t footer_offset = file_offset + file.size();
  file.PutBytes(footer.buffer());
  file.PutU64(footer_offset);
  file.PutU64(footer.size());
  file.PutU64(Hash64(footer.buffer()));
  file.PutBytes(kSegmentEndMagic);
  VIGIL_RETURN_IF_ERROR(drain());
  info.file_bytes = file_offset;
  VIGIL_RETURN_IF_ERROR(out.Sync(tmp));
  out.Close();
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return IoError("cannot rename '{}' to '{}': {}", tmp.string(), path.string(), ec.message());
  }
  cleanup.keep = true;
  return info;
}

Result<SegmentInfo> ReadSegmentInfo(const std::filesystem::path& path) {
  VIGIL_ASSIGN_OR_RETURN(File file, File::OpenRead(path));
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, file.Size(path));
  if (size < kSegmentHeaderSize + kSegmentTrailerSize) {
    return DataLossError("segment '{}': file too short ({} bytes)", path.string(), size);
  }
  std::string header;
  VIGIL_RETURN_IF_ERROR(file.ReadAt(0, kSegmentHeaderSize, header, path));
  ByteReader header_in(header);
  std::string_view magic;
  uint32_t version = 0;
  uint32_t flags = 0;
  uint64_t header_hash = 0;
  if (!header_in.GetBytes(8, magic) || magic != kSegmentMagic || !header_in.GetU32(version) ||
      !header_in.GetU32(flags) || !header_in.GetU64(header_hash)) {
    return DataLossError("segment '{}': bad magic at offset 0", path.string());
  }
  if (Hash64(std::string_view(header).substr(0, 16), kHeaderSeed) != header_hash) {
    return DataLossError("segment '{}': header checksum mismatch at offset 0", path.string());
  }
  if (version < kOldestSegmentFormatVersion || version > kSegmentFormatVersion) {
    return DataLossError("segment '{}': unsupported format version {} (this build reads {}..{})",
                         path.string(), version, kOldestSegmentFormatVersion,
                         kSegmentFormatVersion);
  }
  std::string trailer;
  const uint64_t trailer_offset = size - kSegmentTrailerSize;
  VIGIL_RETURN_IF_ERROR(file.ReadAt(trailer_offset, kSegmentTrailerSize, trailer, path));
  ByteReader trailer_in(trailer);
  uint64_t footer_offset = 0;
  uint64_t footer_size = 0;
  uint64_t footer_hash = 0;
  std::string_view end_magic;
  if (!trailer_in.GetU64(footer_offset) || !trailer_in.GetU64(footer_size) ||
      !trailer_in.GetU64(footer_hash) || !trailer_in.GetBytes(8, end_magic) ||
      end_magic != kSegmentEndMagic || footer_offset < kSegmentHeaderSize ||
      footer_offset > trailer_offset || footer_size != trailer_offset - footer_offset) {
    return DataLossError("segment '{}': bad trailer at offset {}", path.string(), trailer_offset);
  }
  std::string footer;
  VIGIL_RETURN_IF_ERROR(file.ReadAt(footer_offset, footer_size, footer, path));
  if (Hash64(footer) != footer_hash) {
    return DataLossError("segment '{}': footer checksum mismatch at offset {}", path.string(),
                         footer_offset);
  }
  SegmentInfo info;
  ByteReader footer_in(footer);
  if (!GetInfo(footer_in, version, info)) {
    return DataLossError("segment '{}': malformed footer at offset {}", path.string(),
                         footer_offset + footer_in.position());
  }
  for (const auto& block : info.blocks) {
    for (const auto& col : block.columns) {
      if (col.offset < kSegmentHeaderSize || col.offset + col.stored_size > footer_offset) {
        return DataLossError("segment '{}': block offset {} out of range", path.string(),
                             col.offset);
      }
    }
  }
  info.file_bytes = size;
  return info;
}

}  // namespace vigil::store::internal
