#include "vigil/store/internal/encoding.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vigil::store::internal {

namespace {
// One zstd decompression context per thread: ZSTD_decompress() would allocate ~100 KB of
// context per block.
ZSTD_DCtx* ThreadDCtx() {
  struct Holder {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    ~Holder() { ZSTD_freeDCtx(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}
}  // namespace

void ByteWriter::PutU32(uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  out_.append(bytes, 4);
}

void ByteWriter::PutU64(uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  out_.append(bytes, 8);
}

void ByteWriter::PutF64(double value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  PutU64(bits);
}

void ByteWriter::PutVarint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

void ByteWriter::PutSignedVarint(int64_t value) { PutVarint(ZigZag(value)); }

void ByteWriter::PutString(std::string_view bytes) {
  PutVarint(bytes.size());
  out_.append(bytes);
}

bool ByteReader::GetU8(uint8_t& value) {
  if (remaining() < 1) {
    return false;
  }
  value = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool ByteReader::GetU32(uint32_t& value) {
  if (remaining() < 4) {
    return false;
  }
  value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 4;
  return true;
}

bool ByteReader::GetU64(uint64_t& value) {
  if (remaining() < 8) {
    return false;
  }
  value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += 8;
  return true;
}

bool ByteReader::GetI64(int64_t& value) {
  uint64_t raw = 0;
  if (!GetU64(raw)) {
    return false;
  }
  value = static_cast<int64_t>(raw);
  return true;
}

bool ByteReader::GetF64(double& value) {
  uint64_t raw = 0;
  if (!GetU64(raw)) {
    return false;
  }
  std::memcpy(&value, &raw, sizeof(value));
  return true;
}

bool ByteReader::GetVarint(uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      return false;
    }
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      return true;
    }
  }
  return false;
}

bool ByteReader::GetSignedVarint(int64_t& value) {
  uint64_t raw = 0;
  if (!GetVarint(raw)) {
    return false;
  }
  value = UnZigZag(raw);
  return true;
}

bool ByteReader::GetBytes(size_t count, std::string_view& bytes) {
  if (remaining() < count) {
    return false;
  }
  bytes = data_.substr(pos_, count);
  pos_ += count;
  return true;
}

bool ByteReader::GetString(std::string_view& bytes) {
  uint64_t length = 0;
  return GetVarint(length) && length <= remaining() && GetBytes(length, bytes);
}

int BitWidth(uint64_t value) {
  int width = 0;
  while (value != 0) {
    ++width;
    value >>= 1;
  }
  return width;
}

void BitPack(const std::vector<uint64_t>& values, int width, ByteWriter& out) {
  if (width == 0) {
    return;
  }
  std::string& buffer = out.buffer();
  unsigned __int128 acc = 0;
  int bits = 0;
  const uint64_t mask = width == 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
  for (uint64_t value : values) {
    acc |= static_cast<unsigned __int128>(value & mask) << bits;
    bits += width;
    while (bits >= 8) {
      buffer.push_back(static_cast<char>(static_cast<uint8_t>(acc)));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) {
    buffer.push_back(static_cast<char>(static_cast<uint8_t>(acc)));
  }
}

bool BitUnpack(ByteReader& in, size_t count, int width, std::vector<uint64_t>& values) {
  values.assign(count, 0);
  if (width == 0 || count == 0) {
    return true;
  }
  if (width > 64) {
    return false;
  }
  const size_t bytes_needed = (count * static_cast<size_t>(width) + 7) / 8;
  std::string_view bytes;
  if (!in.GetBytes(bytes_needed, bytes)) {
    return false;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto w = static_cast<size_t>(width);
  size_t i = 0;
  if (width <= 56) {
    // One unaligned 8-byte load per value while it stays inside the buffer: a value of at
    // most 56 bits plus its bit offset (< 8) fits in the 64 bits loaded.
    for (; i < count; ++i) {
      const size_t bit = i * w;
      const size_t byte = bit >> 3;
      if (byte + 8 > bytes_needed) {
        break;
      }
      uint64_t word;
      std::memcpy(&word, data + byte, sizeof(word));
      values[i] = (word >> (bit & 7)) & mask;
    }
  }
  // The last few values (and widths above 56): assemble from single bytes.
  for (; i < count; ++i) {
    const size_t bit = i * w;
    const size_t first = bit >> 3;
    const size_t last = (bit + w + 7) >> 3;  // exclusive
    unsigned __int128 acc = 0;
    for (size_t b = first; b < last && b < bytes_needed; ++b) {
      acc |= static_cast<unsigned __int128>(data[b]) << ((b - first) * 8);
    }
    values[i] = static_cast<uint64_t>(acc >> (bit & 7)) & mask;
  }
  return true;
}

namespace {

constexpr uint8_t kIntsFrameOfReference = 0;
constexpr uint8_t kIntsDelta = 1;

}  // namespace

void EncodeInts(const std::vector<int64_t>& values, ByteWriter& out) {
  if (values.empty()) {
    out.PutU8(kIntsFrameOfReference);
    out.PutSignedVarint(0);
    out.PutU8(0);
    return;
  }
  const int64_t min = *std::min_element(values.begin(), values.end());
  const int64_t max = *std::max_element(values.begin(), values.end());
  const int for_width = BitWidth(static_cast<uint64_t>(max) - static_cast<uint64_t>(min));

  std::vector<uint64_t> deltas;
  deltas.reserve(values.size());
  uint64_t delta_min = ~uint64_t{0};
  uint64_t delta_max = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    const auto diff = static_cast<int64_t>(static_cast<uint64_t>(values[i]) -
                                           static_cast<uint64_t>(values[i - 1]));
    const uint64_t zz = ZigZag(diff);
    deltas.push_back(zz);
    delta_min = std::min(delta_min, zz);
    delta_max = std::max(delta_max, zz);
  }
  if (deltas.empty()) {
    delta_min = 0;
  }
  const int delta_width = BitWidth(delta_max - delta_min);
  const size_t for_bytes = (values.size() * for_width + 7) / 8;
  const size_t delta_bytes = (deltas.size() * delta_width + 7) / 8 + 10;

  if (for_bytes <= delta_bytes) {
    out.PutU8(kIntsFrameOfReference);
    out.PutSignedVarint(min);
    out.PutU8(static_cast<uint8_t>(for_width));
    std::vector<uint64_t> offsets;
    offsets.reserve(values.size());
    for (int64_t value : values) {
      offsets.push_back(static_cast<uint64_t>(value) - static_cast<uint64_t>(min));
    }
    BitPack(offsets, for_width, out);
    return;
  }
  out.PutU8(kIntsDelta);
  out.PutSignedVarint(values[0]);
  out.PutVarint(delta_min);
  out.PutU8(static_cast<uint8_t>(delta_width));
  for (uint64_t& delta : deltas) {
    delta -= delta_min;
  }
  BitPack(deltas, delta_width, out);
}

bool DecodeInts(ByteReader& in, size_t count, std::vector<int64_t>& values) {
  uint8_t mode = 0;
  if (!in.GetU8(mode)) {
    return false;
  }
  // Reused per thread: a fresh large vector per block costs more than the decoding itself
  // (glibc consolidates its fast bins on every large allocation).
  thread_local std::vector<uint64_t> packed;
  if (mode == kIntsFrameOfReference) {
    int64_t min = 0;
    uint8_t width = 0;
    if (!in.GetSignedVarint(min) || !in.GetU8(width) || !BitUnpack(in, count, width, packed)) {
      return false;
    }
    values.resize(count);
    for (size_t i = 0; i < count; ++i) {
      values[i] = static_cast<int64_t>(static_cast<uint64_t>(min) + packed[i]);
    }
    return true;
  }
  if (mode != kIntsDelta || count == 0) {
    return false;
  }
  int64_t first = 0;
  uint64_t delta_min = 0;
  uint8_t width = 0;
  if (!in.GetSignedVarint(first) || !in.GetVarint(delta_min) || !in.GetU8(width) ||
      !BitUnpack(in, count - 1, width, packed)) {
    return false;
  }
  values.resize(count);
  values[0] = first;
  for (size_t i = 1; i < count; ++i) {
    const int64_t diff = UnZigZag(packed[i - 1] + delta_min);
    values[i] =
        static_cast<int64_t>(static_cast<uint64_t>(values[i - 1]) + static_cast<uint64_t>(diff));
  }
  return true;
}

Codec Compress(Codec codec, std::string_view raw, int zstd_level, std::string& out) {
  out.clear();
  if (codec == Codec::kZstd && raw.size() >= 32) {
    out.resize(ZSTD_compressBound(raw.size()));
    const size_t written =
        ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), zstd_level);
    if (ZSTD_isError(written) == 0 && written < raw.size()) {
      out.resize(written);
      return Codec::kZstd;
    }
  } else if (codec == Codec::kLz4 && raw.size() >= 32 &&
             raw.size() <= static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    out.resize(LZ4_compressBound(static_cast<int>(raw.size())));
    const int written = LZ4_compress_default(raw.data(), out.data(), static_cast<int>(raw.size()),
                                             static_cast<int>(out.size()));
    if (written > 0 && static_cast<size_t>(written) < raw.size()) {
      out.resize(written);
      return Codec::kLz4;
    }
  }
  out.assign(raw);
  return Codec::kNone;
}

struct Compressor::ZstdContext {
  ZSTD_CCtx* cctx = nullptr;
  int level = 0;
};

Compressor::~Compressor() {
  if (zstd_ != nullptr) {
    ZSTD_freeCCtx(zstd_->cctx);
    delete zstd_;
  }
}

Codec Compressor::Compress(Codec codec, std::string_view raw, int zstd_level, std::string& out) {
  if (codec != Codec::kZstd || raw.size() < 32) {
    return internal::Compress(codec, raw, zstd_level, out);
  }
  if (zstd_ == nullptr) {
    zstd_ = new ZstdContext;
    zstd_->cctx = ZSTD_createCCtx();
  }
  if (zstd_->cctx == nullptr) {
    return internal::Compress(codec, raw, zstd_level, out);
  }
  out.resize(ZSTD_compressBound(raw.size()));
  const size_t written =
      ZSTD_compressCCtx(zstd_->cctx, out.data(), out.size(), raw.data(), raw.size(), zstd_level);
  if (ZSTD_isError(written) == 0 && written < raw.size()) {
    out.resize(written);
    return Codec::kZstd;
  }
  out.assign(raw);
  return Codec::kNone;
}

namespace {

uint64_t StringHash(std::string_view value) { return XXH3_64bits(value.data(), value.size()); }

// Bit 0: hex digit; bit 1: a-f; bit 2: A-F. Bits 4-7: the digit's value.
constexpr std::array<uint8_t, 256> kHexClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 10; ++c) {
    table['0' + c] = static_cast<uint8_t>(1 | (c << 4));
  }
  for (int c = 0; c < 6; ++c) {
    table['a' + c] = static_cast<uint8_t>(1 | 2 | ((10 + c) << 4));
    table['A' + c] = static_cast<uint8_t>(1 | 4 | ((10 + c) << 4));
  }
  return table;
}();

}  // namespace

uint32_t StringDictionary::Insert(std::string_view value) {
  if ((values_.size() + 1) * 2 > slots_.size()) {
    Grow();
  }
  const uint64_t hash = StringHash(value);
  const auto tag = static_cast<uint32_t>(hash >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.code_plus_one == 0) {
      values_.push_back(value);
      slot.code_plus_one = static_cast<uint32_t>(values_.size());
      slot.hash_tag = tag;
      return slot.code_plus_one - 1;
    }
    if (slot.hash_tag == tag && values_[slot.code_plus_one - 1] == value) {
      return slot.code_plus_one - 1;
    }
  }
}

void StringDictionary::Clear() {
  values_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{});
}

void StringDictionary::Grow() {
  const size_t size = std::max<size_t>(slots_.size() * 2, 1024);
  slots_.assign(size, Slot{});
  const size_t mask = size - 1;
  for (size_t code = 0; code < values_.size(); ++code) {
    const uint64_t hash = StringHash(values_[code]);
    size_t i = hash & mask;
    while (slots_[i].code_plus_one != 0) {
      i = (i + 1) & mask;
    }
    slots_[i].code_plus_one = static_cast<uint32_t>(code + 1);
    slots_[i].hash_tag = static_cast<uint32_t>(hash >> 32);
  }
}

uint8_t HexCaseOf(const std::vector<std::string_view>& values) {
  uint8_t all = 1;
  uint8_t any = 0;
  for (std::string_view value : values) {
    if (value.size() % 2 != 0) {
      return 0;
    }
    for (char c : value) {
      const uint8_t cls = kHexClass[static_cast<unsigned char>(c)];
      all &= cls;
      any |= cls;
    }
    if ((all & 1) == 0 || (any & 6) == 6) {
      return 0;
    }
  }
  return (any & 4) != 0 ? 2 : 1;
}

void PackHex(std::string_view hex, std::string& out) {
  const size_t base = out.size();
  out.resize(base + hex.size() / 2);
  char* dst = out.data() + base;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    dst[i / 2] = static_cast<char>((kHexClass[static_cast<unsigned char>(hex[i])] & 0xf0) |
                                   (kHexClass[static_cast<unsigned char>(hex[i + 1])] >> 4));
  }
}

void UnpackHex(std::string_view bytes, bool upper, std::string& out) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  const size_t base = out.size();
  out.resize(base + bytes.size() * 2);
  char* dst = out.data() + base;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<uint8_t>(bytes[i]);
    dst[2 * i] = digits[byte >> 4];
    dst[2 * i + 1] = digits[byte & 0x0f];
  }
}

Status Decompress(Codec codec, std::string_view compressed, size_t raw_size, std::string& out) {
  switch (codec) {
    case Codec::kNone:
      if (compressed.size() != raw_size) {
        return DataLossError("stored block size {} does not match {}", compressed.size(), raw_size);
      }
      out.assign(compressed);
      return Status::Ok();
    case Codec::kZstd: {
      out.resize(raw_size);
      const size_t got =
          ZSTD_decompressDCtx(ThreadDCtx(), out.data(), raw_size, compressed.data(),
                              compressed.size());
      if (ZSTD_isError(got) != 0 || got != raw_size) {
        return DataLossError("zstd block does not decompress to {} bytes", raw_size);
      }
      return Status::Ok();
    }
    case Codec::kLz4: {
      out.resize(raw_size);
      const int got =
          LZ4_decompress_safe(compressed.data(), out.data(), static_cast<int>(compressed.size()),
                              static_cast<int>(raw_size));
      if (got < 0 || static_cast<size_t>(got) != raw_size) {
        return DataLossError("lz4 block does not decompress to {} bytes", raw_size);
      }
      return Status::Ok();
    }
  }
  return DataLossError("unknown block codec {}", static_cast<int>(codec));
}

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

TermBloom::TermBloom(size_t expected_terms) {
  size_t bits = std::clamp<size_t>(expected_terms * 8, 64, kMaxBits);
  bits = (bits + 63) / 64 * 64;
  bits_.assign(bits / 8, '\0');
}

TermBloom TermBloom::FromBytes(std::string_view bytes) {
  TermBloom bloom;
  bloom.bits_.assign(bytes);
  return bloom;
}

uint64_t TermBloom::TermHash(std::string_view lower_term) { return Hash64(lower_term, 0x5eed); }

void TermBloom::AddHash(uint64_t hash) {
  if (bits_.empty()) {
    return;
  }
  const auto h1 = static_cast<uint32_t>(hash);
  const auto h2 = static_cast<uint32_t>(hash >> 32);
  const size_t nbits = bits_.size() * 8;
  for (uint32_t i = 0; i < 4; ++i) {
    const size_t bit = (h1 + i * h2) % nbits;
    bits_[bit / 8] = static_cast<char>(static_cast<uint8_t>(bits_[bit / 8]) | (1u << (bit % 8)));
  }
}

bool TermBloom::MayContainTerm(std::string_view lower_term) const {
  if (bits_.empty()) {
    return true;
  }
  const uint64_t hash = Hash64(lower_term, 0x5eed);
  const auto h1 = static_cast<uint32_t>(hash);
  const auto h2 = static_cast<uint32_t>(hash >> 32);
  const size_t nbits = bits_.size() * 8;
  for (uint32_t i = 0; i < 4; ++i) {
    const size_t bit = (h1 + i * h2) % nbits;
    if ((static_cast<uint8_t>(bits_[bit / 8]) & (1u << (bit % 8))) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil::store::internal
