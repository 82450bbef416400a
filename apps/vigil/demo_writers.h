// Internal parts of the demo data generator (demo_data.cpp, demo_background.cpp,
// demo_attack.cpp): the company model, a deterministic random source and the writers of the
// three wire formats (Sysmon JSON lines, Windows Security event XML, table-shaped JSON lines).
// Not thread-safe: one generator run owns its writers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::app::demo {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kDomain = "CONTOSO";
inline constexpr const char* kDnsDomain = "contoso.com";
inline constexpr const char* kOfficePublicIp = "198.51.100.7";

// Platform-independent sequence: std::mt19937_64 is fully specified by the standard; the
// helpers below avoid the implementation-defined std distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  uint64_t Below(uint64_t n);               // [0, n); 0 when n == 0
  int64_t Between(int64_t lo, int64_t hi);  // [lo, hi]
  bool Percent(int percent);                // true with that probability
  std::string Hex(int bytes, bool upper);   // 2*bytes hex digits
  std::string Guid();                       // 8-4-4-4-12, lower case, no braces

 private:
  std::mt19937_64 engine_;
};

struct User {
  std::string name;  // sAMAccountName
  std::string given, surname, department, title;
  std::string upn, sid, object_id;
  std::string workstation;  // NetBIOS name of the primary device, "" for none
  bool is_admin = false;
  bool is_service = false;
  std::string Qualified() const { return std::string(kDomain) + "\\" + name; }
  std::string Display() const { return given + (surname.empty() ? "" : " " + surname); }
};

struct Device {
  std::string name;  // NetBIOS, upper case
  std::string fqdn;  // lower case
  std::string ip;
  std::string machine_group;  // Workstations, Servers, Domain Controllers
  std::string os_platform;
  int64_t os_build = 0;
  std::string user;  // primary user's sAMAccountName, "" for servers
  bool IsWorkstation() const { return machine_group == "Workstations"; }
};

struct Company {
  std::vector<User> users;
  std::vector<Device> devices;
  const User& UserNamed(std::string_view name) const;      // must exist
  const Device& DeviceNamed(std::string_view name) const;  // must exist
};

// The company: DC01, SRV-FS01, SRV-SQL01 and `device_count - 3` workstations (at least two),
// one user per workstation plus executives, admin and service accounts. Seed-independent, so
// the attack's entity names (DemoAttackFacts) are constants.
Company BuildCompany(int device_count);

// Sysmon's flat JSON lines, as a forwarder writes them.
class SysmonWriter {
 public:
  explicit SysmonWriter(std::ofstream& out) : out_(out) {}
  void Event(const Device& device, int64_t ticks, int event_id, const Fields& fields);
  uint64_t events() const { return events_; }

 private:
  std::ofstream& out_;
  std::string line_;
  uint64_t record_ = 1000;
  uint64_t events_ = 0;
};

// Windows event XML (one <Event> per line) for the Security channel and friends.
class SecurityWriter {
 public:
  explicit SecurityWriter(std::ofstream& out) : out_(out) {}
  void Event(const Device& device, int64_t ticks, int event_id, const Fields& data);
  uint64_t events() const { return events_; }

 private:
  std::ofstream& out_;
  std::string line_;
  uint64_t record_ = 884000;
  uint64_t events_ = 0;
};

// Table-shaped JSON lines for one hunting table: chain the cells, then End() the row.
class TableWriter {
 public:
  TableWriter(std::string table, std::filesystem::path path);
  const std::string& table() const { return table_; }
  const std::filesystem::path& path() const { return path_; }
  bool ok() const { return static_cast<bool>(out_); }
  void Close() { out_.close(); }
  TableWriter& Str(std::string_view column, std::string_view value);
  TableWriter& Int(std::string_view column, int64_t value);
  TableWriter& Bool(std::string_view column, bool value);
  TableWriter& Time(std::string_view column, int64_t ticks);
  TableWriter& Json(std::string_view column, std::string_view json);  // raw JSON value
  void End();
  uint64_t rows() const { return rows_; }

 private:
  void Key(std::string_view column);
  std::string table_;
  std::filesystem::path path_;
  std::ofstream out_;
  std::string line_;
  uint64_t rows_ = 0;
};

// Everything one generator run writes to.
struct Sinks {
  SysmonWriter* sysmon = nullptr;
  SecurityWriter* security = nullptr;
  std::map<std::string, TableWriter*> tables;  // by table name
  TableWriter& Table(const std::string& name) const { return *tables.at(name); }
  uint64_t next_report = 1;
  std::string ReportId() { return std::to_string(next_report++); }
};

// Sysmon event helpers (event ids 1, 3, 10, 11, 13, 15, 22); `account` is DOMAIN\name.
struct Proc {
  std::string image;
  std::string command_line;
  uint64_t pid = 0;
};
void ProcessCreate(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                   int64_t t, const Proc& child, const Proc& parent,
                   const std::string& integrity = "Medium");
void NetworkConnect(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                    int64_t t, const Proc& process, const std::string& remote_ip, int remote_port,
                    const std::string& remote_host);
void DnsQuery(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
              int64_t t, const Proc& process, const std::string& name, const std::string& answer);
void FileCreate(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                int64_t t, const Proc& process, const std::string& target);
void FileStreamHash(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                    int64_t t, const Proc& process, const std::string& target,
                    const std::string& sha256, const std::string& zone_url);
void RegistrySet(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                 int64_t t, const Proc& process, const std::string& key,
                 const std::string& details);
void ProcessAccess(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                   int64_t t, const Proc& source, const Proc& target, const std::string& access);

// Security 4624 (LogonSuccess) / 4625 (LogonFailed) on `device`.
void Logon(SecurityWriter& w, const Device& device, int64_t t, const User& user, int logon_type,
           const std::string& source_ip, const std::string& workstation, const std::string& package,
           const std::string& logon_id);
void FailedLogon(SecurityWriter& w, const Device& device, int64_t t, const User& user,
                 int logon_type, const std::string& source_ip, const std::string& workstation);

// One mail: EmailEvents + EmailAttachmentInfo + EmailUrlInfo rows (ReportIds from sinks).
struct MailAttachment {
  std::string file_name, file_type, sha256;
  int64_t size = 0;
  std::string threat_types;  // "" or "Malware"
};
struct Mail {
  int64_t t = 0;
  std::string network_message_id;  // "" = random
  std::string sender, sender_display, sender_ip, recipient, recipient_object_id, subject;
  std::string direction = "Inbound";  // Inbound, Intra-org, Outbound
  std::string threat_types, delivery_action = "Delivered", delivery_location = "Inbox/folder";
  std::vector<MailAttachment> attachments;
  std::vector<std::pair<std::string, std::string>> urls;  // url, threat types
};
std::string WriteMail(Sinks& sinks, Rng& rng, const Mail& mail);  // returns NetworkMessageId

// One UrlClickEvents row.
void WriteClick(Sinks& sinks, int64_t t, const User& user, const std::string& url,
                const std::string& network_message_id, const std::string& threat_types,
                const std::string& ip);

// One CloudAppEvents row by `user` from `ip`; `mailbox_owner` fills RawEventData for
// MailItemsAccessed.
struct CloudActivity {
  int64_t t = 0;
  std::string action_type, application, object_name, ip;
  std::string mailbox_owner;
  std::string user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/131.0";
  std::string country = "US", city = "Seattle", isp = "Contoso Fiber";
};
void WriteCloud(Sinks& sinks, const User& user, const CloudActivity& activity);

// Common images.
inline constexpr const char* kExplorer = "C:\\Windows\\explorer.exe";
inline constexpr const char* kChrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
inline constexpr const char* kEdge =
    "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe";
inline constexpr const char* kOutlook =
    "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";
inline constexpr const char* kWord =
    "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE";
inline constexpr const char* kExcel =
    "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE";
inline constexpr const char* kTeams =
    "C:\\Users\\Public\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe";
inline constexpr const char* kPowerShell =
    "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
inline constexpr const char* kSvchost = "C:\\Windows\\System32\\svchost.exe";
inline constexpr const char* kServices = "C:\\Windows\\System32\\services.exe";
inline constexpr const char* kCmd = "C:\\Windows\\System32\\cmd.exe";
inline constexpr const char* kRundll = "C:\\Windows\\System32\\rundll32.exe";
inline constexpr const char* kLsass = "C:\\Windows\\System32\\lsass.exe";

// Background activity over [start, end) (see demo_background.cpp).
void WriteBackground(const Company& company, Rng& rng, Sinks& sinks, int64_t start, int64_t end);
// The attack story starting on the day `attack_day` (day number, see DayOf) (demo_attack.cpp).
void WriteAttack(const Company& company, Rng& rng, Sinks& sinks, int64_t attack_day);

}  // namespace vigil::app::demo
