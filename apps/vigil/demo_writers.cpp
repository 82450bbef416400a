#include "apps/vigil/demo_writers.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "apps/vigil/demo_data.h"
#include "vigil/base/time.h"
#include "vigil/ingest/normalize/field_transforms.h"
#include "vigil/schema/row_json.h"

namespace vigil::app::demo {

// ---- Rng

Rng::Rng(uint64_t seed) : engine_(seed) {}

uint64_t Rng::Next() { return engine_(); }

uint64_t Rng::Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

int64_t Rng::Between(int64_t lo, int64_t hi) {
  if (hi <= lo) {
    return lo;
  }
  return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
}

bool Rng::Percent(int percent) { return static_cast<int>(Below(100)) < percent; }

std::string Rng::Hex(int bytes, bool upper) {
  std::string out;
  while (static_cast<int>(out.size()) < bytes * 2) {
    out += upper ? fmt::format("{:016X}", Next()) : fmt::format("{:016x}", Next());
  }
  out.resize(static_cast<size_t>(bytes) * 2);
  return out;
}

std::string Rng::Guid() {
  const std::string h = Hex(16, false);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// ---- Company

namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

constexpr const char* kSidPrefix = "S-1-5-21-1004336348-1177238915-682003330-";

std::string GuidFromName(std::string_view name) {
  const std::string h = ingest::Sha1Hex(std::string("contoso-object:") + std::string(name));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) +
         "-" + h.substr(20, 12);
}

User MakeUser(std::string name, std::string given, std::string surname, std::string department,
              std::string title, int rid) {
  User u;
  u.upn = name + "@" + kDnsDomain;
  u.sid = kSidPrefix + std::to_string(rid);
  u.object_id = GuidFromName(name);
  u.name = std::move(name);
  u.given = std::move(given);
  u.surname = std::move(surname);
  u.department = std::move(department);
  u.title = std::move(title);
  return u;
}

struct PoolName {
  const char* name;
  const char* given;
  const char* surname;
  const char* department;
};

constexpr PoolName kPool[] = {
    {"aali", "Aisha", "Ali", "Sales"},         {"bcooper", "Ben", "Cooper", "Engineering"},
    {"cdiaz", "Carmen", "Diaz", "Finance"},    {"dkim", "Daniel", "Kim", "Engineering"},
    {"epatel", "Esha", "Patel", "HR"},         {"fmoreau", "Fabien", "Moreau", "Sales"},
    {"gsato", "Gen", "Sato", "Engineering"},   {"hlarsen", "Hanna", "Larsen", "Legal"},
    {"ijones", "Ian", "Jones", "Support"},     {"jwhite", "Julia", "White", "Marketing"},
    {"kmurphy", "Kevin", "Murphy", "Sales"},   {"lrossi", "Luca", "Rossi", "Engineering"},
    {"mnovak", "Marta", "Novak", "Finance"},   {"nsingh", "Nikhil", "Singh", "Support"},
    {"obrien", "Olivia", "Brien", "HR"},       {"pmeyer", "Paul", "Meyer", "Engineering"},
    {"qzhao", "Qing", "Zhao", "Engineering"},  {"rsantos", "Rita", "Santos", "Support"},
    {"sfischer", "Sven", "Fischer", "Sales"},  {"tgreen", "Tom", "Green", "Marketing"},
    {"uweber", "Ute", "Weber", "Legal"},       {"vcosta", "Vera", "Costa", "Finance"},
    {"wlee", "William", "Lee", "Engineering"}, {"xlopez", "Ximena", "Lopez", "Sales"},
    {"yito", "Yuki", "Ito", "Engineering"},    {"zkhan", "Zara", "Khan", "Support"},
};

}  // namespace

const User& Company::UserNamed(std::string_view name) const {
  for (const User& u : users) {
    if (u.name == name) {
      return u;
    }
  }
  return users.front();
}

const Device& Company::DeviceNamed(std::string_view name) const {
  for (const Device& d : devices) {
    if (d.name == name) {
      return d;
    }
  }
  return devices.front();
}

Company BuildCompany(int device_count) {
  Company c;
  auto server = [&c](const char* name, const char* ip, const char* group) {
    Device d;
    d.name = name;
    d.fqdn = Lower(name) + "." + kDnsDomain;
    d.ip = ip;
    d.machine_group = group;
    d.os_platform = "WindowsServer2022";
    d.os_build = 20348;
    c.devices.push_back(std::move(d));
  };
  server("DC01", "10.0.0.10", "Domain Controllers");
  server("SRV-FS01", "10.0.2.10", "Servers");
  server("SRV-SQL01", "10.0.2.20", "Servers");

  // Fixed people first: the attack's victim, the benign look-alikes, the IT staff.
  c.users.push_back(MakeUser("jdoe", "Jane", "Doe", "Finance", "Accountant", 1142));
  c.users.push_back(MakeUser("lgarcia", "Lucia", "Garcia", "Marketing", "Marketing Manager", 1151));
  c.users.push_back(MakeUser("mchen", "Michael", "Chen", "IT", "Helpdesk Technician", 1163));
  c.users.push_back(MakeUser("pkumar", "Priya", "Kumar", "IT", "Systems Administrator", 1170));
  const int workstations = std::max(2, device_count - 3);
  for (int i = 4; i < workstations; ++i) {
    const size_t pool = static_cast<size_t>(i - 4) % std::size(kPool);
    const PoolName& p = kPool[pool];
    const int round = (i - 4) / static_cast<int>(std::size(kPool));
    std::string name = round == 0 ? p.name : fmt::format("{}{}", p.name, round + 1);
    c.users.push_back(
        MakeUser(std::move(name), p.given, p.surname, p.department, "Employee", 1200 + i));
  }
  for (int i = 0; i < workstations; ++i) {
    Device d;
    const int number = i == 0 ? 142 : 100 + i + (100 + i >= 142 ? 1 : 0);
    d.name = fmt::format("WS-{:04}", number);
    d.fqdn = Lower(d.name) + "." + kDnsDomain;
    d.ip = fmt::format("10.0.1.{}", number % 250 + 2);
    d.machine_group = "Workstations";
    d.os_platform = "Windows11";
    d.os_build = 22631;
    d.user = c.users[static_cast<size_t>(i)].name;
    c.users[static_cast<size_t>(i)].workstation = d.name;
    c.devices.push_back(std::move(d));
  }
  // People without an onboarded device, admin and service accounts.
  c.users.push_back(MakeUser("rbrown", "Robert", "Brown", "Executive", "Chief Executive", 1101));
  c.users.push_back(
      MakeUser("kwilson", "Karen", "Wilson", "Executive", "Chief Financial Officer", 1102));
  c.users.push_back(
      MakeUser("snakamura", "Sara", "Nakamura", "Executive", "Executive Assistant", 1103));
  c.users.push_back(MakeUser("dmartin", "David", "Martin", "Legal", "General Counsel", 1104));
  User adm_mchen = MakeUser("adm-mchen", "Michael", "Chen (admin)", "IT", "Helpdesk admin", 1250);
  adm_mchen.object_id = std::string(DemoAttackFacts::kAdminObjectId);
  adm_mchen.is_admin = true;
  c.users.push_back(std::move(adm_mchen));
  User adm_pkumar = MakeUser("adm-pkumar", "Priya", "Kumar (admin)", "IT", "Server admin", 1251);
  adm_pkumar.is_admin = true;
  c.users.push_back(std::move(adm_pkumar));
  for (const auto& [name, rid] :
       std::vector<std::pair<const char*, int>>{{"svc_sql", 1301},
                                                {"svc_web", 1302},
                                                {"svc_sharepoint", 1303},
                                                {"svc_backupagent", 1304}}) {
    User s = MakeUser(name, name, "", "IT", "Service account", rid);
    s.is_service = true;
    c.users.push_back(std::move(s));
  }
  c.users[0].object_id = std::string(DemoAttackFacts::kVictimObjectId);
  return c;
}

// ---- Writers

namespace {

std::string SysmonTime(int64_t ticks) {
  const std::string iso = FormatDateTime(ticks);  // 2026-11-20T09:12:03.1230000Z
  return iso.substr(0, 10) + " " + iso.substr(11, 12);
}

void AppendXmlEscaped(std::string& out, std::string_view text) {
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
}

}  // namespace

void SysmonWriter::Event(const Device& device, int64_t ticks, int event_id, const Fields& fields) {
  line_.clear();
  line_ += "{\"Hostname\":";
  schema::AppendJsonString(line_, device.fqdn);
  line_ += fmt::format(
      ",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":{},\"SourceName\":"
      "\"Microsoft-Windows-Sysmon\",\"TimeCreated\":\"{}\",\"UtcTime\":\"{}\",\"RecordNumber\":{}",
      event_id, SysmonTime(ticks), SysmonTime(ticks), ++record_);
  for (const auto& [key, value] : fields) {
    line_ += ",";
    schema::AppendJsonString(line_, key);
    line_ += ":";
    schema::AppendJsonString(line_, value);
  }
  line_ += "}\n";
  out_ << line_;
  ++events_;
}

void SecurityWriter::Event(const Device& device, int64_t ticks, int event_id, const Fields& data) {
  line_.clear();
  line_ +=
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
      "<Provider Name='Microsoft-Windows-Security-Auditing' "
      "Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/>";
  line_ += fmt::format(
      "<EventID>{}</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0"
      "</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='{}'/>"
      "<EventRecordID>{}</EventRecordID><Correlation/><Execution ProcessID='684' "
      "ThreadID='1204'/><Channel>Security</Channel><Computer>{}</Computer><Security/></System>"
      "<EventData>",
      event_id, FormatDateTime(ticks), ++record_, device.fqdn);
  for (const auto& [name, value] : data) {
    line_ += "<Data Name='" + name + "'>";
    AppendXmlEscaped(line_, value);
    line_ += "</Data>";
  }
  line_ += "</EventData></Event>\n";
  out_ << line_;
  ++events_;
}

TableWriter::TableWriter(std::string table, std::filesystem::path path)
    : table_(std::move(table)),
      path_(std::move(path)),
      out_(path_, std::ios::binary | std::ios::trunc) {}

void TableWriter::Key(std::string_view column) {
  line_ += line_.empty() ? "{" : ",";
  schema::AppendJsonString(line_, column);
  line_ += ":";
}

TableWriter& TableWriter::Str(std::string_view column, std::string_view value) {
  Key(column);
  schema::AppendJsonString(line_, value);
  return *this;
}

TableWriter& TableWriter::Int(std::string_view column, int64_t value) {
  Key(column);
  line_ += std::to_string(value);
  return *this;
}

TableWriter& TableWriter::Bool(std::string_view column, bool value) {
  Key(column);
  line_ += value ? "true" : "false";
  return *this;
}

TableWriter& TableWriter::Time(std::string_view column, int64_t ticks) {
  return Str(column, FormatDateTime(ticks));
}

TableWriter& TableWriter::Json(std::string_view column, std::string_view json) {
  Key(column);
  line_ += json;
  return *this;
}

void TableWriter::End() {
  line_ += "}\n";
  out_ << line_;
  line_.clear();
  ++rows_;
}

// ---- Sysmon helpers

void ProcessCreate(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                   int64_t t, const Proc& child, const Proc& parent, const std::string& integrity) {
  const std::string file = child.image.substr(child.image.find_last_of('\\') + 1);
  const std::string user_dir = account.substr(account.find('\\') + 1);
  w.Event(device, t, 1,
          {{"RuleName", "-"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(child.pid)},
           {"Image", child.image},
           {"FileVersion", "10.0.22621.1 (WinBuild.160101.0800)"},
           {"Description", file},
           {"Product", "Microsoft Windows Operating System"},
           {"Company", "Microsoft Corporation"},
           {"OriginalFileName", file},
           {"CommandLine", child.command_line},
           {"CurrentDirectory", "C:\\Users\\" + user_dir + "\\"},
           {"User", account},
           {"LogonGuid", "{" + rng.Guid() + "}"},
           {"LogonId", "0x4c1f2"},
           {"TerminalSessionId", "1"},
           {"IntegrityLevel", integrity},
           {"Hashes", fmt::format("SHA1={},MD5={},SHA256={},IMPHASH={}", rng.Hex(20, true),
                                  rng.Hex(16, true), rng.Hex(32, true), rng.Hex(16, true))},
           {"ParentProcessGuid", "{" + rng.Guid() + "}"},
           {"ParentProcessId", std::to_string(parent.pid)},
           {"ParentImage", parent.image},
           {"ParentCommandLine", parent.command_line},
           {"ParentUser", account}});
}

void NetworkConnect(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                    int64_t t, const Proc& process, const std::string& remote_ip, int remote_port,
                    const std::string& remote_host) {
  w.Event(device, t, 3,
          {{"RuleName", "-"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(process.pid)},
           {"Image", process.image},
           {"User", account},
           {"Protocol", "tcp"},
           {"Initiated", "true"},
           {"SourceIsIpv6", "false"},
           {"SourceIp", device.ip},
           {"SourceHostname", device.fqdn},
           {"SourcePort", std::to_string(49152 + rng.Below(16000))},
           {"DestinationIsIpv6", "false"},
           {"DestinationIp", remote_ip},
           {"DestinationHostname", remote_host},
           {"DestinationPort", std::to_string(remote_port)}});
}

void DnsQuery(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
              int64_t t, const Proc& process, const std::string& name, const std::string& answer) {
  w.Event(device, t, 22,
          {{"RuleName", "-"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(process.pid)},
           {"QueryName", name},
           {"QueryStatus", "0"},
           {"QueryResults", "::ffff:" + answer + ";"},
           {"Image", process.image},
           {"User", account}});
}

void FileCreate(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                int64_t t, const Proc& process, const std::string& target) {
  w.Event(device, t, 11,
          {{"RuleName", "-"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(process.pid)},
           {"Image", process.image},
           {"TargetFilename", target},
           {"CreationUtcTime", SysmonTime(t)},
           {"User", account}});
}

void FileStreamHash(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                    int64_t t, const Proc& process, const std::string& target,
                    const std::string& sha256, const std::string& zone_url) {
  w.Event(device, t, 15,
          {{"RuleName", "-"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(process.pid)},
           {"Image", process.image},
           {"TargetFilename", target + ":Zone.Identifier"},
           {"CreationUtcTime", SysmonTime(t)},
           {"Hash", "SHA256=" + sha256},
           {"Contents", "[ZoneTransfer]  ZoneId=3  HostUrl=" + zone_url},
           {"User", account}});
}

void RegistrySet(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                 int64_t t, const Proc& process, const std::string& key,
                 const std::string& details) {
  w.Event(device, t, 13,
          {{"RuleName", "-"},
           {"EventType", "SetValue"},
           {"ProcessGuid", "{" + rng.Guid() + "}"},
           {"ProcessId", std::to_string(process.pid)},
           {"Image", process.image},
           {"TargetObject", key},
           {"Details", details},
           {"User", account}});
}

void ProcessAccess(SysmonWriter& w, Rng& rng, const Device& device, const std::string& account,
                   int64_t t, const Proc& source, const Proc& target, const std::string& access) {
  w.Event(device, t, 10,
          {{"RuleName", "-"},
           {"SourceProcessGUID", "{" + rng.Guid() + "}"},
           {"SourceProcessId", std::to_string(source.pid)},
           {"SourceThreadId", std::to_string(1000 + rng.Below(8000))},
           {"SourceImage", source.image},
           {"TargetProcessGUID", "{" + rng.Guid() + "}"},
           {"TargetProcessId", std::to_string(target.pid)},
           {"TargetImage", target.image},
           {"GrantedAccess", access},
           {"CallTrace", "C:\\Windows\\SYSTEM32\\ntdll.dll+9d234|UNKNOWN(00000000001A0D3B)"},
           {"SourceUser", account},
           {"TargetUser", "NT AUTHORITY\\SYSTEM"}});
}

void Logon(SecurityWriter& w, const Device& device, int64_t t, const User& user, int logon_type,
           const std::string& source_ip, const std::string& workstation, const std::string& package,
           const std::string& logon_id) {
  w.Event(device, t, 4624,
          {{"SubjectUserSid", "S-1-0-0"},
           {"SubjectUserName", "-"},
           {"SubjectDomainName", "-"},
           {"SubjectLogonId", "0x0"},
           {"TargetUserSid", user.sid},
           {"TargetUserName", user.name},
           {"TargetDomainName", kDomain},
           {"TargetLogonId", logon_id},
           {"LogonType", std::to_string(logon_type)},
           {"LogonProcessName", package == "Kerberos" ? "Kerberos" : "NtLmSsp"},
           {"AuthenticationPackageName", package},
           {"WorkstationName", workstation},
           {"IpAddress", source_ip},
           {"IpPort", source_ip == "-" ? "-" : "50122"}});
}

void FailedLogon(SecurityWriter& w, const Device& device, int64_t t, const User& user,
                 int logon_type, const std::string& source_ip, const std::string& workstation) {
  w.Event(device, t, 4625,
          {{"SubjectUserSid", "S-1-5-18"},
           {"SubjectUserName", device.name + "$"},
           {"SubjectDomainName", kDomain},
           {"TargetUserSid", "S-1-0-0"},
           {"TargetUserName", user.name},
           {"TargetDomainName", kDomain},
           {"Status", "0xc000006d"},
           {"FailureReason", "%%2313"},
           {"SubStatus", "0xc000006a"},
           {"LogonType", std::to_string(logon_type)},
           {"LogonProcessName", "User32"},
           {"AuthenticationPackageName", "Negotiate"},
           {"WorkstationName", workstation},
           {"IpAddress", source_ip},
           {"IpPort", "0"}});
}

// ---- Mail, clicks, cloud apps

namespace {

std::string DomainOf(std::string_view address) {
  const size_t at = address.find('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

struct AppIds {
  const char* name;
  int64_t id;
};

int64_t ApplicationId(std::string_view app) {
  static constexpr AppIds kApps[] = {{"Microsoft Exchange Online", 20893},
                                     {"Microsoft SharePoint Online", 20892},
                                     {"Microsoft OneDrive for Business", 15600},
                                     {"Microsoft Teams", 11394}};
  for (const auto& a : kApps) {
    if (app == a.name) {
      return a.id;
    }
  }
  return 0;
}

}  // namespace

std::string WriteMail(Sinks& sinks, Rng& rng, const Mail& mail) {
  const std::string id = mail.network_message_id.empty() ? rng.Guid() : mail.network_message_id;
  const std::string sender_domain = DomainOf(mail.sender);
  sinks.Table("EmailEvents")
      .Time("Timestamp", mail.t)
      .Str("NetworkMessageId", id)
      .Str("InternetMessageId", fmt::format("<{}@{}>", rng.Hex(8, false), sender_domain))
      .Str("SenderMailFromAddress", mail.sender)
      .Str("SenderFromAddress", mail.sender)
      .Str("SenderDisplayName", mail.sender_display)
      .Str("SenderMailFromDomain", sender_domain)
      .Str("SenderFromDomain", sender_domain)
      .Str("SenderIPv4", mail.sender_ip)
      .Str("RecipientEmailAddress", mail.recipient)
      .Str("RecipientObjectId", mail.recipient_object_id)
      .Str("Subject", mail.subject)
      .Str("EmailDirection", mail.direction)
      .Str("DeliveryAction", mail.delivery_action)
      .Str("DeliveryLocation", mail.delivery_location)
      .Str("LatestDeliveryAction", mail.delivery_action)
      .Str("LatestDeliveryLocation", mail.delivery_location)
      .Str("ThreatTypes", mail.threat_types)
      .Str("DetectionMethods", mail.threat_types.empty() ? "" : R"({"Phish":["URL detonation"]})")
      .Str("AuthenticationDetails",
           mail.direction == "Inbound"
               ? R"({"SPF":"pass","DKIM":"pass","DMARC":"pass","CompAuth":"pass"})"
               : "")
      .Int("AttachmentCount", static_cast<int64_t>(mail.attachments.size()))
      .Int("UrlCount", static_cast<int64_t>(mail.urls.size()))
      .Str("EmailLanguage", "en")
      .Str("ReportId", sinks.ReportId())
      .End();
  for (const MailAttachment& a : mail.attachments) {
    sinks.Table("EmailAttachmentInfo")
        .Time("Timestamp", mail.t)
        .Str("NetworkMessageId", id)
        .Str("SenderFromAddress", mail.sender)
        .Str("SenderDisplayName", mail.sender_display)
        .Str("RecipientEmailAddress", mail.recipient)
        .Str("RecipientObjectId", mail.recipient_object_id)
        .Str("FileName", a.file_name)
        .Str("FileType", a.file_type)
        .Str("SHA256", a.sha256)
        .Int("FileSize", a.size)
        .Str("ThreatTypes", a.threat_types)
        .Str("ThreatNames", a.threat_types.empty() ? "" : "TrojanDownloader:O97M/Donoff")
        .Str("DetectionMethods", a.threat_types.empty() ? "" : "File detonation")
        .Str("ReportId", sinks.ReportId())
        .End();
  }
  for (const auto& [url, threat] : mail.urls) {
    const size_t host_start = url.find("://");
    const size_t from = host_start == std::string::npos ? 0 : host_start + 3;
    const size_t to = url.find('/', from);
    sinks.Table("EmailUrlInfo")
        .Time("Timestamp", mail.t)
        .Str("NetworkMessageId", id)
        .Str("Url", url)
        .Str("UrlDomain", url.substr(from, to == std::string::npos ? std::string::npos : to - from))
        .Str("UrlLocation", "Body")
        .Str("ReportId", sinks.ReportId())
        .Json("AdditionalFields", threat.empty() ? "{}" : "{\"ThreatTypes\":\"" + threat + "\"}")
        .End();
  }
  return id;
}

void WriteClick(Sinks& sinks, int64_t t, const User& user, const std::string& url,
                const std::string& network_message_id, const std::string& threat_types,
                const std::string& ip) {
  sinks.Table("UrlClickEvents")
      .Time("Timestamp", t)
      .Str("Url", url)
      .Str("ActionType", "ClickAllowed")
      .Str("AccountUpn", user.upn)
      .Str("Workload", "Email")
      .Str("NetworkMessageId", network_message_id)
      .Str("ThreatTypes", threat_types)
      .Str("DetectionMethods", threat_types.empty() ? "" : "URL detonation reputation")
      .Str("IPAddress", ip)
      .Bool("IsClickedThrough", true)
      .Str("UrlChain", "[\"" + url + "\"]")
      .Str("ReportId", sinks.ReportId())
      .End();
}

void WriteCloud(Sinks& sinks, const User& user, const CloudActivity& a) {
  std::string raw = "{\"UserId\":";
  schema::AppendJsonString(raw, user.upn);
  raw += ",\"Operation\":";
  schema::AppendJsonString(raw, a.action_type);
  if (!a.mailbox_owner.empty()) {
    raw += ",\"MailboxOwnerUPN\":";
    schema::AppendJsonString(raw, a.mailbox_owner);
  }
  raw += ",\"ClientIP\":";
  schema::AppendJsonString(raw, a.ip);
  raw += "}";
  const bool mail = a.action_type == "MailItemsAccessed";
  sinks.Table("CloudAppEvents")
      .Time("Timestamp", a.t)
      .Str("ActionType", a.action_type)
      .Str("Application", a.application)
      .Int("ApplicationId", ApplicationId(a.application))
      .Str("AccountObjectId", user.object_id)
      .Str("AccountId", user.object_id)
      .Str("AccountDisplayName", user.Display())
      .Bool("IsAdminOperation", false)
      .Str("DeviceType", "Desktop")
      .Str("OSPlatform", "Windows")
      .Str("IPAddress", a.ip)
      .Bool("IsAnonymousProxy", false)
      .Str("CountryCode", a.country)
      .Str("City", a.city)
      .Str("Isp", a.isp)
      .Str("UserAgent", a.user_agent)
      .Str("ActivityType",
           mail ? "Read" : (a.action_type == "FileDownloaded" ? "Download" : "Basic"))
      .Str("ObjectName", a.object_name)
      .Str("ObjectType", mail ? "Mail" : "File")
      .Str("ReportId", sinks.ReportId())
      .Str("AccountType", user.is_admin ? "Admin" : "Regular")
      .Bool("IsExternalUser", false)
      .Bool("IsImpersonated", false)
      .Json("RawEventData", raw)
      .End();
}

}  // namespace vigil::app::demo
