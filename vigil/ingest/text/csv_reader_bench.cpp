// Throughput of ReadTableCsv on a generated DeviceProcessEvents CSV (11 columns, as a Defender
// advanced-hunting export). Not wired into CMake yet; build by hand against libvigil_ingest:
//   g++ -std=c++20 -O2 -I. vigil/ingest/text/csv_reader_bench.cpp <libs> -lbenchmark
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "vigil/ingest/text/csv_reader.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {
namespace {

std::string MakeCsv(size_t rows) {
  std::string csv =
      "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,SHA256,ProcessId,"
      "ProcessCommandLine,AccountName,InitiatingProcessFileName\n";
  csv.reserve(rows * 260);
  for (size_t i = 0; i < rows; ++i) {
    csv += fmt::format(
        "2026-10-24 00:{:02}:{:02}.{:06},5f2c8e0a1b3d4c6e7f8091a2b3c4d5e6f708192a,"
        "host-{}.contoso.local,ProcessCreated,proc{}.exe,C:\\Windows\\System32\\proc{}.exe,"
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,{},"
        "\"\"\"C:\\Windows\\System32\\proc{}.exe\"\" /c run --id {}\",user{},explorer.exe\n",
        (i / 60) % 60, i % 60, i % 1000000, i % 50, i % 200, i % 200, 1000 + i % 60000, i % 200,
        i, i % 30);
  }
  return csv;
}

void BM_ReadTableCsvDeviceProcessEvents(benchmark::State& state) {
  const auto* table = schema::Catalog::Default().Find("DeviceProcessEvents");
  const size_t rows = static_cast<size_t>(state.range(0));
  const std::string csv = MakeCsv(rows);
  for (auto _ : state) {
    IngestReport report;
    size_t seen = 0;
    const Status status = ReadTableCsv(
        csv, "bench.csv", *table, [&](schema::TableBatch& batch) { seen += batch.rows(); },
        report);
    benchmark::DoNotOptimize(seen);
    if (!status.ok() || seen != rows) {
      state.SkipWithError("unexpected row count");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_ReadTableCsvDeviceProcessEvents)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::ingest

BENCHMARK_MAIN();
