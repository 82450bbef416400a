// Micro-benchmarks of the store: append (WAL + fsync) + flush throughput and encoded bytes per
// row for DeviceProcessEvents-like rows, and a full-column scan. Run:
//   build/bench/store_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store {
namespace {

using testing::AddProcessRows;
using testing::DayStart;
using testing::TempDir;

constexpr size_t kBatchRows = 2048;

void BM_AppendAndFlush(benchmark::State& state) {
  const auto& catalog = schema::Catalog::Default();
  const auto& table = *catalog.Find("DeviceProcessEvents");
  const size_t total_rows = static_cast<size_t>(state.range(0));
  const Compression compression = state.range(1) == 0 ? Compression::kZstd : Compression::kLz4;
  std::vector<schema::TableBatch> batches;
  size_t raw_bytes = 0;
  for (size_t done = 0; done < total_rows; done += kBatchRows) {
    batches.emplace_back(table);
    AddProcessRows(batches.back(), kBatchRows,
                   DayStart(2026, 10, 24) + static_cast<int64_t>(done) * kTicksPerSecond,
                   static_cast<int64_t>(done), static_cast<uint32_t>(done));
    raw_bytes += batches.back().ByteSize();
  }
  uint64_t segment_bytes = 0;
  size_t rows = 0;
  for (auto _ : state) {
    TempDir dir;
    StoreOptions options;
    options.dir = dir.path();
    options.background_flush = false;
    options.compression = compression;
    auto store = Store::Open(options, catalog);
    if (!store.ok()) {
      state.SkipWithError(store.error().ToString().c_str());
      return;
    }
    for (const auto& batch : batches) {
      if (!(*store)->Append(batch).ok()) {
        state.SkipWithError("append failed");
        return;
      }
    }
    if (!(*store)->Flush().ok()) {
      state.SkipWithError("flush failed");
      return;
    }
    segment_bytes = (*store)->Stats()[0].segment_bytes;
    rows = (*store)->Stats()[0].rows;
    (void)(*store)->Close();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["bytes_per_row"] = static_cast<double>(segment_bytes) / rows;
  state.counters["raw_bytes_per_row"] = static_cast<double>(raw_bytes) / rows;
}
BENCHMARK(BM_AppendAndFlush)
    ->Args({200'000, 0})
    ->Args({200'000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_ScanAllColumns(benchmark::State& state) {
  const auto& catalog = schema::Catalog::Default();
  const auto& table = *catalog.Find("DeviceProcessEvents");
  TempDir dir;
  StoreOptions options;
  options.dir = dir.path();
  options.background_flush = false;
  auto store = Store::Open(options, catalog);
  if (!store.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  schema::TableBatch batch(table);
  AddProcessRows(batch, 200'000, DayStart(2026, 10, 24), 0);
  if (!(*store)->Append(batch).ok() || !(*store)->Flush().ok()) {
    state.SkipWithError("load failed");
    return;
  }
  size_t rows = 0;
  for (auto _ : state) {
    auto cursor = (*store)->GetSnapshot()->Scan({.table = "DeviceProcessEvents"});
    ColumnBatch out;
    while (cursor.ok() && *(*cursor)->Next(out)) {
      rows += out.rows;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
}
BENCHMARK(BM_ScanAllColumns)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace vigil::store
