// RowWriter: the per-event machinery behind Normalizer. It builds one row in one table batch
// from a WinEvent: typed column setters, field lookups that remember which fields were used,
// and the AdditionalFields JSON of everything left over. Used only by the normalizer
// (normalizer.cpp and the EventMapper source mappings).
// Not thread-safe; owned by one Normalizer.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/win_event.h"
#include "vigil/schema/table_batch.h"

namespace vigil::ingest::internal {

enum class Table : uint8_t {
  kDeviceProcessEvents,
  kDeviceNetworkEvents,
  kDeviceFileEvents,
  kDeviceRegistryEvents,
  kDeviceImageLoadEvents,
  kDeviceLogonEvents,
  kDeviceEvents,
  kIdentityLogonEvents,
  kIdentityDirectoryEvents,
  kDeviceInfo,
};
inline constexpr size_t kTableCount = 10;
inline constexpr std::array<std::string_view, kTableCount> kTableNames = {
    "DeviceProcessEvents",     "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents",
    "DeviceImageLoadEvents",   "DeviceLogonEvents",   "DeviceEvents",     "IdentityLogonEvents",
    "IdentityDirectoryEvents", "DeviceInfo"};

// Every column the normalizer writes, in any table; kColNames holds the schema names.
enum class Col : uint8_t {
  kTimestamp,
  kDeviceId,
  kDeviceName,
  kActionType,
  kReportId,
  kAdditionalFields,
  kFileName,
  kFolderPath,
  kSha1,
  kSha256,
  kMd5,
  kProcessId,
  kProcessCommandLine,
  kProcessCreationTime,
  kProcessIntegrityLevel,
  kProcessTokenElevation,
  kProcessVersionInfoCompanyName,
  kProcessVersionInfoProductName,
  kProcessVersionInfoProductVersion,
  kProcessVersionInfoOriginalFileName,
  kProcessVersionInfoFileDescription,
  kAccountDomain,
  kAccountName,
  kAccountSid,
  kAccountUpn,
  kLogonId,
  kCreatedProcessSessionId,
  kInitiatingProcessFileName,
  kInitiatingProcessFolderPath,
  kInitiatingProcessId,
  kInitiatingProcessCommandLine,
  kInitiatingProcessAccountDomain,
  kInitiatingProcessAccountName,
  kInitiatingProcessAccountSid,
  kInitiatingProcessLogonId,
  kRemoteIP,
  kRemotePort,
  kRemoteUrl,
  kRemoteIPType,
  kRemoteDeviceName,
  kLocalIP,
  kLocalPort,
  kLocalIPType,
  kProtocol,
  kRegistryKey,
  kRegistryValueType,
  kRegistryValueName,
  kRegistryValueData,
  kPreviousRegistryKey,
  kLogonType,
  kFailureReason,
  kIsLocalAdmin,
  kFileOriginUrl,
  kFileOriginReferrerUrl,
  kApplication,
  kIPAddress,
  kPort,
  kDestinationDeviceName,
  kTargetDeviceName,
  kOSPlatform,
  kNone,  // "no column": setters ignore it
};
inline constexpr size_t kColCount = static_cast<size_t>(Col::kNone);
inline constexpr std::array<std::string_view, kColCount> kColNames = {
    "Timestamp",
    "DeviceId",
    "DeviceName",
    "ActionType",
    "ReportId",
    "AdditionalFields",
    "FileName",
    "FolderPath",
    "SHA1",
    "SHA256",
    "MD5",
    "ProcessId",
    "ProcessCommandLine",
    "ProcessCreationTime",
    "ProcessIntegrityLevel",
    "ProcessTokenElevation",
    "ProcessVersionInfoCompanyName",
    "ProcessVersionInfoProductName",
    "ProcessVersionInfoProductVersion",
    "ProcessVersionInfoOriginalFileName",
    "ProcessVersionInfoFileDescription",
    "AccountDomain",
    "AccountName",
    "AccountSid",
    "AccountUpn",
    "LogonId",
    "CreatedProcessSessionId",
    "InitiatingProcessFileName",
    "InitiatingProcessFolderPath",
    "InitiatingProcessId",
    "InitiatingProcessCommandLine",
    "InitiatingProcessAccountDomain",
    "InitiatingProcessAccountName",
    "InitiatingProcessAccountSid",
    "InitiatingProcessLogonId",
    "RemoteIP",
    "RemotePort",
    "RemoteUrl",
    "RemoteIPType",
    "RemoteDeviceName",
    "LocalIP",
    "LocalPort",
    "LocalIPType",
    "Protocol",
    "RegistryKey",
    "RegistryValueType",
    "RegistryValueName",
    "RegistryValueData",
    "PreviousRegistryKey",
    "LogonType",
    "FailureReason",
    "IsLocalAdmin",
    "FileOriginUrl",
    "FileOriginReferrerUrl",
    "Application",
    "IPAddress",
    "Port",
    "DestinationDeviceName",
    "TargetDeviceName",
    "OSPlatform",
};

// One output table: its batch and where each Col sits in it (-1: not in this table).
struct TableState {
  explicit TableState(const schema::TableSchema& table_schema);

  schema::TableBatch batch;
  std::array<int, kColCount> cols{};
};

class RowWriter {
 public:
  // Starts work on `event`; `device_name`/`device_id` are empty when the event has no Computer.
  void SetEvent(const WinEvent& event, std::string_view device_name, std::string_view device_id,
                IngestReport& report);

  // Begins a row in `table` (nullptr: the table is unavailable; the row is counted as skipped
  // in Finish) and fills Timestamp, DeviceId, DeviceName and ReportId.
  void Begin(TableState* table, const std::string* table_name);
  // Writes ActionType and AdditionalFields and counts the row.
  void Finish(std::string_view action_type);

  // --- Field access (EventData/UserData by name). Lookups continue from the last hit, so
  // fields looked up in document order cost one comparison each.
  int Find(std::string_view name);
  const std::string* Value(std::string_view name) {
    const int index = Find(name);
    return index < 0 ? nullptr : &event_->data[static_cast<size_t>(index)].value;
  }
  void Consume(int index) { used_[static_cast<size_t>(index)] = 1; }
  // Marks the System Security/@UserID as written to a column.
  void ConsumeUserSid() { user_sid_used_ = true; }

  // --- Column setters. SetText converts text to the column's type; returns false when the
  // column is absent or the text does not convert (the caller then keeps the field in
  // AdditionalFields). Empty and "-" values leave the column null and count as converted.
  bool SetText(Col col, std::string_view value);
  void SetString(Col col, std::string_view value);
  void SetLong(Col col, int64_t value);
  bool Has(Col col) const;

  // --- field -> column helpers; each returns true when it consumed the field.
  bool Map(std::string_view field, Col col);
  // Like Map, but the NULL SID (S-1-0-0) and process id 0, which Windows writes for "none",
  // stay in AdditionalFields instead of filling the column.
  bool MapSid(std::string_view field, Col col);
  bool MapProcessId(std::string_view field, Col col);
  // Full path into `folder`, its last component into `file`.
  bool MapPath(std::string_view field, Col folder, Col file);
  // Last path component only.
  bool MapFileName(std::string_view field, Col file);
  // "DOMAIN\\user" into domain and name.
  bool MapAccount(std::string_view field, Col domain, Col name);
  // Sysmon `Hashes` into MD5/SHA1/SHA256 (lower-cased); other algorithms (IMPHASH) become
  // AdditionalFields entries of their own.
  bool MapHashes(std::string_view field, Col md5, Col sha1, Col sha256);
  // Registry path with full hive names. With `value_name` != kNone the last component is the
  // value name.
  bool MapRegistryPath(std::string_view field, Col key, Col value_name);
  // Maps a numeric field through `name_of` (e.g. logon type -> "Network").
  template <typename NameFn>
  bool MapNamed(std::string_view field, Col col, NameFn&& name_of);

  // Adds "key":"value" to AdditionalFields for a value derived from a field (IMPHASH, ...).
  void AddDerived(std::string_view key, std::string_view value);

  const WinEvent& event() const { return *event_; }
  std::string_view device_name() const { return device_name_; }
  // A reusable buffer for an ActionType built per event (the default mapping's name).
  std::string& action_buffer() { return action_buffer_; }

 private:
  bool SetTextAt(int index, schema::ColumnType type, std::string_view value);
  void BuildAdditionalFields();
  bool KeyTaken(std::string_view key) const;

  const WinEvent* event_ = nullptr;
  IngestReport* report_ = nullptr;
  std::string_view device_name_;
  std::string_view device_id_;
  TableState* table_ = nullptr;
  const std::string* table_name_ = nullptr;
  std::vector<uint8_t> used_;
  size_t cursor_ = 0;
  bool user_sid_used_ = false;
  std::string derived_;  // ,"key":"value" fragments
  std::string additional_fields_;
  std::string scratch_;       // SetString's JSON quoting, extra-field keys
  std::string value_buffer_;  // transformed values (lower-cased hashes, expanded keys)
  std::string action_buffer_;
};

template <typename NameFn>
bool RowWriter::MapNamed(std::string_view field, Col col, NameFn&& name_of) {
  const int index = Find(field);
  if (index < 0) {
    return false;
  }
  const std::string& raw = event_->data[static_cast<size_t>(index)].value;
  const std::string_view name = name_of(raw);
  if (name.empty() || !Has(col)) {
    return false;
  }
  SetString(col, name);
  Consume(index);
  return true;
}

}  // namespace vigil::ingest::internal
