#include "vigil/store/internal/segment.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string_view>

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

int64_t RealBits(double value) {
  int64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

// Raw column block, first byte.
constexpr uint8_t kNoNulls = 0;
constexpr uint8_t kSomeNulls = 1;  // a validity bitmap follows
constexpr uint8_t kAllNull = 2;    // nothing follows
// String block flags byte.
constexpr uint8_t kStringPlain = 0x01;  // no codes: value i belongs to the i-th non-null row
constexpr uint8_t kStringHexShift = 1;  // bits 1-2: 0 raw bytes, 1 lower hex, 2 upper hex
constexpr uint8_t kStringKnownFlags = 0x07;

// Encodes and compresses column blocks. Keeps its scratch buffers, dictionary and zstd context
// across blocks, so a segment write allocates almost nothing per block. Not thread-safe.
class BlockEncoder {
 public:
  explicit BlockEncoder(const SegmentWriteOptions& options) : options_(options) {}

  // Encodes the rows of `pieces` (in order) into stored() and fills `meta` (all but the offset).
  void Encode(ColumnType type, std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
    out_.Clear();
    size_t rows = 0;
    uint32_t nulls = 0;
    for (const ColumnPiece& piece : pieces) {
      rows += piece.end - piece.begin;
      const uint8_t* valid = piece.col->valid.data();
      for (size_t r = piece.begin; r < piece.end; ++r) {
        nulls += valid[r] == 0 ? 1 : 0;
      }
    }
    meta.null_count = nulls;
    meta.has_min_max = false;
    meta.bloom.clear();
    meta.bloom_partial = false;
    if (nulls == rows) {
      out_.PutU8(kAllNull);
    } else {
      out_.PutU8(nulls > 0 ? kSomeNulls : kNoNulls);
      if (nulls > 0) {
        std::string& buffer = out_.buffer();
        const size_t base = buffer.size();
        buffer.resize(base + (rows + 7) / 8, '\0');
        size_t i = 0;
        ForEachRow(pieces, [&](const ColumnData& col, size_t r) {
          if (col.valid[r] != 0) {
            buffer[base + i / 8] =
                static_cast<char>(static_cast<uint8_t>(buffer[base + i / 8]) | (1u << (i % 8)));
          }
          ++i;
        });
      }
      if (schema::IsIntegerBacked(type)) {
        EncodeIntegers(pieces, meta);
      } else if (type == ColumnType::kReal) {
        EncodeReals(pieces, meta);
      } else {
        EncodeStrings(type, pieces, meta);
      }
    }
    meta.raw_size = static_cast<uint32_t>(out_.size());
    meta.codec = compressor_.Compress(options_.codec, out_.buffer(), options_.zstd_level, stored_);
    meta.stored_size = static_cast<uint32_t>(stored_.size());
    meta.checksum = Hash64(stored_);
  }

  const std::string& stored() const { return stored_; }
  const std::string& raw() const { return out_.buffer(); }

 private:
  template <typename Fn>
  static void ForEachRow(std::span<const ColumnPiece> pieces, Fn&& fn) {
    for (const ColumnPiece& piece : pieces) {
      const ColumnData& col = *piece.col;
      for (size_t r = piece.begin; r < piece.end; ++r) {
        fn(col, r);
      }
    }
  }

  void EncodeIntegers(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
    ints_.clear();
    int64_t last = 0;
    bool any = false;
    ForEachRow(pieces, [&](const ColumnData& col, size_t r) {
      if (col.valid[r] != 0) {
        last = col.ints[r];
        if (!any) {
          meta.min = meta.max = last;
          any = true;
        }
        meta.min = std::min(meta.min, last);
        meta.max = std::max(meta.max, last);
      }
      // Nulls repeat the previous value so they cost nothing under delta encoding.
      ints_.push_back(last);
    });
    meta.has_min_max = any;
    EncodeInts(ints_, out_);
  }

  void EncodeReals(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
    bool any = false;
    double min = 0;
    double max = 0;
    ForEachRow(pieces, [&](const ColumnData& col, size_t r) {
      const double value = col.valid[r] != 0 ? col.reals[r] : 0.0;
      if (col.valid[r] != 0 && value == value) {
        if (!any) {
          min = max = value;
          any = true;
        }
        min = std::min(min, value);
        max = std::max(max, value);
      }
      out_.PutF64(value);
    });
    meta.has_min_max = any;
    meta.min = RealBits(min);
    meta.max = RealBits(max);
  }

  void EncodeStrings(ColumnType type, std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
    dict_.Clear();
    codes_.clear();
    size_t present = 0;
    size_t total_bytes = 0;
    ForEachRow(pieces, [&](const ColumnData& col, size_t r) {
      if (col.valid[r] == 0) {
        codes_.push_back(0);
        return;
      }
      ++present;
      const size_t before = dict_.size();
      const std::string_view value = col.GetBytes(r);
      codes_.push_back(dict_.Insert(value));
      if (dict_.size() != before) {
        total_bytes += value.size();
      }
    });
    const std::vector<std::string_view>& dict = dict_.values();
    // Every value distinct: the codes would just count the non-null rows.
    const bool plain = dict.size() == present;
    const uint8_t hex =
        type != ColumnType::kDynamic && total_bytes > 0 ? HexCaseOf(dict) : uint8_t{0};
    out_.PutU8(static_cast<uint8_t>((plain ? kStringPlain : 0) | (hex << kStringHexShift)));
    out_.PutVarint(dict.size());
    // Lengths first, then the bytes: zstd finds more repetition in separated streams.
    for (std::string_view value : dict) {
      out_.PutVarint(hex != 0 ? value.size() / 2 : value.size());
    }
    std::string& buffer = out_.buffer();
    buffer.reserve(buffer.size() + total_bytes);
    for (std::string_view value : dict) {
      if (hex != 0) {
        PackHex(value, buffer);
      } else {
        buffer.append(value);
      }
    }
    if (!plain) {
      const int width = dict.size() > 1 ? BitWidth(dict.size() - 1) : 0;
      out_.PutU8(static_cast<uint8_t>(width));
      BitPack(codes_, width, out_);
    }
    terms_.Build(type, dict, hex, plain, filter_);
    meta.bloom = filter_.bytes;
    meta.bloom_partial = filter_.partial;
  }

  SegmentWriteOptions options_;
  Compressor compressor_;
  ByteWriter out_;
  std::string stored_;
  std::vector<int64_t> ints_;
  std::vector<uint64_t> codes_;
  StringDictionary dict_;
  TermFilterBuilder terms_;
  BuiltTermFilter filter_;
};

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

std::string EncodeColumnBlock(const ColumnData& col, size_t begin, size_t end,
                              BlockColumnMeta& meta) {
  BlockEncoder encoder(SegmentWriteOptions{});
  const ColumnPiece piece{&col, begin, end};
  encoder.Encode(col.type, std::span<const ColumnPiece>(&piece, 1), meta);
  return encoder.raw();
}

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

Status DecodeColumnBlock(std::string_view raw, ColumnType type, size_t rows, ColumnVector& out) {
  ByteReader in(raw);
  out.type = type;
  out.ints.clear();
  out.reals.clear();
  out.codes.clear();
  out.dict.reset();
  uint8_t nulls = 0;
  if (!in.GetU8(nulls) || nulls > kAllNull) {
    return DataLossError("truncated column block");
  }
  if (nulls == kAllNull) {
    if (!in.at_end()) {
      return DataLossError("all-null column block with {} trailing bytes", in.remaining());
    }
    out.valid.assign(rows, 0);
    if (schema::IsIntegerBacked(type)) {
      out.ints.assign(rows, 0);
    } else if (type == ColumnType::kReal) {
      out.reals.assign(rows, 0.0);
    } else {
      auto dict = std::make_shared<Dictionary>();
      dict->Add({});  // code 0 of null cells stays addressable
      out.codes.assign(rows, 0);
      out.dict = std::move(dict);
    }
    return Status::Ok();
  }
  out.valid.assign(rows, 1);
  if (nulls == kSomeNulls) {
    std::string_view bitmap;
    if (!in.GetBytes((rows + 7) / 8, bitmap)) {
      return DataLossError("truncated null bitmap");
    }
    for (size_t r = 0; r < rows; ++r) {
      out.valid[r] = (static_cast<uint8_t>(bitmap[r / 8]) >> (r % 8)) & 1;
    }
  }
  if (schema::IsIntegerBacked(type)) {
    if (!DecodeInts(in, rows, out.ints)) {
      return DataLossError("malformed integer block");
    }
    for (size_t r = 0; r < rows; ++r) {
      if (out.valid[r] == 0) {
        out.ints[r] = 0;
      }
    }
    return Status::Ok();
  }
  if (type == ColumnType::kReal) {
    out.reals.resize(rows);
    for (size_t r = 0; r < rows; ++r) {
      if (!in.GetF64(out.reals[r])) {
        return DataLossError("truncated real block");
      }
    }
    return Status::Ok();
  }
  uint8_t flags = 0;
  uint64_t dict_size = 0;
  if (!in.GetU8(flags) || (flags & ~kStringKnownFlags) != 0 || (flags >> kStringHexShift) > 2 ||
      !in.GetVarint(dict_size) || dict_size > in.remaining()) {
    return DataLossError("malformed dictionary");
  }
  const bool plain = (flags & kStringPlain) != 0;
  const uint8_t hex = static_cast<uint8_t>(flags >> kStringHexShift);
  auto dict = std::make_shared<Dictionary>();
  thread_local std::vector<uint64_t> lengths;  // reused: see DecodeInts
  lengths.resize(dict_size);
  uint64_t total = 0;
  for (auto& length : lengths) {
    if (!in.GetVarint(length) || length > in.remaining()) {
      return DataLossError("malformed dictionary lengths");
    }
    total += length;
  }
  if (total > in.remaining()) {
    return DataLossError("truncated dictionary value");
  }
  dict->Reserve(dict_size, hex != 0 ? total * 2 : total);
  for (size_t i = 0; i < dict_size; ++i) {
    std::string_view value;
    if (!in.GetBytes(lengths[i], value)) {
      return DataLossError("truncated dictionary value");
    }
    if (hex != 0) {
      UnpackHex(value, hex == 2, dict->bytes());
      dict->EndValue();
    } else {
      dict->Add(value);
    }
  }
  out.codes.resize(rows);
  if (plain) {
    uint32_t next = 0;
    for (size_t r = 0; r < rows; ++r) {
      out.codes[r] = out.valid[r] != 0 ? next++ : 0;
    }
    if (next != dict_size || !in.at_end()) {
      return DataLossError("plain string block holds {} values for {} rows", dict_size, next);
    }
  } else {
    uint8_t width = 0;
    thread_local std::vector<uint64_t> codes;  // reused: see DecodeInts
    if (!in.GetU8(width) || !BitUnpack(in, rows, width, codes)) {
      return DataLossError("truncated dictionary codes");
    }
    for (size_t r = 0; r < rows; ++r) {
      if (out.valid[r] != 0 && codes[r] >= dict_size) {
        return DataLossError("dictionary code {} out of range", codes[r]);
      }
      out.codes[r] = out.valid[r] != 0 ? static_cast<uint32_t>(codes[r]) : 0;
    }
  }
  if (dict->empty()) {
    dict->Add({});  // code 0 of null cells stays addressable
  }
  out.dict = std::move(dict);
  return Status::Ok();
}

}  // namespace vigil::store::internal
