#include "vigil/ingest/normalize/normalizer.h"

#include <charconv>
#include <cstring>

#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/ingest/normalize/internal/row_writer.h"

namespace vigil::ingest {

using internal::Col;
using internal::RowWriter;
using internal::Table;
using internal::TableState;

namespace {

enum class SourceKind : uint8_t { kSysmon, kSecurity, kEventlog, kServiceControlManager, kOther };

SourceKind Classify(const WinEvent& event) {
  const std::string& provider = event.provider;
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Sysmon") ||
      (provider.empty() &&
       EqualsIgnoreCase(event.channel, "Microsoft-Windows-Sysmon/Operational"))) {
    return SourceKind::kSysmon;
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Security-Auditing") ||
      (provider.empty() && EqualsIgnoreCase(event.channel, "Security") && event.event_id != 1102)) {
    return SourceKind::kSecurity;
  }
  if (EqualsIgnoreCase(provider, "Microsoft-Windows-Eventlog") ||
      (provider.empty() && event.event_id == 1102)) {
    return SourceKind::kEventlog;
  }
  if (EqualsIgnoreCase(provider, "Service Control Manager")) {
    return SourceKind::kServiceControlManager;
  }
  return SourceKind::kOther;
}

// The mapping of one event onto rows. `Writer()` is begun per row by the Map* functions.
class EventMapper {
 public:
  EventMapper(RowWriter& writer, const std::array<TableState*, internal::kTableCount>& route,
              const std::array<const std::string*, internal::kTableCount>& names)
      : w_(writer), route_(route), names_(names) {}

  bool MapSysmon(const WinEvent& event);
  bool MapSecurity(const WinEvent& event);
  bool MapEventlog(const WinEvent& event);
  bool MapServiceControlManager(const WinEvent& event);
  void MapDefault(const WinEvent& event);

 private:
  void Begin(Table table) {
    const size_t index = static_cast<size_t>(table);
    w_.Begin(route_[index], names_[index]);
  }

  // Sysmon's acting process (Image, ProcessId, User) as the initiating process.
  void SysmonInitiatingProcess() {
    w_.Map("ProcessId", Col::kInitiatingProcessId);
    w_.MapPath("Image", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
    w_.MapAccount("User", Col::kInitiatingProcessAccountDomain, Col::kInitiatingProcessAccountName);
  }
  // Security's Subject* fields into the initiating-process account or the account columns.
  void SubjectAsInitiating() {
    w_.MapSid("SubjectUserSid", Col::kInitiatingProcessAccountSid);
    w_.Map("SubjectUserName", Col::kInitiatingProcessAccountName);
    w_.Map("SubjectDomainName", Col::kInitiatingProcessAccountDomain);
    w_.Map("SubjectLogonId", Col::kInitiatingProcessLogonId);
  }
  void SubjectAsAccount() {
    w_.MapSid("SubjectUserSid", Col::kAccountSid);
    w_.Map("SubjectUserName", Col::kAccountName);
    w_.Map("SubjectDomainName", Col::kAccountDomain);
    w_.Map("SubjectLogonId", Col::kLogonId);
  }
  void TargetAsAccount() {
    w_.MapSid("TargetUserSid", Col::kAccountSid);
    w_.Map("TargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
    w_.Map("TargetLogonId", Col::kLogonId);
  }
  // Sets IP class columns from the values already in LocalIP/RemoteIP fields.
  void IpTypes(std::string_view local_field, std::string_view remote_field) {
    if (const std::string* local = w_.Value(local_field)) {
      w_.SetString(Col::kLocalIPType, IpAddressType(*local));
    }
    if (const std::string* remote = w_.Value(remote_field)) {
      w_.SetString(Col::kRemoteIPType, IpAddressType(*remote));
    }
  }

  void SysmonProcessCreate();
  void SysmonNetwork();
  void SysmonRegistry(int64_t event_id);
  void SysmonFile(std::string_view action, std::string_view hash_field);
  void SysmonApiCall(std::string_view action);
  void SysmonSimple(std::string_view action);

  void SecurityProcessCreate();
  void SecurityLogon(int64_t event_id);
  void SecurityFilteringPlatform(int64_t event_id);
  void SecurityShare(int64_t event_id);
  void SecurityDirectory(int64_t event_id);
  void SecurityKerberosOrNtlm(int64_t event_id);
  void SecurityRegistryValue();
  void ServiceInstalled(std::string_view image_field, bool system_user_is_installer);

  RowWriter& w_;
  const std::array<TableState*, internal::kTableCount>& route_;
  const std::array<const std::string*, internal::kTableCount>& names_;
};

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

// ---------------------------------------------------------------------------------------------
// Windows Security auditing

bool EventMapper::MapSecurity(const WinEvent& event) {
  switch (event.event_id) {
    case 4688:
      SecurityProcessCreate();
      return true;
    case 4689:
      Begin(Table::kDeviceProcessEvents);
      SubjectAsAccount();
      w_.Map("ProcessId", Col::kProcessId);
      w_.MapPath("ProcessName", Col::kFolderPath, Col::kFileName);
      w_.Finish("ProcessTerminated");
      return true;
    case 4624:
    case 4625:
    case 4634:
    case 4647:
    case 4648:
      SecurityLogon(event.event_id);
      return true;
    case 4657:
      SecurityRegistryValue();
      return true;
    case 4672:
      Begin(Table::kDeviceEvents);
      SubjectAsAccount();
      w_.Finish("SpecialPrivilegesAssigned");
      return true;
    case 4697:
      ServiceInstalled("ServiceFileName", false);
      return true;
    case 4698:
    case 4699:
    case 4700:
    case 4701:
    case 4702: {
      static constexpr std::array<std::string_view, 5> kTaskActions = {
          "ScheduledTaskCreated", "ScheduledTaskDeleted", "ScheduledTaskEnabled",
          "ScheduledTaskDisabled", "ScheduledTaskUpdated"};
      Begin(Table::kDeviceEvents);
      SubjectAsInitiating();
      w_.Finish(kTaskActions[static_cast<size_t>(event.event_id - 4698)]);
      return true;
    }
    case 4662:
    case 4720:
    case 4722:
    case 4723:
    case 4724:
    case 4725:
    case 4726:
    case 4727:
    case 4728:
    case 4729:
    case 4730:
    case 4731:
    case 4732:
    case 4733:
    case 4738:
    case 4740:
    case 4754:
    case 4756:
    case 4757:
    case 4767:
    case 4781:
    case 5136:
      SecurityDirectory(event.event_id);
      return true;
    case 4768:
    case 4769:
    case 4771:
    case 4776:
      SecurityKerberosOrNtlm(event.event_id);
      return true;
    case 5140:
    case 5145:
      SecurityShare(event.event_id);
      return true;
    case 5154:
    case 5156:
    case 5157:
    case 5158:
      SecurityFilteringPlatform(event.event_id);
      return true;
    default:
      return false;
  }
}

void EventMapper::SecurityProcessCreate() {
  Begin(Table::kDeviceProcessEvents);
  const std::string* target_sid = w_.Value("TargetUserSid");
  const bool has_target =
      target_sid != nullptr && *target_sid != "S-1-0-0" && !IsEmptyValue(*target_sid);
  if (!has_target) {
    // Before Windows 10 (and for NULL-SID targets) the new process runs as its creator.
    if (const std::string* v = w_.Value("SubjectUserSid")) {
      w_.SetText(Col::kAccountSid, *v);
    }
    if (const std::string* v = w_.Value("SubjectUserName")) {
      w_.SetText(Col::kAccountName, *v);
    }
    if (const std::string* v = w_.Value("SubjectDomainName")) {
      w_.SetText(Col::kAccountDomain, *v);
    }
    if (const std::string* v = w_.Value("SubjectLogonId")) {
      w_.SetText(Col::kLogonId, *v);
    }
  }
  SubjectAsInitiating();
  if (has_target) {
    TargetAsAccount();
  }
  w_.Map("NewProcessId", Col::kProcessId);
  w_.MapPath("NewProcessName", Col::kFolderPath, Col::kFileName);
  w_.MapNamed("TokenElevationType", Col::kProcessTokenElevation,
              [](std::string_view v) { return TokenElevationName(v); });
  w_.Map("ProcessId", Col::kInitiatingProcessId);
  w_.Map("CommandLine", Col::kProcessCommandLine);
  w_.MapPath("ParentProcessName", Col::kInitiatingProcessFolderPath,
             Col::kInitiatingProcessFileName);
  w_.MapNamed("MandatoryLabel", Col::kProcessIntegrityLevel,
              [](std::string_view v) { return IntegrityLevelFromLabel(v); });
  w_.Finish("ProcessCreated");
}

void EventMapper::SecurityLogon(int64_t event_id) {
  Begin(Table::kDeviceLogonEvents);
  std::string_view action;
  switch (event_id) {
    case 4624:
      action = "LogonSuccess";
      break;
    case 4625:
      action = "LogonFailed";
      break;
    case 4648:
      action = "LogonAttempted";
      break;
    default:
      action = "Logoff";
  }
  if (event_id == 4648) {
    // Explicit credentials: the account used is Target*, the caller is Subject*.
    SubjectAsInitiating();
    w_.Map("TargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
    w_.Map("TargetServerName", Col::kRemoteDeviceName);
  } else {
    if (event_id == 4624 || event_id == 4625) {
      SubjectAsInitiating();
    }
    TargetAsAccount();
  }
  w_.MapNamed("LogonType", Col::kLogonType, [](std::string_view v) {
    const std::optional<int64_t> type = ParseWinInteger(v);
    return type ? LogonTypeName(*type) : std::string_view();
  });
  if (event_id == 4625) {
    // SubStatus is the precise reason when set; Status otherwise.
    uint32_t code = 0;
    int source = -1;
    for (std::string_view field : {"SubStatus", "Status"}) {
      const int index = w_.Find(field);
      if (index < 0) {
        continue;
      }
      const std::optional<int64_t> value =
          ParseWinInteger(w_.event().data[static_cast<size_t>(index)].value);
      if (value && *value != 0) {
        code = static_cast<uint32_t>(*value);
        source = index;
        break;
      }
    }
    if (source >= 0) {
      const std::string_view reason = NtStatusFailureReason(code);
      w_.SetString(Col::kFailureReason,
                   reason.empty()
                       ? std::string_view(w_.event().data[static_cast<size_t>(source)].value)
                       : reason);
    }
  }
  w_.Map("AuthenticationPackageName", Col::kProtocol);
  w_.Map("WorkstationName", Col::kRemoteDeviceName);
  w_.MapProcessId("ProcessId", Col::kInitiatingProcessId);
  w_.MapPath("ProcessName", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
  if (const std::string* ip = w_.Value("IpAddress"); ip != nullptr && !IsEmptyValue(*ip)) {
    w_.SetString(Col::kRemoteIPType, IpAddressType(*ip));
  }
  w_.Map("IpAddress", Col::kRemoteIP);
  w_.Map("IpPort", Col::kRemotePort);
  if (const int elevated = w_.Find("ElevatedToken"); elevated >= 0) {
    const std::string& value = w_.event().data[static_cast<size_t>(elevated)].value;
    if (value == "%%1842" || value == "%%1843") {
      w_.SetText(Col::kIsLocalAdmin, value == "%%1842" ? "true" : "false");
      w_.Consume(elevated);
    }
  }
  w_.Finish(action);
}

void EventMapper::SecurityRegistryValue() {
  Begin(Table::kDeviceRegistryEvents);
  SubjectAsInitiating();
  std::string_view action = "RegistryValueSet";
  if (const int op = w_.Find("OperationType"); op >= 0) {
    const std::string& value = w_.event().data[static_cast<size_t>(op)].value;
    if (value == "%%1904" || value == "%%1905") {
      w_.Consume(op);
    } else if (value == "%%1906") {
      action = "RegistryValueDeleted";
      w_.Consume(op);
    }
  }
  w_.MapRegistryPath("ObjectName", Col::kRegistryKey, Col::kNone);
  w_.Map("ObjectValueName", Col::kRegistryValueName);
  w_.Map("NewValue", Col::kRegistryValueData);
  w_.MapProcessId("ProcessId", Col::kInitiatingProcessId);
  w_.MapPath("ProcessName", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
  w_.Finish(action);
}

void EventMapper::SecurityFilteringPlatform(int64_t event_id) {
  const std::string* direction = w_.Value("Direction");
  const bool inbound = direction != nullptr && *direction == "%%14592";
  Begin(event_id == 5157 ? Table::kDeviceEvents : Table::kDeviceNetworkEvents);
  w_.Map("ProcessID", Col::kInitiatingProcessId);
  w_.Map("ProcessId", Col::kInitiatingProcessId);
  w_.MapPath("Application", Col::kInitiatingProcessFolderPath, Col::kInitiatingProcessFileName);
  w_.MapNamed("Protocol", Col::kProtocol, [](std::string_view v) { return ProtocolName(v); });
  std::string_view action;
  if (event_id == 5158 || event_id == 5154) {  // bind / listen: only the local end
    action = "ListeningConnectionCreated";
    w_.Map("SourceAddress", Col::kLocalIP);
    w_.Map("SourcePort", Col::kLocalPort);
    if (const std::string* local = w_.Value("SourceAddress")) {
      w_.SetString(Col::kLocalIPType, IpAddressType(*local));
    }
  } else {
    if (event_id == 5156) {
      action = inbound ? "InboundConnectionAccepted" : "ConnectionSuccess";
    } else {
      action = inbound ? "FirewallInboundConnectionBlocked" : "FirewallOutboundConnectionBlocked";
    }
    // WFP names the connection's initiator Source: the remote end for inbound traffic.
    const std::string_view local_ip = inbound ? "DestAddress" : "SourceAddress";
    const std::string_view local_port = inbound ? "DestPort" : "SourcePort";
    const std::string_view remote_ip = inbound ? "SourceAddress" : "DestAddress";
    const std::string_view remote_port = inbound ? "SourcePort" : "DestPort";
    IpTypes(local_ip, remote_ip);
    w_.Map(local_ip, Col::kLocalIP);
    w_.Map(local_port, Col::kLocalPort);
    w_.Map(remote_ip, Col::kRemoteIP);
    w_.Map(remote_port, Col::kRemotePort);
  }
  w_.Finish(action);
}

void EventMapper::SecurityShare(int64_t event_id) {
  Begin(Table::kDeviceEvents);
  SubjectAsAccount();
  if (const std::string* ip = w_.Value("IpAddress"); ip != nullptr && !IsEmptyValue(*ip)) {
    w_.SetString(Col::kRemoteIPType, IpAddressType(*ip));
  }
  w_.Map("IpAddress", Col::kRemoteIP);
  w_.Map("IpPort", Col::kRemotePort);
  if (event_id == 5145) {
    // The object checked: share path + relative name, with the NT "\??\" prefix removed.
    const std::string* local = w_.Value("ShareLocalPath");
    const std::string* relative = w_.Value("RelativeTargetName");
    if (local != nullptr && relative != nullptr && !IsEmptyValue(*relative)) {
      std::string path(*local);
      if (path.rfind("\\??\\", 0) == 0) {
        path.erase(0, 4);
      }
      if (!path.empty() && path.back() != '\\' && relative->front() != '\\') {
        path.push_back('\\');
      }
      path.append(*relative);
      w_.SetText(Col::kFolderPath, path);
      w_.SetText(Col::kFileName, PathFileName(path));
    }
  }
  w_.Finish(event_id == 5140 ? "NetworkShareAccessed" : "NetworkShareObjectAccessChecked");
}

void EventMapper::SecurityDirectory(int64_t event_id) {
  Begin(Table::kIdentityDirectoryEvents);
  w_.SetString(Col::kApplication, "Active Directory");
  // The domain controller that logged the change.
  w_.SetText(Col::kDestinationDeviceName, w_.device_name());
  std::string_view action;
  bool group_change = false;
  bool added = true;
  switch (event_id) {
    case 4662: {
      const std::string* properties = w_.Value("Properties");
      // DS-Replication-Get-Changes(-All): what DCSync asks for.
      const bool replication =
          properties != nullptr &&
          (properties->find("1131f6aa-9c07-11d1-f79f-00c04fc2dcd2") != std::string::npos ||
           properties->find("1131f6ad-9c07-11d1-f79f-00c04fc2dcd2") != std::string::npos);
      action =
          replication ? "Directory Services replication" : "Directory Services object accessed";
      break;
    }
    case 4720:
      action = "User Account created";
      break;
    case 4722:
      action = "Account Enabled";
      break;
    case 4723:
    case 4724:
      action = "Account Password changed";
      break;
    case 4725:
      action = "Account Disabled";
      break;
    case 4726:
      action = "Account Deleted";
      break;
    case 4727:
    case 4731:
    case 4754:
      action = "Security Group created";
      break;
    case 4730:
      action = "Security Group deleted";
      break;
    case 4738:
      action = "Account Changed";
      break;
    case 4740:
      action = "Account Locked";
      break;
    case 4767:
      action = "Account Unlocked";
      break;
    case 4781:
      action = "Account Name changed";
      break;
    case 5136:
      action = "Directory Services object modified";
      break;
    case 4729:
    case 4733:
    case 4757:
      added = false;
      group_change = true;
      action = "Group Membership changed";
      break;
    default:  // 4728, 4732, 4756
      group_change = true;
      action = "Group Membership changed";
  }
  if (group_change) {
    // The member is the account acted on; the group is Target*.
    w_.MapSid("MemberSid", Col::kAccountSid);
    if (const std::string* group = w_.Value("TargetUserName")) {
      w_.AddDerived(added ? "TO.GROUP" : "FROM.GROUP", *group);
    }
    if (const std::string* member = w_.Value("MemberName");
        member != nullptr && !IsEmptyValue(*member)) {
      // "CN=name,OU=...": the common name is the account's display name.
      std::string_view dn = *member;
      if (dn.size() > 3 && EqualsIgnoreCase(dn.substr(0, 3), "CN=")) {
        dn.remove_prefix(3);
        size_t end = 0;
        while (end < dn.size() && dn[end] != ',') {
          end += dn[end] == '\\' ? 2 : 1;
        }
        std::string name;
        for (size_t i = 0; i < std::min(end, dn.size()); ++i) {
          if (dn[i] == '\\' && i + 1 < dn.size()) {
            ++i;  // RFC 4514 escape: "\," is a literal comma
          }
          name.push_back(dn[i]);
        }
        w_.SetString(Col::kAccountName, name);
      }
    }
  } else if (event_id == 4662 || event_id == 5136) {
    SubjectAsAccount();
  } else if (event_id == 4781) {
    w_.MapSid("TargetSid", Col::kAccountSid);
    w_.Map("NewTargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
  } else {
    w_.MapSid("TargetSid", Col::kAccountSid);
    w_.Map("TargetUserName", Col::kAccountName);
    w_.Map("TargetDomainName", Col::kAccountDomain);
  }
  w_.Finish(action);
}

void EventMapper::SecurityKerberosOrNtlm(int64_t event_id) {
  Begin(Table::kIdentityLogonEvents);
  w_.SetString(Col::kApplication, "Active Directory");
  const bool ntlm = event_id == 4776;
  w_.SetString(Col::kProtocol, ntlm ? "NTLM" : "Kerberos");
  w_.SetString(Col::kLogonType, event_id == 4769 ? "Resource access" : "Credentials validation");
  w_.SetText(Col::kDestinationDeviceName, w_.device_name());
  std::string_view action = "LogonSuccess";
  const int status = w_.Find("Status");
  if (event_id == 4771) {
    action = "LogonFailed";  // 4771 is only logged for failed pre-authentication
  }
  if (status >= 0) {
    const std::string& raw = w_.event().data[static_cast<size_t>(status)].value;
    const std::optional<int64_t> code = ParseWinInteger(raw);
    if (code && *code != 0) {
      action = "LogonFailed";
      const std::string_view reason = ntlm ? NtStatusFailureReason(static_cast<uint32_t>(*code))
                                           : KerberosFailureReason(static_cast<uint32_t>(*code));
      w_.SetString(Col::kFailureReason, reason.empty() ? std::string_view(raw) : reason);
    }
  }
  // 4769 names the client "user@REALM".
  if (const int user = w_.Find("TargetUserName"); user >= 0) {
    const std::string& value = w_.event().data[static_cast<size_t>(user)].value;
    const AccountParts parts = SplitAccount(value);
    if (!IsEmptyValue(parts.name)) {
      w_.SetString(Col::kAccountName, parts.name);
      if (!parts.domain.empty()) {
        w_.SetString(Col::kAccountDomain, parts.domain);
      }
    }
    w_.Consume(user);
  }
  w_.Map("TargetDomainName", Col::kAccountDomain);
  w_.MapSid("TargetSid", Col::kAccountSid);
  if (ntlm) {
    w_.Map("Workstation", Col::kDeviceName);
  }
  if (const int ip = w_.Find("IpAddress"); ip >= 0) {
    std::string_view value = w_.event().data[static_cast<size_t>(ip)].value;
    if (value.size() > 7 && EqualsIgnoreCase(value.substr(0, 7), "::ffff:")) {
      value.remove_prefix(7);  // IPv4 mapped into IPv6, as the DC logs IPv4 clients
    }
    if (w_.SetText(Col::kIPAddress, value)) {
      w_.Consume(ip);
    }
  }
  w_.Map("IpPort", Col::kPort);
  if (event_id == 4769) {
    if (const std::string* service = w_.Value("ServiceName");
        service != nullptr && service->size() > 1 && service->back() == '$') {
      w_.SetString(Col::kTargetDeviceName,
                   std::string_view(*service).substr(0, service->size() - 1));
    }
  }
  w_.Finish(action);
}

void EventMapper::ServiceInstalled(std::string_view image_field, bool system_user_is_installer) {
  Begin(Table::kDeviceEvents);
  if (system_user_is_installer && !w_.event().user_sid.empty()) {
    w_.SetText(Col::kInitiatingProcessAccountSid, w_.event().user_sid);
    w_.ConsumeUserSid();
  }
  SubjectAsInitiating();
  // The service binary: the quoted or first path of the command line. The command line
  // itself stays in AdditionalFields.
  if (const std::string* image = w_.Value(image_field); image != nullptr && !IsEmptyValue(*image)) {
    std::string_view path = *image;
    if (path.front() == '"') {
      const size_t close = path.find('"', 1);
      path = path.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    } else {
      size_t exe = std::string_view::npos;
      for (size_t at = path.find('.'); at != std::string_view::npos; at = path.find('.', at + 1)) {
        if (EqualsIgnoreCase(path.substr(at, 5), ".exe ")) {
          exe = at;
          break;
        }
      }
      if (exe != std::string_view::npos) {
        path = path.substr(0, exe + 4);
      } else if (const size_t space = path.find(' ');
                 space != std::string_view::npos && path.find('\\') > space) {
        path = path.substr(0, space);  // "%COMSPEC% /C ..." : the first word
      }
    }
    w_.SetText(Col::kFolderPath, path);
    w_.SetText(Col::kFileName, PathFileName(path));
  }
  w_.Finish("ServiceInstalled");
}

// ---------------------------------------------------------------------------------------------
// Other providers

bool EventMapper::MapEventlog(const WinEvent& event) {
  if (event.event_id != 1102 && event.event_id != 104) {
    return false;
  }
  Begin(Table::kDeviceEvents);
  SubjectAsInitiating();
  w_.Finish(event.event_id == 1102 ? "SecurityLogCleared" : "EventLogCleared");
  return true;
}

bool EventMapper::MapServiceControlManager(const WinEvent& event) {
  if (event.event_id != 7045) {
    return false;
  }
  ServiceInstalled("ImagePath", true);
  return true;
}

void EventMapper::MapDefault(const WinEvent& event) {
  Begin(Table::kDeviceEvents);
  std::string& action = w_.action_buffer();
  if (!event.provider.empty()) {
    action = event.provider;
  } else if (!event.channel.empty()) {
    action = event.channel;
  } else {
    action = "Unknown";
  }
  action.push_back('-');
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), event.event_id);
  action.append(digits, end);
  w_.Finish(action);
}

}  // namespace

Normalizer::Normalizer(const schema::Catalog& catalog) : writer_(std::make_unique<RowWriter>()) {
  static_assert(kTables == internal::kTableCount);
  std::array<TableState*, internal::kTableCount>& direct = direct_;
  for (size_t i = 0; i < internal::kTableCount; ++i) {
    const schema::TableSchema* table = catalog.Find(internal::kTableNames[i]);
    if (table == nullptr) {
      continue;
    }
    tables_.push_back(std::make_unique<TableState>(*table));
    direct[i] = tables_.back().get();
  }
  const size_t fallback = static_cast<size_t>(Table::kDeviceEvents);
  for (size_t i = 0; i < internal::kTableCount; ++i) {
    route_[i] = direct[i] != nullptr ? direct[i] : direct[fallback];
    route_names_[i] = route_[i] == nullptr ? nullptr : &route_[i]->batch.schema().name();
  }
}

Normalizer::~Normalizer() = default;

const Normalizer::DeviceEntry* Normalizer::LookupDevice(const std::string& computer,
                                                        bool& first_seen) {
  first_seen = false;
  if (last_computer_ != nullptr && *last_computer_ == computer) {
    return last_device_;
  }
  auto it = devices_.find(computer);
  if (it == devices_.end()) {
    DeviceEntry entry;
    entry.name = computer;
    for (char& c : entry.name) {
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    entry.id = DeviceIdFor(entry.name);
    // Several spellings of one name ("WS1", "ws1") are one device.
    first_seen = seen_names_.insert(entry.name).second;
    it = devices_.emplace(computer, std::move(entry)).first;
  }
  last_computer_ = &it->first;
  last_device_ = &it->second;
  return last_device_;
}

void Normalizer::EmitDeviceInfo(const DeviceEntry& device, const WinEvent& event,
                                IngestReport& report) {
  TableState* table = route_[static_cast<size_t>(Table::kDeviceInfo)];
  if (table == nullptr || table != direct_[static_cast<size_t>(Table::kDeviceInfo)]) {
    return;  // no DeviceInfo table: nothing to say about devices
  }
  schema::TableBatch& batch = table->batch;
  batch.BeginRow();
  auto set_string = [&](Col col, std::string_view value) {
    const int index = table->cols[static_cast<size_t>(col)];
    if (index >= 0) {
      batch.SetBytes(static_cast<size_t>(index), value);
    }
  };
  auto set_int = [&](Col col, int64_t value) {
    const int index = table->cols[static_cast<size_t>(col)];
    if (index >= 0) {
      batch.SetInt(static_cast<size_t>(index), value);
    }
  };
  if (event.has_time_created) {
    set_int(Col::kTimestamp, event.time_created);
  }
  set_string(Col::kDeviceId, device.id);
  set_string(Col::kDeviceName, device.name);
  set_string(Col::kOSPlatform, "Windows");
  report.CountRows(batch.schema().name());
}

void Normalizer::Add(const WinEvent& event, IngestReport& report) {
  bool first_seen = false;
  const DeviceEntry* device =
      event.computer.empty() ? nullptr : LookupDevice(event.computer, first_seen);
  if (first_seen) {
    EmitDeviceInfo(*device, event, report);
  }
  writer_->SetEvent(event, device != nullptr ? std::string_view(device->name) : std::string_view(),
                    device != nullptr ? std::string_view(device->id) : std::string_view(), report);
  EventMapper mapper(*writer_, route_, route_names_);
  bool mapped = false;
  switch (Classify(event)) {
    case SourceKind::kSysmon:
      mapped = mapper.MapSysmon(event);
      break;
    case SourceKind::kSecurity:
      mapped = mapper.MapSecurity(event);
      break;
    case SourceKind::kEventlog:
      mapped = mapper.MapEventlog(event);
      break;
    case SourceKind::kServiceControlManager:
      mapped = mapper.MapServiceControlManager(event);
      break;
    case SourceKind::kOther:
      break;
  }
  if (!mapped) {
    mapper.MapDefault(event);
  }
}

void Normalizer::Drain(const BatchSink& sink, size_t min_rows) {
  for (const auto& table : tables_) {
    schema::TableBatch& batch = table->batch;
    if (batch.empty() || batch.rows() < min_rows) {
      continue;
    }
    sink(batch);
    batch.Clear();
  }
}

size_t Normalizer::pending_rows() const {
  size_t rows = 0;
  for (const auto& table : tables_) {
    rows += table->batch.rows();
  }
  return rows;
}

}  // namespace vigil::ingest
