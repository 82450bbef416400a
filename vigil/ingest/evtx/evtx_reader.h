// Reader for Windows EVTX files (our own parser: file header, 64 KiB chunks, records, binary
// XML with per-chunk template and name caches). Turns each record into a WinEvent for the
// normalizer; tolerant of dirty and damaged files. Functions are reentrant; each call keeps its
// own state, so distinct files can be read on distinct threads.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"

namespace vigil::ingest {

// Reads a whole EVTX file held in memory. Calls `sink` once per good record with a reused
// WinEvent (System fields, EventData/UserData fields in document order, `source` = `source`,
// `source_offset` = file offset of the record) and report.CountRecord() for it. A bad file
// header is a warning (chunks are scanned anyway, to the end of the data, whatever the header's
// chunk count says); a bad chunk or record is skipped with report.Skip() and reading continues.
// Returns non-OK only when nothing could be read (not an EVTX file). Does not call CountFile().
Status ReadEvtx(std::span<const uint8_t> data, const std::string& source, const WinEventSink& sink,
                IngestReport& report);

// The XML of one record (compact, no indentation), for tests and diagnostics. `record_offset`
// is the file offset of the record (WinEvent::source_offset).
Result<std::string> RenderEvtxRecordXml(std::span<const uint8_t> data, uint64_t record_offset);

// Calls `visit(record_offset, xml)` for every readable record, in file order (diagnostics).
Status ForEachEvtxRecordXml(std::span<const uint8_t> data,
                            const std::function<void(uint64_t, const std::string&)>& visit);

}  // namespace vigil::ingest
