// Reads a CSV file (RFC 4180, header row) whose columns are those of one hunting table, e.g. a
// Defender advanced-hunting export, into TableBatches. Used by the ingest pipeline for
// table-shaped input. Stateless free function; safe to call from several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {

// Parses `data` (the whole file; optional UTF-8 BOM; quotes, doubled quotes, embedded commas
// and newlines, LF or CRLF). The header names columns of `table` (exact match first, else
// case-insensitive). Cells convert to the column type; an empty cell is null. Header columns
// the table lacks go into AdditionalFields as {"col":"value"} (merged with an AdditionalFields
// column if present). A cell that does not convert is null and its raw text goes into
// AdditionalFields under its column name (one report warning per column). A row with the wrong
// number of fields or broken quoting is skipped and reported with its line number. Rows reach
// `sink` in batches of kDefaultBatchRows and a final partial batch. Counts the rows read and
// the rows per table in `report` (not the file: the caller does). Fails only when the header is missing or names no
// column of the table.
Status ReadTableCsv(std::string_view data, const std::string& source,
                    const schema::TableSchema& table, const BatchSink& sink, IngestReport& report);

}  // namespace vigil::ingest
