// Low-level byte encodings shared by the store's WAL and segment formats: little-endian
// fixed-width and varint integers, zig-zag, bit packing, block compression (zstd/lz4), xxhash
// checksums and the per-block term bloom filter. Pure functions and value types; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"

namespace vigil::store::internal {

// Appends encodings to a growing byte string.
class ByteWriter {
 public:
  void PutU8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void PutU32(uint32_t value);
  void PutU64(uint64_t value);
  void PutI64(int64_t value) { PutU64(static_cast<uint64_t>(value)); }
  void PutF64(double value);
  void PutVarint(uint64_t value);
  void PutSignedVarint(int64_t value);
  void PutBytes(std::string_view bytes) { out_.append(bytes); }
  // Varint length followed by the bytes.
  void PutString(std::string_view bytes);

  size_t size() const { return out_.size(); }
  void Clear() { out_.clear(); }  // keeps the capacity
  std::string& buffer() { return out_; }
  const std::string& buffer() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads encodings from a byte view; every getter fails (returns false / nullopt) instead of
// reading past the end, so corrupt input cannot crash the reader.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool GetU8(uint8_t& value);
  bool GetU32(uint32_t& value);
  bool GetU64(uint64_t& value);
  bool GetI64(int64_t& value);
  bool GetF64(double& value);
  bool GetVarint(uint64_t& value);
  bool GetSignedVarint(int64_t& value);
  bool GetBytes(size_t count, std::string_view& bytes);
  bool GetString(std::string_view& bytes);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

inline uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
inline int64_t UnZigZag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

// Bits needed to hold `value` (0 for 0).
int BitWidth(uint64_t value);
// Packs each value's low `width` bits, LSB first, into ceil(n*width/8) bytes.
void BitPack(const std::vector<uint64_t>& values, int width, ByteWriter& out);
// Unpacks `count` values of `width` bits; false if `in` is too short.
bool BitUnpack(ByteReader& in, size_t count, int width, std::vector<uint64_t>& values);

// Integer column encodings: frame-of-reference (value - min) or delta (zig-zag of successive
// differences, then frame-of-reference), each bit-packed; the writer keeps the smaller one.
void EncodeInts(const std::vector<int64_t>& values, ByteWriter& out);
bool DecodeInts(ByteReader& in, size_t count, std::vector<int64_t>& values);

enum class Codec : uint8_t { kNone = 0, kZstd = 1, kLz4 = 2 };

// Compresses `raw` with `codec`; returns kNone (raw copy) when compression does not help.
Codec Compress(Codec codec, std::string_view raw, int zstd_level, std::string& out);

// Compress() with a zstd context kept across calls (ZSTD_compress would allocate and clear a
// fresh one each time). One per thread; not thread-safe.
class Compressor {
 public:
  Compressor() = default;
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Codec Compress(Codec codec, std::string_view raw, int zstd_level, std::string& out);

 private:
  struct ZstdContext;
  ZstdContext* zstd_ = nullptr;
};

// Open-addressing hash table from byte strings to dense codes 0..size()-1 in first-insertion
// order (XXH3 hashes). Keys are views: the bytes must stay alive and unchanged until Clear().
// Clear() keeps the capacity so one table serves many column blocks.
class StringDictionary {
 public:
  // The code of `value`, inserting it when new.
  uint32_t Insert(std::string_view value);
  void Clear();
  size_t size() const { return values_.size(); }
  const std::vector<std::string_view>& values() const { return values_; }

 private:
  void Grow();

  struct Slot {
    uint32_t code_plus_one = 0;  // 0: empty
    uint32_t hash_tag = 0;       // high hash bits, checked before comparing bytes
  };
  std::vector<Slot> slots_;  // power-of-two size, at most half full
  std::vector<std::string_view> values_;
};

// Hex text packing for string dictionaries: every value must be even-length and made of hex
// digits whose letters all share one case. Returns 0 if some value does not qualify, else 1
// (letters lower-case or none) or 2 (upper-case).
uint8_t HexCaseOf(const std::vector<std::string_view>& values);
// Appends the bytes that the hex text `hex` spells (two digits per byte).
void PackHex(std::string_view hex, std::string& out);
// Appends the hex text of `bytes` in lower (`upper` false) or upper case.
void UnpackHex(std::string_view bytes, bool upper, std::string& out);
Status Decompress(Codec codec, std::string_view compressed, size_t raw_size, std::string& out);

uint64_t Hash64(std::string_view bytes, uint64_t seed = 0);

// Lower-cased terms of `text`: maximal runs of ASCII letters and digits, each passed to `fn`.
// This splits at least as finely as Kusto's term index (every other byte, including non-ASCII,
// separates), so "all terms of the needle are in the block's filter" is a safe pre-test for
// `has` and `==`.
// Terms that are already lower-case are passed as views into `text` (no copy).
template <typename Fn>
void ForEachTerm(std::string_view text, Fn&& fn) {
  // 0: separator, 1: digit or lower-case letter, 2: upper-case letter.
  static constexpr std::array<uint8_t, 256> kClass = [] {
    std::array<uint8_t, 256> table{};
    for (int c = '0'; c <= '9'; ++c) {
      table[c] = 1;
    }
    for (int c = 'a'; c <= 'z'; ++c) {
      table[c] = 1;
      table[c - 32] = 2;
    }
    return table;
  }();
  std::string lowered;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const size_t start = i;
    uint8_t seen = 0;
    uint8_t cls = 0;
    while (i < n && (cls = kClass[static_cast<unsigned char>(text[i])]) != 0) {
      seen |= cls;
      ++i;
    }
    if (i > start) {
      const std::string_view term = text.substr(start, i - start);
      if ((seen & 2) == 0) {
        fn(term);
      } else {
        lowered.assign(term);
        for (char& c : lowered) {
          if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c + 32);
          }
        }
        fn(std::string_view(lowered));
      }
    }
    ++i;  // skip the separator
  }
}

// A small bloom filter of lower-cased terms, k = 4 probes derived from one 64-bit hash.
// An empty filter (no bits) answers "maybe" for everything.
class TermBloom {
 public:
  TermBloom() = default;
  // Sized for `expected_terms` at 8 bits per term (4 probes: ~2.5 % false positives), capped
  // at kMaxBits (64 KiB per column block). Blocks with more distinct terms than that filter
  // only a subset of them (vigil/store/internal/term_filter.h).
  explicit TermBloom(size_t expected_terms);
  static TermBloom FromBytes(std::string_view bytes);

  void AddTerm(std::string_view lower_term) { AddHash(TermHash(lower_term)); }
  // AddTerm() split in two, so writers can deduplicate terms by hash.
  static uint64_t TermHash(std::string_view lower_term);
  void AddHash(uint64_t term_hash);
  bool MayContainTerm(std::string_view lower_term) const;
  const std::string& bytes() const { return bits_; }
  bool empty() const { return bits_.empty(); }

  static constexpr size_t kMaxBits = 1 << 19;

 private:
  std::string bits_;
};

}  // namespace vigil::store::internal
