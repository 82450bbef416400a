// Column block encoder and decoder; see column_block.h and docs/STORE_FORMAT.md.
#include "vigil/store/internal/column_block.h"

#include <algorithm>
#include <cstring>

namespace vigil::store::internal {
namespace {

using schema::ColumnData;
using schema::ColumnType;

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

template <typename Fn>
void ForEachRow(std::span<const ColumnPiece> pieces, Fn&& fn) {
  for (const ColumnPiece& piece : pieces) {
    const ColumnData& col = *piece.col;
    for (size_t r = piece.begin; r < piece.end; ++r) {
      fn(col, r);
    }
  }
}

}  // namespace

void BlockEncoder::Encode(ColumnType type, std::span<const ColumnPiece> pieces,
                          BlockColumnMeta& meta) {
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

void BlockEncoder::EncodeIntegers(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
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

void BlockEncoder::EncodeReals(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta) {
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

void BlockEncoder::EncodeStrings(ColumnType type, std::span<const ColumnPiece> pieces,
                                 BlockColumnMeta& meta) {
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

void NullColumn(ColumnType type, size_t rows, ColumnVector& out) {
  out.type = type;
  out.valid.assign(rows, 0);
  out.ints.clear();
  out.reals.clear();
  out.codes.clear();
  out.dict.reset();
  if (schema::IsIntegerBacked(type)) {
    out.ints.assign(rows, 0);
  } else if (type == ColumnType::kReal) {
    out.reals.assign(rows, 0.0);
  } else {
    auto dict = std::make_shared<Dictionary>();
    dict->Add({});  // code 0 of null cells stays addressable
    out.dict = std::move(dict);
    out.codes.assign(rows, 0);
  }
}

std::string EncodeColumnBlock(const ColumnData& col, size_t begin, size_t end,
                              BlockColumnMeta& meta) {
  BlockEncoder encoder(SegmentWriteOptions{});
  const ColumnPiece piece{&col, begin, end};
  encoder.Encode(col.type, std::span<const ColumnPiece>(&piece, 1), meta);
  return encoder.raw();
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
    NullColumn(type, rows, out);
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
