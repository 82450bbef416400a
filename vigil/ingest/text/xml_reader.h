// Reads Windows event XML as wevtutil and Event Viewer export it (<Events><Event>...</Event>
// </Events>, or a bare sequence of <Event> elements) into WinEvents for the normalizer. Used by
// the ingest pipeline for .xml input. Stateless free function; safe to call from several threads.
#pragma once

#include <string>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"

namespace vigil::ingest {

// Parses `data` (the whole file; UTF-8, optional BOM; UTF-16 with a BOM is transcoded) event by
// event, so one malformed <Event> is skipped and reported (line and byte offset) without losing
// the others. System fields fill the WinEvent slots; <EventData><Data Name="X"> become data
// fields (unnamed ones "Data", "Data_1", ...); UserData leaves become data fields named by
// their path below the UserData payload element ("Param", "Outer.Inner"); RenderingInfo goes
// to extra ("Message", "RenderingInfo.Task", ...). source_offset = line of the <Event> tag.
// Counts each event with report.CountRecord(); does not call CountFile(). Always returns OK.
Status ReadWindowsXml(std::string_view data, const std::string& source, const WinEventSink& sink,
                      IngestReport& report);

}  // namespace vigil::ingest
