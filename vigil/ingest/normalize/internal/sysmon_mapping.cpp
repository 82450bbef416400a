// EventMapper members for Microsoft-Windows-Sysmon events (docs/NORMALIZATION.md, "Sysmon").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/ingest/normalize/internal/event_mapper.h"
#include "vigil/ingest/normalize/internal/row_writer.h"

namespace vigil::ingest::internal {

// ---------------------------------------------------------------------------------------------
// Sysmon

bool EventMapper::MapSysmon(const WinEvent& event) {
  switch (event.event_id) {
    case 1:
      SysmonProcessCreate();
      return true;
    case 2:
      SysmonFile("FileCreationTimeChanged", "");
      return true;
    case 3:
      SysmonNetwork();
      return true;
    case 4:
      SysmonSimple("SysmonServiceStateChanged");
      return true;
    case 5:
      Begin(Table::kDeviceProcessEvents);
      w_.Map("ProcessId", Col::kProcessId);
      w_.MapPath("Image", Col::kFolderPath, Col::kFileName);
      w_.MapAccount("User", Col::kAccountDomain, Col::kAccountName);
      w_.Finish("ProcessTerminated");
      return true;
    case 6:
      Begin(Table::kDeviceEvents);
      w_.MapPath("ImageLoaded", Col::kFolderPath, Col::kFileName);
      w_.MapHashes("Hashes", Col::kMd5, Col::kSha1, Col::kSha256);
      w_.Finish("DriverLoad");
      return true;
    case 7:
      Begin(Table::kDeviceImageLoadEvents);
      SysmonInitiatingProcess();
      w_.MapPath("ImageLoaded", Col::kFolderPath, Col::kFileName);
      w_.MapHashes("Hashes", Col::kMd5, Col::kSha1, Col::kSha256);
      w_.Finish("ImageLoaded");
      return true;
    case 8:
      SysmonApiCall("CreateRemoteThreadApiCall");
      return true;
    case 9:
      Begin(Table::kDeviceEvents);
      SysmonInitiatingProcess();
      w_.Finish("RawAccessRead");
      return true;
    case 10:
      SysmonApiCall("OpenProcessApiCall");
      return true;
    case 11:
      SysmonFile("FileCreated", "Hashes");
      return true;
    case 12:
    case 13:
    case 14:
      SysmonRegistry(event.event_id);
      return true;
    case 15: {
      SysmonFile("FileStreamCreated", "Hash");
      return true;
    }
    case 16:
      SysmonSimple("SysmonConfigurationChanged");
      return true;
    case 17:
    case 18:
      Begin(Table::kDeviceEvents);
      SysmonInitiatingProcess();
      w_.AddDerived("NamedPipeEnd", event.event_id == 17 ? "Server" : "Client");
      w_.AddDerived("FileOperation", event.event_id == 17 ? "File created" : "File opened");
      w_.Finish("NamedPipeEvent");
      return true;
    case 19:
    case 20:
    case 21:
      Begin(Table::kDeviceEvents);
      w_.MapAccount("User", Col::kAccountDomain, Col::kAccountName);
      w_.Finish(event.event_id == 19   ? "WmiEventFilterRegistered"
                : event.event_id == 20 ? "WmiEventConsumerRegistered"
                                       : "WmiBindEventFilterToConsumer");
      return true;
    case 22: {
      Begin(Table::kDeviceEvents);
      SysmonInitiatingProcess();
      // QueryName stays in AdditionalFields too (the Sysmon name rules and hunts use).
      if (const std::string* query = w_.Value("QueryName")) {
        w_.SetText(Col::kRemoteUrl, *query);
      }
      w_.Finish("DnsQueryResponse");
      return true;
    }
    case 23:
    case 26:
      SysmonFile("FileDeleted", "Hashes");
      return true;
    case 24:
      Begin(Table::kDeviceEvents);
      SysmonInitiatingProcess();
      w_.Finish("ClipboardChanged");
      return true;
    case 25:
      Begin(Table::kDeviceEvents);
      w_.Map("ProcessId", Col::kProcessId);
      w_.MapPath("Image", Col::kFolderPath, Col::kFileName);
      w_.MapAccount("User", Col::kAccountDomain, Col::kAccountName);
      w_.Finish("ProcessTampering");
      return true;
    case 27:
    case 28:
    case 29: {
      Begin(Table::kDeviceEvents);
      SysmonInitiatingProcess();
      w_.MapPath("TargetFilename", Col::kFolderPath, Col::kFileName);
      w_.MapHashes("Hashes", Col::kMd5, Col::kSha1, Col::kSha256);
      w_.Finish(event.event_id == 27   ? "FileBlockExecutable"
                : event.event_id == 28 ? "FileBlockShredding"
                                       : "FileExecutableDetected");
      return true;
    }
    case 255:
      SysmonSimple("SysmonError");
      return true;
    default:
      return false;
  }
}

void EventMapper::SysmonSimple(std::string_view action) {
  Begin(Table::kDeviceEvents);
  w_.Finish(action);
}

void EventMapper::SysmonProcessCreate() {
  Begin(Table::kDeviceProcessEvents);
  w_.Map("UtcTime", Col::kProcessCreationTime);
  w_.Map("ProcessId", Col::kProcessId);
  w_.MapPath("Image", Col::kFolderPath, Col::kFileName);
  w_.Map("FileVersion", Col::kProcessVersionInfoProductVersion);
  w_.Map("Description", Col::kProcessVersionInfoFileDescription);
  w_.Map("Product", Col::kProcessVersionInfoProductName);
  w_.Map("Company", Col::kProcessVersionInfoCompanyName);
  w_.Map("OriginalFileName", Col::kProcessVersionInfoOriginalFileName);
  w_.Map("CommandLine", Col::kProcessCommandLine);
  w_.MapAccount("User", Col::kAccountDomain, Col::kAccountName);
  w_.Map("LogonId", Col::kLogonId);
  w_.Map("TerminalSessionId", Col::kCreatedProcessSessionId);
  w_.Map("IntegrityLevel", Col::kProcessIntegrityLevel);
  w_.MapHashes("Hashes", Col::kMd5, Col::kSha1, Col::kSha256);
  w_.Map("ParentProcessId", Col::kInitiatingProcessId);
  w_.MapPath("ParentImage", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
  w_.Map("ParentCommandLine", Col::kInitiatingProcessCommandLine);
  w_.MapAccount("ParentUser", Col::kInitiatingProcessAccountDomain,
                Col::kInitiatingProcessAccountName);
  w_.Finish("ProcessCreated");
}

void EventMapper::SysmonNetwork() {
  Begin(Table::kDeviceNetworkEvents);
  SysmonInitiatingProcess();
  w_.MapNamed("Protocol", Col::kProtocol, [](std::string_view v) { return ProtocolName(v); });
  std::string_view action = "ConnectionSuccess";
  const int initiated = w_.Find("Initiated");
  if (initiated >= 0) {
    const std::string& value = w_.event().data[static_cast<size_t>(initiated)].value;
    if (EqualsIgnoreCase(value, "false")) {
      action = "InboundConnectionAccepted";
      w_.Consume(initiated);
    } else if (EqualsIgnoreCase(value, "true")) {
      w_.Consume(initiated);
    }
  }
  // Sysmon's Source is the local end in both directions.
  w_.Map("SourceIp", Col::kLocalIP);
  w_.Map("SourcePort", Col::kLocalPort);
  w_.Map("DestinationIp", Col::kRemoteIP);
  w_.Map("DestinationHostname", Col::kRemoteUrl);
  w_.Map("DestinationPort", Col::kRemotePort);
  IpTypes("SourceIp", "DestinationIp");
  w_.Finish(action);
}

void EventMapper::SysmonRegistry(int64_t event_id) {
  Begin(Table::kDeviceRegistryEvents);
  SysmonInitiatingProcess();
  std::string_view action = "RegistryValueSet";
  if (event_id == 14) {
    action = "RegistryKeyRenamed";
    w_.MapRegistryPath("TargetObject", Col::kPreviousRegistryKey, Col::kNone);
    w_.MapRegistryPath("NewName", Col::kRegistryKey, Col::kNone);
  } else if (event_id == 13) {
    w_.MapRegistryPath("TargetObject", Col::kRegistryKey, Col::kRegistryValueName);
    const int details = w_.Find("Details");
    if (details >= 0) {
      const std::string& value = w_.event().data[static_cast<size_t>(details)].value;
      std::string_view type;
      std::string data;
      if (ConvertRegistryDetails(value, type, data)) {
        // Rewritten: the original text stays in AdditionalFields.
        w_.SetString(Col::kRegistryValueType, type);
        w_.SetText(Col::kRegistryValueData, data);
      } else {
        w_.Map("Details", Col::kRegistryValueData);
      }
    }
  } else {
    const std::string* type = w_.Value("EventType");
    const bool is_value = type != nullptr && (*type == "DeleteValue" || *type == "CreateValue");
    if (type == nullptr) {
      action = "RegistryEvent";
    } else if (*type == "CreateKey") {
      action = "RegistryKeyCreated";
    } else if (*type == "DeleteKey") {
      action = "RegistryKeyDeleted";
    } else if (*type == "DeleteValue") {
      action = "RegistryValueDeleted";
    } else if (*type == "CreateValue") {
      action = "RegistryValueSet";
    } else {
      action = "RegistryEvent";
    }
    w_.MapRegistryPath("TargetObject", Col::kRegistryKey,
                       is_value ? Col::kRegistryValueName : Col::kNone);
  }
  if (action != "RegistryEvent") {
    if (const int type = w_.Find("EventType"); type >= 0) {
      const std::string& value = w_.event().data[static_cast<size_t>(type)].value;
      if (value == "CreateKey" || value == "DeleteKey" || value == "DeleteValue" ||
          value == "CreateValue" || value == "SetValue" || value == "RenameKey") {
        w_.Consume(type);
      }
    }
  }
  w_.Finish(action);
}

void EventMapper::SysmonFile(std::string_view action, std::string_view hash_field) {
  Begin(Table::kDeviceFileEvents);
  SysmonInitiatingProcess();
  w_.MapPath("TargetFilename", Col::kFolderPath, Col::kFileName);
  if (!hash_field.empty()) {
    w_.MapHashes(hash_field, Col::kMd5, Col::kSha1, Col::kSha256);
  }
  // Mark-of-the-Web (Zone.Identifier stream contents) names where the file came from.
  if (const std::string* contents = w_.Value("Contents")) {
    auto origin = [&](std::string_view key, Col col) {
      const size_t at = contents->find(key);
      if (at == std::string::npos || (at > 0 && (*contents)[at - 1] != '\n' &&
                                      (*contents)[at - 1] != ' ' && (*contents)[at - 1] != '\r')) {
        return;
      }
      std::string_view rest = std::string_view(*contents).substr(at + key.size());
      const size_t end = rest.find_first_of("\r\n ");
      w_.SetText(col, rest.substr(0, end));
    };
    origin("HostUrl=", Col::kFileOriginUrl);
    origin("ReferrerUrl=", Col::kFileOriginReferrerUrl);
  }
  w_.Finish(action);
}

void EventMapper::SysmonApiCall(std::string_view action) {
  Begin(Table::kDeviceEvents);
  w_.Map("SourceProcessId", Col::kInitiatingProcessId);
  w_.MapPath("SourceImage", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
  w_.Map("TargetProcessId", Col::kProcessId);
  w_.MapPath("TargetImage", Col::kFolderPath, Col::kFileName);
  w_.MapAccount("SourceUser", Col::kInitiatingProcessAccountDomain,
                Col::kInitiatingProcessAccountName);
  w_.MapAccount("TargetUser", Col::kAccountDomain, Col::kAccountName);
  w_.Finish(action);
}

}  // namespace vigil::ingest::internal
