// Unit tests of the EVTX container layer: CRC32, file header, chunk header and record header
// validation.
#include "vigil/ingest/evtx/evtx_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace vigil::ingest::evtx {
namespace {

void Put32(std::vector<uint8_t>& buf, size_t at, uint32_t v) { std::memcpy(&buf[at], &v, 4); }
void Put64(std::vector<uint8_t>& buf, size_t at, uint64_t v) { std::memcpy(&buf[at], &v, 8); }

std::vector<uint8_t> MakeFileHeader(uint32_t flags) {
  std::vector<uint8_t> header(kFileHeaderSize, 0);
  std::memcpy(header.data(), "ElfFile", 8);
  Put64(header, 16, 2);    // last chunk
  Put64(header, 24, 100);  // next record id
  Put32(header, 32, 128);
  header[36] = 1;
  header[38] = 3;
  header[40] = 0x00;
  header[41] = 0x10;  // 4096
  header[42] = 3;     // chunk count
  Put32(header, 120, flags);
  Put32(header, 124, Crc32(std::span<const uint8_t>(header).first(120)));
  return header;
}

TEST(EvtxCrc32Test, MatchesTheStandardCheckValue) {
  const std::string text = "123456789";
  EXPECT_EQ(Crc32({reinterpret_cast<const uint8_t*>(text.data()), text.size()}), 0xCBF43926u);
  EXPECT_EQ(Crc32({}), 0u);
  // Incremental computation equals one pass.
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  EXPECT_EQ(Crc32({p + 4, 5}, Crc32({p, 4})), 0xCBF43926u);
}

TEST(EvtxFileHeaderTest, ParsesAValidHeader) {
  const std::vector<uint8_t> data = MakeFileHeader(kFileFlagDirty);
  FileHeader header;
  std::string error;
  ASSERT_TRUE(ParseFileHeader(data, header, error)) << error;
  EXPECT_TRUE(header.crc_ok());
  EXPECT_TRUE(header.dirty());
  EXPECT_FALSE(header.full());
  EXPECT_EQ(header.chunk_count, 3);
  EXPECT_EQ(header.header_block_size, 4096);
  EXPECT_EQ(header.major_version, 3);
  EXPECT_EQ(header.next_record_id, 100u);
}

TEST(EvtxFileHeaderTest, DetectsCrcMismatchAndBadSignature) {
  std::vector<uint8_t> data = MakeFileHeader(0);
  data[42] = 7;  // chunk count changed after the CRC was computed
  FileHeader header;
  std::string error;
  ASSERT_TRUE(ParseFileHeader(data, header, error));
  EXPECT_FALSE(header.crc_ok());

  data[0] = 'X';
  EXPECT_FALSE(ParseFileHeader(data, header, error));
  EXPECT_NE(error.find("signature"), std::string::npos);
  EXPECT_FALSE(ParseFileHeader(std::span<const uint8_t>(data).first(64), header, error));
}

std::vector<uint8_t> MakeChunk() {
  std::vector<uint8_t> chunk(kChunkSize, 0);
  std::memcpy(chunk.data(), "ElfChnk", 8);
  Put64(chunk, 8, 1);
  Put64(chunk, 16, 1);
  Put64(chunk, 24, 1);
  Put64(chunk, 32, 1);
  Put32(chunk, 40, 128);
  Put32(chunk, 44, 512);
  // One 32-byte record at 512.
  const uint8_t signature[4] = {0x2a, 0x2a, 0, 0};
  std::memcpy(&chunk[512], signature, 4);
  Put32(chunk, 516, 32);
  Put64(chunk, 520, 1);
  Put64(chunk, 528, 131124751716816408ull);
  Put32(chunk, 540, 32);
  Put32(chunk, 48, 544);  // free space offset
  Put32(chunk, 52, Crc32(std::span<const uint8_t>(chunk).subspan(512, 32)));
  const uint32_t crc = Crc32(std::span<const uint8_t>(chunk).subspan(128, 384),
                             Crc32(std::span<const uint8_t>(chunk).first(120)));
  Put32(chunk, 124, crc);
  return chunk;
}

TEST(EvtxChunkHeaderTest, ValidatesSignatureAndChecksums) {
  std::vector<uint8_t> chunk = MakeChunk();
  ChunkHeader header;
  std::string error;
  ASSERT_TRUE(ParseChunkHeader(chunk, header, error)) << error;
  EXPECT_TRUE(header.header_crc_ok());
  EXPECT_TRUE(ChunkRecordsCrcOk(chunk, header));
  EXPECT_EQ(header.RecordsEnd(), 544u);

  chunk[530] ^= 1;  // damage a record byte
  EXPECT_TRUE(ParseChunkHeader(chunk, header, error));
  EXPECT_FALSE(ChunkRecordsCrcOk(chunk, header));
  chunk[200] ^= 1;  // damage the string offset table (covered by the header CRC)
  ASSERT_TRUE(ParseChunkHeader(chunk, header, error));
  EXPECT_FALSE(header.header_crc_ok());

  chunk[3] = 'x';
  EXPECT_FALSE(HasChunkSignature(chunk));
  EXPECT_FALSE(ParseChunkHeader(chunk, header, error));
}

TEST(EvtxChunkHeaderTest, ImplausibleFreeSpaceOffsetMeansWholeChunk) {
  std::vector<uint8_t> chunk = MakeChunk();
  Put32(chunk, 48, 100);
  ChunkHeader header;
  std::string error;
  ASSERT_TRUE(ParseChunkHeader(chunk, header, error));
  EXPECT_EQ(header.RecordsEnd(), kChunkSize);
}

TEST(EvtxRecordHeaderTest, ValidatesSignatureSizeAndTrailingCopy) {
  std::vector<uint8_t> chunk = MakeChunk();
  RecordHeader record;
  std::string error;
  ASSERT_TRUE(ParseRecordHeader(chunk, 512, kChunkSize, record, error)) << error;
  EXPECT_EQ(record.size, 32u);
  EXPECT_EQ(record.record_id, 1u);
  EXPECT_EQ(record.written_time, 131124751716816408ull);

  EXPECT_FALSE(ParseRecordHeader(chunk, 512, 530, record, error));  // past the limit
  Put32(chunk, 540, 33);
  EXPECT_FALSE(ParseRecordHeader(chunk, 512, kChunkSize, record, error));
  EXPECT_NE(error.find("trailing copy"), std::string::npos);
  Put32(chunk, 516, 8);
  EXPECT_FALSE(ParseRecordHeader(chunk, 512, kChunkSize, record, error));
  chunk[512] = 0;
  EXPECT_FALSE(ParseRecordHeader(chunk, 512, kChunkSize, record, error));
  EXPECT_NE(error.find("signature"), std::string::npos);
}

}  // namespace
}  // namespace vigil::ingest::evtx
