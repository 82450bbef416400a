#include "vigil/ingest/text/json_reader.h"

#include <simdjson.h>

#include <algorithm>

#include "vigil/ingest/text/internal/json_framing.h"
#include "vigil/ingest/text/internal/json_text.h"
#include "vigil/ingest/text/internal/windows_json_shapes.h"

namespace vigil::ingest {

using simdjson::dom::element;
using simdjson::dom::object;

Status ReadWindowsJson(std::string_view input, const std::string& source, const WinEventSink& sink,
                       IngestReport& report) {
  std::string transcoded;
  std::string_view data = internal::TranscodeUtf16WithBom(input, transcoded)
                              ? std::string_view(transcoded)
                              : internal::StripUtf8Bom(input);
  simdjson::dom::parser parser;
  std::string buffer;
  WinEvent event;
  event.source = source;
  internal::LineCounter lines(data);
  size_t pos = 0;
  size_t failed_end = 0;  // end of the furthest scan that failed
  const size_t n = data.size();
  while (pos < n) {
    // Between documents: whitespace and array/sequence punctuation.
    while (pos < n && (internal::IsBlank(data[pos]) || data[pos] == ',' || data[pos] == '[' ||
                       data[pos] == ']')) {
      ++pos;
    }
    if (pos >= n) {
      break;
    }
    const size_t start = pos;
    const uint64_t line = lines.LineAt(start);
    if (data[start] != '{') {
      const size_t next = internal::NextObjectLine(data, start);
      const size_t stop = next == std::string_view::npos ? n : next;
      pos = stop;
      report.Skip(source, internal::LinePosition(line), "not a JSON object",
                  internal::SkippedDetail(internal::Excerpt(data.substr(start, stop - start)), line,
                                          lines.LineAt(pos) - (pos < n ? 1 : 0)));
      continue;
    }
    const internal::ScanResult scan = internal::ScanObject(data, start);
    element root;
    simdjson::error_code error = simdjson::SUCCESS;
    if (scan.ok) {
      error = internal::ParseSpan(parser, data, start, scan.end, buffer, root);
    }
    if (!scan.ok || error != simdjson::SUCCESS) {
      // Resume at the next line that opens an object. A failure inside the region an earlier
      // failure already scanned resumes after that region, so hostile input (many nested,
      // never-closed objects) cannot make the scan quadratic.
      const size_t resume_from = start < failed_end ? failed_end - 1 : start;
      failed_end = std::max(failed_end, scan.end);
      const size_t next = internal::NextObjectLine(data, resume_from);
      pos = next == std::string_view::npos ? n : next;
      report.Skip(source, internal::LinePosition(line), "invalid JSON",
                  internal::SkippedDetail(scan.ok ? simdjson::error_message(error) : scan.problem,
                                          line, lines.LineAt(pos) - (pos < n ? 1 : 0)));
      continue;
    }
    pos = scan.end;
    object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      continue;  // cannot happen: the span starts with '{'
    }
    event.Clear();
    event.source_offset = line;
    if (!internal::MapWindowsJsonObject(obj, event)) {
      report.Skip(source, internal::LinePosition(line), "not a Windows event",
                  "object has no EventID, Channel or provider");
      continue;
    }
    report.CountRecord();
    sink(event);
  }
  return Status::Ok();
}

bool LooksLikeWindowsEvent(std::string_view input) {
  std::string transcoded;
  std::string_view data = internal::TranscodeUtf16WithBom(input, transcoded)
                              ? std::string_view(transcoded)
                              : internal::StripUtf8Bom(input);
  size_t pos = 0;
  while (pos < data.size() && (internal::IsBlank(data[pos]) || data[pos] == '[')) {
    ++pos;
  }
  if (pos >= data.size() || data[pos] != '{') {
    return false;
  }
  const internal::ScanResult scan = internal::ScanObject(data, pos);
  simdjson::dom::parser parser;
  std::string buffer;
  element root;
  if (!scan.ok ||
      internal::ParseSpan(parser, data, pos, scan.end, buffer, root) != simdjson::SUCCESS) {
    return false;
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return false;
  }
  element event_elem;
  switch (internal::DetectWindowsJsonShape(obj, event_elem)) {
    case internal::WindowsJsonShape::kEventWrapped:
    case internal::WindowsJsonShape::kEventBare:
    case internal::WindowsJsonShape::kWinlogbeat:
      return true;
    case internal::WindowsJsonShape::kFlat: {
      element unused;
      return obj.at_key("EventID").get(unused) == simdjson::SUCCESS &&
             (obj.at_key("Channel").get(unused) == simdjson::SUCCESS ||
              obj.at_key("SourceName").get(unused) == simdjson::SUCCESS);
    }
  }
  return false;
}

}  // namespace vigil::ingest
