// store_kill_driver <dir> <first_seq> <rows_per_batch>: appends batches to the store at <dir>
// forever (until killed), with background flush and compaction tuned to run constantly. Batch
// `seq` puts rows with ReportId seq*1000+i into DeviceProcessEvents and DeviceEvents in one
// AppendAll; after each acknowledged append it prints "ACK <seq>" and flushes stdout. Used by
// store_kill_test; not a product tool.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"

namespace {

void FillRows(vigil::schema::TableBatch& batch, int64_t seq, int rows) {
  const auto& t = batch.schema();
  const size_t ts = t.FindColumn("Timestamp");
  const size_t report = t.FindColumn("ReportId");
  const size_t device = t.FindColumn("DeviceName");
  const size_t pid = t.FindColumn("ProcessId");
  const size_t action = t.FindColumn("ActionType");
  // Three day partitions, so flushes write several segments and compaction has work per day.
  const int64_t base = vigil::DaysFromCivil(2026, 10, 20 + seq % 3) * vigil::kTicksPerDay;
  for (int i = 0; i < rows; ++i) {
    batch.BeginRow();
    batch.SetInt(ts, base + (seq * rows + i) * vigil::kTicksPerMillisecond);
    batch.SetInt(report, seq * 1000 + i);
    batch.SetBytes(device, "host-" + std::to_string(seq % 17));
    batch.SetInt(pid, seq);
    batch.SetBytes(action, i % 2 == 0 ? "ProcessCreated" : "ProcessCreatedAgain");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: store_kill_driver <dir> <first_seq> <rows_per_batch>\n");
    return 2;
  }
  vigil::store::StoreOptions options;
  options.dir = argv[1];
  options.background_flush = true;
  options.flush_rows = 400;
  options.flush_interval = std::chrono::milliseconds(5);
  options.compact_max_rows = 3000;
  options.compact_min_segments = 3;
  options.block_rows = 256;
  const int64_t first_seq = std::atoll(argv[2]);
  const int rows = std::atoi(argv[3]);
  const auto& catalog = vigil::schema::Catalog::Default();
  auto store = vigil::store::Store::Open(options, catalog);
  if (!store.ok()) {
    std::fprintf(stderr, "open failed: %s\n", store.error().ToString().c_str());
    return 1;
  }
  std::printf("OPEN\n");
  std::fflush(stdout);
  for (int64_t seq = first_seq;; ++seq) {
    vigil::schema::TableBatch process(*catalog.Find("DeviceProcessEvents"));
    vigil::schema::TableBatch events(*catalog.Find("DeviceEvents"));
    FillRows(process, seq, rows);
    FillRows(events, seq, rows / 2);
    const vigil::schema::TableBatch* both[] = {&process, &events};
    vigil::Status status = (*store)->AppendAll(both);
    if (!status.ok()) {
      std::fprintf(stderr, "append %lld failed: %s\n", static_cast<long long>(seq),
                   status.ToString().c_str());
      return 1;
    }
    std::printf("ACK %lld\n", static_cast<long long>(seq));
    std::fflush(stdout);
  }
}
