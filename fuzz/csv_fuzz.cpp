// libFuzzer target for the table CSV reader, against DeviceProcessEvents (every column type
// but real/bool/guid/timespan) and a header built from the input itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/ingest/text/csv_reader.h"
#include "vigil/schema/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto* table = vigil::schema::Catalog::Default().Find("DeviceProcessEvents");
  if (table == nullptr) {
    return 0;
  }
  vigil::ingest::IngestReport report;
  size_t rows = 0;
  vigil::ingest::ReadTableCsv(input, "fuzz.csv", *table,
                              [&](vigil::schema::TableBatch& batch) { rows += batch.rows(); },
                              report)
      .IgnoreError();
  return 0;
}
