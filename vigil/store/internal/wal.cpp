#include "vigil/store/internal/wal.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "vigil/base/time.h"
#include "vigil/store/dynamic_value.h"
#include "vigil/store/internal/encoding.h"

namespace vigil::store::internal {
namespace {

using schema::ColumnData;
using schema::ColumnType;

constexpr std::string_view kWalMagic = "VIGILWAL";
constexpr uint64_t kWalHeaderSeed = 0x5657414c;  // "VWAL"
constexpr uint8_t kPayloadVersion = 2;
// Column presence byte of payload version 2.
constexpr uint8_t kAllNull = 0;     // nothing else follows
constexpr uint8_t kAllPresent = 1;  // no validity bytes
constexpr uint8_t kMixed = 2;       // rows validity bytes (0/1) follow
constexpr uint32_t kMaxRecordBytes = 1u << 30;

// rows x 8-byte little-endian values (int64 or double bit patterns).
template <typename T>
void PutFixed64(const std::vector<T>& values, size_t rows, ByteWriter& out) {
  static_assert(sizeof(T) == 8);
  if constexpr (std::endian::native == std::endian::little) {
    out.PutBytes(std::string_view(reinterpret_cast<const char*>(values.data()), rows * 8));
  } else {
    for (size_t r = 0; r < rows; ++r) {
      uint64_t bits = 0;
      std::memcpy(&bits, &values[r], 8);
      out.PutU64(bits);
    }
  }
}

template <typename T>
bool GetFixed64(ByteReader& in, size_t rows, std::vector<T>& values) {
  static_assert(sizeof(T) == 8);
  std::string_view bytes;
  if (rows > in.remaining() / 8 || !in.GetBytes(rows * 8, bytes)) {
    return false;
  }
  values.resize(rows);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(values.data(), bytes.data(), rows * 8);
  } else {
    ByteReader fixed(bytes);
    for (size_t r = 0; r < rows; ++r) {
      uint64_t bits = 0;
      (void)fixed.GetU64(bits);
      std::memcpy(&values[r], &bits, 8);
    }
  }
  return true;
}

}  // namespace

int64_t MemChunk::RowDay(size_t row) const {
  const int time_col = batch.schema().timestamp_column();
  if (time_col >= 0) {
    const ColumnData& col = batch.column(time_col);
    if (col.valid[row] != 0) {
      return PartitionDay(col.ints[row]);
    }
  }
  return PartitionDay(ingest_ticks);
}

void ComputeChunkStats(MemChunk& chunk) {
  chunk.has_time = false;
  const int64_t ingest_day = PartitionDay(chunk.ingest_ticks);
  chunk.min_day = chunk.max_day = ingest_day;
  const int time_col = chunk.batch.schema().timestamp_column();
  bool any_null = time_col < 0;
  if (time_col >= 0) {
    const ColumnData& col = chunk.batch.column(time_col);
    for (size_t r = 0; r < chunk.batch.rows(); ++r) {
      if (col.valid[r] == 0) {
        any_null = true;
        continue;
      }
      const int64_t ts = col.ints[r];
      if (!chunk.has_time) {
        chunk.min_time = chunk.max_time = ts;
        chunk.has_time = true;
      }
      chunk.min_time = std::min(chunk.min_time, ts);
      chunk.max_time = std::max(chunk.max_time, ts);
    }
  }
  if (chunk.has_time) {
    chunk.min_day = PartitionDay(chunk.min_time);
    chunk.max_day = PartitionDay(chunk.max_time);
    if (any_null) {
      chunk.min_day = std::min(chunk.min_day, ingest_day);
      chunk.max_day = std::max(chunk.max_day, ingest_day);
    }
  }
}

std::shared_ptr<MemChunk> MakeMemChunk(const schema::TableSchema& table,
                                       const schema::TableBatch& batch, int64_t ingest_ticks,
                                       uint64_t* invalid_dynamic) {
  auto chunk = std::make_shared<MemChunk>(table);
  chunk->batch.Append(batch);
  chunk->ingest_ticks = ingest_ticks;
  for (size_t c = 0; c < batch.schema().column_count(); ++c) {
    if (batch.column(c).type != ColumnType::kDynamic) {
      continue;
    }
    ColumnData& col = chunk->batch.mutable_column(c);
    const ColumnData& src = batch.column(c);
    col.bytes.clear();
    col.offsets.assign(1, 0);
    for (size_t r = 0; r < batch.rows(); ++r) {
      if (src.valid[r] != 0) {
        if (!EncodeDynamicFromJson(src.GetBytes(r), col.bytes) && invalid_dynamic != nullptr) {
          ++*invalid_dynamic;
        }
      }
      col.offsets.push_back(static_cast<uint32_t>(col.bytes.size()));
    }
  }
  ComputeChunkStats(*chunk);
  return chunk;
}

namespace {

void EncodePayload(std::span<const std::shared_ptr<MemChunk>> chunks, ByteWriter& out) {
  out.PutU8(kPayloadVersion);
  out.PutVarint(chunks.size());
  for (const auto& chunk : chunks) {
    const schema::TableBatch& batch = chunk->batch;
    const size_t rows = batch.rows();
    out.PutString(batch.schema().name());
    out.PutI64(chunk->ingest_ticks);
    out.PutVarint(rows);
    out.PutVarint(batch.schema().column_count());
    for (size_t c = 0; c < batch.schema().column_count(); ++c) {
      const ColumnData& col = batch.column(c);
      out.PutString(batch.schema().column(c).name);
      out.PutU8(static_cast<uint8_t>(col.type));
      size_t present = 0;
      for (size_t r = 0; r < rows; ++r) {
        present += col.valid[r] != 0 ? 1 : 0;
      }
      if (present == 0) {
        out.PutU8(kAllNull);
        continue;
      }
      if (present == rows) {
        out.PutU8(kAllPresent);
      } else {
        out.PutU8(kMixed);
        out.PutBytes(std::string_view(reinterpret_cast<const char*>(col.valid.data()), rows));
      }
      if (schema::IsIntegerBacked(col.type)) {
        PutFixed64(col.ints, rows, out);
      } else if (col.type == ColumnType::kReal) {
        PutFixed64(col.reals, rows, out);
      } else {
        // Lengths are < 2^32: at most 5 varint bytes each, written through a raw pointer.
        std::string& buffer = out.buffer();
        const size_t base = buffer.size();
        buffer.resize(base + rows * 5);
        auto* dst = reinterpret_cast<uint8_t*>(buffer.data() + base);
        const uint32_t* offsets = col.offsets.data();
        for (size_t r = 0; r < rows; ++r) {
          uint32_t length = offsets[r + 1] - offsets[r];
          while (length >= 0x80) {
            *dst++ = static_cast<uint8_t>(length | 0x80);
            length >>= 7;
          }
          *dst++ = static_cast<uint8_t>(length);
        }
        buffer.resize(static_cast<size_t>(reinterpret_cast<char*>(dst) - buffer.data()));
        out.PutString(std::string_view(col.bytes).substr(0, col.offsets[rows]));
      }
    }
  }
}

}  // namespace

std::string EncodeWalPayload(std::span<const std::shared_ptr<MemChunk>> chunks) {
  ByteWriter out;
  EncodePayload(chunks, out);
  return out.Release();
}

size_t EncodeWalRecord(std::span<const std::shared_ptr<MemChunk>> chunks, std::string& record) {
  ByteWriter out;
  out.buffer().swap(record);
  out.Clear();
  out.PutU32(0);
  out.PutU64(0);
  EncodePayload(chunks, out);
  std::string& bytes = out.buffer();
  const size_t payload_size = bytes.size() - kWalRecordHeaderSize;
  ByteWriter header;
  header.PutU32(static_cast<uint32_t>(payload_size));
  header.PutU64(Hash64(std::string_view(bytes).substr(kWalRecordHeaderSize), payload_size));
  std::memcpy(bytes.data(), header.buffer().data(), kWalRecordHeaderSize);
  record.swap(bytes);
  return payload_size;
}

Result<std::vector<std::shared_ptr<MemChunk>>> DecodeWalPayload(std::string_view payload,
                                                                const schema::Catalog& catalog,
                                                                uint64_t* dropped_chunks) {
  ByteReader in(payload);
  uint8_t version = 0;
  uint64_t count = 0;
  if (!in.GetU8(version) || version != kPayloadVersion || !in.GetVarint(count)) {
    return DataLossError("unsupported WAL record version {}", version);
  }
  std::vector<std::shared_ptr<MemChunk>> chunks;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view table_name;
    int64_t ingest_ticks = 0;
    uint64_t rows = 0;
    uint64_t ncols = 0;
    if (!in.GetString(table_name) || !in.GetI64(ingest_ticks) || !in.GetVarint(rows) ||
        !in.GetVarint(ncols) || rows > payload.size()) {
      return DataLossError("malformed WAL record");
    }
    const schema::TableSchema* table = catalog.Find(table_name);
    std::shared_ptr<MemChunk> chunk;
    std::vector<ColumnData> columns(ncols);
    std::vector<int> target(ncols, -1);
    for (uint64_t c = 0; c < ncols; ++c) {
      std::string_view name;
      uint8_t type = 0;
      uint8_t presence = 0;
      std::string_view valid;
      if (!in.GetString(name) || !in.GetU8(type) || type < 1 || type > 9 || !in.GetU8(presence) ||
          presence > kMixed || (presence == kMixed && !in.GetBytes(rows, valid))) {
        return DataLossError("malformed WAL record column");
      }
      ColumnData& col = columns[c];
      col.type = static_cast<ColumnType>(type);
      if (table != nullptr) {
        const int index = table->FindColumn(name);
        if (index >= 0 && table->column(index).type == col.type) {
          target[c] = index;
        }
      }
      if (presence == kAllNull) {
        col.valid.assign(rows, 0);
        if (schema::IsIntegerBacked(col.type)) {
          col.ints.assign(rows, 0);
        } else if (col.type == ColumnType::kReal) {
          col.reals.assign(rows, 0.0);
        } else {
          col.offsets.assign(rows + 1, 0);
        }
        continue;
      }
      if (presence == kAllPresent) {
        col.valid.assign(rows, 1);
      } else {
        col.valid.assign(valid.begin(), valid.end());
      }
      if (schema::IsIntegerBacked(col.type)) {
        if (!GetFixed64(in, rows, col.ints)) {
          return DataLossError("truncated WAL integer column");
        }
      } else if (col.type == ColumnType::kReal) {
        if (!GetFixed64(in, rows, col.reals)) {
          return DataLossError("truncated WAL real column");
        }
      } else {
        col.offsets.assign(1, 0);
        uint64_t total = 0;
        for (uint64_t r = 0; r < rows; ++r) {
          uint64_t length = 0;
          if (!in.GetVarint(length)) {
            return DataLossError("truncated WAL string lengths");
          }
          total += length;
          col.offsets.push_back(static_cast<uint32_t>(total));
        }
        std::string_view bytes;
        if (!in.GetString(bytes) || bytes.size() != total) {
          return DataLossError("truncated WAL string bytes");
        }
        col.bytes.assign(bytes);
      }
    }
    if (table == nullptr) {
      if (dropped_chunks != nullptr) {
        ++*dropped_chunks;
      }
      continue;
    }
    chunk = std::make_shared<MemChunk>(*table);
    chunk->ingest_ticks = ingest_ticks;
    chunk->wal_bytes = 0;
    schema::TableBatch& batch = chunk->batch;
    batch.Reserve(rows);
    for (uint64_t r = 0; r < rows; ++r) {
      batch.BeginRow();
    }
    for (uint64_t c = 0; c < ncols; ++c) {
      if (target[c] < 0) {
        continue;
      }
      ColumnData& dst = batch.mutable_column(target[c]);
      ColumnData& src = columns[c];
      dst.valid = std::move(src.valid);
      if (schema::IsIntegerBacked(dst.type)) {
        dst.ints = std::move(src.ints);
      } else if (dst.type == ColumnType::kReal) {
        dst.reals = std::move(src.reals);
      } else {
        dst.offsets = std::move(src.offsets);
        dst.bytes = std::move(src.bytes);
      }
    }
    ComputeChunkStats(*chunk);
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

void FrameWalRecord(std::string_view payload, std::string& out) {
  ByteWriter header;
  header.PutU32(static_cast<uint32_t>(payload.size()));
  header.PutU64(Hash64(payload, payload.size()));
  out.append(header.buffer());
  out.append(payload);
}

std::filesystem::path WalFilePath(const std::filesystem::path& wal_dir, uint64_t seq) {
  return wal_dir / fmt::format("{:016x}.log", seq);
}

bool ParseWalFileName(const std::string& name, uint64_t& seq) {
  if (name.size() != 20 || name.substr(16) != ".log") {
    return false;
  }
  seq = 0;
  for (size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    seq = seq * 16 + static_cast<uint64_t>(digit);
  }
  return true;
}

Result<File> CreateWalFile(const std::filesystem::path& path, uint64_t seq) {
  ByteWriter header;
  header.PutBytes(kWalMagic);
  header.PutU32(kWalFormatVersion);
  header.PutU32(0);
  header.PutU64(seq);
  header.PutU64(Hash64(header.buffer(), kWalHeaderSeed));
  VIGIL_ASSIGN_OR_RETURN(File file, File::Create(path));
  VIGIL_RETURN_IF_ERROR(file.WriteAll(header.buffer(), path));
  VIGIL_RETURN_IF_ERROR(file.Sync(path));
  VIGIL_RETURN_IF_ERROR(FsyncDir(path.parent_path()));
  return file;
}

Result<WalReadResult> ReadWalFile(const std::filesystem::path& path, uint64_t seq) {
  VIGIL_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
  WalReadResult result;
  result.file_bytes = data.size();
  if (data.size() < kWalHeaderSize) {
    // A crash while creating the file: nothing in it was ever acknowledged.
    result.torn = true;
    result.torn_reason = fmt::format("header truncated at offset {}", data.size());
    return result;
  }
  ByteReader header(std::string_view(data).substr(0, kWalHeaderSize));
  std::string_view magic;
  uint32_t version = 0;
  uint32_t flags = 0;
  uint64_t file_seq = 0;
  uint64_t hash = 0;
  if (!header.GetBytes(8, magic) || !header.GetU32(version) || !header.GetU32(flags) ||
      !header.GetU64(file_seq) || !header.GetU64(hash) || magic != kWalMagic ||
      hash != Hash64(std::string_view(data).substr(0, 24), kWalHeaderSeed)) {
    return DataLossError("WAL file '{}': bad header at offset 0", path.string());
  }
  if (version != kWalFormatVersion || file_seq != seq) {
    return DataLossError("WAL file '{}': unsupported version {} or sequence {}", path.string(),
                         version, file_seq);
  }
  size_t pos = kWalHeaderSize;
  while (pos < data.size()) {
    if (data.size() - pos < kWalRecordHeaderSize) {
      result.torn = true;
      result.torn_reason = fmt::format("partial record header at offset {}", pos);
      break;
    }
    ByteReader record(std::string_view(data).substr(pos, kWalRecordHeaderSize));
    uint32_t length = 0;
    uint64_t checksum = 0;
    (void)record.GetU32(length);
    (void)record.GetU64(checksum);
    if (length > kMaxRecordBytes || data.size() - pos - kWalRecordHeaderSize < length) {
      result.torn = true;
      result.torn_reason = fmt::format("partial record of {} bytes at offset {}", length, pos);
      break;
    }
    const std::string_view payload =
        std::string_view(data).substr(pos + kWalRecordHeaderSize, length);
    if (Hash64(payload, length) != checksum) {
      result.torn = true;
      result.torn_reason = fmt::format("record checksum mismatch at offset {}", pos);
      break;
    }
    result.payloads.emplace_back(payload);
    pos += kWalRecordHeaderSize + length;
  }
  result.valid_bytes = pos;
  return result;
}

void AppendRows(schema::TableBatch& dst, const schema::TableBatch& src,
                std::span<const uint32_t> rows) {
  // Common case (a whole batch of one day, already in time order): copy column by column.
  if (rows.size() == src.rows() && (rows.empty() || rows.back() == rows.size() - 1)) {
    bool identity = true;
    for (size_t i = 0; i < rows.size() && identity; ++i) {
      identity = rows[i] == i;
    }
    if (identity) {
      dst.Append(src);
      return;
    }
  }
  const size_t ncols = src.schema().column_count();
  for (uint32_t row : rows) {
    dst.BeginRow();
    for (size_t c = 0; c < ncols; ++c) {
      const ColumnData& col = src.column(c);
      if (col.valid[row] == 0) {
        continue;
      }
      if (schema::IsIntegerBacked(col.type)) {
        dst.SetInt(c, col.ints[row]);
      } else if (col.type == ColumnType::kReal) {
        dst.SetReal(c, col.reals[row]);
      } else {
        dst.SetBytes(c, col.GetBytes(row));
      }
    }
  }
}

}  // namespace vigil::store::internal
