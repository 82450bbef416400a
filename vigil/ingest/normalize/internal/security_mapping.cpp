// EventMapper members for Windows Security auditing events about the device itself (process,
// logon, registry, firewall, share, service, scheduled task) and for the Eventlog and Service
// Control Manager providers, which share the service-install mapping.
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

}  // namespace vigil::ingest::internal
