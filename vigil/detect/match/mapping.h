// Sigma -> hunting-table mapping: which tables (and which rows of them) a rule's logsource
// covers, and how each Sigma field of the Windows taxonomy is read from a normalized row.
// Used by CompiledRuleSet at Build and by ReadField; documented in docs/DETECTION_MAPPING.md.
// Pure functions over immutable tables; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"
#include "vigil/schema/catalog.h"

namespace vigil::detect::match {

// Which rows of a table a logsource covers. Empty list = no constraint. A row passes when its
// ActionType is one of `action_types` (exact), its AdditionalFields.Channel is one of
// `channels` (case-insensitive) and its AdditionalFields.EventID is one of `event_ids`.
struct RowConstraint {
  std::vector<std::string> action_types;
  std::vector<std::string> channels;
  std::vector<int64_t> event_ids;
};

// The kind of event a table's rows hold for a logsource; selects the field map (Sysmon's
// `Image` is FolderPath for a created process but InitiatingProcessFolderPath for a file write).
enum class FieldContext : uint8_t {
  kProcess,        // DeviceProcessEvents: Image = the process itself
  kFile,           // DeviceFileEvents
  kNetwork,        // DeviceNetworkEvents
  kRegistry,       // DeviceRegistryEvents
  kImageLoad,      // DeviceImageLoadEvents
  kLogon,          // DeviceLogonEvents (Security 4624/4625/4634/4648 names)
  kProcessAccess,  // DeviceEvents OpenProcessApiCall / CreateRemoteThreadApiCall (Source*/Target*)
  kDeviceObject,   // DeviceEvents whose FolderPath is the object (driver, tampering, file block)
  kDevice,         // other DeviceEvents rows: Image = the initiating process
  kIdentity,       // IdentityLogonEvents / IdentityDirectoryEvents
};

struct Target {
  const schema::TableSchema* table = nullptr;
  FieldContext context = FieldContext::kDevice;
  RowConstraint constraint;
};

// Targets of a logsource in `catalog`, or an error whose message is the unmappable reason.
Result<std::vector<Target>> MapLogSource(const sigma::LogSource& logsource,
                                         const schema::Catalog& catalog);

// How a field's value is read from a row.
enum class AccessorKind : uint8_t {
  kColumn,          // column `col`; if null and `fallback_key` is set, AdditionalFields member
  kAdditional,      // AdditionalFields member `key` (falls back to column `col` when >= 0)
  kAccount,         // "domain\name" from columns col (domain) and col2 (name); name alone
  kHashes,          // Sysmon Hashes rebuilt: SHA1=..,MD5=..,SHA256=..,IMPHASH=.. (upper-case)
  kRegistryTarget,  // col (key) + "\" + col2 (value name) when the value name is set
  kInitiated,       // "true"/"false" from ActionType (Sysmon 3 Initiated)
  kProvider,        // AdditionalFields.Provider
  kChannel,         // AdditionalFields.Channel
  kEventId,         // AdditionalFields.EventID
};

// Rewrites applied to a rule's literals so that Sysmon/Security-form values meet the
// normalized form (the row value is never rewritten, except for the rebuilt composites).
enum class LiteralRewrite : uint8_t {
  kNone,
  kRegistryKey,        // HKLM\ -> HKEY_LOCAL_MACHINE\, CurrentControlSet -> ControlSet001, ...
  kLogonType,          // 3 -> Network (the number is kept as an alternative)
  kProtocol,           // 6 -> Tcp, 17 -> Udp, ...
  kIntegrityLabel,     // S-1-16-12288 -> High
  kTokenElevation,     // %%1937 -> TokenElevationTypeFull
  kRegistryEventType,  // SetValue -> RegistryValueSet, ...
  kElevatedToken,      // %%1842 -> true, %%1843 -> false
};

struct Accessor {
  AccessorKind kind = AccessorKind::kAdditional;
  int col = -1;
  int col2 = -1;
  std::string key;  // AdditionalFields member (kAdditional), or fallback member (kColumn)
  LiteralRewrite rewrite = LiteralRewrite::kNone;
  bool datetime = false;  // col is a datetime column

  bool operator==(const Accessor& other) const {
    return kind == other.kind && col == other.col && col2 == other.col2 && key == other.key;
  }
};

// Resolves a Sigma field on `table` for `context`. Fields without a mapping and without a
// column of their own are read from AdditionalFields under their own name; an error (the
// unmappable reason) when the normalizer moves that field into a column this context cannot
// reconstruct.
Result<Accessor> ResolveField(const schema::TableSchema& table, FieldContext context,
                              std::string_view sigma_field);

// The literals a rule value stands for after the accessor's rewrite (always at least the
// rewritten form; the original is kept too when it may still occur in the data).
void RewriteLiteral(LiteralRewrite rewrite, sigma::MatchOp op, const std::string& literal,
                    std::vector<std::string>& out);

// "windows/process_creation", "windows/security", for messages.
std::string LogSourceName(const sigma::LogSource& logsource);

}  // namespace vigil::detect::match
