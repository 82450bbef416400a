// Evidence extraction: the entities (device, accounts, processes, files, IPs, URLs, registry,
// mail, cloud apps) of one hunting-table row, found by column name so it works for any table,
// plus the entity keys the alert pipeline groups by and the evidence JSON kept in alert records.
// Used by detectors building AlertDrafts and by AlertPipeline. EvidenceExtractor is not
// thread-safe (one per thread); the free functions are thread-safe (thread-local cache).
// The row JSON of an event is schema::RowToJson (vigil/schema/row_json.h); it is not redefined.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::alerts {

// Column indexes of one table schema that evidence extraction reads; -1 when absent or of a
// type that cannot hold the value.
struct EvidenceLayout;

// Caches one EvidenceLayout per table schema (keyed by schema address, verified by name and
// column count; at most kMaxCachedSchemas, then the cache restarts).
class EvidenceExtractor {
 public:
  static constexpr size_t kMaxCachedSchemas = 256;

  EvidenceExtractor();
  ~EvidenceExtractor();
  EvidenceExtractor(const EvidenceExtractor&) = delete;
  EvidenceExtractor& operator=(const EvidenceExtractor&) = delete;

  // Entities of `row` (< batch.rows(), else empty), in a fixed order: Machine, User(s),
  // Mailbox(es), Process, initiating Process, File, Ip, Url, RegistryKey, RegistryValue,
  // MailMessage, CloudApplication. Role "Impacted" for the device and the main account (the
  // Account* columns, else InitiatingProcessAccount*, else the mail recipient), "Related" for
  // the rest. Empty cells are treated as absent; duplicates (same entity key) are dropped.
  std::vector<Evidence> Extract(const schema::TableBatch& batch, size_t row);

 private:
  const EvidenceLayout& LayoutFor(const schema::TableSchema& schema);

  std::unordered_map<const schema::TableSchema*, std::unique_ptr<EvidenceLayout>> layouts_;
};

// EvidenceExtractor::Extract with a thread-local extractor.
std::vector<Evidence> EvidenceFromRow(const schema::TableBatch& batch, size_t row);

// Identity of an entity for grouping, e.g. "Machine|<deviceid>", "User|<sid>",
// "Process|<sha256>|<command line>": only the identifying members, case-folded where Windows
// is case-insensitive; the process id is left out so repeats of one command group together.
// Empty when the entity has nothing identifying.
std::string EntityKey(const Evidence& evidence);

// The sorted, de-duplicated entity keys of a list of entities.
std::vector<std::string> EntityKeys(const std::vector<Evidence>& evidence);

// JSON array of objects with Defender's AlertEvidence column names ("EntityType",
// "EvidenceRole", "DeviceId", ..., plus "MD5", "ProcessId", "Mailbox"); empty members omitted.
std::string EvidenceToJson(const std::vector<Evidence>& evidence);

// The inverse of EvidenceToJson, for readers of alert records (incidents, investigations).
// Unknown keys are ignored; a value of the wrong type is an error, as is text that is not a
// JSON array of objects.
Result<std::vector<Evidence>> EvidenceFromJson(std::string_view json);

}  // namespace vigil::detect::alerts
