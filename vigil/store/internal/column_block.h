// Column blocks: the encoder that turns rows of one column into a (compressed) block with its
// statistics and term filter, and the decoder of raw blocks (DecodeColumnBlock, declared in
// segment.h). The block layout is in docs/STORE_FORMAT.md; segment.cpp places blocks in files.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vigil/store/internal/encoding.h"
#include "vigil/store/internal/segment.h"
#include "vigil/store/internal/term_filter.h"

namespace vigil::store::internal {

// Encodes and compresses column blocks. Keeps its scratch buffers, dictionary and zstd context
// across blocks, so a segment write allocates almost nothing per block. Not thread-safe.
class BlockEncoder {
 public:
  explicit BlockEncoder(const SegmentWriteOptions& options) : options_(options) {}

  // Encodes the rows of `pieces` (in order) into stored() and fills `meta` (all but the offset).
  void Encode(schema::ColumnType type, std::span<const ColumnPiece> pieces,
              BlockColumnMeta& meta);

  const std::string& stored() const { return stored_; }
  const std::string& raw() const { return out_.buffer(); }

 private:
  void EncodeIntegers(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta);
  void EncodeReals(std::span<const ColumnPiece> pieces, BlockColumnMeta& meta);
  void EncodeStrings(schema::ColumnType type, std::span<const ColumnPiece> pieces,
                     BlockColumnMeta& meta);

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

// Fills `out` with `rows` null cells of `type` (a dictionary column gets one empty value, so
// code 0 stays addressable).
void NullColumn(schema::ColumnType type, size_t rows, ColumnVector& out);

}  // namespace vigil::store::internal
