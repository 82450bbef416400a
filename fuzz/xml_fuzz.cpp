// libFuzzer target for the Windows event XML reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/ingest/text/xml_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::ingest::IngestReport report;
  size_t fields = 0;
  vigil::ingest::ReadWindowsXml(input, "fuzz.xml",
                                [&](const vigil::ingest::WinEvent& event) {
                                  fields += event.data.size() + event.extra.size();
                                },
                                report)
      .IgnoreError();
  return 0;
}
