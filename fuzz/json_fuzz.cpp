// libFuzzer target for the JSON readers: Windows-event JSON (all framings and shapes), the
// format sniffer, and table-shaped JSON lines against DeviceProcessEvents.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/ingest/text/json_reader.h"
#include "vigil/schema/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::ingest::IngestReport report;
  size_t fields = 0;
  vigil::ingest::ReadWindowsJson(input, "fuzz.json",
                                 [&](const vigil::ingest::WinEvent& event) {
                                   fields += event.data.size() + event.extra.size();
                                 },
                                 report)
      .IgnoreError();
  (void)vigil::ingest::LooksLikeWindowsEvent(input);
  const auto* table = vigil::schema::Catalog::Default().Find("DeviceProcessEvents");
  if (table != nullptr) {
    vigil::ingest::ReadTableJsonLines(input, "fuzz.jsonl", *table,
                                      [&](vigil::schema::TableBatch& batch) {
                                        fields += batch.rows();
                                      },
                                      report)
        .IgnoreError();
  }
  return 0;
}
