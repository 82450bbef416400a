// Tests of the EVTX reader on small files built here token by token (binary XML with inline and
// referenced templates, optional and array substitutions, a nested BinXml UserData value), and
// of its tolerance: damaged records and chunks are skipped and reported, reading goes on.
#include "vigil/ingest/evtx/evtx_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/ingest/evtx/evtx_format.h"

namespace vigil::ingest {
namespace {

using evtx::kChunkSize;
using evtx::kFileHeaderSize;

constexpr uint64_t kFileTime = 131124751716816408ull;  // 2016-07-08T18:12:51.6816408Z

// Writes one chunk: records, binary XML tokens and values, names defined inline at first use.
class ChunkBuilder {
 public:
  struct Val {
    uint8_t type = 0;
    std::vector<uint8_t> bytes;
    std::function<void(ChunkBuilder&)> writer;  // writes the value in place (BinXml values)
  };

  ChunkBuilder() : chunk_(kChunkSize, 0) { std::memcpy(chunk_.data(), "ElfChnk", 8); }

  size_t pos() const { return pos_; }
  std::vector<uint8_t>& bytes() { return chunk_; }

  void U8(uint8_t v) { chunk_[pos_++] = v; }
  void U16(uint16_t v) { Raw(&v, 2); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void Raw(const void* p, size_t n) {
    std::memcpy(&chunk_[pos_], p, n);
    pos_ += n;
  }
  void Chars(std::string_view ascii) {
    for (char c : ascii) {
      U16(static_cast<uint8_t>(c));
    }
  }
  void Patch32(size_t at, uint32_t v) { std::memcpy(&chunk_[at], &v, 4); }

  void NameRef(std::string_view name) {
    auto it = names_.find(std::string(name));
    if (it != names_.end()) {
      U32(static_cast<uint32_t>(it->second));
      return;
    }
    U32(static_cast<uint32_t>(pos_ + 4));
    names_[std::string(name)] = pos_;
    U32(0);
    U16(0);
    U16(static_cast<uint16_t>(name.size()));
    Chars(name);
    U16(0);
  }

  void FragmentHeader() {
    U8(0x0f);
    U8(1);
    U8(1);
    U8(0);
  }
  void Open(std::string_view name, bool has_attributes, bool in_template = true) {
    U8(has_attributes ? 0x41 : 0x01);
    if (in_template) {
      U16(0xffff);
    }
    U32(0);
    NameRef(name);
    if (has_attributes) {
      U32(0);
    }
  }
  void Attribute(std::string_view name) {
    U8(0x06);
    NameRef(name);
  }
  void Text(std::string_view ascii) {
    U8(0x05);
    U8(0x01);
    U16(static_cast<uint16_t>(ascii.size()));
    Chars(ascii);
  }
  void Sub(uint16_t index, uint8_t type, bool optional = false) {
    U8(optional ? 0x0e : 0x0d);
    U16(index);
    U8(type);
  }
  void CloseStart() { U8(0x02); }
  void CloseEmpty() { U8(0x03); }
  void End() { U8(0x04); }
  void Eof() { U8(0x00); }
  // <name>text</name>
  void TextElement(std::string_view name, std::string_view text, bool in_template = true) {
    Open(name, false, in_template);
    CloseStart();
    Text(text);
    End();
  }
  // <name>%index</name>
  void SubElement(std::string_view name, uint16_t index, uint8_t type, bool optional = false) {
    Open(name, false);
    CloseStart();
    Sub(index, type, optional);
    End();
  }

  size_t BeginRecord(uint64_t id) {
    const size_t start = pos_;
    const uint8_t signature[4] = {0x2a, 0x2a, 0, 0};
    Raw(signature, 4);
    U32(0);
    U64(id);
    U64(kFileTime);
    if (first_id_ == 0) {
      first_id_ = id;
    }
    last_id_ = id;
    last_record_ = start;
    return start;
  }
  void EndRecord(size_t start) {
    const uint32_t size = static_cast<uint32_t>(pos_ + 4 - start);
    U32(size);
    Patch32(start + 4, size);
  }

  // Template instance with an inline definition; `body` writes the definition's tokens.
  size_t InlineTemplate(const std::function<void(ChunkBuilder&)>& body) {
    U8(0x0c);
    U8(1);
    U32(0x1234);
    const size_t def = pos_ + 4;
    U32(static_cast<uint32_t>(def));
    U32(0);  // next definition
    for (int i = 0; i < 4; ++i) {
      U32(0xabcdef00u + static_cast<uint32_t>(i));  // GUID
    }
    const size_t size_at = pos_;
    U32(0);
    const size_t body_start = pos_;
    body(*this);
    Patch32(size_at, static_cast<uint32_t>(pos_ - body_start));
    return def;
  }
  void TemplateRef(size_t def) {
    U8(0x0c);
    U8(1);
    U32(0x1234);
    U32(static_cast<uint32_t>(def));
  }
  void Values(const std::vector<Val>& values) {
    U32(static_cast<uint32_t>(values.size()));
    const size_t descriptors = pos_;
    for (size_t i = 0; i < values.size(); ++i) {
      U32(0);
    }
    for (size_t i = 0; i < values.size(); ++i) {
      const size_t start = pos_;
      if (values[i].writer) {
        values[i].writer(*this);
      } else if (!values[i].bytes.empty()) {
        Raw(values[i].bytes.data(), values[i].bytes.size());
      }
      const uint32_t descriptor =
          static_cast<uint32_t>(pos_ - start) | (static_cast<uint32_t>(values[i].type) << 16);
      Patch32(descriptors + 4 * i, descriptor);
    }
  }

  // Fills the chunk header (record numbers, free space offset, both CRCs).
  std::vector<uint8_t> Finish() {
    auto put64 = [&](size_t at, uint64_t v) { std::memcpy(&chunk_[at], &v, 8); };
    put64(8, first_id_);
    put64(16, last_id_);
    put64(24, first_id_);
    put64(32, last_id_);
    Patch32(40, 128);
    Patch32(44, static_cast<uint32_t>(last_record_));
    Patch32(48, static_cast<uint32_t>(pos_));
    Patch32(52, evtx::Crc32(std::span<const uint8_t>(chunk_).subspan(512, pos_ - 512)));
    const uint32_t crc = evtx::Crc32(std::span<const uint8_t>(chunk_).subspan(128, 384),
                                     evtx::Crc32(std::span<const uint8_t>(chunk_).first(120)));
    Patch32(124, crc);
    return chunk_;
  }

 private:
  std::vector<uint8_t> chunk_;
  size_t pos_ = evtx::kChunkHeaderSize;
  std::map<std::string, size_t> names_;
  uint64_t first_id_ = 0;
  uint64_t last_id_ = 0;
  size_t last_record_ = 0;
};

template <typename T>
std::vector<uint8_t> Bytes(T value) {
  std::vector<uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

std::vector<uint8_t> Utf16(std::string_view ascii, bool terminators = false) {
  std::vector<uint8_t> bytes;
  for (char c : ascii) {
    bytes.push_back(c == '|' && terminators ? 0 : static_cast<uint8_t>(c));
    bytes.push_back(0);
  }
  return bytes;
}

// The security-like template: System fields, two named Data, an optional string array in an
// unnamed <Data>, an optional <Binary>.
void SecurityTemplate(ChunkBuilder& b) {
  b.FragmentHeader();
  b.Open("Event", false);
  b.CloseStart();
  b.Open("System", false);
  b.CloseStart();
  b.Open("Provider", true);
  b.Attribute("Name");
  b.Text("Test-Provider");
  b.CloseEmpty();
  b.SubElement("EventID", 0, 0x06);
  b.Open("TimeCreated", true);
  b.Attribute("SystemTime");
  b.Sub(1, 0x11);
  b.CloseEmpty();
  b.SubElement("EventRecordID", 2, 0x0a);
  b.Open("Execution", true);
  b.Attribute("ProcessID");
  b.Sub(3, 0x08);
  b.Attribute("ThreadID");
  b.Text("7");
  b.CloseEmpty();
  b.TextElement("Channel", "Security");
  b.SubElement("Computer", 4, 0x01);
  b.Open("Security", true);
  b.Attribute("UserID");
  b.Sub(5, 0x13, /*optional=*/true);
  b.CloseEmpty();
  b.End();  // System
  b.Open("EventData", false);
  b.CloseStart();
  b.Open("Data", true);
  b.Attribute("Name");
  b.Text("SubjectUserName");
  b.CloseStart();
  b.Sub(6, 0x01);
  b.End();
  b.Open("Data", true);
  b.Attribute("Name");
  b.Text("LogonId");
  b.CloseStart();
  b.Sub(7, 0x15);
  b.End();
  b.SubElement("Data", 8, 0x81, /*optional=*/true);
  b.SubElement("Binary", 9, 0x0e, /*optional=*/true);
  b.End();  // EventData
  b.End();  // Event
  b.Eof();
}

std::vector<ChunkBuilder::Val> SecurityValues(uint16_t event_id, uint64_t record_id,
                                              std::string_view computer, bool with_optional,
                                              std::string_view user) {
  std::vector<ChunkBuilder::Val> values = {
      {0x06, Bytes<uint16_t>(event_id), {}},
      {0x11, Bytes<uint64_t>(kFileTime), {}},
      {0x0a, Bytes<uint64_t>(record_id), {}},
      {0x08, Bytes<uint32_t>(456), {}},
      {0x01, Utf16(computer), {}},
      {0x00, {}, {}},
      {0x01, Utf16(user), {}},
      {0x15, Bytes<uint64_t>(with_optional ? 0x3e7 : 0), {}},
      {0x00, {}, {}},
      {0x00, {}, {}},
  };
  if (with_optional) {
    values[5] = {0x13, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}, {}};
    values[8] = {0x81, Utf16("x|y|", /*terminators=*/true), {}};
    values[9] = {0x0e, {0xde, 0xad}, {}};
  }
  return values;
}

// Chunk with three records: inline template, the same template by reference, and a second
// template whose UserData is a nested BinXml value (raw elements, no dependency ids).
struct TestChunk {
  std::vector<uint8_t> bytes;
  std::vector<size_t> record_offsets;  // within the chunk
};

TestChunk MakeChunk(uint64_t first_id) {
  ChunkBuilder b;
  TestChunk out;
  size_t record = b.BeginRecord(first_id);
  out.record_offsets.push_back(record);
  b.FragmentHeader();
  const size_t def = b.InlineTemplate(SecurityTemplate);
  b.Values(SecurityValues(4624, first_id, "HOST1", true, "alice"));
  b.Eof();
  b.EndRecord(record);

  record = b.BeginRecord(first_id + 1);
  out.record_offsets.push_back(record);
  b.FragmentHeader();
  b.TemplateRef(def);
  b.Values(SecurityValues(4625, first_id + 1, "HOST2", false, "bob"));
  b.Eof();
  b.EndRecord(record);

  record = b.BeginRecord(first_id + 2);
  out.record_offsets.push_back(record);
  b.FragmentHeader();
  b.InlineTemplate([](ChunkBuilder& t) {
    t.FragmentHeader();
    t.Open("Event", false);
    t.CloseStart();
    t.Open("System", false);
    t.CloseStart();
    t.SubElement("EventID", 0, 0x06);
    t.End();
    t.SubElement("UserData", 1, 0x21);
    t.End();
    t.Eof();
  });
  b.Values({{0x06, Bytes<uint16_t>(1102), {}}, {0x21, {}, [](ChunkBuilder& v) {
                                                  v.FragmentHeader();
                                                  v.Open("LogFileCleared", false,
                                                         /*in_template=*/false);
                                                  v.CloseStart();
                                                  v.TextElement("SubjectUserName", "bob", false);
                                                  v.TextElement("Count", "3", false);
                                                  v.End();
                                                  v.Eof();
                                                }}});
  b.Eof();
  b.EndRecord(record);
  out.bytes = b.Finish();
  return out;
}

std::vector<uint8_t> MakeFile(const std::vector<std::vector<uint8_t>>& chunks,
                              uint16_t header_chunk_count, uint32_t flags = 0) {
  std::vector<uint8_t> file(kFileHeaderSize, 0);
  std::memcpy(file.data(), "ElfFile", 8);
  std::memcpy(&file[32], "\x80\0\0\0", 4);
  file[36] = 1;
  file[38] = 3;
  file[41] = 0x10;
  std::memcpy(&file[42], &header_chunk_count, 2);
  std::memcpy(&file[120], &flags, 4);
  const uint32_t crc = evtx::Crc32(std::span<const uint8_t>(file).first(120));
  std::memcpy(&file[124], &crc, 4);
  for (const auto& chunk : chunks) {
    file.insert(file.end(), chunk.begin(), chunk.end());
  }
  return file;
}

struct Collected {
  std::vector<WinEvent> events;
  IngestReport report;
  Status status;
};

Collected Read(const std::vector<uint8_t>& file) {
  Collected out;
  out.status = ReadEvtx(
      file, "test.evtx", [&](const WinEvent& event) { out.events.push_back(event); }, out.report);
  return out;
}

std::vector<std::pair<std::string, std::string>> Fields(const std::vector<EventField>& fields) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& field : fields) {
    out.emplace_back(field.name, field.value);
  }
  return out;
}

using FieldList = std::vector<std::pair<std::string, std::string>>;

TEST(EvtxReaderTest, ReadsTemplatedRecordsIntoWinEvents) {
  const TestChunk chunk = MakeChunk(1);
  const Collected got = Read(MakeFile({chunk.bytes}, 1));
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  ASSERT_EQ(got.events.size(), 3u);
  EXPECT_EQ(got.report.records_read(), 3u);
  EXPECT_EQ(got.report.skipped(), 0u);

  const WinEvent& first = got.events[0];
  EXPECT_EQ(first.provider, "Test-Provider");
  EXPECT_EQ(first.event_id, 4624);
  EXPECT_TRUE(first.has_time_created);
  EXPECT_EQ(first.time_created, FileTimeToTicks(kFileTime));
  EXPECT_EQ(FormatDateTime(first.time_created), "2016-07-08T18:12:51.6816408Z");
  EXPECT_EQ(first.record_id, 1u);
  EXPECT_EQ(first.process_id, 456);
  EXPECT_EQ(first.thread_id, 7);
  EXPECT_EQ(first.channel, "Security");
  EXPECT_EQ(first.computer, "HOST1");
  EXPECT_EQ(first.user_sid, "S-1-5-18");
  EXPECT_EQ(first.source, "test.evtx");
  EXPECT_EQ(first.source_offset, kFileHeaderSize + chunk.record_offsets[0]);
  // The string array renders as one <Data> per item; unnamed ones are Data, Data_1.
  EXPECT_EQ(Fields(first.data), (FieldList{{"SubjectUserName", "alice"},
                                           {"LogonId", "0x3e7"},
                                           {"Data", "x"},
                                           {"Data_1", "y"},
                                           {"Binary", "DEAD"}}));

  // Same template by reference; absent optional values drop the attribute and the elements.
  const WinEvent& second = got.events[1];
  EXPECT_EQ(second.event_id, 4625);
  EXPECT_EQ(second.record_id, 2u);
  EXPECT_EQ(second.computer, "HOST2");
  EXPECT_EQ(second.user_sid, "");
  EXPECT_EQ(Fields(second.data), (FieldList{{"SubjectUserName", "bob"}, {"LogonId", "0x0"}}));
  EXPECT_EQ(second.source_offset, kFileHeaderSize + chunk.record_offsets[1]);

  // UserData from a nested BinXml value: leaf elements, wrapper dropped.
  const WinEvent& third = got.events[2];
  EXPECT_EQ(third.event_id, 1102);
  EXPECT_EQ(third.record_id, 3u);  // from the record header: the XML has no EventRecordID
  EXPECT_FALSE(third.has_time_created);
  EXPECT_EQ(third.provider, "");
  EXPECT_EQ(Fields(third.data), (FieldList{{"SubjectUserName", "bob"}, {"Count", "3"}}));
}

TEST(EvtxReaderTest, RendersRecordXml) {
  const TestChunk chunk = MakeChunk(1);
  const std::vector<uint8_t> file = MakeFile({chunk.bytes}, 1);
  const Result<std::string> xml =
      RenderEvtxRecordXml(file, kFileHeaderSize + chunk.record_offsets[1]);
  ASSERT_TRUE(xml.ok()) << xml.status().ToString();
  EXPECT_EQ(*xml,
            "<Event><System><Provider Name=\"Test-Provider\"/><EventID>4625</EventID>"
            "<TimeCreated SystemTime=\"2016-07-08T18:12:51.6816408Z\"/>"
            "<EventRecordID>2</EventRecordID><Execution ProcessID=\"456\" ThreadID=\"7\"/>"
            "<Channel>Security</Channel><Computer>HOST2</Computer><Security/></System>"
            "<EventData><Data Name=\"SubjectUserName\">bob</Data>"
            "<Data Name=\"LogonId\">0x0</Data></EventData></Event>");
  const Result<std::string> nested =
      RenderEvtxRecordXml(file, kFileHeaderSize + chunk.record_offsets[2]);
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ(*nested,
            "<Event><System><EventID>1102</EventID></System><UserData><LogFileCleared>"
            "<SubjectUserName>bob</SubjectUserName><Count>3</Count></LogFileCleared></UserData>"
            "</Event>");
  EXPECT_FALSE(RenderEvtxRecordXml(file, 12).ok());
  EXPECT_FALSE(RenderEvtxRecordXml(file, kFileHeaderSize + 600).ok());  // not a record start

  std::vector<uint64_t> offsets;
  ASSERT_TRUE(ForEachEvtxRecordXml(file, [&](uint64_t offset, const std::string& text) {
                offsets.push_back(offset);
                EXPECT_EQ(text.rfind("<Event>", 0), 0u);
              }).ok());
  EXPECT_EQ(offsets.size(), 3u);
}

TEST(EvtxReaderTest, SkipsABadRecordAndReadsTheNext) {
  TestChunk chunk = MakeChunk(1);
  // Break the trailing size copy of record 2: its size can no longer be trusted.
  const size_t second = chunk.record_offsets[1];
  uint32_t size;
  std::memcpy(&size, &chunk.bytes[second + 4], 4);
  chunk.bytes[second + size - 4] ^= 0xff;
  const Collected got = Read(MakeFile({chunk.bytes}, 1));
  ASSERT_TRUE(got.status.ok());
  ASSERT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.events[0].record_id, 1u);
  EXPECT_EQ(got.events[1].record_id, 3u);
  EXPECT_EQ(got.report.skipped(), 1u);
  ASSERT_EQ(got.report.kept_skips().size(), 1u);
  EXPECT_EQ(got.report.kept_skips()[0].source, "test.evtx");
  EXPECT_EQ(got.report.kept_skips()[0].position,
            fmt::format("offset 0x{:x}", kFileHeaderSize + second));
}

TEST(EvtxReaderTest, SkipsARecordWithBadBinaryXml) {
  TestChunk chunk = MakeChunk(1);
  // Record 3's first token after the fragment header is the template instance; make it unknown.
  chunk.bytes[chunk.record_offsets[2] + 24 + 4] = 0x3f;
  const Collected got = Read(MakeFile({chunk.bytes}, 1));
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.report.skipped(), 1u);
  EXPECT_EQ(got.report.skips_by_reason().count("bad record"), 1u);
}

TEST(EvtxReaderTest, SkipsAChunkWithBadMagicAndReadsTheNext) {
  TestChunk bad = MakeChunk(1);
  bad.bytes[0] = 'X';
  const TestChunk good = MakeChunk(4);
  const Collected got = Read(MakeFile({bad.bytes, good.bytes}, 2));
  ASSERT_TRUE(got.status.ok());
  ASSERT_EQ(got.events.size(), 3u);
  EXPECT_EQ(got.events[0].record_id, 4u);
  EXPECT_EQ(got.events[0].source_offset, kFileHeaderSize + kChunkSize + good.record_offsets[0]);
  ASSERT_EQ(got.report.kept_skips().size(), 1u);
  EXPECT_EQ(got.report.kept_skips()[0].position, "chunk 0");
}

TEST(EvtxReaderTest, ScansChunksBeyondTheHeaderCountAndIgnoresZeroChunks) {
  // Dirty file: the header says 1 chunk, there are 2, then an unused all-zero chunk.
  const std::vector<uint8_t> zeros(kChunkSize, 0);
  const Collected got =
      Read(MakeFile({MakeChunk(1).bytes, MakeChunk(4).bytes, zeros}, 1, evtx::kFileFlagDirty));
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.events.size(), 6u);
  EXPECT_EQ(got.report.skipped(), 0u);
  EXPECT_FALSE(got.report.warnings().empty());  // dirty flag noted
}

TEST(EvtxReaderTest, ChecksumMismatchIsAWarningNotALoss) {
  TestChunk chunk = MakeChunk(1);
  chunk.bytes[52] ^= 0x55;   // records CRC
  chunk.bytes[200] ^= 0x55;  // string table byte: header CRC
  const Collected got = Read(MakeFile({chunk.bytes}, 1));
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.events.size(), 3u);
  EXPECT_GE(got.report.warnings().size(), 2u);
}

TEST(EvtxReaderTest, BadFileHeaderStillScansChunks) {
  std::vector<uint8_t> file = MakeFile({MakeChunk(1).bytes}, 1);
  std::memcpy(file.data(), "NotAnEv", 8);
  const Collected got = Read(file);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.events.size(), 3u);
  ASSERT_FALSE(got.report.warnings().empty());
  EXPECT_NE(got.report.warnings()[0].find("bad EVTX file header"), std::string::npos);
}

TEST(EvtxReaderTest, TruncatedFileKeepsWhatIsReadable) {
  const TestChunk chunk = MakeChunk(1);
  std::vector<uint8_t> file = MakeFile({chunk.bytes}, 1);
  file.resize(kFileHeaderSize + chunk.record_offsets[2] + 40);  // cut inside record 3
  const Collected got = Read(file);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.events.size(), 2u);
  EXPECT_EQ(got.report.skipped(), 1u);
}

TEST(EvtxReaderTest, TemplateReferenceOutsideTheChunkIsSkipped) {
  ChunkBuilder b;
  const size_t record = b.BeginRecord(1);
  b.FragmentHeader();
  b.TemplateRef(0xfff0);  // no definition there
  b.Values({});
  b.Eof();
  b.EndRecord(record);
  const Collected got = Read(MakeFile({b.Finish()}, 1));
  ASSERT_TRUE(got.status.ok());
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(got.report.skipped(), 1u);
}

TEST(EvtxReaderTest, NotAnEvtxFileIsAnError) {
  EXPECT_FALSE(Read({}).status.ok());
  std::vector<uint8_t> text(10000, 'a');
  const Collected got = Read(text);
  EXPECT_FALSE(got.status.ok());
  EXPECT_TRUE(got.events.empty());
}

TEST(EvtxReaderTest, ReusesFieldStorageAcrossRecords) {
  // The sink sees one WinEvent instance per file; fields must not leak from one record into the
  // next.
  const std::vector<uint8_t> file = MakeFile({MakeChunk(1).bytes}, 1);
  IngestReport report;
  std::vector<size_t> sizes;
  const WinEvent* seen = nullptr;
  bool same_instance = true;
  ASSERT_TRUE(ReadEvtx(
                  file, "t",
                  [&](const WinEvent& event) {
                    same_instance = same_instance && (seen == nullptr || seen == &event);
                    seen = &event;
                    sizes.push_back(event.data.size());
                  },
                  report)
                  .ok());
  EXPECT_TRUE(same_instance);
  EXPECT_EQ(sizes, (std::vector<size_t>{5, 2, 2}));
}

}  // namespace
}  // namespace vigil::ingest
