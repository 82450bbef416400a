#include "apps/vigil/demo_data.h"

#include <fstream>
#include <random>

#include <fmt/format.h>

#include "vigil/base/time.h"
#include "vigil/schema/row_json.h"

namespace vigil::app {
namespace {

struct Host {
  std::string name;  // NetBIOS
  std::string fqdn;
  std::string ip;
  std::string user;
  std::string user_sid;
};

const std::vector<Host>& Hosts() {
  static const std::vector<Host> hosts = {
      {"WS-0142", "ws-0142.contoso.local", "10.0.1.42", "jdoe",
       "S-1-5-21-1004336348-1177238915-682003330-1142"},
      {"WS-0187", "ws-0187.contoso.local", "10.0.1.87", "asmith",
       "S-1-5-21-1004336348-1177238915-682003330-1187"},
      {"WS-0203", "ws-0203.contoso.local", "10.0.1.103", "mlopez",
       "S-1-5-21-1004336348-1177238915-682003330-1203"},
  };
  return hosts;
}

const Host kDc{"DC01", "dc01.contoso.local", "10.0.0.10", "", ""};

// Sysmon's UtcTime form: "2026-11-20 09:12:03.123".
std::string SysmonTime(int64_t ticks) {
  std::string iso = FormatDateTime(ticks);  // 2026-11-20T09:12:03.1230000Z
  return iso.substr(0, 10) + " " + iso.substr(11, 12);
}

std::string Guid(std::mt19937_64& rng) {
  const uint64_t a = rng();
  const uint64_t b = rng();
  return fmt::format("{{{:08x}-{:04x}-{:04x}-{:04x}-{:012x}}}", a >> 32, (a >> 16) & 0xffff,
                     a & 0xffff, b >> 48, b & 0xffffffffffffULL);
}

std::string Hashes(std::mt19937_64& rng) {
  auto hex = [&rng](int bytes) {
    std::string out;
    for (int i = 0; i < bytes; i += 8) {
      out += fmt::format("{:016X}", rng());
    }
    return out.substr(0, static_cast<size_t>(bytes) * 2);
  };
  return fmt::format("SHA1={},MD5={},SHA256={},IMPHASH={}", hex(20), hex(16), hex(32), hex(16));
}

class JsonLineWriter {
 public:
  explicit JsonLineWriter(std::ofstream& out) : out_(out) {}
  void Event(const Host& host, int64_t ticks, int event_id,
             const std::vector<std::pair<std::string, std::string>>& fields) {
    line_.clear();
    line_ += "{";
    AddField("Hostname", host.fqdn);
    line_ += ",";
    AddField("Channel", "Microsoft-Windows-Sysmon/Operational");
    line_ += fmt::format(",\"EventID\":{},", event_id);
    AddField("SourceName", "Microsoft-Windows-Sysmon");
    line_ += ",";
    AddField("TimeCreated", SysmonTime(ticks));
    line_ += ",";
    AddField("UtcTime", SysmonTime(ticks));
    line_ += fmt::format(",\"RecordNumber\":{}", ++record_);
    for (const auto& [key, value] : fields) {
      line_ += ",";
      AddField(key, value);
    }
    line_ += "}\n";
    out_ << line_;
    ++events_;
  }
  uint64_t events() const { return events_; }

 private:
  void AddField(std::string_view key, std::string_view value) {
    schema::AppendJsonString(line_, key);
    line_ += ":";
    schema::AppendJsonString(line_, value);
  }
  std::ofstream& out_;
  std::string line_;
  uint64_t record_ = 1000;
  uint64_t events_ = 0;
};

void ProcessCreate(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
                   const std::string& image, const std::string& command_line,
                   const std::string& parent_image, const std::string& parent_command_line,
                   uint64_t pid, uint64_t ppid, const std::string& integrity = "Medium") {
  const std::string file = image.substr(image.find_last_of('\\') + 1);
  w.Event(host, t, 1,
          {{"RuleName", "-"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"Image", image},
           {"FileVersion", "10.0.22621.1 (WinBuild.160101.0800)"},
           {"Description", file},
           {"Product", "Microsoft\u00ae Windows\u00ae Operating System"},
           {"Company", "Microsoft Corporation"},
           {"OriginalFileName", file},
           {"CommandLine", command_line},
           {"CurrentDirectory", "C:\\Users\\" + host.user + "\\"},
           {"User", "CONTOSO\\" + host.user},
           {"LogonGuid", Guid(rng)},
           {"LogonId", "0x4c1f2"},
           {"TerminalSessionId", "1"},
           {"IntegrityLevel", integrity},
           {"Hashes", Hashes(rng)},
           {"ParentProcessGuid", Guid(rng)},
           {"ParentProcessId", std::to_string(ppid)},
           {"ParentImage", parent_image},
           {"ParentCommandLine", parent_command_line},
           {"ParentUser", "CONTOSO\\" + host.user}});
}

void NetworkConnect(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
                    const std::string& image, uint64_t pid, const std::string& remote_ip,
                    int remote_port, const std::string& remote_host) {
  w.Event(host, t, 3,
          {{"RuleName", "-"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"Image", image},
           {"User", "CONTOSO\\" + host.user},
           {"Protocol", "tcp"},
           {"Initiated", "true"},
           {"SourceIsIpv6", "false"},
           {"SourceIp", host.ip},
           {"SourceHostname", host.fqdn},
           {"SourcePort", std::to_string(49152 + rng() % 16000)},
           {"DestinationIsIpv6", "false"},
           {"DestinationIp", remote_ip},
           {"DestinationHostname", remote_host},
           {"DestinationPort", std::to_string(remote_port)}});
}

void DnsQuery(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
              const std::string& image, uint64_t pid, const std::string& name,
              const std::string& answer) {
  w.Event(host, t, 22,
          {{"RuleName", "-"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"QueryName", name},
           {"QueryStatus", "0"},
           {"QueryResults", "::ffff:" + answer + ";"},
           {"Image", image},
           {"User", "CONTOSO\\" + host.user}});
}

void FileCreate(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
                const std::string& image, uint64_t pid, const std::string& target) {
  w.Event(host, t, 11,
          {{"RuleName", "-"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"Image", image},
           {"TargetFilename", target},
           {"CreationUtcTime", SysmonTime(t)},
           {"User", "CONTOSO\\" + host.user}});
}

void RegistrySet(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
                 const std::string& image, uint64_t pid, const std::string& key,
                 const std::string& details) {
  w.Event(host, t, 13,
          {{"RuleName", "-"},
           {"EventType", "SetValue"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"Image", image},
           {"TargetObject", key},
           {"Details", details},
           {"User", "CONTOSO\\" + host.user}});
}

void ImageLoad(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
               const std::string& image, uint64_t pid, const std::string& dll) {
  w.Event(host, t, 7,
          {{"RuleName", "-"},
           {"ProcessGuid", Guid(rng)},
           {"ProcessId", std::to_string(pid)},
           {"Image", image},
           {"ImageLoaded", dll},
           {"Hashes", Hashes(rng)},
           {"Signed", "true"},
           {"Signature", "Microsoft Windows"},
           {"SignatureStatus", "Valid"},
           {"User", "CONTOSO\\" + host.user}});
}

void ProcessAccess(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t t,
                   const std::string& source_image, uint64_t source_pid,
                   const std::string& target_image, uint64_t target_pid,
                   const std::string& access) {
  w.Event(host, t, 10,
          {{"RuleName", "-"},
           {"SourceProcessGUID", Guid(rng)},
           {"SourceProcessId", std::to_string(source_pid)},
           {"SourceThreadId", std::to_string(1000 + rng() % 8000)},
           {"SourceImage", source_image},
           {"TargetProcessGUID", Guid(rng)},
           {"TargetProcessId", std::to_string(target_pid)},
           {"TargetImage", target_image},
           {"GrantedAccess", access},
           {"CallTrace", "C:\\Windows\\SYSTEM32\\ntdll.dll+9d234|UNKNOWN(00000000001A0D3B)"},
           {"SourceUser", "CONTOSO\\" + host.user},
           {"TargetUser", "NT AUTHORITY\\SYSTEM"}});
}

constexpr const char* kExplorer = "C:\\Windows\\explorer.exe";
constexpr const char* kChrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
constexpr const char* kOutlook =
    "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
constexpr const char* kWord = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE";
constexpr const char* kPowerShell = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
constexpr const char* kRundll = "C:\\Windows\\System32\\rundll32.exe";
constexpr const char* kLsass = "C:\\Windows\\system32\\lsass.exe";

// Ordinary office activity: browsers, mail, Office, updates.
void WriteNoise(JsonLineWriter& w, std::mt19937_64& rng, const Host& host, int64_t start,
                int64_t end) {
  static const std::vector<std::pair<std::string, std::string>> kSites = {
      {"www.office.com", "52.96.166.130"},       {"login.microsoftonline.com", "20.190.160.1"},
      {"contoso.sharepoint.com", "13.107.136.9"}, {"www.google.com", "142.250.74.36"},
      {"github.com", "140.82.121.3"},             {"teams.microsoft.com", "52.113.194.132"},
  };
  uint64_t pid = 3000 + rng() % 2000;
  for (int64_t t = start; t < end; t += (2 + static_cast<int64_t>(rng() % 20)) * 60 * kTicksPerSecond) {
    const int kind = static_cast<int>(rng() % 6);
    const auto& site = kSites[rng() % kSites.size()];
    ++pid;
    switch (kind) {
      case 0:
        ProcessCreate(w, rng, host, t, kChrome, std::string("\"") + kChrome + "\" --type=renderer",
                      kExplorer, kExplorer, pid, 2000);
        break;
      case 1:
        DnsQuery(w, rng, host, t, kChrome, pid, site.first, site.second);
        NetworkConnect(w, rng, host, t + kTicksPerSecond, kChrome, pid, site.second, 443,
                       site.first);
        break;
      case 2:
        FileCreate(w, rng, host, t, kChrome, pid,
                   fmt::format("C:\\Users\\{}\\Downloads\\report-{}.pdf", host.user, rng() % 900));
        break;
      case 3:
        ImageLoad(w, rng, host, t, kOutlook, pid, "C:\\Windows\\System32\\mso20win32client.dll");
        break;
      case 4:
        RegistrySet(w, rng, host, t, kExplorer, 2000,
                    "HKU\\" + host.user_sid +
                        "\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\MRUListEx",
                    "Binary Data");
        break;
      default:
        ProcessCreate(w, rng, host, t, "C:\\Windows\\System32\\svchost.exe",
                      "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                      "C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe",
                      pid, 680, "System");
        break;
    }
  }
}

void WriteAttack(JsonLineWriter& w, std::mt19937_64& rng, int64_t t0) {
  const Host& victim = Hosts()[0];
  const int64_t s = kTicksPerSecond;
  ProcessCreate(w, rng, victim, t0, kWord,
                std::string("\"") + kWord + "\" /n \"C:\\Users\\jdoe\\Downloads\\Invoice_8841.docm\" /o \"\"",
                kOutlook, std::string("\"") + kOutlook + "\"", 7410, 5120);
  const std::string encoded =
      "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA";
  ProcessCreate(w, rng, victim, t0 + 40 * s, kPowerShell,
                std::string(kPowerShell) + " -nop -w hidden -enc " + encoded, kWord,
                std::string("\"") + kWord + "\" /n \"C:\\Users\\jdoe\\Downloads\\Invoice_8841.docm\"",
                7533, 7410);
  DnsQuery(w, rng, victim, t0 + 42 * s, kPowerShell, 7533, "cdn-update.azureedge-cdn.net",
           "203.0.113.50");
  NetworkConnect(w, rng, victim, t0 + 43 * s, kPowerShell, 7533, "203.0.113.50", 443,
                 "cdn-update.azureedge-cdn.net");
  const std::string payload = "C:\\Users\\jdoe\\AppData\\Roaming\\Microsoft\\updater.exe";
  FileCreate(w, rng, victim, t0 + 47 * s, kPowerShell, 7533, payload);
  RegistrySet(w, rng, victim, t0 + 49 * s, kPowerShell, 7533,
              "HKU\\" + victim.user_sid + "\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
              payload);
  ProcessCreate(w, rng, victim, t0 + 51 * s, payload, payload, kPowerShell,
                std::string(kPowerShell) + " -nop -w hidden -enc " + encoded, 7602, 7533, "High");
  ProcessAccess(w, rng, victim, t0 + 300 * s, payload, 7602, kLsass, 684, "0x1FFFFF");
  ProcessCreate(w, rng, victim, t0 + 302 * s, kRundll,
                std::string(kRundll) +
                    " C:\\windows\\System32\\comsvcs.dll, MiniDump 684 C:\\Users\\Public\\lsass.dmp full",
                payload, payload, 7650, 7602, "High");
  FileCreate(w, rng, victim, t0 + 305 * s, kRundll, 7650, "C:\\Users\\Public\\lsass.dmp");
  NetworkConnect(w, rng, victim, t0 + 900 * s, payload, 7602, kDc.ip, 445, kDc.fqdn);
  NetworkConnect(w, rng, victim, t0 + 960 * s, payload, 7602, "203.0.113.50", 443,
                 "cdn-update.azureedge-cdn.net");
}

class XmlWriter {
 public:
  explicit XmlWriter(std::ofstream& out) : out_(out) {}
  void Event(const Host& host, int64_t ticks, int event_id,
             const std::vector<std::pair<std::string, std::string>>& data,
             const std::string& channel = "Security") {
    out_ << "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
         << "<Provider Name='Microsoft-Windows-Security-Auditing' "
            "Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>"
         << "<EventID>" << event_id << "</EventID><Version>2</Version><Level>0</Level>"
         << "<Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords>"
         << "<TimeCreated SystemTime='" << FormatDateTime(ticks) << "'/>"
         << "<EventRecordID>" << ++record_ << "</EventRecordID><Correlation/>"
         << "<Execution ProcessID='684' ThreadID='1204'/><Channel>" << channel
         << "</Channel><Computer>" << host.fqdn << "</Computer><Security/></System><EventData>";
    for (const auto& [name, value] : data) {
      out_ << "<Data Name='" << name << "'>" << Escape(value) << "</Data>";
    }
    out_ << "</EventData></Event>\n";
    ++events_;
  }
  uint64_t events() const { return events_; }

 private:
  static std::string Escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
      switch (c) {
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '&':
          out += "&amp;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          out.push_back(c);
      }
    }
    return out;
  }
  std::ofstream& out_;
  uint64_t record_ = 884000;
  uint64_t events_ = 0;
};

void WriteSecurity(XmlWriter& x, std::mt19937_64& rng, int64_t start, int64_t attack) {
  const int64_t s = kTicksPerSecond;
  // Morning logons of every user at the domain controller, each day.
  for (int64_t day = start; day < attack + kTicksPerDay; day += kTicksPerDay) {
    for (const Host& host : Hosts()) {
      const int64_t t = day + (8 * 3600 + static_cast<int64_t>(rng() % 3600)) * s;
      x.Event(kDc, t, 4768,
              {{"TargetUserName", host.user}, {"TargetDomainName", "CONTOSO"},
               {"TargetSid", host.user_sid}, {"ServiceName", "krbtgt"},
               {"ServiceSid", "S-1-5-21-1004336348-1177238915-682003330-502"},
               {"TicketOptions", "0x40810010"}, {"Status", "0x0"},
               {"TicketEncryptionType", "0x12"}, {"PreAuthType", "2"},
               {"IpAddress", "::ffff:" + host.ip}, {"IpPort", "49811"}});
      x.Event(kDc, t + 2 * s, 4624,
              {{"SubjectUserSid", "S-1-0-0"}, {"SubjectUserName", "-"},
               {"SubjectDomainName", "-"}, {"SubjectLogonId", "0x0"},
               {"TargetUserSid", host.user_sid}, {"TargetUserName", host.user},
               {"TargetDomainName", "CONTOSO"}, {"TargetLogonId", "0x2a1f3b"},
               {"LogonType", "3"}, {"LogonProcessName", "Kerberos"},
               {"AuthenticationPackageName", "Kerberos"}, {"WorkstationName", "-"},
               {"IpAddress", host.ip}, {"IpPort", "49812"}});
    }
  }
  // The attacker guesses the backup service account's password from the victim's machine ...
  const int64_t spray = attack + 1000 * s;
  for (int i = 0; i < 15; ++i) {
    x.Event(kDc, spray + i * 2 * s, 4625,
            {{"SubjectUserSid", "S-1-0-0"}, {"TargetUserName", "svc_backup"},
             {"TargetDomainName", "CONTOSO"}, {"Status", "0xc000006d"},
             {"FailureReason", "%%2313"}, {"SubStatus", "0xc000006a"}, {"LogonType", "3"},
             {"LogonProcessName", "NtLmSsp"}, {"AuthenticationPackageName", "NTLM"},
             {"WorkstationName", "WS-0142"}, {"IpAddress", "10.0.1.42"}, {"IpPort", "50122"}});
  }
  // ... succeeds with the dumped credentials, creates a backdoor admin, and clears the log.
  x.Event(kDc, spray + 60 * s, 4776,
          {{"PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"}, {"TargetUserName", "jdoe"},
           {"Workstation", "WS-0142"}, {"Status", "0x0"}});
  x.Event(kDc, spray + 61 * s, 4624,
          {{"TargetUserSid", Hosts()[0].user_sid}, {"TargetUserName", "jdoe"},
           {"TargetDomainName", "CONTOSO"}, {"TargetLogonId", "0x3b4c11"}, {"LogonType", "3"},
           {"LogonProcessName", "NtLmSsp"}, {"AuthenticationPackageName", "NTLM"},
           {"WorkstationName", "WS-0142"}, {"IpAddress", "10.0.1.42"}, {"IpPort", "50140"}});
  x.Event(kDc, spray + 62 * s, 4672,
          {{"SubjectUserSid", Hosts()[0].user_sid}, {"SubjectUserName", "jdoe"},
           {"SubjectDomainName", "CONTOSO"}, {"SubjectLogonId", "0x3b4c11"},
           {"PrivilegeList", "SeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeDebugPrivilege"}});
  x.Event(kDc, spray + 120 * s, 4720,
          {{"TargetUserName", "helpdesk_tmp"}, {"TargetDomainName", "CONTOSO"},
           {"TargetSid", "S-1-5-21-1004336348-1177238915-682003330-4711"},
           {"SubjectUserSid", Hosts()[0].user_sid}, {"SubjectUserName", "jdoe"},
           {"SubjectDomainName", "CONTOSO"}, {"SubjectLogonId", "0x3b4c11"},
           {"SamAccountName", "helpdesk_tmp"}, {"UserAccountControl", "%%2080"}});
  x.Event(kDc, spray + 125 * s, 4732,
          {{"MemberName", "CN=helpdesk_tmp,CN=Users,DC=contoso,DC=local"},
           {"MemberSid", "S-1-5-21-1004336348-1177238915-682003330-4711"},
           {"TargetUserName", "Administrators"}, {"TargetDomainName", "Builtin"},
           {"TargetSid", "S-1-5-32-544"}, {"SubjectUserSid", Hosts()[0].user_sid},
           {"SubjectUserName", "jdoe"}, {"SubjectDomainName", "CONTOSO"},
           {"SubjectLogonId", "0x3b4c11"}});
  x.Event(Hosts()[0], spray + 400 * s, 1102,
          {{"SubjectUserSid", Hosts()[0].user_sid}, {"SubjectUserName", "jdoe"},
           {"SubjectDomainName", "CONTOSO"}, {"SubjectLogonId", "0x4c1f2"}});
}

}  // namespace

Result<DemoFiles> WriteDemoData(const std::filesystem::path& dir, int64_t end_ticks,
                                uint64_t seed) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return IoError("cannot create demo directory '{}': {}", dir.string(), ec.message());
  }
  std::mt19937_64 rng(seed);
  DemoFiles files;
  files.sysmon_jsonl = dir / "endpoint-sysmon.jsonl";
  files.security_xml = dir / "security-events.xml";
  files.inventory_csv = dir / "device-inventory.csv";
  const int64_t start = (DayOf(end_ticks) - 3) * kTicksPerDay;
  const int64_t attack = (DayOf(end_ticks) - 1) * kTicksPerDay + (9 * 3600 + 12 * 60) * kTicksPerSecond;

  std::ofstream json(files.sysmon_jsonl, std::ios::binary | std::ios::trunc);
  std::ofstream xml(files.security_xml, std::ios::binary | std::ios::trunc);
  std::ofstream csv(files.inventory_csv, std::ios::binary | std::ios::trunc);
  if (!json || !xml || !csv) {
    return IoError("cannot write demo files in '{}'", dir.string());
  }
  JsonLineWriter writer(json);
  for (const Host& host : Hosts()) {
    WriteNoise(writer, rng, host, start, end_ticks);
  }
  WriteAttack(writer, rng, attack);

  XmlWriter xml_writer(xml);
  xml << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n";
  WriteSecurity(xml_writer, rng, start, attack);
  xml << "</Events>\n";

  csv << "Timestamp,DeviceName,OSPlatform,OSVersion,OSBuild,OSArchitecture,PublicIP,"
         "JoinType,MachineGroup,DeviceType,LoggedOnUsers\n";
  for (const Host& host : Hosts()) {
    csv << FormatDateTime(start) << "," << host.fqdn << ",Windows11,10.0,22631,64-bit,"
        << "198.51.100.7,Domain Joined,Workstations,Workstation,"
        << "\"[{\"\"UserName\"\":\"\"" << host.user << "\"\",\"\"DomainName\"\":\"\"CONTOSO\"\"}]\"\n";
  }
  csv << FormatDateTime(start) << "," << kDc.fqdn
      << ",WindowsServer2022,10.0,20348,64-bit,198.51.100.7,Domain Joined,Domain Controllers,"
         "Server,[]\n";
  json.close();
  xml.close();
  csv.close();
  if (!json || !xml || !csv) {
    return IoError("writing demo files in '{}' failed", dir.string());
  }
  files.events = writer.events() + xml_writer.events() + Hosts().size() + 1;
  return files;
}

}  // namespace vigil::app
