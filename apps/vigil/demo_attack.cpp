// The demo's attack, over two days (see DemoAttackFacts for its entities):
//   day 1: a helpdesk admin (adm-mchen) logs on to jdoe's workstation, leaving credentials in
//          LSASS; in the afternoon a phishing mail with a macro document and a link reaches jdoe.
//   day 2: jdoe clicks the link and opens the document -> WINWORD starts encoded PowerShell ->
//          C2, payload, Run key -> LSASS access, comsvcs minidump, mimikatz -> NTLM logon as
//          adm-mchen to SRV-SQL01 (admin share, PsExec service, discovery) -> Kerberoasting from
//          SRV-SQL01 -> adm-mchen reads executives' mailboxes and mass-downloads from SharePoint
//          and OneDrive from an outside address.
#include <fmt/format.h>

#include "apps/vigil/demo_data.h"
#include "apps/vigil/demo_writers.h"
#include "vigil/base/time.h"

namespace vigil::app::demo {
namespace {

using Facts = DemoAttackFacts;

constexpr int64_t kSecond = kTicksPerSecond;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

std::string S(std::string_view v) { return std::string(v); }

void Phish(const Company& company, Rng& rng, Sinks& sinks, int64_t t) {
  const User& victim = company.UserNamed(Facts::kVictimAccount);
  Mail m;
  m.t = t;
  m.network_message_id = S(Facts::kNetworkMessageId);
  m.sender = S(Facts::kSender);
  m.sender_display = "Fabrikam Billing";
  m.sender_ip = S(Facts::kSenderIp);
  m.recipient = victim.upn;
  m.recipient_object_id = victim.object_id;
  m.subject = S(Facts::kSubject);
  m.threat_types = "Phish, Malware";
  m.attachments.push_back(
      {S(Facts::kAttachmentName), "docm", S(Facts::kAttachmentSha256), 48128, "Malware"});
  m.urls.push_back({S(Facts::kPhishUrl), "Phish"});
  WriteMail(sinks, rng, m);
}

void Endpoint(const Company& company, Rng& rng, Sinks& sinks, int64_t t0) {
  const User& victim = company.UserNamed(Facts::kVictimAccount);
  const Device& ws = company.DeviceNamed(victim.workstation);
  const std::string account = victim.Qualified();
  SysmonWriter& w = *sinks.sysmon;
  const Proc explorer{kExplorer, kExplorer, 2044};
  // The click: the browser fetches the document the mail linked to.
  WriteClick(sinks, t0, victim, S(Facts::kPhishUrl), S(Facts::kNetworkMessageId), "Phish",
             kOfficePublicIp);
  const Proc chrome{kChrome, std::string("\"") + kChrome + "\" " + S(Facts::kPhishUrl), 6120};
  ProcessCreate(w, rng, ws, account, t0 + 2 * kSecond, chrome, explorer);
  const std::string doc = "C:\\Users\\jdoe\\Downloads\\" + S(Facts::kAttachmentName);
  FileCreate(w, rng, ws, account, t0 + 6 * kSecond, chrome, doc);
  FileStreamHash(w, rng, ws, account, t0 + 6 * kSecond, chrome, doc, S(Facts::kAttachmentSha256),
                 S(Facts::kPhishUrl));
  // The macro.
  const int64_t t1 = t0 + 7 * kMinute;
  const Proc word{kWord, std::string("\"") + kWord + "\" /n \"" + doc + "\" /o \"\"", 7410};
  ProcessCreate(w, rng, ws, account, t1, word, explorer);
  const std::string encoded =
      "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA";
  const Proc ps{kPowerShell, std::string(kPowerShell) + " -nop -w hidden -enc " + encoded, 7533};
  ProcessCreate(w, rng, ws, account, t1 + 40 * kSecond, ps, word);
  DnsQuery(w, rng, ws, account, t1 + 42 * kSecond, ps, S(Facts::kC2Host), S(Facts::kC2Ip));
  NetworkConnect(w, rng, ws, account, t1 + 43 * kSecond, ps, S(Facts::kC2Ip), 443,
                 S(Facts::kC2Host));
  const std::string payload_path = "C:\\Users\\jdoe\\AppData\\Roaming\\Microsoft\\updater.exe";
  FileCreate(w, rng, ws, account, t1 + 47 * kSecond, ps, payload_path);
  RegistrySet(w, rng, ws, account, t1 + 49 * kSecond, ps,
              "HKU\\" + victim.sid + "\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
              payload_path);
  const Proc payload{payload_path, payload_path, 7602};
  ProcessCreate(w, rng, ws, account, t1 + 51 * kSecond, payload, ps, "High");
  // Credential theft.
  const int64_t t2 = t1 + 8 * kMinute;
  ProcessAccess(w, rng, ws, account, t2, payload, {kLsass, kLsass, 684}, "0x1FFFFF");
  const Proc rundll{kRundll,
                    std::string(kRundll) +
                        " C:\\Windows\\System32\\comsvcs.dll, MiniDump 684 "
                        "C:\\Users\\Public\\lsass.dmp full",
                    7650};
  ProcessCreate(w, rng, ws, account, t2 + 2 * kSecond, rundll, payload, "High");
  FileCreate(w, rng, ws, account, t2 + 5 * kSecond, rundll, "C:\\Users\\Public\\lsass.dmp");
  const Proc mimikatz{"C:\\Users\\Public\\mm.exe",
                      "C:\\Users\\Public\\mm.exe \"privilege::debug\" "
                      "\"sekurlsa::logonpasswords\" exit",
                      7688};
  ProcessCreate(w, rng, ws, account, t2 + 3 * kMinute, mimikatz, payload, "High");
  NetworkConnect(w, rng, ws, account, t2 + 4 * kMinute, payload, S(Facts::kC2Ip), 443,
                 S(Facts::kC2Host));
}

void Lateral(const Company& company, Rng& rng, Sinks& sinks, int64_t t0) {
  const User& admin = company.UserNamed(Facts::kAdminAccount);
  const Device& ws = company.DeviceNamed("WS-0142");
  const Device& sql = company.DeviceNamed("SRV-SQL01");
  const Device& dc = company.devices[0];
  SecurityWriter& x = *sinks.security;
  x.Event(dc, t0 - kSecond, 4776,
          {{"PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"},
           {"TargetUserName", admin.name},
           {"Workstation", ws.name},
           {"Status", "0x0"}});
  Logon(x, sql, t0, admin, 3, ws.ip, ws.name, "NTLM", "0x5d21a7");
  x.Event(
      sql, t0 + kSecond, 4672,
      {{"SubjectUserSid", admin.sid},
       {"SubjectUserName", admin.name},
       {"SubjectDomainName", kDomain},
       {"SubjectLogonId", "0x5d21a7"},
       {"PrivilegeList", "SeBackupPrivilege\n\t\t\tSeRestorePrivilege\n\t\t\tSeDebugPrivilege"}});
  x.Event(sql, t0 + 3 * kSecond, 5140,
          {{"SubjectUserSid", admin.sid},
           {"SubjectUserName", admin.name},
           {"SubjectDomainName", kDomain},
           {"SubjectLogonId", "0x5d21a7"},
           {"ObjectType", "File"},
           {"IpAddress", ws.ip},
           {"IpPort", "50144"},
           {"ShareName", "\\\\*\\ADMIN$"},
           {"ShareLocalPath", "\\??\\C:\\Windows"},
           {"AccessMask", "0x1"}});
  x.Event(sql, t0 + 5 * kSecond, 4697,
          {{"SubjectUserSid", admin.sid},
           {"SubjectUserName", admin.name},
           {"SubjectDomainName", kDomain},
           {"SubjectLogonId", "0x5d21a7"},
           {"ServiceName", "PSEXESVC"},
           {"ServiceFileName", "%SystemRoot%\\PSEXESVC.exe"},
           {"ServiceType", "0x10"},
           {"ServiceStartType", "3"},
           {"ServiceAccount", "LocalSystem"}});
  const std::string account = admin.Qualified();
  const Proc psexesvc{"C:\\Windows\\PSEXESVC.exe", "C:\\Windows\\PSEXESVC.exe", 3880};
  const Proc cmd{kCmd, "cmd.exe", 3912};
  ProcessCreate(*sinks.sysmon, rng, sql, account, t0 + 8 * kSecond, cmd, psexesvc, "High");
  const Proc whoami{"C:\\Windows\\System32\\whoami.exe", "whoami /all", 3950};
  ProcessCreate(*sinks.sysmon, rng, sql, account, t0 + 20 * kSecond, whoami, cmd, "High");
  const Proc net{"C:\\Windows\\System32\\net.exe", "net group \"Domain Admins\" /domain", 3977};
  ProcessCreate(*sinks.sysmon, rng, sql, account, t0 + 45 * kSecond, net, cmd, "High");
  // Kerberoasting from the server: RC4 service tickets for the service accounts.
  const int64_t t1 = t0 + 15 * kMinute;
  x.Event(dc, t1, 4768,
          {{"TargetUserName", admin.name},
           {"TargetDomainName", kDomain},
           {"TargetSid", admin.sid},
           {"ServiceName", "krbtgt"},
           {"TicketOptions", "0x40810010"},
           {"Status", "0x0"},
           {"TicketEncryptionType", "0x12"},
           {"PreAuthType", "2"},
           {"IpAddress", "::ffff:" + sql.ip},
           {"IpPort", "51022"}});
  int i = 0;
  for (const char* service : {"svc_sql", "svc_web", "svc_sharepoint"}) {
    ++i;
    x.Event(dc, t1 + i * 2 * kSecond, 4769,
            {{"TargetUserName", admin.name + "@CONTOSO.COM"},
             {"TargetDomainName", "CONTOSO.COM"},
             {"ServiceName", service},
             {"ServiceSid", company.UserNamed(service).sid},
             {"TicketOptions", "0x40810000"},
             {"TicketEncryptionType", "0x17"},
             {"IpAddress", "::ffff:" + sql.ip},
             {"IpPort", std::to_string(51030 + i)},
             {"Status", "0x0"},
             {"LogonGuid", "{" + rng.Guid() + "}"}});
  }
}

void Cloud(const Company& company, Sinks& sinks, int64_t t0) {
  const User& admin = company.UserNamed(Facts::kAdminAccount);
  auto outside = [](int64_t t, const char* action, const char* app, std::string object) {
    CloudActivity a;
    a.t = t;
    a.action_type = action;
    a.application = app;
    a.object_name = std::move(object);
    a.ip = S(Facts::kAttackerCloudIp);
    a.country = "NL";
    a.city = "Amsterdam";
    a.isp = "Hosting Provider BV";
    a.user_agent = "python-requests/2.31.0";
    return a;
  };
  int64_t t = t0;
  for (const char* owner : {"rbrown", "kwilson", "dmartin", "snakamura"}) {
    for (int i = 0; i < 5; ++i) {
      CloudActivity a = outside(t, "MailItemsAccessed", "Microsoft Exchange Online",
                                i % 2 == 0 ? "Inbox" : "Sent Items");
      a.mailbox_owner = company.UserNamed(owner).upn;
      WriteCloud(sinks, admin, a);
      t += 20 * kSecond;
    }
  }
  t = t0 + 40 * kMinute;
  for (int i = 0; i < 320; ++i) {
    WriteCloud(
        sinks, admin,
        outside(t, "FileDownloaded", "Microsoft SharePoint Online",
                fmt::format("/sites/finance/Shared Documents/Contracts/contract-{:04}.pdf", i)));
    t += 3 * kSecond;
  }
  for (int i = 0; i < 60; ++i) {
    WriteCloud(
        sinks, admin,
        outside(t, "FileDownloaded", "Microsoft OneDrive for Business",
                fmt::format("/personal/kwilson_contoso_com/Documents/Board/pack-{:02}.xlsx", i)));
    t += 4 * kSecond;
  }
}

}  // namespace

void WriteAttack(const Company& company, Rng& rng, Sinks& sinks, int64_t attack_day) {
  const int64_t day1 = attack_day * kTicksPerDay;
  const int64_t day2 = day1 + kTicksPerDay;
  // The helpdesk session that leaves the admin's credentials in LSASS of jdoe's workstation.
  const User& admin = company.UserNamed(Facts::kAdminAccount);
  const Device& ws = company.DeviceNamed("WS-0142");
  const Device& helpdesk_pc = company.DeviceNamed(company.UserNamed("mchen").workstation);
  Logon(*sinks.security, ws, day1 + 11 * kHour, admin, 10, helpdesk_pc.ip, helpdesk_pc.name,
        "Kerberos", "0x44a1c0");
  Phish(company, rng, sinks, day1 + 16 * kHour + 50 * kMinute);
  Endpoint(company, rng, sinks, day2 + 9 * kHour + 5 * kMinute);
  Lateral(company, rng, sinks, day2 + 10 * kHour + 30 * kMinute);
  Cloud(company, sinks, day2 + 13 * kHour);
}

}  // namespace vigil::app::demo
