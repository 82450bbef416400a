// EVTX container layout: the file header, the 64 KiB chunk header and the event record header,
// decoded and validated (signatures, sizes, CRC32 checksums). Used by the EVTX reader; pure
// functions over byte spans, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace vigil::ingest::evtx {

inline constexpr size_t kFileHeaderSize = 4096;  // header block; only the first 128 bytes are used
inline constexpr size_t kChunkSize = 65536;
inline constexpr size_t kChunkHeaderSize = 512;
inline constexpr size_t kRecordHeaderSize = 24;  // signature, size, id, written time
inline constexpr size_t kMinRecordSize = kRecordHeaderSize + 4;
inline constexpr uint32_t kFileFlagDirty = 0x1;
inline constexpr uint32_t kFileFlagFull = 0x2;

// Little-endian loads; callers guarantee the bytes are in range.
inline uint16_t LoadU16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32). `crc` continues a previous call.
uint32_t Crc32(std::span<const uint8_t> data, uint32_t crc = 0);

struct FileHeader {
  uint64_t first_chunk = 0;
  uint64_t last_chunk = 0;
  uint64_t next_record_id = 0;
  uint32_t header_size = 0;
  uint16_t minor_version = 0;
  uint16_t major_version = 0;
  uint16_t header_block_size = 0;
  uint16_t chunk_count = 0;
  uint32_t flags = 0;
  uint32_t stored_crc = 0;
  uint32_t computed_crc = 0;

  bool dirty() const { return (flags & kFileFlagDirty) != 0; }
  bool full() const { return (flags & kFileFlagFull) != 0; }
  bool crc_ok() const { return stored_crc == computed_crc; }
};

// Decodes the file header. Returns false with `error` set when the data is too short or the
// signature is not "ElfFile\0"; a CRC mismatch is not an error here (see crc_ok()).
bool ParseFileHeader(std::span<const uint8_t> data, FileHeader& header, std::string& error);

struct ChunkHeader {
  uint64_t first_record_number = 0;
  uint64_t last_record_number = 0;
  uint64_t first_record_id = 0;
  uint64_t last_record_id = 0;
  uint32_t header_size = 0;
  uint32_t last_record_offset = 0;
  uint32_t free_space_offset = 0;
  uint32_t stored_records_crc = 0;
  uint32_t stored_header_crc = 0;
  uint32_t computed_header_crc = 0;

  bool header_crc_ok() const { return stored_header_crc == computed_header_crc; }
  // End of the record area this header claims, clamped to the chunk; kChunkSize if implausible.
  size_t RecordsEnd() const;
};

// True when the 8 bytes at `chunk` are "ElfChnk\0".
bool HasChunkSignature(std::span<const uint8_t> chunk);
// Decodes a chunk header (`chunk` must hold at least kChunkHeaderSize bytes and the signature);
// computes the header CRC over bytes [0,120) and [128,512).
bool ParseChunkHeader(std::span<const uint8_t> chunk, ChunkHeader& header, std::string& error);
// CRC32 of the record area [512, RecordsEnd()) compared with the stored value.
bool ChunkRecordsCrcOk(std::span<const uint8_t> chunk, const ChunkHeader& header);

struct RecordHeader {
  uint32_t size = 0;
  uint64_t record_id = 0;
  uint64_t written_time = 0;  // FILETIME
};

// Validates a record at `offset` inside `chunk` (signature, size within `limit`, trailing size
// copy). Returns false with `error` set otherwise.
bool ParseRecordHeader(std::span<const uint8_t> chunk, size_t offset, size_t limit,
                       RecordHeader& header, std::string& error);
// True when the 4 bytes at `p` are the record signature "**\0\0".
inline bool IsRecordSignature(const uint8_t* p) {
  return p[0] == 0x2a && p[1] == 0x2a && p[2] == 0 && p[3] == 0;
}

}  // namespace vigil::ingest::evtx
