// Micro-benchmark of the EVTX reader: parse + WinEvent building of a whole file held in memory,
// reported as events/s. Reads ../shared/data/evtx-samples/samples/security.evtx (or the file in
// $VIGIL_EVTX_BENCH_FILE); skipped when absent.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "vigil/ingest/evtx/evtx_reader.h"

namespace vigil::ingest {
namespace {

std::vector<uint8_t> LoadBenchFile() {
  std::filesystem::path path;
  if (const char* env = std::getenv("VIGIL_EVTX_BENCH_FILE"); env != nullptr && *env != '\0') {
    path = env;
  } else {
    const char* shared = std::getenv("VIGIL_SHARED_DIR");
    const std::filesystem::path base =
        shared != nullptr ? std::filesystem::path(shared) : std::filesystem::path("../shared");
    path = base / "data/evtx-samples/samples/security.evtx";
  }
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}

void BM_ReadEvtx(benchmark::State& state) {
  static const std::vector<uint8_t> data = LoadBenchFile();
  if (data.empty()) {
    state.SkipWithError("EVTX sample not found (set VIGIL_SHARED_DIR or VIGIL_EVTX_BENCH_FILE)");
    return;
  }
  uint64_t events = 0;
  size_t fields = 0;
  for (auto _ : state) {
    IngestReport report;
    const Status status = ReadEvtx(
        data, "bench.evtx", [&](const WinEvent& event) { fields += event.data.size(); }, report);
    benchmark::DoNotOptimize(status.ok());
    events += report.records_read();
  }
  benchmark::DoNotOptimize(fields);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_ReadEvtx)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil::ingest
