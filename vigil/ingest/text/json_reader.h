// Readers for JSON input: Windows/Sysmon events exported as JSON (flat forwarder shape as in
// the OTRF security datasets / NXLog, the evtx_dump "Event.System" shape used by the Sigma
// regression data, and Winlogbeat/Elastic documents) into WinEvents, and table-shaped JSON
// lines into TableBatches. Stateless free functions; safe to call from several threads.
#pragma once

#include <string>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {

// Reads Windows events from `data` (the whole file): JSON lines, one pretty-printed object,
// a JSON array of objects, or concatenated objects; optional UTF-8 BOM (UTF-16 with a BOM is
// transcoded). Every object becomes one WinEvent passed to `sink` (source_offset = line of the
// object's first byte) and is counted with report.CountRecord(). A malformed object is skipped
// and reported with its line; reading resumes at the next line that starts a new object. Does
// not call CountFile(). Always returns OK (bad input is reported, not fatal).
Status ReadWindowsJson(std::string_view data, const std::string& source, const WinEventSink& sink,
                       IngestReport& report);

// True if the first JSON object in `data` looks like a Windows event (has Channel and EventID,
// Event.System, System, or winlog.* fields) rather than a table row. Reads at most the first
// object; false for empty or non-JSON input.
bool LooksLikeWindowsEvent(std::string_view data);

// Reads JSON lines whose keys are columns of `table` (case-insensitive fallback). Strings
// convert to datetime/timespan/guid/numbers as in CSV; numbers and bools map to numeric and
// bool columns; a dynamic column keeps the compact JSON of any value (a string holding a JSON
// object or array is unwrapped). Unknown keys and values that do not convert go into
// AdditionalFields (merged with an AdditionalFields key); one warning per column that had bad
// values. A malformed or non-object line is skipped and reported with its line number. Rows
// reach `sink` in batches of kDefaultBatchRows. Counts rows read and rows per table; not the
// file. Always returns OK.
Status ReadTableJsonLines(std::string_view data, const std::string& source,
                          const schema::TableSchema& table, const BatchSink& sink,
                          IngestReport& report);

}  // namespace vigil::ingest
