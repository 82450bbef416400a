#include "vigil/ingest/evtx/evtx_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace vigil::ingest::evtx {
namespace {

// Slice-by-8 tables for the reflected polynomial 0xEDB88320, built at compile time.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables MakeCrcTables() {
  CrcTables tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    tables[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t t = 1; t < 8; ++t) {
      const uint32_t prev = tables[t - 1][i];
      tables[t][i] = (prev >> 8) ^ tables[0][prev & 0xff];
    }
  }
  return tables;
}

constexpr CrcTables kCrcTables = MakeCrcTables();

constexpr uint8_t kFileSignature[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
constexpr uint8_t kChunkSignature[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};

}  // namespace

uint32_t Crc32(std::span<const uint8_t> data, uint32_t crc) {
  crc = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    const uint32_t lo = LoadU32(p) ^ crc;
    const uint32_t hi = LoadU32(p + 4);
    crc = kCrcTables[7][lo & 0xff] ^ kCrcTables[6][(lo >> 8) & 0xff] ^
          kCrcTables[5][(lo >> 16) & 0xff] ^ kCrcTables[4][lo >> 24] ^ kCrcTables[3][hi & 0xff] ^
          kCrcTables[2][(hi >> 8) & 0xff] ^ kCrcTables[1][(hi >> 16) & 0xff] ^
          kCrcTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) {
    crc = (crc >> 8) ^ kCrcTables[0][(crc ^ *p++) & 0xff];
  }
  return ~crc;
}

bool ParseFileHeader(std::span<const uint8_t> data, FileHeader& header, std::string& error) {
  if (data.size() < 128) {
    error = fmt::format("file too short for an EVTX header ({} bytes)", data.size());
    return false;
  }
  if (std::memcmp(data.data(), kFileSignature, sizeof(kFileSignature)) != 0) {
    error = "bad file signature (expected ElfFile)";
    return false;
  }
  const uint8_t* p = data.data();
  header.first_chunk = LoadU64(p + 8);
  header.last_chunk = LoadU64(p + 16);
  header.next_record_id = LoadU64(p + 24);
  header.header_size = LoadU32(p + 32);
  header.minor_version = LoadU16(p + 36);
  header.major_version = LoadU16(p + 38);
  header.header_block_size = LoadU16(p + 40);
  header.chunk_count = LoadU16(p + 42);
  header.flags = LoadU32(p + 120);
  header.stored_crc = LoadU32(p + 124);
  header.computed_crc = Crc32(data.first(120));
  return true;
}

size_t ChunkHeader::RecordsEnd() const {
  if (free_space_offset < kChunkHeaderSize || free_space_offset > kChunkSize) {
    return kChunkSize;
  }
  return free_space_offset;
}

bool HasChunkSignature(std::span<const uint8_t> chunk) {
  return chunk.size() >= sizeof(kChunkSignature) &&
         std::memcmp(chunk.data(), kChunkSignature, sizeof(kChunkSignature)) == 0;
}

bool ParseChunkHeader(std::span<const uint8_t> chunk, ChunkHeader& header, std::string& error) {
  if (chunk.size() < kChunkHeaderSize) {
    error = fmt::format("chunk too short ({} bytes)", chunk.size());
    return false;
  }
  if (!HasChunkSignature(chunk)) {
    error = "bad chunk signature (expected ElfChnk)";
    return false;
  }
  const uint8_t* p = chunk.data();
  header.first_record_number = LoadU64(p + 8);
  header.last_record_number = LoadU64(p + 16);
  header.first_record_id = LoadU64(p + 24);
  header.last_record_id = LoadU64(p + 32);
  header.header_size = LoadU32(p + 40);
  header.last_record_offset = LoadU32(p + 44);
  header.free_space_offset = LoadU32(p + 48);
  header.stored_records_crc = LoadU32(p + 52);
  header.stored_header_crc = LoadU32(p + 124);
  uint32_t crc = Crc32(chunk.first(120));
  header.computed_header_crc = Crc32(chunk.subspan(128, kChunkHeaderSize - 128), crc);
  return true;
}

bool ChunkRecordsCrcOk(std::span<const uint8_t> chunk, const ChunkHeader& header) {
  const size_t end = std::min(header.RecordsEnd(), chunk.size());
  if (end < kChunkHeaderSize) {
    return false;
  }
  return Crc32(chunk.subspan(kChunkHeaderSize, end - kChunkHeaderSize)) ==
         header.stored_records_crc;
}

bool ParseRecordHeader(std::span<const uint8_t> chunk, size_t offset, size_t limit,
                       RecordHeader& header, std::string& error) {
  limit = std::min(limit, chunk.size());
  if (offset > limit || limit - offset < kMinRecordSize) {
    error = "record header truncated";
    return false;
  }
  const uint8_t* p = chunk.data() + offset;
  if (!IsRecordSignature(p)) {
    error = "bad record signature";
    return false;
  }
  header.size = LoadU32(p + 4);
  if (header.size < kMinRecordSize || header.size > limit - offset) {
    error = fmt::format("bad record size {}", header.size);
    return false;
  }
  if (LoadU32(p + header.size - 4) != header.size) {
    error = fmt::format("record size {} does not match its trailing copy {}", header.size,
                        LoadU32(p + header.size - 4));
    return false;
  }
  header.record_id = LoadU64(p + 8);
  header.written_time = LoadU64(p + 16);
  return true;
}

}  // namespace vigil::ingest::evtx
