#include "vigil/ingest/normalize/normalizer.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/ingest/normalize/field_transforms.h"

namespace vigil::ingest {
namespace {

WinEvent MakeEvent(std::string provider, std::string channel, int64_t event_id,
                   std::vector<std::pair<std::string, std::string>> data) {
  WinEvent event;
  event.provider = std::move(provider);
  event.channel = std::move(channel);
  event.event_id = event_id;
  event.computer = "WS01.Contoso.Local";
  event.time_created = *ParseDateTime("2024-05-01T10:00:00.5Z");
  event.has_time_created = true;
  event.record_id = 42;
  for (auto& [name, value] : data) {
    event.data.push_back({std::move(name), std::move(value)});
  }
  return event;
}

WinEvent Sysmon(int64_t id, std::vector<std::pair<std::string, std::string>> data) {
  return MakeEvent("Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational", id,
                   std::move(data));
}

WinEvent Security(int64_t id, std::vector<std::pair<std::string, std::string>> data) {
  return MakeEvent("Microsoft-Windows-Security-Auditing", "Security", id, std::move(data));
}

// Normalizes events and keeps the drained batches for inspection.
class Output {
 public:
  explicit Output(const std::vector<WinEvent>& events) {
    Normalizer normalizer(schema::Catalog::Default());
    for (const WinEvent& event : events) {
      normalizer.Add(event, report_);
    }
    pending_ = normalizer.pending_rows();
    normalizer.Drain([&](schema::TableBatch& batch) { batches_.push_back(batch); });
  }

  const schema::TableBatch* Table(std::string_view name) const {
    for (const auto& batch : batches_) {
      if (batch.schema().name() == name) {
        return &batch;
      }
    }
    return nullptr;
  }
  std::optional<std::string> Str(std::string_view table, std::string_view column,
                                 size_t row = 0) const {
    const schema::TableBatch* batch = Table(table);
    if (batch == nullptr || row >= batch->rows()) {
      return std::nullopt;
    }
    const int col = batch->schema().FindColumn(column);
    if (col < 0 || batch->column(static_cast<size_t>(col)).IsNull(row)) {
      return std::nullopt;
    }
    return std::string(batch->column(static_cast<size_t>(col)).GetBytes(row));
  }
  std::optional<int64_t> Int(std::string_view table, std::string_view column,
                             size_t row = 0) const {
    const schema::TableBatch* batch = Table(table);
    if (batch == nullptr || row >= batch->rows()) {
      return std::nullopt;
    }
    const int col = batch->schema().FindColumn(column);
    if (col < 0 || batch->column(static_cast<size_t>(col)).IsNull(row)) {
      return std::nullopt;
    }
    return batch->column(static_cast<size_t>(col)).ints[row];
  }
  size_t Rows(std::string_view table) const {
    const schema::TableBatch* batch = Table(table);
    return batch == nullptr ? 0 : batch->rows();
  }

  const IngestReport& report() const { return report_; }
  size_t pending() const { return pending_; }

 private:
  IngestReport report_;
  size_t pending_ = 0;
  std::vector<schema::TableBatch> batches_;
};

TEST(NormalizerTest, SysmonProcessCreate) {
  const Output out({Sysmon(1, {{"RuleName", "-"},
                               {"UtcTime", "2024-05-01 10:00:00.400"},
                               {"ProcessGuid", "{abc}"},
                               {"ProcessId", "4242"},
                               {"Image", "C:\\Windows\\System32\\cmd.exe"},
                               {"FileVersion", "10.0"},
                               {"Description", "Windows Command Processor"},
                               {"Product", "-"},
                               {"Company", "Microsoft Corporation"},
                               {"OriginalFileName", "Cmd.Exe"},
                               {"CommandLine", "cmd.exe /c whoami"},
                               {"User", "CONTOSO\\alice"},
                               {"LogonId", "0x3e7"},
                               {"TerminalSessionId", "1"},
                               {"IntegrityLevel", "High"},
                               {"Hashes", "MD5=AB,SHA256=CD,IMPHASH=EF"},
                               {"ParentProcessId", "100"},
                               {"ParentImage", "C:\\Windows\\explorer.exe"},
                               {"ParentCommandLine", "explorer.exe"},
                               {"ParentUser", "CONTOSO\\bob"}})});
  const std::string_view t = "DeviceProcessEvents";
  ASSERT_EQ(out.Rows(t), 1u);
  EXPECT_EQ(out.Str(t, "ActionType"), "ProcessCreated");
  EXPECT_EQ(out.Int(t, "Timestamp"), *ParseDateTime("2024-05-01T10:00:00.5Z"));
  EXPECT_EQ(out.Int(t, "ProcessCreationTime"), *ParseDateTime("2024-05-01T10:00:00.4Z"));
  EXPECT_EQ(out.Str(t, "DeviceName"), "ws01.contoso.local");
  EXPECT_EQ(out.Str(t, "DeviceId"), Sha1Hex("ws01.contoso.local"));
  EXPECT_EQ(out.Int(t, "ReportId"), 42);
  EXPECT_EQ(out.Str(t, "FileName"), "cmd.exe");
  EXPECT_EQ(out.Str(t, "FolderPath"), "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(out.Int(t, "ProcessId"), 4242);
  EXPECT_EQ(out.Str(t, "ProcessCommandLine"), "cmd.exe /c whoami");
  EXPECT_EQ(out.Str(t, "AccountDomain"), "CONTOSO");
  EXPECT_EQ(out.Str(t, "AccountName"), "alice");
  EXPECT_EQ(out.Int(t, "LogonId"), 999);
  EXPECT_EQ(out.Int(t, "CreatedProcessSessionId"), 1);
  EXPECT_EQ(out.Str(t, "ProcessIntegrityLevel"), "High");
  EXPECT_EQ(out.Str(t, "MD5"), "ab");
  EXPECT_EQ(out.Str(t, "SHA256"), "cd");
  EXPECT_EQ(out.Str(t, "SHA1"), std::nullopt);
  EXPECT_EQ(out.Str(t, "ProcessVersionInfoProductVersion"), "10.0");
  EXPECT_EQ(out.Str(t, "ProcessVersionInfoFileDescription"), "Windows Command Processor");
  EXPECT_EQ(out.Str(t, "ProcessVersionInfoProductName"), std::nullopt);  // "-"
  EXPECT_EQ(out.Str(t, "ProcessVersionInfoCompanyName"), "Microsoft Corporation");
  EXPECT_EQ(out.Str(t, "ProcessVersionInfoOriginalFileName"), "Cmd.Exe");
  EXPECT_EQ(out.Int(t, "InitiatingProcessId"), 100);
  EXPECT_EQ(out.Str(t, "InitiatingProcessFileName"), "explorer.exe");
  EXPECT_EQ(out.Str(t, "InitiatingProcessFolderPath"), "C:\\Windows\\explorer.exe");
  EXPECT_EQ(out.Str(t, "InitiatingProcessCommandLine"), "explorer.exe");
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountName"), "bob");
  EXPECT_EQ(out.Str(t, "AdditionalFields"),
            "{\"Provider\":\"Microsoft-Windows-Sysmon\",\"Channel\":\"Microsoft-Windows-Sysmon/"
            "Operational\",\"EventID\":1,\"Computer\":\"WS01.Contoso.Local\",\"RuleName\":\"-\","
            "\"ProcessGuid\":\"{abc}\",\"IMPHASH\":\"EF\"}");
  // DeviceInfo for the new device.
  ASSERT_EQ(out.Rows("DeviceInfo"), 1u);
  EXPECT_EQ(out.Str("DeviceInfo", "DeviceName"), "ws01.contoso.local");
  EXPECT_EQ(out.Str("DeviceInfo", "OSPlatform"), "Windows");
  EXPECT_EQ(out.report().rows_by_table().at("DeviceProcessEvents"), 1u);
  EXPECT_EQ(out.report().rows_by_table().at("DeviceInfo"), 1u);
  EXPECT_EQ(out.pending(), 2u);
}

TEST(NormalizerTest, UnconvertibleValuesStayInAdditionalFields) {
  const Output out(
      {Sysmon(1, {{"ProcessId", "12x"}, {"LogonId", "0xZZ"}, {"Image", "C:\\a.exe"}})});
  const std::string_view t = "DeviceProcessEvents";
  EXPECT_EQ(out.Int(t, "ProcessId"), std::nullopt);
  EXPECT_EQ(out.Int(t, "LogonId"), std::nullopt);
  const std::string af = out.Str(t, "AdditionalFields").value_or("");
  EXPECT_NE(af.find("\"ProcessId\":\"12x\""), std::string::npos) << af;
  EXPECT_NE(af.find("\"LogonId\":\"0xZZ\""), std::string::npos) << af;
  EXPECT_EQ(af.find("\"Image\""), std::string::npos) << af;
}

TEST(NormalizerTest, NetworkDirections) {
  const Output out({Sysmon(3, {{"Image", "C:\\x.exe"},
                               {"Protocol", "tcp"},
                               {"Initiated", "true"},
                               {"SourceIp", "10.0.0.5"},
                               {"SourcePort", "50000"},
                               {"DestinationIp", "8.8.8.8"},
                               {"DestinationHostname", "dns.google"},
                               {"DestinationPort", "443"}}),
                    Sysmon(3, {{"Initiated", "false"},
                               {"SourceIp", "10.0.0.5"},
                               {"SourcePort", "3389"},
                               {"DestinationIp", "10.0.0.9"},
                               {"DestinationPort", "50001"}}),
                    Security(5156, {{"Direction", "%%14592"},
                                    {"SourceAddress", "10.0.0.9"},
                                    {"SourcePort", "50002"},
                                    {"DestAddress", "10.0.0.5"},
                                    {"DestPort", "445"},
                                    {"Protocol", "6"}})});
  const std::string_view t = "DeviceNetworkEvents";
  ASSERT_EQ(out.Rows(t), 3u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "ConnectionSuccess");
  EXPECT_EQ(out.Str(t, "Protocol", 0), "Tcp");
  EXPECT_EQ(out.Str(t, "RemoteIP", 0), "8.8.8.8");
  EXPECT_EQ(out.Int(t, "RemotePort", 0), 443);
  EXPECT_EQ(out.Str(t, "RemoteUrl", 0), "dns.google");
  EXPECT_EQ(out.Str(t, "RemoteIPType", 0), "Public");
  EXPECT_EQ(out.Str(t, "LocalIPType", 0), "Private");
  EXPECT_EQ(out.Str(t, "InitiatingProcessFileName", 0), "x.exe");
  EXPECT_EQ(out.Str(t, "ActionType", 1), "InboundConnectionAccepted");
  EXPECT_EQ(out.Int(t, "LocalPort", 1), 3389);
  EXPECT_EQ(out.Str(t, "RemoteIP", 1), "10.0.0.9");
  // WFP: Source is the remote end of an inbound connection.
  EXPECT_EQ(out.Str(t, "ActionType", 2), "InboundConnectionAccepted");
  EXPECT_EQ(out.Str(t, "LocalIP", 2), "10.0.0.5");
  EXPECT_EQ(out.Int(t, "LocalPort", 2), 445);
  EXPECT_EQ(out.Str(t, "RemoteIP", 2), "10.0.0.9");
}

TEST(NormalizerTest, RegistryActionsAndHives) {
  const Output out(
      {Sysmon(12, {{"EventType", "CreateKey"}, {"TargetObject", "HKLM\\SOFTWARE\\Evil"}}),
       Sysmon(12, {{"EventType", "DeleteValue"},
                   {"TargetObject", "HKU\\S-1-5-21-1\\Software\\Run\\x"}}),
       Sysmon(13, {{"EventType", "SetValue"},
                   {"TargetObject", "HKCU\\Software\\Run\\evil"},
                   {"Details", "DWORD (0x00000010)"}}),
       Sysmon(14,
              {{"EventType", "RenameKey"}, {"TargetObject", "HKCR\\a"}, {"NewName", "HKCR\\b"}})});
  const std::string_view t = "DeviceRegistryEvents";
  ASSERT_EQ(out.Rows(t), 4u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "RegistryKeyCreated");
  EXPECT_EQ(out.Str(t, "RegistryKey", 0), "HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil");
  EXPECT_EQ(out.Str(t, "RegistryValueName", 0), std::nullopt);
  EXPECT_EQ(out.Str(t, "ActionType", 1), "RegistryValueDeleted");
  EXPECT_EQ(out.Str(t, "RegistryKey", 1), "HKEY_USERS\\S-1-5-21-1\\Software\\Run");
  EXPECT_EQ(out.Str(t, "RegistryValueName", 1), "x");
  EXPECT_EQ(out.Str(t, "ActionType", 2), "RegistryValueSet");
  EXPECT_EQ(out.Str(t, "RegistryKey", 2), "HKEY_CURRENT_USER\\Software\\Run");
  EXPECT_EQ(out.Str(t, "RegistryValueName", 2), "evil");
  EXPECT_EQ(out.Str(t, "RegistryValueType", 2), "Dword");
  EXPECT_EQ(out.Str(t, "RegistryValueData", 2), "16");
  EXPECT_NE(out.Str(t, "AdditionalFields", 2)->find("\"Details\":\"DWORD (0x00000010)\""),
            std::string::npos);
  EXPECT_EQ(out.Str(t, "ActionType", 3), "RegistryKeyRenamed");
  EXPECT_EQ(out.Str(t, "PreviousRegistryKey", 3), "HKEY_CLASSES_ROOT\\a");
  EXPECT_EQ(out.Str(t, "RegistryKey", 3), "HKEY_CLASSES_ROOT\\b");
}

TEST(NormalizerTest, ApiCallsAndPipes) {
  const Output out({Sysmon(10, {{"SourceProcessId", "0x10"},
                                {"SourceImage", "C:\\tools\\mimi.exe"},
                                {"TargetProcessId", "700"},
                                {"TargetImage", "C:\\Windows\\system32\\lsass.exe"},
                                {"GrantedAccess", "0x1010"}}),
                    Sysmon(8, {{"SourceImage", "C:\\a.exe"}, {"TargetImage", "C:\\b.exe"}}),
                    Sysmon(17, {{"PipeName", "\\evil"}, {"Image", "C:\\a.exe"}}),
                    Sysmon(22, {{"QueryName", "example.com"}, {"QueryResults", "1.2.3.4;"}})});
  const std::string_view t = "DeviceEvents";
  ASSERT_EQ(out.Rows(t), 4u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "OpenProcessApiCall");
  EXPECT_EQ(out.Int(t, "InitiatingProcessId", 0), 16);
  EXPECT_EQ(out.Str(t, "InitiatingProcessFileName", 0), "mimi.exe");
  EXPECT_EQ(out.Str(t, "FileName", 0), "lsass.exe");
  EXPECT_EQ(out.Int(t, "ProcessId", 0), 700);
  EXPECT_NE(out.Str(t, "AdditionalFields", 0)->find("\"GrantedAccess\":\"0x1010\""),
            std::string::npos);
  EXPECT_EQ(out.Str(t, "ActionType", 1), "CreateRemoteThreadApiCall");
  EXPECT_EQ(out.Str(t, "ActionType", 2), "NamedPipeEvent");
  EXPECT_NE(out.Str(t, "AdditionalFields", 2)->find("\"PipeName\":\"\\\\evil\""),
            std::string::npos);
  EXPECT_NE(out.Str(t, "AdditionalFields", 2)->find("\"NamedPipeEnd\":\"Server\""),
            std::string::npos);
  EXPECT_EQ(out.Str(t, "ActionType", 3), "DnsQueryResponse");
  EXPECT_EQ(out.Str(t, "RemoteUrl", 3), "example.com");
  EXPECT_NE(out.Str(t, "AdditionalFields", 3)->find("\"QueryResults\":\"1.2.3.4;\""),
            std::string::npos);
}

TEST(NormalizerTest, SecurityLogons) {
  const Output out({Security(4624, {{"SubjectUserSid", "S-1-0-0"},
                                    {"TargetUserSid", "S-1-5-21-1-1001"},
                                    {"TargetUserName", "alice"},
                                    {"TargetDomainName", "CONTOSO"},
                                    {"TargetLogonId", "0x1a2b"},
                                    {"LogonType", "10"},
                                    {"AuthenticationPackageName", "Negotiate"},
                                    {"WorkstationName", "LAPTOP7"},
                                    {"ProcessId", "0x0"},
                                    {"IpAddress", "192.168.1.50"},
                                    {"IpPort", "51000"},
                                    {"ElevatedToken", "%%1842"}}),
                    Security(4625, {{"TargetUserName", "bob"},
                                    {"Status", "0xc000006d"},
                                    {"SubStatus", "0xc0000064"},
                                    {"LogonType", "3"},
                                    {"IpAddress", "-"}})});
  const std::string_view t = "DeviceLogonEvents";
  ASSERT_EQ(out.Rows(t), 2u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "LogonSuccess");
  EXPECT_EQ(out.Str(t, "LogonType", 0), "RemoteInteractive");
  EXPECT_EQ(out.Str(t, "AccountName", 0), "alice");
  EXPECT_EQ(out.Str(t, "AccountDomain", 0), "CONTOSO");
  EXPECT_EQ(out.Str(t, "AccountSid", 0), "S-1-5-21-1-1001");
  EXPECT_EQ(out.Int(t, "LogonId", 0), 0x1a2b);
  EXPECT_EQ(out.Str(t, "Protocol", 0), "Negotiate");
  EXPECT_EQ(out.Str(t, "RemoteDeviceName", 0), "LAPTOP7");
  EXPECT_EQ(out.Str(t, "RemoteIP", 0), "192.168.1.50");
  EXPECT_EQ(out.Int(t, "RemotePort", 0), 51000);
  EXPECT_EQ(out.Int(t, "IsLocalAdmin", 0), 1);
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountSid", 0), std::nullopt);  // NULL SID
  EXPECT_EQ(out.Int(t, "InitiatingProcessId", 0), std::nullopt);          // pid 0
  EXPECT_EQ(out.Str(t, "ActionType", 1), "LogonFailed");
  EXPECT_EQ(out.Str(t, "FailureReason", 1), "UnknownUser");
  EXPECT_EQ(out.Str(t, "LogonType", 1), "Network");
  EXPECT_EQ(out.Str(t, "RemoteIP", 1), std::nullopt);
}

TEST(NormalizerTest, SecurityProcessCreateUsesTargetOrSubject) {
  const Output out({Security(4688, {{"SubjectUserSid", "S-1-5-18"},
                                    {"SubjectUserName", "WS01$"},
                                    {"SubjectDomainName", "CONTOSO"},
                                    {"SubjectLogonId", "0x3e7"},
                                    {"NewProcessId", "0x1f4"},
                                    {"NewProcessName", "C:\\Windows\\System32\\whoami.exe"},
                                    {"TokenElevationType", "%%1937"},
                                    {"ProcessId", "0x64"},
                                    {"CommandLine", "whoami /all"},
                                    {"TargetUserSid", "S-1-0-0"},
                                    {"ParentProcessName", "C:\\Windows\\System32\\cmd.exe"},
                                    {"MandatoryLabel", "S-1-16-12288"}})});
  const std::string_view t = "DeviceProcessEvents";
  ASSERT_EQ(out.Rows(t), 1u);
  EXPECT_EQ(out.Int(t, "ProcessId"), 500);
  EXPECT_EQ(out.Int(t, "InitiatingProcessId"), 100);
  EXPECT_EQ(out.Str(t, "FileName"), "whoami.exe");
  EXPECT_EQ(out.Str(t, "InitiatingProcessFileName"), "cmd.exe");
  EXPECT_EQ(out.Str(t, "ProcessTokenElevation"), "TokenElevationTypeFull");
  EXPECT_EQ(out.Str(t, "ProcessIntegrityLevel"), "High");
  EXPECT_EQ(out.Str(t, "AccountName"), "WS01$");  // NULL-SID target: runs as the creator
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountName"), "WS01$");
  EXPECT_EQ(out.Int(t, "InitiatingProcessLogonId"), 999);
}

TEST(NormalizerTest, IdentityEvents) {
  WinEvent tgs = Security(4769, {{"TargetUserName", "alice@CONTOSO.LOCAL"},
                                 {"ServiceName", "SRV01$"},
                                 {"IpAddress", "::ffff:10.0.0.7"},
                                 {"IpPort", "50000"},
                                 {"Status", "0x0"}});
  WinEvent group = Security(4728, {{"MemberName", "CN=Alice,OU=Users,DC=contoso,DC=local"},
                                   {"MemberSid", "S-1-5-21-1-1001"},
                                   {"TargetUserName", "Domain Admins"}});
  const Output out({tgs, group});
  EXPECT_EQ(out.Str("IdentityLogonEvents", "ActionType"), "LogonSuccess");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "Protocol"), "Kerberos");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "AccountName"), "alice");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "AccountDomain"), "CONTOSO.LOCAL");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "IPAddress"), "10.0.0.7");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "TargetDeviceName"), "SRV01");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "DestinationDeviceName"), "ws01.contoso.local");
  EXPECT_EQ(out.Str("IdentityLogonEvents", "ReportId"), "42");  // string in Identity tables
  EXPECT_EQ(out.Str("IdentityDirectoryEvents", "ActionType"), "Group Membership changed");
  EXPECT_EQ(out.Str("IdentityDirectoryEvents", "AccountName"), "Alice");
  EXPECT_EQ(out.Str("IdentityDirectoryEvents", "AccountSid"), "S-1-5-21-1-1001");
  // AdditionalFields is dynamic in IdentityDirectoryEvents: stored as a JSON object.
  const std::string af = out.Str("IdentityDirectoryEvents", "AdditionalFields").value_or("");
  EXPECT_NE(af.find("\"TO.GROUP\":\"Domain Admins\""), std::string::npos) << af;
}

TEST(NormalizerTest, ServiceTaskAndLogClear) {
  WinEvent scm = MakeEvent("Service Control Manager", "System", 7045,
                           {{"ServiceName", "evil"},
                            {"ImagePath", "\"C:\\Program Files\\evil\\evil.exe\" -k run"},
                            {"ServiceType", "user mode service"},
                            {"StartType", "auto start"},
                            {"AccountName", "LocalSystem"}});
  scm.user_sid = "S-1-5-21-1-500";
  WinEvent clear = MakeEvent("Microsoft-Windows-Eventlog", "Security", 1102,
                             {{"SubjectUserSid", "S-1-5-21-1-500"}, {"SubjectUserName", "admin"}});
  const Output out(
      {scm, Security(4698, {{"SubjectUserName", "alice"}, {"TaskName", "\\t"}}), clear});
  const std::string_view t = "DeviceEvents";
  ASSERT_EQ(out.Rows(t), 3u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "ServiceInstalled");
  EXPECT_EQ(out.Str(t, "FolderPath", 0), "C:\\Program Files\\evil\\evil.exe");
  EXPECT_EQ(out.Str(t, "FileName", 0), "evil.exe");
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountSid", 0), "S-1-5-21-1-500");
  const std::string af = *out.Str(t, "AdditionalFields", 0);
  EXPECT_NE(af.find("\"ServiceName\":\"evil\""), std::string::npos) << af;
  EXPECT_NE(af.find("\"ImagePath\""), std::string::npos) << af;
  EXPECT_EQ(af.find("\"UserID\""), std::string::npos) << af;
  EXPECT_EQ(out.Str(t, "ActionType", 1), "ScheduledTaskCreated");
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountName", 1), "alice");
  EXPECT_EQ(out.Str(t, "ActionType", 2), "SecurityLogCleared");
  EXPECT_EQ(out.Str(t, "InitiatingProcessAccountName", 2), "admin");
}

TEST(NormalizerTest, UnmappedEventBecomesDeviceEvent) {
  WinEvent event =
      MakeEvent("Microsoft-Windows-PowerShell", "Microsoft-Windows-PowerShell/Operational", 4104,
                {{"ScriptBlockText", "Write-Host \"hi\"\n"}});
  event.extra.push_back({"Hostname", "ws01"});
  event.extra.push_back({"ScriptBlockText", "collides"});
  WinEvent nameless = event;
  nameless.provider.clear();
  nameless.channel.clear();
  const Output out({event, nameless});
  const std::string_view t = "DeviceEvents";
  ASSERT_EQ(out.Rows(t), 2u);
  EXPECT_EQ(out.Str(t, "ActionType", 0), "Microsoft-Windows-PowerShell-4104");
  EXPECT_EQ(out.Str(t, "ActionType", 1), "Unknown-4104");
  EXPECT_EQ(out.Str(t, "AdditionalFields", 0),
            "{\"Provider\":\"Microsoft-Windows-PowerShell\",\"Channel\":\"Microsoft-Windows-"
            "PowerShell/Operational\",\"EventID\":4104,\"Computer\":\"WS01.Contoso.Local\","
            "\"ScriptBlockText\":\"Write-Host \\\"hi\\\"\\n\",\"Hostname\":\"ws01\","
            "\"Extra.ScriptBlockText\":\"collides\"}");
}

TEST(NormalizerTest, DeviceInfoOncePerDevice) {
  WinEvent a = Sysmon(5, {});
  WinEvent b = Sysmon(5, {});
  b.computer = "ws01.contoso.local";  // same device, other spelling
  WinEvent c = Sysmon(5, {});
  c.computer = "WS02";
  WinEvent d = Sysmon(5, {});
  d.computer.clear();
  const Output out({a, b, c, d, a});
  EXPECT_EQ(out.Rows("DeviceProcessEvents"), 5u);
  ASSERT_EQ(out.Rows("DeviceInfo"), 2u);
  EXPECT_EQ(out.Str("DeviceInfo", "DeviceName", 0), "ws01.contoso.local");
  EXPECT_EQ(out.Str("DeviceInfo", "DeviceName", 1), "ws02");
  EXPECT_EQ(out.Str("DeviceProcessEvents", "DeviceId", 0),
            out.Str("DeviceProcessEvents", "DeviceId", 1));
  EXPECT_EQ(out.Str("DeviceProcessEvents", "DeviceName", 3), std::nullopt);
}

TEST(NormalizerTest, DrainHonoursMinRows) {
  Normalizer normalizer(schema::Catalog::Default());
  IngestReport report;
  for (int i = 0; i < 3; ++i) {
    normalizer.Add(Sysmon(5, {}), report);
  }
  normalizer.Add(Sysmon(11, {{"TargetFilename", "C:\\x"}}), report);
  EXPECT_EQ(normalizer.pending_rows(), 5u);  // 3 + 1 + DeviceInfo
  std::vector<std::string> drained;
  normalizer.Drain([&](schema::TableBatch& batch) { drained.push_back(batch.schema().name()); }, 3);
  EXPECT_EQ(drained, std::vector<std::string>{"DeviceProcessEvents"});
  EXPECT_EQ(normalizer.pending_rows(), 2u);
  drained.clear();
  normalizer.Drain([&](schema::TableBatch& batch) { drained.push_back(batch.schema().name()); });
  EXPECT_EQ(drained, (std::vector<std::string>{"DeviceFileEvents", "DeviceInfo"}));
  EXPECT_EQ(normalizer.pending_rows(), 0u);
  EXPECT_EQ(report.TotalRows(), 5u);
}

TEST(NormalizerTest, MissingTablesFallBackToDeviceEvents) {
  auto catalog = schema::Catalog::Parse(
      "table DeviceEvents\nTimestamp datetime\nDeviceName string\nActionType string\n"
      "FileName string\nAdditionalFields dynamic\n");
  ASSERT_TRUE(catalog.has_value());
  Normalizer normalizer(**catalog);
  IngestReport report;
  normalizer.Add(Sysmon(1, {{"Image", "C:\\a.exe"}, {"ProcessId", "7"}}), report);
  size_t rows = 0;
  normalizer.Drain([&](schema::TableBatch& batch) {
    EXPECT_EQ(batch.schema().name(), "DeviceEvents");
    rows += batch.rows();
  });
  EXPECT_EQ(rows, 1u);  // no DeviceInfo table: no DeviceInfo row
  EXPECT_EQ(report.rows_by_table().at("DeviceEvents"), 1u);
  EXPECT_EQ(report.skipped(), 0u);

  auto empty =
      schema::Catalog::Parse("table Other\nTimestamp datetime\nAdditionalFields dynamic\n");
  ASSERT_TRUE(empty.has_value());
  Normalizer nowhere(**empty);
  IngestReport skipped;
  nowhere.Add(Sysmon(1, {}), skipped);
  EXPECT_EQ(skipped.skipped(), 1u);
  EXPECT_EQ(nowhere.pending_rows(), 0u);
}

}  // namespace
}  // namespace vigil::ingest
