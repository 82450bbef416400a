#include "bench/detect_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "vigil/base/time.h"
#include "vigil/ingest/ingest_report.h"
#include "vigil/ingest/text/json_reader.h"

namespace vigil::bench {

namespace {

using ingest::WinEvent;

// Share of each event kind in the stream (relative weights), after the mix Sysmon + Security
// fleets produce: image loads and registry writes dominate, logons and scripts are rarer.
struct Kind {
  const char* name;
  double weight;
};
constexpr std::array<Kind, 12> kKinds{{
    {"sysmon-7", 22},
    {"sysmon-13", 17},
    {"sysmon-3", 14},
    {"sysmon-11", 11},
    {"sysmon-1", 8},
    {"sysmon-22", 8},
    {"sysmon-10", 5},
    {"security-4624", 4.5},
    {"security-4688", 4},
    {"security-4672", 3.5},
    {"security-4625", 0.5},
    {"powershell-4104", 2.5},
}};

// One program of the fleet. Command-line templates: {g} GUID, {n} number, {u} user name,
// {w} word, {h} 16 hex digits.
struct ProcessInfo {
  const char* path;
  const char* original;
  const char* description;
  const char* company;
  const char* args;
  double weight;
  int parent;   // index in kProcesses
  bool system;  // runs as SYSTEM
};

constexpr int kExplorer = 0;
constexpr int kServices = 1;
constexpr int kSvchost = 2;
constexpr int kCmd = 3;
constexpr int kChrome = 4;
constexpr ProcessInfo kProcesses[] = {
    {"C:\\Windows\\explorer.exe", "EXPLORER.EXE", "Windows Explorer", "Microsoft Corporation",
     "C:\\Windows\\Explorer.EXE", 0.5, 1, false},
    {"C:\\Windows\\System32\\services.exe", "services.exe", "Services and Controller app",
     "Microsoft Corporation", "C:\\Windows\\system32\\services.exe", 0, 1, true},
    {"C:\\Windows\\System32\\svchost.exe", "svchost.exe", "Host Process for Windows Services",
     "Microsoft Corporation", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s {w}", 12,
     kServices, true},
    {"C:\\Windows\\System32\\cmd.exe", "Cmd.Exe", "Windows Command Processor",
     "Microsoft Corporation",
     "C:\\Windows\\system32\\cmd.exe /c \"C:\\ProgramData\\Contoso\\Agent\\scripts\\{w}.cmd\" "
     "--quiet --log C:\\ProgramData\\Contoso\\Agent\\logs\\{w}-{n}.log",
     3, kExplorer, false},
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "chrome.exe", "Google Chrome",
     "Google LLC",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
     "--field-trial-handle={n},i,{n},{n},262144 --lang=en-US --device-scale-factor=1 "
     "--num-raster-threads=4 --renderer-client-id={n} --launch-time-ticks={n} "
     "--mojo-platform-channel-handle={n} /prefetch:1",
     10, kExplorer, false},
    {"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe", "msedge.exe",
     "Microsoft Edge", "Microsoft Corporation",
     "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --type=utility "
     "--utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none "
     "--field-trial-handle={n},i,{n},{n},262144 /prefetch:3",
     8, kExplorer, false},
    {"C:\\Windows\\System32\\conhost.exe", "CONHOST.EXE", "Console Window Host",
     "Microsoft Corporation", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", 6,
     kCmd, false},
    {"C:\\Windows\\System32\\RuntimeBroker.exe", "RuntimeBroker.exe", "Runtime Broker",
     "Microsoft Corporation", "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding", 4, kSvchost,
     false},
    {"C:\\Windows\\System32\\backgroundTaskHost.exe", "backgroundTaskHost.exe",
     "Background Task Host", "Microsoft Corporation",
     "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" "
     "-ServerName:BackgroundTaskHost.WebAccountProvider",
     3, kSvchost, false},
    {"C:\\Windows\\System32\\dllhost.exe", "dllhost.exe", "COM Surrogate", "Microsoft Corporation",
     "C:\\Windows\\system32\\DllHost.exe /Processid:{g}", 4, kSvchost, false},
    {"C:\\Windows\\System32\\SearchProtocolHost.exe", "SearchProtocolHost.exe",
     "Microsoft Windows Search Protocol Host", "Microsoft Corporation",
     "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe{n}_ "
     "Global\\UsGthrCtrlFltPipeMssGthrPipe{n} 1 -2147483646 \"Software\\Microsoft\\Windows "
     "Search\" \"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 6.0 Robot)\" "
     "\"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" \"DownLevelDaemon\"",
     2, kSvchost, true},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE", "Outlook.exe",
     "Microsoft Outlook", "Microsoft Corporation",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle", 2, kExplorer,
     false},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE", "Excel.exe",
     "Microsoft Excel", "Microsoft Corporation",
     "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" "
     "\"C:\\Users\\{u}\\Documents\\Q{n} {w} report.xlsx\"",
     1, kExplorer, false},
    {"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe", "Teams.exe",
     "Microsoft Teams", "Microsoft Corporation",
     "\"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" "
     "--type=gpu-process --field-trial-handle={n} "
     "--disable-features=SpareRendererForSitePerProcess --gpu-preferences={h} "
     "--mojo-platform-channel-handle={n} /prefetch:2",
     3, kExplorer, false},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "PowerShell.EXE",
     "Windows PowerShell", "Microsoft Corporation",
     "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoLogo "
     "-NonInteractive -Command \"Get-Service -Name {w} | Select-Object Status, StartType\"",
     2, kExplorer, false},
    {"C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe", "Host Process for Windows Tasks",
     "Microsoft Corporation", "taskhostw.exe {w}", 2, kSvchost, false},
    {"C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "Wmiprvse.exe", "WMI Provider Host",
     "Microsoft Corporation", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding", 2,
     kSvchost, true},
    {"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe",
     "MpCmdRun.exe", "Microsoft Malware Protection Command Line Utility", "Microsoft Corporation",
     "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe\" "
     "SignatureUpdate -ScheduleJob -RestrictPrivileges -DailyReboot",
     1, kSvchost, true},
    {"C:\\Program Files\\Git\\mingw64\\bin\\git.exe", "git.exe", "Git for Windows",
     "The Git Development Community",
     "\"C:\\Program Files\\Git\\mingw64\\bin\\git.exe\" -c core.quotepath=false -c color.ui=false "
     "fetch --prune origin refs/heads/{w}:refs/remotes/origin/{w}",
     2, kCmd, false},
    {"C:\\Users\\{u}\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe", "electron.exe",
     "Visual Studio Code", "Microsoft Corporation",
     "\"C:\\Users\\{u}\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\" --type=utility "
     "--utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none "
     "--field-trial-handle={n} /prefetch:8",
     2, kExplorer, false},
    {"C:\\Program Files\\Python311\\python.exe", "python.exe", "Python",
     "Python Software Foundation",
     "\"C:\\Program Files\\Python311\\python.exe\" C:\\Users\\{u}\\source\\repos\\{w}\\manage.py "
     "runserver 127.0.0.1:{n}",
     1, kCmd, false},
    {"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe", "OneDrive.exe",
     "Microsoft OneDrive", "Microsoft Corporation",
     "\"C:\\Users\\{u}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background", 1,
     kExplorer, false},
    {"C:\\Windows\\System32\\msiexec.exe", "msiexec.exe", "Windows installer",
     "Microsoft Corporation", "C:\\Windows\\system32\\msiexec.exe /V", 1, kServices, true},
    {"C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.9.9-hotspot\\bin\\java.exe", "java.exe",
     "OpenJDK Platform binary", "Eclipse Adoptium",
     "\"C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.9.9-hotspot\\bin\\java.exe\" -Xmx2g "
     "-Dfile.encoding=UTF-8 -jar C:\\Tools\\{w}\\{w}-agent-3.4.1.jar --config "
     "C:\\Tools\\{w}\\agent.yml",
     1, kServices, true},
    {"C:\\Windows\\System32\\notepad.exe", "NOTEPAD.EXE", "Notepad", "Microsoft Corporation",
     "\"C:\\Windows\\system32\\NOTEPAD.EXE\" C:\\Users\\{u}\\Documents\\{w}-notes-{n}.txt", 1,
     kExplorer, false},
};
constexpr size_t kProcessCount = sizeof(kProcesses) / sizeof(kProcesses[0]);

constexpr const char* kDomains[] = {"login.microsoftonline.com",
                                    "www.google.com",
                                    "outlook.office365.com",
                                    "teams.microsoft.com",
                                    "github.com",
                                    "update.googleapis.com",
                                    "settings-win.data.microsoft.com",
                                    "ctldl.windowsupdate.com",
                                    "cdn.jsdelivr.net",
                                    "slack.com",
                                    "s3.amazonaws.com",
                                    "api.contoso-crm.com",
                                    "fileshare01.contoso.local",
                                    "dc01.contoso.local",
                                    "wpad.contoso.local",
                                    "edge.microsoft.com",
                                    "clients2.google.com",
                                    "officeclient.microsoft.com"};

constexpr const char* kDlls[] = {
    "ntdll.dll",   "kernel32.dll",        "KernelBase.dll", "user32.dll",  "advapi32.dll",
    "combase.dll", "ole32.dll",           "oleaut32.dll",   "msvcrt.dll",  "ucrtbase.dll",
    "rpcrt4.dll",  "sechost.dll",         "bcrypt.dll",     "crypt32.dll", "wintrust.dll",
    "shell32.dll", "shlwapi.dll",         "gdi32.dll",      "win32u.dll",  "imm32.dll",
    "uxtheme.dll", "dwmapi.dll",          "winhttp.dll",    "wininet.dll", "ws2_32.dll",
    "mswsock.dll", "dnsapi.dll",          "iphlpapi.dll",   "nsi.dll",     "profapi.dll",
    "version.dll", "windows.storage.dll", "propsys.dll",    "clbcatq.dll", "cfgmgr32.dll"};

constexpr const char* kRegistryKeys[] = {
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Sessions",
    "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{s}",
    "HKU\\{s}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx",
    "HKU\\{s}\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities\\{h}",
    "HKU\\{s}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{g}\\Count",
    "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates",
    "HKLM\\System\\CurrentControlSet\\Control\\DeviceClasses\\{g}\\##?#USB#VID_046D&PID_C52B",
    "HKU\\{s}\\Software\\Google\\Chrome\\PreferenceMACs\\Default\\extensions.settings",
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WINEVT\\Publishers\\{g}",
    "HKU\\{s}\\Software\\Microsoft\\Windows\\CurrentVersion\\CloudStore\\Store\\Cache\\"
    "DefaultAccount",
    "HKLM\\SOFTWARE\\Microsoft\\Tracing\\{w}_RASAPI32"};

constexpr const char* kValueNames[] = {
    "LastUpdated", "Count", "MRUListEx", "EnableFileTracing", "SignatureLocation",
    "Timestamp",   "Data",  "Flags",     "Version",           "State"};

constexpr const char* kFileTargets[] = {
    "C:\\Users\\{u}\\AppData\\Local\\Temp\\{g}.tmp",
    "C:\\Users\\{u}\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\"
    "f_{n}",
    "C:\\ProgramData\\Contoso\\Agent\\logs\\{w}-{n}.log",
    "C:\\Users\\{u}\\Downloads\\{w}-{n}.pdf",
    "C:\\Users\\{u}\\Documents\\Q{n} {w} report.xlsx",
    "C:\\Windows\\SoftwareDistribution\\DataStore\\Logs\\tmp{n}.edb",
    "C:\\Users\\{u}\\AppData\\Roaming\\Microsoft\\Teams\\Cache\\data_{n}",
    "C:\\Windows\\Temp\\{g}\\{w}.etl"};

constexpr const char* kScripts[] = {
    "Get-Service -Name '{w}' | Where-Object { $_.Status -eq 'Running' } | Select-Object Name, "
    "Status, StartType",
    "$path = Join-Path $env:ProgramData 'Contoso\\Agent\\{w}.json'\nif (Test-Path $path) { "
    "$cfg = Get-Content -Raw $path | ConvertFrom-Json; $cfg.interval }",
    "function Get-DiskReport {\n  param([string]$Computer = $env:COMPUTERNAME)\n  "
    "Get-CimInstance -ClassName Win32_LogicalDisk -ComputerName $Computer |\n    Select-Object "
    "DeviceID, @{n='FreeGB';e={[math]::Round($_.FreeSpace/1GB,1)}}\n}\nGet-DiskReport",
    "Import-Module -Name '{w}' -ErrorAction SilentlyContinue\n$items = Get-ChildItem -Path "
    "'C:\\Users\\{u}\\Documents' -Filter '*.xlsx' -Recurse | Sort-Object LastWriteTime",
    "[CmdletBinding()]\nparam()\n$ErrorActionPreference = 'Stop'\nWrite-Verbose 'checking {w}'\n"
    "$result = Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Contoso\\Agent' -Name '{w}'\n"
    "if ($result) { Write-Output $result.'{w}' }"};

constexpr const char* kWords[] = {
    "Spooler",  "WinRM",    "wuauserv",   "BITS",      "Dnscache",    "LanmanServer",
    "Schedule", "EventLog", "PSReadLine", "SqlServer", "Az.Accounts", "inventory",
    "sync",     "backup",   "reporting",  "billing",   "webapp",      "etl"};

constexpr const char* kFirst[] = {"james",   "mary",  "john",  "patricia", "robert", "jennifer",
                                  "michael", "linda", "david", "elena",    "wei",    "fatima",
                                  "carlos",  "anna",  "raj",   "sofia",    "kenji",  "olga"};
constexpr const char* kLast[] = {"smith",  "garcia", "chen",    "mueller", "rossi",  "kowalski",
                                 "nguyen", "okafor", "silva",   "tanaka",  "dubois", "hansen",
                                 "lopez",  "patel",  "ivanova", "brown",   "kim",    "cohen"};

constexpr const char* kSysmonGuid = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
constexpr const char* kSysmonChannel = "Microsoft-Windows-Sysmon/Operational";
constexpr const char* kDomainSid = "S-1-5-21-1004336348-1177238915-682003330-";

// Deterministic upper-case hex digest of `text` (stands in for a file hash).
std::string HashOf(std::string_view text, uint64_t salt, size_t digits) {
  uint64_t h = 1469598103934665603ull ^ (salt * 0x9E3779B97F4A7C15ull);
  std::string out;
  while (out.size() < digits) {
    for (char c : text) {
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    out += fmt::format("{:016X}", h);
  }
  out.resize(digits);
  return out;
}

std::string HashesOf(std::string_view path) {
  return fmt::format("SHA1={},MD5={},SHA256={},IMPHASH={}", HashOf(path, 1, 40),
                     HashOf(path, 2, 32), HashOf(path, 3, 64), HashOf(path, 4, 32));
}

void Add(WinEvent& e, const char* name, std::string value) {
  e.data.push_back({name, std::move(value)});
}

std::string UtcTime(int64_t ticks) {
  std::string text = FormatDateTime(ticks);  // 2026-11-01T00:00:00.1234567Z
  text[10] = ' ';
  text.resize(std::min<size_t>(text.size(), 23));
  return text;
}

std::string_view FileNameOf(std::string_view path) {
  const size_t slash = path.rfind('\\');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

EventGenerator::EventGenerator(uint64_t seed, std::vector<WinEvent> attacks, double attack_rate)
    : rng_(seed), attacks_(std::move(attacks)), attack_rate_(attack_rate) {
  double total = 0;
  for (const Kind& kind : kKinds) {
    total += kind.weight;
    kind_cdf_.push_back(total);
  }
  for (double& c : kind_cdf_) {
    c /= total;
  }
  now_ticks_ = *ParseDateTime("2026-11-01T00:00:00Z");
  for (size_t i = 0; i < 2000; ++i) {
    hosts_.push_back(fmt::format("WS-{:04}.contoso.local", i));
  }
  for (size_t i = 0; i < 60; ++i) {
    hosts_.push_back(fmt::format("SRV-{:02}.contoso.local", i));
  }
  for (size_t i = 0; i < 5000; ++i) {
    users_.push_back(fmt::format("{}.{}{}", kFirst[i % std::size(kFirst)],
                                 kLast[(i / std::size(kFirst)) % std::size(kLast)],
                                 i / (std::size(kFirst) * std::size(kLast))));
  }
}

std::string EventGenerator::Guid() {
  const uint64_t a = rng_();
  const uint64_t b = rng_();
  return fmt::format("{{{:08X}-{:04X}-{:04X}-{:04X}-{:012X}}}", a >> 32, (a >> 16) & 0xFFFF,
                     a & 0xFFFF, b >> 48, b & 0xFFFFFFFFFFFFull);
}

std::string EventGenerator::Hex(size_t digits) {
  std::string out;
  while (out.size() < digits) {
    out += fmt::format("{:016x}", rng_());
  }
  out.resize(digits);
  return out;
}

std::string EventGenerator::User(size_t user) { return "CONTOSO\\" + users_[user]; }

std::string EventGenerator::Fill(std::string_view pattern, size_t user) {
  std::string out;
  out.reserve(pattern.size() + 64);
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      switch (pattern[i + 1]) {
        case 'g':
          out += Guid();
          break;
        case 'n':
          out += fmt::format("{}", rng_() % 100000);
          break;
        case 'u':
          out += users_[user];
          break;
        case 'w':
          out += kWords[Pick(std::size(kWords))];
          break;
        case 'h':
          out += Hex(16);
          break;
        case 's':
          out += fmt::format("{}{}", kDomainSid, 1000 + user);
          break;
        default:
          out.append(pattern.substr(i, 3));
          break;
      }
      i += 2;
      continue;
    }
    out += pattern[i];
  }
  return out;
}

size_t EventGenerator::PickProcess() {
  static const std::vector<double> cdf = [] {
    std::vector<double> c;
    double total = 0;
    for (const auto& p : kProcesses) {
      total += p.weight;
      c.push_back(total);
    }
    for (double& v : c) {
      v /= total;
    }
    return c;
  }();
  const double u = unit_(rng_);
  return std::min<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin(),
                          kProcessCount - 1);
}

void EventGenerator::Next(WinEvent& e) {
  e.Clear();
  now_ticks_ += 1 + static_cast<int64_t>(rng_() % 72'000);  // ~280 events/s across the fleet
  ++record_id_;
  if (!attacks_.empty() && unit_(rng_) < attack_rate_) {
    e = attacks_[Pick(attacks_.size())];
    e.time_created = now_ticks_;
    e.has_time_created = true;
    e.record_id = record_id_;
    ++counts_["attack"];
    return;
  }
  const double u = unit_(rng_);
  const size_t kind =
      std::min<size_t>(std::lower_bound(kind_cdf_.begin(), kind_cdf_.end(), u) - kind_cdf_.begin(),
                       kKinds.size() - 1);
  ++counts_[kKinds[kind].name];
  const size_t host = Pick(hosts_.size());
  e.computer = hosts_[host];
  e.time_created = now_ticks_;
  e.has_time_created = true;
  e.record_id = record_id_;
  e.level = 4;
  e.opcode = 0;
  e.version = 2;
  e.source = "generated";
  const std::string_view name = kKinds[kind].name;
  const int id = std::stoi(std::string(name.substr(name.find('-') + 1)));
  if (name.starts_with("sysmon")) {
    Sysmon(e, id);
  } else if (name.starts_with("security")) {
    Security(e, id);
  } else {
    ScriptBlock(e);
  }
}

void EventGenerator::Sysmon(WinEvent& e, int id) {
  e.provider = "Microsoft-Windows-Sysmon";
  e.provider_guid = kSysmonGuid;
  e.channel = kSysmonChannel;
  e.event_id = id;
  e.task = id;
  e.keywords = "0x8000000000000000";
  e.process_id = 3188;
  e.thread_id = 4000 + static_cast<int64_t>(Pick(2000));
  e.user_sid = "S-1-5-18";
  Add(e, "RuleName", "-");
  Add(e, "UtcTime", UtcTime(e.time_created));
  switch (id) {
    case 1:
      ProcessCreate(e);
      break;
    case 3:
      NetworkConnect(e);
      break;
    case 7:
      ImageLoad(e);
      break;
    case 10:
      ProcessAccess(e);
      break;
    case 11:
      FileCreate(e);
      break;
    case 13:
      RegistrySet(e);
      break;
    default:
      DnsQuery(e);
      break;
  }
}

void EventGenerator::ProcessCreate(WinEvent& e) {
  const size_t p = PickProcess();
  const ProcessInfo& info = kProcesses[p];
  const ProcessInfo& parent = kProcesses[info.parent];
  const size_t user = Pick(users_.size());
  const std::string account = info.system ? "NT AUTHORITY\\SYSTEM" : User(user);
  const std::string image = Fill(info.path, user);
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "Image", image);
  Add(e, "FileVersion", "10.0.22621.3958 (WinBuild.160101.0800)");
  Add(e, "Description", info.description);
  Add(e, "Product", "Microsoft® Windows® Operating System");
  Add(e, "Company", info.company);
  Add(e, "OriginalFileName", info.original);
  Add(e, "CommandLine", Fill(info.args, user));
  Add(e, "CurrentDirectory",
      info.system ? "C:\\Windows\\system32\\" : fmt::format("C:\\Users\\{}\\", users_[user]));
  Add(e, "User", account);
  Add(e, "LogonGuid", Guid());
  Add(e, "LogonId", info.system ? "0x3e7" : fmt::format("0x{}", Hex(6)));
  Add(e, "TerminalSessionId", info.system ? "0" : "1");
  Add(e, "IntegrityLevel", info.system ? "System" : "Medium");
  Add(e, "Hashes", HashesOf(image));
  Add(e, "ParentProcessGuid", Guid());
  Add(e, "ParentProcessId", fmt::format("{}", 500 + Pick(30000)));
  Add(e, "ParentImage", Fill(parent.path, user));
  Add(e, "ParentCommandLine", Fill(parent.args, user));
  Add(e, "ParentUser", parent.system ? "NT AUTHORITY\\SYSTEM" : account);
}

void EventGenerator::NetworkConnect(WinEvent& e) {
  // The programs that talk to the network on a workstation, and the ports they use.
  static constexpr size_t kTalkers[] = {4, 4, 4, 5, 5, 2, 2, 2, 13, 21, 18, 19, 17};
  static constexpr int kWebPorts[] = {443, 443, 443, 443, 80};
  static constexpr int kServicePorts[] = {443, 443, 80, 53, 445, 135};
  const size_t p = kTalkers[Pick(std::size(kTalkers))];
  const size_t user = Pick(users_.size());
  const int port = p == kSvchost ? kServicePorts[Pick(std::size(kServicePorts))]
                                 : kWebPorts[Pick(std::size(kWebPorts))];
  const bool internal = port == 445 || port == 135 || port == 53;
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "Image", Fill(kProcesses[p].path, user));
  Add(e, "User", kProcesses[p].system ? "NT AUTHORITY\\SYSTEM" : User(user));
  Add(e, "Protocol", port == 53 ? "udp" : "tcp");
  Add(e, "Initiated", "true");
  Add(e, "SourceIsIpv6", "false");
  Add(e, "SourceIp", fmt::format("10.{}.{}.{}", 10 + Pick(20), Pick(256), 1 + Pick(254)));
  Add(e, "SourceHostname", e.computer);
  Add(e, "SourcePort", fmt::format("{}", 49152 + Pick(16000)));
  Add(e, "SourcePortName", "-");
  Add(e, "DestinationIsIpv6", "false");
  Add(e, "DestinationIp",
      internal ? fmt::format("10.1.0.{}", 1 + Pick(20))
               : fmt::format("{}.{}.{}.{}", 13 + Pick(190), Pick(256), Pick(256), 1 + Pick(254)));
  Add(e, "DestinationHostname",
      internal ? "dc01.contoso.local" : kDomains[Pick(std::size(kDomains))]);
  Add(e, "DestinationPort", fmt::format("{}", port));
  Add(e, "DestinationPortName", port == 443 ? "https" : port == 80 ? "http" : "-");
}

void EventGenerator::ImageLoad(WinEvent& e) {
  const size_t p = PickProcess();
  const size_t user = Pick(users_.size());
  const bool own = p == static_cast<size_t>(kChrome) && Pick(3) == 0;
  const std::string dll =
      own ? "C:\\Program Files\\Google\\Chrome\\Application\\131.0.6778.86\\chrome_elf.dll"
          : fmt::format("C:\\Windows\\System32\\{}", kDlls[Pick(std::size(kDlls))]);
  const std::string_view file = FileNameOf(dll);
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "Image", Fill(kProcesses[p].path, user));
  Add(e, "ImageLoaded", dll);
  Add(e, "FileVersion", own ? "131.0.6778.86" : "10.0.22621.3958 (WinBuild.160101.0800)");
  Add(e, "Description", own ? "Google Chrome" : fmt::format("{} library", file));
  Add(e, "Product", own ? "Google Chrome" : "Microsoft® Windows® Operating System");
  Add(e, "Company", own ? "Google LLC" : "Microsoft Corporation");
  Add(e, "OriginalFileName", std::string(file));
  Add(e, "Hashes", HashesOf(dll));
  Add(e, "Signed", "true");
  Add(e, "Signature", own ? "Google LLC" : "Microsoft Windows");
  Add(e, "SignatureStatus", "Valid");
  Add(e, "User", kProcesses[p].system ? "NT AUTHORITY\\SYSTEM" : User(user));
}

void EventGenerator::ProcessAccess(WinEvent& e) {
  static constexpr const char* kAccess[] = {"0x1000", "0x1400", "0x101000", "0x100000", "0x1410"};
  const size_t source = Pick(2) == 0 ? static_cast<size_t>(kSvchost) : PickProcess();
  const size_t target = PickProcess();
  const size_t user = Pick(users_.size());
  Add(e, "SourceProcessGUID", Guid());
  Add(e, "SourceProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "SourceThreadId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "SourceImage", Fill(kProcesses[source].path, user));
  Add(e, "TargetProcessGUID", Guid());
  Add(e, "TargetProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "TargetImage", Fill(kProcesses[target].path, user));
  Add(e, "GrantedAccess", kAccess[Pick(std::size(kAccess))]);
  Add(e, "CallTrace",
      fmt::format("C:\\Windows\\SYSTEM32\\ntdll.dll+9f5a4|C:\\Windows\\System32\\KERNELBASE.dll+"
                  "{:x}|C:\\Windows\\System32\\{}+{:x}|C:\\Windows\\System32\\KERNEL32.DLL+17614|"
                  "C:\\Windows\\SYSTEM32\\ntdll.dll+526f1",
                  0x20000 + Pick(0x10000), kDlls[Pick(std::size(kDlls))], Pick(0x80000)));
  Add(e, "SourceUser", kProcesses[source].system ? "NT AUTHORITY\\SYSTEM" : User(user));
  Add(e, "TargetUser", kProcesses[target].system ? "NT AUTHORITY\\SYSTEM" : User(user));
}

void EventGenerator::FileCreate(WinEvent& e) {
  const size_t p = PickProcess();
  const size_t user = Pick(users_.size());
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "Image", Fill(kProcesses[p].path, user));
  Add(e, "TargetFilename", Fill(kFileTargets[Pick(std::size(kFileTargets))], user));
  Add(e, "CreationUtcTime", UtcTime(e.time_created));
  Add(e, "User", kProcesses[p].system ? "NT AUTHORITY\\SYSTEM" : User(user));
}

void EventGenerator::RegistrySet(WinEvent& e) {
  const size_t p = PickProcess();
  const size_t user = Pick(users_.size());
  Add(e, "EventType", "SetValue");
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "Image", Fill(kProcesses[p].path, user));
  Add(e, "TargetObject",
      Fill(kRegistryKeys[Pick(std::size(kRegistryKeys))], user) + "\\" +
          kValueNames[Pick(std::size(kValueNames))]);
  switch (Pick(4)) {
    case 0:
      Add(e, "Details", fmt::format("DWORD (0x{:08x})", Pick(4)));
      break;
    case 1:
      Add(e, "Details", fmt::format("QWORD (0x{:08x}-0x{:08x})", Pick(0x01dc0000), Pick(1u << 31)));
      break;
    case 2:
      Add(e, "Details", "Binary Data");
      break;
    default:
      Add(e, "Details", Fill("C:\\Users\\{u}\\Documents\\{w}-notes-{n}.txt", user));
      break;
  }
  Add(e, "User", kProcesses[p].system ? "NT AUTHORITY\\SYSTEM" : User(user));
}

void EventGenerator::DnsQuery(WinEvent& e) {
  const size_t p = PickProcess();
  const size_t user = Pick(users_.size());
  Add(e, "ProcessGuid", Guid());
  Add(e, "ProcessId", fmt::format("{}", 1000 + Pick(60000)));
  Add(e, "QueryName", kDomains[Pick(std::size(kDomains))]);
  Add(e, "QueryStatus", "0");
  Add(e, "QueryResults",
      fmt::format("type:  5 edge-{}.trafficmanager.net;::ffff:{}.{}.{}.{};", Pick(40),
                  13 + Pick(190), Pick(256), Pick(256), 1 + Pick(254)));
  Add(e, "Image", Fill(kProcesses[p].path, user));
  Add(e, "User", kProcesses[p].system ? "NT AUTHORITY\\SYSTEM" : User(user));
}

void EventGenerator::Security(WinEvent& e, int id) {
  e.provider = "Microsoft-Windows-Security-Auditing";
  e.provider_guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
  e.channel = "Security";
  e.event_id = id;
  e.version = id == 4688 ? 2 : id == 4624 ? 2 : 0;
  e.level = 0;
  e.keywords = id == 4625 ? "0x8010000000000000" : "0x8020000000000000";
  e.process_id = 812;
  e.thread_id = 1000 + static_cast<int64_t>(Pick(9000));
  switch (id) {
    case 4624:
      e.task = 12544;
      Logon(e, false);
      break;
    case 4625:
      e.task = 12544;
      Logon(e, true);
      break;
    case 4672:
      e.task = 12548;
      SpecialPrivileges(e);
      break;
    default:
      e.task = 13312;
      SecurityProcessCreate(e);
      break;
  }
}

void EventGenerator::Logon(WinEvent& e, bool failed) {
  static constexpr int kTypes[] = {3, 3, 3, 3, 5, 5, 2, 7, 10, 11};
  const size_t user = Pick(users_.size());
  const int type = failed ? 3 : kTypes[Pick(std::size(kTypes))];
  const bool service = type == 5;
  const std::string host = e.computer.substr(0, e.computer.find('.'));
  Add(e, "SubjectUserSid", failed || type == 3 ? "S-1-0-0" : "S-1-5-18");
  Add(e, "SubjectUserName", failed || type == 3 ? "-" : host + "$");
  Add(e, "SubjectDomainName", failed || type == 3 ? "-" : "CONTOSO");
  Add(e, "SubjectLogonId", failed || type == 3 ? "0x0" : "0x3e7");
  Add(e, "TargetUserSid", service ? "S-1-5-18" : fmt::format("{}{}", kDomainSid, 1000 + user));
  Add(e, "TargetUserName", service ? "SYSTEM" : users_[user]);
  Add(e, "TargetDomainName", service ? "NT AUTHORITY" : "CONTOSO");
  if (failed) {
    Add(e, "Status", "0xc000006d");
    Add(e, "FailureReason", "%%2313");
    Add(e, "SubStatus", Pick(4) == 0 ? "0xc0000064" : "0xc000006a");
  } else {
    Add(e, "TargetLogonId", fmt::format("0x{}", Hex(7)));
  }
  Add(e, "LogonType", fmt::format("{}", type));
  Add(e, "LogonProcessName", type == 3 ? "Kerberos" : service ? "Advapi  " : "User32 ");
  Add(e, "AuthenticationPackageName",
      type == 3 ? (Pick(5) == 0 ? "NTLM" : "Kerberos") : "Negotiate");
  Add(e, "WorkstationName", type == 3 ? fmt::format("WS-{:04}", Pick(2000)) : host);
  Add(e, "LogonGuid", Guid());
  Add(e, "TransmittedServices", "-");
  Add(e, "LmPackageName", "-");
  Add(e, "KeyLength", "0");
  Add(e, "ProcessId", type == 3 ? "0x0" : "0x2d4");
  Add(e, "ProcessName",
      type == 3 ? "-"
      : service ? "C:\\Windows\\System32\\services.exe"
                : "C:\\Windows\\System32\\svchost.exe");
  Add(e, "IpAddress",
      type == 3 || type == 10 ? fmt::format("10.{}.{}.{}", 10 + Pick(20), Pick(256), 1 + Pick(254))
                              : "-");
  Add(e, "IpPort", type == 3 || type == 10 ? fmt::format("{}", 49152 + Pick(16000)) : "-");
  if (!failed) {
    Add(e, "ImpersonationLevel", "%%1833");
    Add(e, "RestrictedAdminMode", "-");
    Add(e, "TargetOutboundUserName", "-");
    Add(e, "TargetOutboundDomainName", "-");
    Add(e, "VirtualAccount", "%%1843");
    Add(e, "TargetLinkedLogonId", "0x0");
    Add(e, "ElevatedToken", service ? "%%1842" : "%%1843");
  }
}

void EventGenerator::SpecialPrivileges(WinEvent& e) {
  const bool system = Pick(3) != 0;
  const size_t user = Pick(users_.size());
  Add(e, "SubjectUserSid", system ? "S-1-5-18" : fmt::format("{}{}", kDomainSid, 1000 + user));
  Add(e, "SubjectUserName", system ? "SYSTEM" : "adm." + users_[user]);
  Add(e, "SubjectDomainName", system ? "NT AUTHORITY" : "CONTOSO");
  Add(e, "SubjectLogonId", system ? "0x3e7" : fmt::format("0x{}", Hex(7)));
  Add(e, "PrivilegeList",
      system ? "SeAssignPrimaryTokenPrivilege\n\t\t\tSeTcbPrivilege\n\t\t\tSeSecurityPrivilege\n"
               "\t\t\tSeTakeOwnershipPrivilege\n\t\t\tSeLoadDriverPrivilege\n\t\t\t"
               "SeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeDebugPrivilege\n\t\t\t"
               "SeAuditPrivilege\n\t\t\tSeSystemEnvironmentPrivilege\n\t\t\t"
               "SeImpersonatePrivilege\n\t\t\tSeDelegateSessionUserImpersonatePrivilege"
             : "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\t"
               "SeTakeOwnershipPrivilege\n\t\t\tSeDebugPrivilege\n\t\t\tSeLoadDriverPrivilege\n"
               "\t\t\tSeImpersonatePrivilege");
}

void EventGenerator::SecurityProcessCreate(WinEvent& e) {
  const size_t p = PickProcess();
  const ProcessInfo& info = kProcesses[p];
  const size_t user = Pick(users_.size());
  const std::string host = e.computer.substr(0, e.computer.find('.'));
  Add(e, "SubjectUserSid", info.system ? "S-1-5-18" : fmt::format("{}{}", kDomainSid, 1000 + user));
  Add(e, "SubjectUserName", info.system ? host + "$" : users_[user]);
  Add(e, "SubjectDomainName", "CONTOSO");
  Add(e, "SubjectLogonId", info.system ? "0x3e7" : fmt::format("0x{}", Hex(7)));
  Add(e, "NewProcessId", fmt::format("0x{:x}", 1000 + Pick(60000)));
  Add(e, "NewProcessName", Fill(info.path, user));
  Add(e, "TokenElevationType", info.system ? "%%1936" : "%%1938");
  Add(e, "ProcessId", fmt::format("0x{:x}", 500 + Pick(30000)));
  Add(e, "CommandLine", Fill(info.args, user));
  Add(e, "TargetUserSid", "S-1-0-0");
  Add(e, "TargetUserName", "-");
  Add(e, "TargetDomainName", "-");
  Add(e, "TargetLogonId", "0x0");
  Add(e, "ParentProcessName", Fill(kProcesses[info.parent].path, user));
  Add(e, "MandatoryLabel", info.system ? "S-1-16-16384" : "S-1-16-8192");
}

void EventGenerator::ScriptBlock(WinEvent& e) {
  const size_t user = Pick(users_.size());
  e.provider = "Microsoft-Windows-PowerShell";
  e.provider_guid = "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}";
  e.channel = "Microsoft-Windows-PowerShell/Operational";
  e.event_id = 4104;
  e.version = 1;
  e.level = 5;
  e.task = 2;
  e.opcode = 15;
  e.keywords = "0x0";
  e.process_id = 1000 + static_cast<int64_t>(Pick(60000));
  e.thread_id = 1000 + static_cast<int64_t>(Pick(9000));
  e.user_sid = fmt::format("{}{}", kDomainSid, 1000 + user);
  Add(e, "MessageNumber", "1");
  Add(e, "MessageTotal", "1");
  Add(e, "ScriptBlockText", Fill(kScripts[Pick(std::size(kScripts))], user));
  Add(e, "ScriptBlockId", Guid().substr(1, 36));
  Add(e, "Path", Pick(2) == 0 ? "" : Fill("C:\\ProgramData\\Contoso\\Agent\\{w}.ps1", user));
}

std::vector<WinEvent> LoadAttackEvents(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<WinEvent> events;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) {
    return events;
  }
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  ingest::IngestReport report;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    (void)ingest::ReadWindowsJson(
        text.str(), file.string(), [&](const WinEvent& event) { events.push_back(event); }, report);
  }
  return events;
}

}  // namespace vigil::bench
