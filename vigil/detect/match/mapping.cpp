#include "vigil/detect/match/mapping.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace vigil::detect::match {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::string_view kSysmonChannel = "Microsoft-Windows-Sysmon/Operational";

struct CategoryEntry {
  std::string_view category;
  std::string_view table;
  FieldContext context;
  std::vector<std::string_view> action_types;
  std::vector<int64_t> event_ids;
};

const std::vector<CategoryEntry>& Categories() {
  static const auto* entries = new std::vector<CategoryEntry>{
      {"process_creation", "DeviceProcessEvents", FieldContext::kProcess, {"ProcessCreated"}, {}},
      {"process_termination",
       "DeviceProcessEvents",
       FieldContext::kProcess,
       {"ProcessTerminated"},
       {}},
      {"network_connection",
       "DeviceNetworkEvents",
       FieldContext::kNetwork,
       {"ConnectionSuccess", "InboundConnectionAccepted"},
       {}},
      {"file_event", "DeviceFileEvents", FieldContext::kFile, {"FileCreated"}, {}},
      {"file_change", "DeviceFileEvents", FieldContext::kFile, {"FileCreationTimeChanged"}, {}},
      {"file_delete", "DeviceFileEvents", FieldContext::kFile, {"FileDeleted"}, {}},
      {"file_delete_detected", "DeviceFileEvents", FieldContext::kFile, {"FileDeleted"}, {26}},
      {"create_stream_hash", "DeviceFileEvents", FieldContext::kFile, {"FileStreamCreated"}, {}},
      {"registry_event", "DeviceRegistryEvents", FieldContext::kRegistry, {}, {}},
      {"registry_add", "DeviceRegistryEvents", FieldContext::kRegistry, {"RegistryKeyCreated"}, {}},
      {"registry_delete",
       "DeviceRegistryEvents",
       FieldContext::kRegistry,
       {"RegistryKeyDeleted", "RegistryValueDeleted"},
       {}},
      {"registry_set", "DeviceRegistryEvents", FieldContext::kRegistry, {"RegistryValueSet"}, {}},
      {"registry_rename",
       "DeviceRegistryEvents",
       FieldContext::kRegistry,
       {"RegistryKeyRenamed"},
       {}},
      {"image_load", "DeviceImageLoadEvents", FieldContext::kImageLoad, {"ImageLoaded"}, {}},
      {"driver_load", "DeviceEvents", FieldContext::kDeviceObject, {"DriverLoad"}, {}},
      {"process_access", "DeviceEvents", FieldContext::kProcessAccess, {"OpenProcessApiCall"}, {}},
      {"create_remote_thread",
       "DeviceEvents",
       FieldContext::kProcessAccess,
       {"CreateRemoteThreadApiCall"},
       {}},
      {"raw_access_thread", "DeviceEvents", FieldContext::kDevice, {"RawAccessRead"}, {}},
      {"pipe_created", "DeviceEvents", FieldContext::kDevice, {"NamedPipeEvent"}, {}},
      {"wmi_event",
       "DeviceEvents",
       FieldContext::kDevice,
       {"WmiEventFilterRegistered", "WmiEventConsumerRegistered", "WmiBindEventFilterToConsumer"},
       {}},
      {"dns_query", "DeviceEvents", FieldContext::kDevice, {"DnsQueryResponse"}, {}},
      {"clipboard_change", "DeviceEvents", FieldContext::kDevice, {"ClipboardChanged"}, {}},
      {"process_tampering", "DeviceEvents", FieldContext::kDeviceObject, {"ProcessTampering"}, {}},
      {"file_block_executable",
       "DeviceEvents",
       FieldContext::kDeviceObject,
       {"FileBlockExecutable"},
       {}},
      {"file_block_shredding",
       "DeviceEvents",
       FieldContext::kDeviceObject,
       {"FileBlockShredding"},
       {}},
      {"file_executable_detected",
       "DeviceEvents",
       FieldContext::kDeviceObject,
       {"FileExecutableDetected"},
       {}},
      {"sysmon_status",
       "DeviceEvents",
       FieldContext::kDevice,
       {"SysmonServiceStateChanged", "SysmonConfigurationChanged"},
       {}},
      {"sysmon_error", "DeviceEvents", FieldContext::kDevice, {"SysmonError"}, {}},
      {"ps_script",
       "DeviceEvents",
       FieldContext::kDevice,
       {"Microsoft-Windows-PowerShell-4104", "PowerShellCore-4104"},
       {}},
      {"ps_module",
       "DeviceEvents",
       FieldContext::kDevice,
       {"Microsoft-Windows-PowerShell-4103", "PowerShellCore-4103"},
       {}},
      {"ps_classic_start", "DeviceEvents", FieldContext::kDevice, {"PowerShell-400"}, {}},
      {"ps_classic_provider_start", "DeviceEvents", FieldContext::kDevice, {"PowerShell-600"}, {}},
      {"ps_classic_script", "DeviceEvents", FieldContext::kDevice, {"PowerShell-800"}, {}},
  };
  return *entries;
}

struct ServiceEntry {
  std::string_view service;
  std::vector<std::string_view> channels;
};

// Windows services -> event log channels (SigmaHQ tests/thor.yml).
const std::vector<ServiceEntry>& Services() {
  static const auto* entries = new std::vector<ServiceEntry>{
      {"security", {"Security"}},
      {"system", {"System"}},
      {"application", {"Application"}},
      {"sysmon", {kSysmonChannel}},
      {"ntlm", {"Microsoft-Windows-NTLM/Operational"}},
      {"powershell", {"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"}},
      {"powershell-classic", {"Windows PowerShell"}},
      {"taskscheduler", {"Microsoft-Windows-TaskScheduler/Operational"}},
      {"wmi", {"Microsoft-Windows-WMI-Activity/Operational"}},
      {"dhcp", {"Microsoft-Windows-DHCP-Server/Operational"}},
      {"printservice-admin", {"Microsoft-Windows-PrintService/Admin"}},
      {"printservice-operational", {"Microsoft-Windows-PrintService/Operational"}},
      {"smbclient-security", {"Microsoft-Windows-SmbClient/Security"}},
      {"smbclient-connectivity", {"Microsoft-Windows-SmbClient/Connectivity"}},
      {"smbserver-connectivity", {"Microsoft-Windows-SMBServer/Connectivity"}},
      {"terminalservices-localsessionmanager",
       {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"}},
      {"codeintegrity-operational", {"Microsoft-Windows-CodeIntegrity/Operational"}},
      {"applocker",
       {"Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL",
        "Microsoft-Windows-AppLocker/Packaged app-Deployment",
        "Microsoft-Windows-AppLocker/Packaged app-Execution"}},
      {"msexchange-management", {"MSExchange Management"}},
      {"windefend", {"Microsoft-Windows-Windows Defender/Operational"}},
      {"firewall-as", {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"}},
      {"bits-client", {"Microsoft-Windows-Bits-Client/Operational"}},
      {"security-mitigations",
       {"Microsoft-Windows-Security-Mitigations/Kernel Mode",
        "Microsoft-Windows-Security-Mitigations/User Mode"}},
      {"diagnosis-scripted", {"Microsoft-Windows-Diagnosis-Scripted/Operational"}},
      {"shell-core", {"Microsoft-Windows-Shell-Core/Operational"}},
      {"openssh", {"OpenSSH/Operational"}},
      {"ldap", {"Microsoft-Windows-LDAP-Client/Debug"}},
      {"bitlocker", {"Microsoft-Windows-BitLocker/BitLocker Management"}},
      {"vhdmp", {"Microsoft-Windows-VHDMP/Operational"}},
      {"appxdeployment-server", {"Microsoft-Windows-AppXDeploymentServer/Operational"}},
      {"lsa-server", {"Microsoft-Windows-LSA/Operational"}},
      {"appxpackaging-om", {"Microsoft-Windows-AppxPackaging/Operational"}},
      {"dns-client", {"Microsoft-Windows-DNS Client Events/Operational"}},
      {"appmodel-runtime", {"Microsoft-Windows-AppModel-Runtime/Admin"}},
      {"capi2", {"Microsoft-Windows-CAPI2/Operational"}},
      {"certificateservicesclient-lifecycle-system",
       {"Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"}},
      {"kernel-shimengine",
       {"Microsoft-Windows-Kernel-ShimEngine/Operational",
        "Microsoft-Windows-Kernel-ShimEngine/Diagnostic"}},
      {"application-experience",
       {"Microsoft-Windows-Application-Experience/Program-Telemetry",
        "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant"}},
      {"ntfs", {"Microsoft-Windows-Ntfs/Operational"}},
      {"hyper-v-worker", {"Microsoft-Windows-Hyper-V-Worker"}},
      {"kernel-event-tracing", {"Microsoft-Windows-Kernel-EventTracing"}},
      {"sense", {"Microsoft-Windows-SENSE/Operational"}},
      {"servicebus-client",
       {"Microsoft-ServiceBus-Client/Admin", "Microsoft-ServiceBus-Client/Operational"}},
      // The older name of servicebus-client, still used by SigmaHQ rules.
      {"microsoft-servicebus-client",
       {"Microsoft-ServiceBus-Client/Admin", "Microsoft-ServiceBus-Client/Operational"}},
      {"iis-configuration", {"Microsoft-IIS-Configuration/Operational"}},
  };
  return *entries;
}

// Tables a Windows event can land in, with the context used for service-only rules.
constexpr std::array<std::pair<std::string_view, FieldContext>, 9> kEventTables{{
    {"DeviceProcessEvents", FieldContext::kProcess},
    {"DeviceNetworkEvents", FieldContext::kNetwork},
    {"DeviceFileEvents", FieldContext::kFile},
    {"DeviceRegistryEvents", FieldContext::kRegistry},
    {"DeviceImageLoadEvents", FieldContext::kImageLoad},
    {"DeviceLogonEvents", FieldContext::kLogon},
    {"DeviceEvents", FieldContext::kDevice},
    {"IdentityLogonEvents", FieldContext::kIdentity},
    {"IdentityDirectoryEvents", FieldContext::kIdentity},
}};

}  // namespace

std::string LogSourceName(const sigma::LogSource& logsource) {
  std::string name = logsource.product.empty() ? "*" : logsource.product;
  if (!logsource.category.empty()) {
    name += "/" + logsource.category;
  }
  if (!logsource.service.empty()) {
    name += "/" + logsource.service;
  }
  return name;
}

Result<std::vector<Target>> MapLogSource(const sigma::LogSource& logsource,
                                         const schema::Catalog& catalog) {
  if (!logsource.product.empty() && !IEquals(logsource.product, "windows")) {
    return NotFoundError("logsource '{}': product '{}' has no table (only windows is mapped)",
                         LogSourceName(logsource), logsource.product);
  }
  std::vector<std::string> channels;
  if (!logsource.service.empty()) {
    const auto& services = Services();
    auto it = std::find_if(services.begin(), services.end(), [&](const ServiceEntry& e) {
      return IEquals(e.service, logsource.service);
    });
    if (it == services.end()) {
      return NotFoundError(
          "logsource '{}': unknown service '{}' (no event log channel known for it; SigmaHQ "
          "tests/thor.yml names none)",
          LogSourceName(logsource), logsource.service);
    }
    channels.assign(it->channels.begin(), it->channels.end());
  }
  std::vector<Target> targets;
  if (!logsource.category.empty()) {
    const auto& categories = Categories();
    auto it = std::find_if(categories.begin(), categories.end(), [&](const CategoryEntry& e) {
      return IEquals(e.category, logsource.category);
    });
    if (it == categories.end()) {
      return NotFoundError("logsource '{}': category '{}' has no table", LogSourceName(logsource),
                           logsource.category);
    }
    const schema::TableSchema* table = catalog.Find(it->table);
    if (table == nullptr) {
      return NotFoundError("logsource '{}': table '{}' is not in the catalog",
                           LogSourceName(logsource), it->table);
    }
    Target target;
    target.table = table;
    target.context = it->context;
    target.constraint.action_types.assign(it->action_types.begin(), it->action_types.end());
    target.constraint.event_ids = it->event_ids;
    target.constraint.channels = channels;
    targets.push_back(std::move(target));
    return targets;
  }
  // `product: windows` alone (keyword rules) covers every Windows event; a logsource with no
  // product, category or service says nothing about where to look.
  if (channels.empty() && logsource.product.empty()) {
    return NotFoundError("logsource '{}': neither product, category nor service",
                         LogSourceName(logsource));
  }
  for (const auto& [name, context] : kEventTables) {
    const schema::TableSchema* table = catalog.Find(name);
    if (table == nullptr) {
      continue;
    }
    Target target;
    target.table = table;
    target.context = context;
    target.constraint.channels = channels;
    targets.push_back(std::move(target));
  }
  if (targets.empty()) {
    return NotFoundError("logsource '{}': no event table in the catalog", LogSourceName(logsource));
  }
  return targets;
}

}  // namespace vigil::detect::match
