// Normalizer: turns WinEvents (from the EVTX, JSON and XML readers) into rows of the Defender
// advanced-hunting tables (DeviceProcessEvents, DeviceLogonEvents, IdentityLogonEvents, ...),
// buffered per table until Drain(). The mapping is documented in docs/NORMALIZATION.md.
// Not thread-safe: one instance per ingest worker; the catalog must outlive the instance.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/sinks.h"
#include "vigil/ingest/win_event.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

namespace vigil::ingest {

namespace internal {
class RowWriter;
struct TableState;
}  // namespace internal

class Normalizer {
 public:
  // Looks up every output table and column once. Tables missing from `catalog` are tolerated:
  // their events go to DeviceEvents, or are counted as skipped when that is missing too.
  explicit Normalizer(const schema::Catalog& catalog);
  ~Normalizer();
  Normalizer(const Normalizer&) = delete;
  Normalizer& operator=(const Normalizer&) = delete;

  // Adds the row(s) for one event (and a DeviceInfo row the first time its device is seen) and
  // counts them with report.CountRows(table). Never drops an event: one without a specific
  // mapping becomes a DeviceEvents row with ActionType "<Provider>-<EventID>" and every field
  // in AdditionalFields.
  void Add(const WinEvent& event, IngestReport& report);

  // Calls `sink` for each table batch holding >= min_rows rows (0: every non-empty batch), in
  // a fixed table order; each batch is cleared after its call.
  void Drain(const BatchSink& sink, size_t min_rows = 0);

  size_t pending_rows() const;

 private:
  struct DeviceEntry {
    std::string name;  // lower-cased Computer
    std::string id;    // DeviceIdFor(name)
  };

  const DeviceEntry* LookupDevice(const std::string& computer, bool& first_seen);
  void EmitDeviceInfo(const DeviceEntry& device, const WinEvent& event, IngestReport& report);

  static constexpr size_t kTables = 10;  // internal::kTableCount

  std::vector<std::unique_ptr<internal::TableState>> tables_;  // output order of Drain()
  std::array<internal::TableState*, kTables> direct_{};        // by internal::Table; null if absent
  std::array<internal::TableState*, kTables> route_{};         // absent tables -> DeviceEvents
  std::array<const std::string*, kTables> route_names_{};
  std::unique_ptr<internal::RowWriter> writer_;
  std::unordered_map<std::string, DeviceEntry> devices_;  // keyed by Computer as written
  const std::string* last_computer_ = nullptr;            // key of last_device_ in devices_
  const DeviceEntry* last_device_ = nullptr;
  std::unordered_set<std::string> seen_names_;  // lower-cased names with a DeviceInfo row
};

}  // namespace vigil::ingest
