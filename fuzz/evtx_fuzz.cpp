// libFuzzer target for the EVTX reader: any byte string must be read without crashing, hanging
// or undefined behaviour. The input is also rendered to XML, which exercises the same parser
// through the diagnostics path.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "vigil/ingest/evtx/evtx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  vigil::ingest::IngestReport report;
  size_t fields = 0;
  vigil::ingest::ReadEvtx(
      input, "fuzz.evtx",
      [&](const vigil::ingest::WinEvent& event) { fields += event.data.size(); }, report)
      .IgnoreError();
  vigil::ingest::ForEachEvtxRecordXml(input, [&](uint64_t, const std::string& xml) {
    fields += xml.size();
  }).IgnoreError();
  return fields == SIZE_MAX ? 1 : 0;
}
