#include "vigil/ingest/evtx/evtx_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "vigil/ingest/evtx/binxml.h"
#include "vigil/ingest/evtx/event_builder.h"
#include "vigil/ingest/evtx/evtx_format.h"

namespace vigil::ingest {
namespace {

using evtx::ChunkHeader;
using evtx::ChunkParser;
using evtx::RecordHeader;

bool AllZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// Next offset >= `from` holding a plausible record (signature, size and trailing size copy),
// or `limit`. Byte by byte: writers align records, damage does not.
size_t FindNextRecord(std::span<const uint8_t> chunk, size_t from, size_t limit) {
  RecordHeader record;
  std::string error;
  for (size_t pos = from; pos + evtx::kMinRecordSize <= limit; ++pos) {
    if (evtx::IsRecordSignature(chunk.data() + pos) &&
        evtx::ParseRecordHeader(chunk, pos, chunk.size(), record, error)) {
      return pos;
    }
  }
  return limit;
}

struct ScanResult {
  uint64_t chunks_seen = 0;  // chunks with a valid signature
  uint64_t records_ok = 0;
  bool header_ok = false;
};

// Walks every chunk and record of the file. `on_record(parser, file_offset, chunk_pos, header)`
// returns a Status; a non-OK one skips the record. `report` may be null (diagnostics).
template <typename OnRecord>
ScanResult ScanFile(std::span<const uint8_t> data, const std::string& source, IngestReport* report,
                    OnRecord&& on_record) {
  ScanResult result;
  std::string error;
  evtx::FileHeader file_header;
  if (!evtx::ParseFileHeader(data, file_header, error)) {
    if (report != nullptr) {
      report->Warn(source, fmt::format("bad EVTX file header ({}); scanning chunks anyway", error));
    }
  } else {
    result.header_ok = true;
    if (report != nullptr) {
      if (!file_header.crc_ok()) {
        report->Warn(source, "EVTX file header CRC mismatch; header values ignored");
      }
      if (file_header.dirty()) {
        report->Warn(source, "EVTX file is dirty (not cleanly closed); scanning all chunks");
      }
    }
  }
  ChunkParser parser;
  for (size_t chunk_offset = evtx::kFileHeaderSize, chunk_index = 0; chunk_offset < data.size();
       chunk_offset += evtx::kChunkSize, ++chunk_index) {
    const std::span<const uint8_t> chunk =
        data.subspan(chunk_offset, std::min(evtx::kChunkSize, data.size() - chunk_offset));
    const std::string chunk_position = fmt::format("chunk {}", chunk_index);
    if (!evtx::HasChunkSignature(chunk)) {
      // Preallocated, never written chunks are all zeros: not damage.
      if (!AllZero(chunk) && report != nullptr) {
        report->Skip(source, chunk_position, "bad chunk signature",
                     fmt::format("offset 0x{:x}", chunk_offset));
      }
      continue;
    }
    ChunkHeader header;
    if (!evtx::ParseChunkHeader(chunk, header, error)) {
      if (report != nullptr) {
        report->Skip(source, chunk_position, "bad chunk header", error);
      }
      continue;
    }
    ++result.chunks_seen;
    // Checksums are reported but not fatal: records are validated one by one.
    if (report != nullptr && !header.header_crc_ok()) {
      report->Warn(source, fmt::format("{}: chunk header CRC mismatch", chunk_position));
    }
    if (report != nullptr && !evtx::ChunkRecordsCrcOk(chunk, header)) {
      report->Warn(source, fmt::format("{}: event records CRC mismatch", chunk_position));
    }
    parser.Reset(chunk);
    const size_t records_end = std::min(header.RecordsEnd(), chunk.size());
    size_t pos = evtx::kChunkHeaderSize;
    uint64_t previous_id = 0;
    bool have_previous = false;
    while (pos + evtx::kMinRecordSize <= chunk.size()) {
      RecordHeader record;
      const bool beyond_end = pos >= records_end;
      if (beyond_end) {
        // Past the header's free-space offset (stale in dirty files): only take records that
        // continue the id sequence, silently.
        if (!evtx::ParseRecordHeader(chunk, pos, chunk.size(), record, error) || !have_previous ||
            record.record_id != previous_id + 1) {
          break;
        }
      } else if (!evtx::ParseRecordHeader(chunk, pos, chunk.size(), record, error)) {
        if (AllZero(chunk.subspan(pos, 4))) {
          break;  // unused space
        }
        if (report != nullptr) {
          report->Skip(source, fmt::format("offset 0x{:x}", chunk_offset + pos),
                       "bad record header", error);
        }
        pos = FindNextRecord(chunk, pos + 1, records_end);
        continue;
      }
      const Status status = on_record(parser, chunk_offset + pos, pos, record);
      if (status.ok()) {
        ++result.records_ok;
      } else if (report != nullptr) {
        report->Skip(source, fmt::format("offset 0x{:x}", chunk_offset + pos), "bad record",
                     fmt::format("record {}: {}", record.record_id, status.message()));
      }
      previous_id = record.record_id;
      have_previous = true;
      pos += record.size;
    }
  }
  return result;
}

// Writes the walked XML compactly (for diagnostics and tests).
class XmlWriter final : public evtx::BinXmlHandler {
 public:
  explicit XmlWriter(std::string& out) : out_(out) {}

  void StartElement(std::string_view name) override {
    CloseAttribute();
    if (open_pending_) {
      out_.push_back('>');
    }
    out_.push_back('<');
    out_.append(name);
    names_.push_back(name);
    open_pending_ = true;
  }
  void Attribute(std::string_view name) override {
    CloseAttribute();
    out_.push_back(' ');
    out_.append(name);
    out_.append("=\"");
    in_attribute_ = true;
  }
  void CloseStart() override { CloseAttribute(); }
  void Value(const evtx::ValueRef& value) override {
    scratch_.clear();
    evtx::AppendValue(scratch_, value);
    if (!in_attribute_ && open_pending_) {
      out_.push_back('>');
      open_pending_ = false;
    }
    for (char c : scratch_) {
      switch (c) {
        case '&':
          out_.append("&amp;");
          break;
        case '<':
          out_.append("&lt;");
          break;
        case '>':
          out_.append("&gt;");
          break;
        case '"':
          out_.append(in_attribute_ ? "&quot;" : "\"");
          break;
        default:
          out_.push_back(c);
      }
    }
  }
  void EndElement() override {
    CloseAttribute();
    if (names_.empty()) {
      return;
    }
    if (open_pending_) {
      out_.append("/>");
      open_pending_ = false;
    } else {
      out_.append("</");
      out_.append(names_.back());
      out_.push_back('>');
    }
    names_.pop_back();
  }

 private:
  void CloseAttribute() {
    if (in_attribute_) {
      out_.push_back('"');
      in_attribute_ = false;
    }
  }

  std::string& out_;
  std::string scratch_;
  std::vector<std::string_view> names_;
  bool open_pending_ = false;
  bool in_attribute_ = false;
};

Status NothingReadError(const ScanResult& result, std::span<const uint8_t> data) {
  return InvalidArgumentError("not an EVTX file: {} bytes, {} file header, no readable chunk",
                              data.size(), result.header_ok ? "valid" : "no valid");
}

}  // namespace

Status ReadEvtx(std::span<const uint8_t> data, const std::string& source, const WinEventSink& sink,
                IngestReport& report) {
  WinEvent event;
  event.source = source;
  evtx::EventBuilder builder(event);
  const ScanResult result = ScanFile(
      data, source, &report,
      [&](ChunkParser& parser, size_t file_offset, size_t pos, const RecordHeader& record) {
        builder.Begin();
        VIGIL_RETURN_IF_ERROR(
            parser.Walk(pos + evtx::kRecordHeaderSize, pos + record.size - 4, builder));
        builder.Finish(record.record_id);
        event.source_offset = file_offset;
        sink(event);
        report.CountRecord();
        return Status::Ok();
      });
  if (result.chunks_seen == 0 && result.records_ok == 0 && !result.header_ok) {
    return NothingReadError(result, data);
  }
  return Status::Ok();
}

Status ForEachEvtxRecordXml(std::span<const uint8_t> data,
                            const std::function<void(uint64_t, const std::string&)>& visit) {
  std::string xml;
  const ScanResult result = ScanFile(
      data, std::string(), nullptr,
      [&](ChunkParser& parser, size_t file_offset, size_t pos, const RecordHeader& record) {
        xml.clear();
        XmlWriter writer(xml);
        VIGIL_RETURN_IF_ERROR(
            parser.Walk(pos + evtx::kRecordHeaderSize, pos + record.size - 4, writer));
        visit(file_offset, xml);
        return Status::Ok();
      });
  if (result.chunks_seen == 0 && result.records_ok == 0 && !result.header_ok) {
    return NothingReadError(result, data);
  }
  return Status::Ok();
}

Result<std::string> RenderEvtxRecordXml(std::span<const uint8_t> data, uint64_t record_offset) {
  if (record_offset < evtx::kFileHeaderSize || record_offset >= data.size()) {
    return InvalidArgumentError("record offset 0x{:x} outside the file", record_offset);
  }
  const size_t chunk_offset = evtx::kFileHeaderSize + (record_offset - evtx::kFileHeaderSize) /
                                                          evtx::kChunkSize * evtx::kChunkSize;
  const std::span<const uint8_t> chunk =
      data.subspan(chunk_offset, std::min(evtx::kChunkSize, data.size() - chunk_offset));
  if (!evtx::HasChunkSignature(chunk) || chunk.size() < evtx::kChunkHeaderSize) {
    return DataLossError("no valid chunk at 0x{:x}", chunk_offset);
  }
  const size_t pos = record_offset - chunk_offset;
  RecordHeader record;
  std::string error;
  if (!evtx::ParseRecordHeader(chunk, pos, chunk.size(), record, error)) {
    return DataLossError("record at 0x{:x}: {}", record_offset, error);
  }
  ChunkParser parser;
  parser.Reset(chunk);
  std::string xml;
  XmlWriter writer(xml);
  VIGIL_RETURN_IF_ERROR(parser.Walk(pos + evtx::kRecordHeaderSize, pos + record.size - 4, writer));
  return xml;
}

}  // namespace vigil::ingest
