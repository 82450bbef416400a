// The demo company's ordinary days: office work on the workstations, server jobs, domain
// logons, mail, link clicks and cloud-app use, plus benign activity that looks suspicious (an
// admin's encoded PowerShell maintenance script, the backup agent, mistyped passwords, a
// marketing manager's big download, an assistant reading her manager's mailbox). None of it
// uses an entity of the attack (see DemoAttackFacts).
#include <fmt/format.h>

#include "apps/vigil/demo_data.h"
#include "apps/vigil/demo_writers.h"
#include "vigil/base/time.h"

namespace vigil::app::demo {
namespace {

constexpr int64_t kSecond = kTicksPerSecond;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

struct Site {
  const char* host;
  const char* ip;
};
constexpr Site kSites[] = {
    {"www.office.com", "52.96.166.130"},
    {"login.microsoftonline.com", "20.190.160.1"},
    {"contoso.sharepoint.com", "13.107.136.9"},
    {"www.bing.com", "204.79.197.200"},
    {"github.com", "140.82.121.3"},
    {"teams.microsoft.com", "52.113.194.132"},
    {"outlook.office365.com", "52.97.146.162"},
    {"www.linkedin.com", "13.107.42.14"},
};

struct Partner {
  const char* address;
  const char* display;
  const char* ip;
};
constexpr Partner kPartners[] = {
    {"orders@northwindtraders.com", "Northwind Orders", "40.107.22.51"},
    {"news@adventure-works.com", "Adventure Works News", "40.107.9.88"},
    {"support@litware.com", "Litware Support", "52.100.3.17"},
    {"events@wingtiptoys.com", "Wingtip Events", "40.92.18.4"},
    {"accounts@tailspintoys.com", "Tailspin Accounts", "52.101.44.9"},
};

const char* const kSubjects[] = {"Weekly status",    "Meeting notes",        "Q4 forecast",
                                 "Lunch on Friday?", "Updated deck",         "Re: contract draft",
                                 "Travel approval",  "Customer call summary"};
const char* const kDocs[] = {"Budget_FY27.xlsx", "Roadmap.pptx", "Minutes.docx",
                             "Pricing.xlsx",     "Brief.docx",   "Campaign_Q1.pptx"};

bool Weekday(int64_t day_start) {
  const int64_t weekday = (DayOf(day_start) + 4) % 7;  // 1970-01-01 was a Thursday (4)
  return weekday >= 1 && weekday <= 5;
}

bool HasMailbox(const User& u) { return !u.is_admin && !u.is_service; }

// One user's working day on their workstation.
void WorkstationDay(const Company& company, Rng& rng, Sinks& sinks, const Device& device,
                    const User& user, int64_t day, int64_t end) {
  const Device& dc = company.devices[0];
  const std::string account = user.Qualified();
  const int64_t begin = day + 8 * kHour + rng.Between(0, 50) * kMinute;
  const int64_t finish = day + 17 * kHour + rng.Between(0, 60) * kMinute;
  if (begin >= end) {
    return;
  }
  const std::string logon_id = fmt::format("0x{:x}", 0x100000 + rng.Below(0xeffff));
  sinks.security->Event(dc, begin - 5 * kSecond, 4768,
                        {{"TargetUserName", user.name},
                         {"TargetDomainName", kDomain},
                         {"TargetSid", user.sid},
                         {"ServiceName", "krbtgt"},
                         {"TicketOptions", "0x40810010"},
                         {"Status", "0x0"},
                         {"TicketEncryptionType", "0x12"},
                         {"PreAuthType", "2"},
                         {"IpAddress", "::ffff:" + device.ip},
                         {"IpPort", "49811"}});
  sinks.security->Event(dc, begin + 20 * kSecond, 4769,
                        {{"TargetUserName", user.name + "@CONTOSO.COM"},
                         {"TargetDomainName", "CONTOSO.COM"},
                         {"ServiceName", "SRV-FS01$"},
                         {"TicketOptions", "0x40810000"},
                         {"TicketEncryptionType", "0x12"},
                         {"IpAddress", "::ffff:" + device.ip},
                         {"IpPort", "49820"},
                         {"Status", "0x0"}});
  Logon(*sinks.security, device, begin, user, 2, "127.0.0.1", device.name, "Kerberos", logon_id);
  Proc explorer{kExplorer, kExplorer, 2000 + rng.Below(900)};
  Proc userinit{"C:\\Windows\\System32\\userinit.exe", "C:\\Windows\\system32\\userinit.exe", 1800};
  ProcessCreate(*sinks.sysmon, rng, device, account, begin + 3 * kSecond, explorer, userinit);
  Proc outlook{kOutlook, std::string("\"") + kOutlook + "\"", explorer.pid + 300};
  ProcessCreate(*sinks.sysmon, rng, device, account, begin + 40 * kSecond, outlook, explorer);
  Proc teams{kTeams, std::string(kTeams) + " --processStart \"Teams.exe\"", explorer.pid + 310};
  ProcessCreate(*sinks.sysmon, rng, device, account, begin + 45 * kSecond, teams, explorer);
  uint64_t pid = explorer.pid + 400;
  for (int64_t t = begin + 5 * kMinute; t < finish && t < end; t += rng.Between(4, 14) * kMinute) {
    const Site& site = kSites[rng.Below(std::size(kSites))];
    Proc browser{rng.Percent(60) ? kChrome : kEdge, "", ++pid};
    browser.command_line = "\"" + browser.image + "\" --type=renderer";
    switch (rng.Below(8)) {
      case 0:
        ProcessCreate(*sinks.sysmon, rng, device, account, t, browser, explorer);
        break;
      case 1:
      case 2:
        DnsQuery(*sinks.sysmon, rng, device, account, t, browser, site.host, site.ip);
        NetworkConnect(*sinks.sysmon, rng, device, account, t + kSecond, browser, site.ip, 443,
                       site.host);
        break;
      case 3:
        FileCreate(
            *sinks.sysmon, rng, device, account, t, browser,
            fmt::format("C:\\Users\\{}\\Downloads\\report-{}.pdf", user.name, rng.Below(900)));
        break;
      case 4: {
        const char* doc = kDocs[rng.Below(std::size(kDocs))];
        const bool excel = std::string_view(doc).ends_with(".xlsx");
        Proc office{excel ? kExcel : kWord, "", ++pid};
        office.command_line =
            fmt::format("\"{}\" \"C:\\Users\\{}\\Documents\\{}\"", office.image, user.name, doc);
        ProcessCreate(*sinks.sysmon, rng, device, account, t, office, explorer);
        break;
      }
      case 5:
        RegistrySet(*sinks.sysmon, rng, device, account, t, explorer,
                    "HKU\\" + user.sid +
                        "\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\"
                        "MRUListEx",
                    "Binary Data");
        break;
      case 6:
        NetworkConnect(*sinks.sysmon, rng, device, account, t, outlook, "52.97.146.162", 443,
                       "outlook.office365.com");
        sinks.sysmon->Event(device, t + kSecond, 7,
                            {{"RuleName", "-"},
                             {"ProcessGuid", "{" + rng.Guid() + "}"},
                             {"ProcessId", std::to_string(outlook.pid)},
                             {"Image", outlook.image},
                             {"ImageLoaded", "C:\\Windows\\System32\\mso20win32client.dll"},
                             {"Signed", "true"},
                             {"Signature", "Microsoft Corporation"},
                             {"SignatureStatus", "Valid"},
                             {"User", account}});
        break;
      default: {
        Proc svchost{kSvchost, "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                     ++pid};
        ProcessCreate(*sinks.sysmon, rng, device, "NT AUTHORITY\\SYSTEM", t, svchost,
                      {kServices, kServices, 680}, "System");
        break;
      }
    }
  }
}

// Server jobs: service restarts, SQL and file-server traffic, the nightly backup agent and,
// once a week, the admin's encoded maintenance script on the file server.
void ServerDay(Rng& rng, Sinks& sinks, const Company& company, const Device& device, int64_t day,
               int64_t end, bool maintenance_day) {
  const std::string system = "NT AUTHORITY\\SYSTEM";
  uint64_t pid = 4000 + rng.Below(1000);
  for (int64_t t = day + rng.Between(5, 40) * kMinute; t < day + kTicksPerDay && t < end;
       t += rng.Between(25, 55) * kMinute) {
    Proc svchost{kSvchost, "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", ++pid};
    ProcessCreate(*sinks.sysmon, rng, device, system, t, svchost, {kServices, kServices, 680},
                  "System");
    if (device.name == "SRV-SQL01") {
      Proc sql{
          "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\"
          "sqlservr.exe",
          "", 2210};
      NetworkConnect(*sinks.sysmon, rng, device, "CONTOSO\\svc_sql", t + kMinute, sql, "10.0.2.10",
                     445, "srv-fs01.contoso.com");
    }
  }
  if (device.name != "SRV-FS01") {
    return;
  }
  const User& backup = company.UserNamed("svc_backupagent");
  const int64_t night = day + kHour + rng.Between(0, 20) * kMinute;
  if (night < end) {
    Proc agent{"C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.Agent.exe", "", 3120};
    agent.command_line = "\"" + agent.image + "\" /backup /job:\"Nightly file shares\"";
    ProcessCreate(*sinks.sysmon, rng, device, backup.Qualified(), night, agent,
                  {kServices, kServices, 680}, "System");
    for (int i = 0; i < 40; ++i) {
      FileCreate(*sinks.sysmon, rng, device, backup.Qualified(), night + (i + 1) * 20 * kSecond,
                 agent,
                 fmt::format("E:\\Backups\\Shares\\{:04}\\chunk-{:04}.vbk", DayOf(day) % 10000, i));
    }
  }
  const User& admin = company.UserNamed("adm-pkumar");
  const int64_t at = day + 7 * kHour + 30 * kMinute;
  if (maintenance_day && at < end) {
    // Base64 (UTF-16LE) of: Get-ChildItem D:\Temp -Recurse | Remove-Item -Force
    const std::string encoded =
        "RwBlAHQALQBDAGgAaQBsAGQASQB0AGUAbQAgAEQAOgBcAFQAZQBtAHAAIAAtAFIAZQBjAHUAcgBzAGUAIAB8ACAA"
        "UgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBGAG8AcgBjAGUA";
    Proc ps{
        kPowerShell,
        std::string(kPowerShell) + " -NoProfile -ExecutionPolicy Bypass -EncodedCommand " + encoded,
        5120};
    Proc task{kSvchost, "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", 1312};
    ProcessCreate(*sinks.sysmon, rng, device, admin.Qualified(), at, ps, task, "High");
    Logon(*sinks.security, device, at - kMinute, admin, 4, "-", "-", "Kerberos", "0x7a3f10");
  }
}

void MailDay(const Company& company, Rng& rng, Sinks& sinks, const User& user, int64_t day,
             int64_t end) {
  std::vector<const User*> colleagues;
  for (const User& u : company.users) {
    if (HasMailbox(u) && u.name != user.name) {
      colleagues.push_back(&u);
    }
  }
  const int count = static_cast<int>(rng.Between(4, 9));
  for (int i = 0; i < count; ++i) {
    Mail m;
    m.t = day + 8 * kHour + rng.Between(0, 9 * 60) * kMinute;
    if (m.t >= end) {
      continue;
    }
    m.recipient = user.upn;
    m.recipient_object_id = user.object_id;
    m.subject = kSubjects[rng.Below(std::size(kSubjects))];
    if (rng.Percent(55) && !colleagues.empty()) {
      const User& from = *colleagues[rng.Below(colleagues.size())];
      m.sender = from.upn;
      m.sender_display = from.Display();
      m.sender_ip = "10.0.0.25";
      m.direction = "Intra-org";
    } else {
      const Partner& p = kPartners[rng.Below(std::size(kPartners))];
      m.sender = p.address;
      m.sender_display = p.display;
      m.sender_ip = p.ip;
      if (rng.Percent(8)) {
        m.threat_types = "Spam";
        m.delivery_action = "Junked";
        m.delivery_location = "Junk folder";
        m.subject = "You have won a gift card";
      }
    }
    if (rng.Percent(25)) {
      const char* doc = kDocs[rng.Below(std::size(kDocs))];
      const std::string_view d(doc);
      m.attachments.push_back({doc, std::string(d.substr(d.rfind('.') + 1)), rng.Hex(32, false),
                               static_cast<int64_t>(20000 + rng.Below(900000)), ""});
    }
    if (rng.Percent(35)) {
      m.urls.push_back(
          {fmt::format("https://contoso.sharepoint.com/sites/team/doc{}", rng.Below(5000)), ""});
    }
    const std::string id = WriteMail(sinks, rng, m);
    if (!m.urls.empty() && m.threat_types.empty() && rng.Percent(40)) {
      WriteClick(sinks, m.t + rng.Between(2, 90) * kMinute, user, m.urls.front().first, id, "",
                 kOfficePublicIp);
    }
  }
}

void CloudDay(Rng& rng, Sinks& sinks, const User& user, int64_t day, int64_t end) {
  const int count = static_cast<int>(rng.Between(6, 14));
  for (int i = 0; i < count; ++i) {
    CloudActivity a;
    a.t = day + 8 * kHour + rng.Between(0, 9 * 60) * kMinute;
    if (a.t >= end) {
      continue;
    }
    a.ip = kOfficePublicIp;
    switch (rng.Below(5)) {
      case 0:
      case 1:
        a.action_type = "MailItemsAccessed";
        a.application = "Microsoft Exchange Online";
        a.object_name = "Inbox";
        a.mailbox_owner = user.upn;
        break;
      case 2:
        a.action_type = "FileDownloaded";
        a.application = "Microsoft SharePoint Online";
        a.object_name = fmt::format("/sites/team/Shared Documents/{}", kDocs[rng.Below(6)]);
        break;
      case 3:
        a.action_type = "FileAccessed";
        a.application = "Microsoft SharePoint Online";
        a.object_name = fmt::format("/sites/team/Shared Documents/{}", kDocs[rng.Below(6)]);
        break;
      default:
        a.action_type = "FileUploaded";
        a.application = "Microsoft OneDrive for Business";
        a.object_name = fmt::format("/personal/{}/Documents/{}", user.name, kDocs[rng.Below(6)]);
        break;
    }
    WriteCloud(sinks, user, a);
  }
}

}  // namespace

void WriteBackground(const Company& company, Rng& rng, Sinks& sinks, int64_t start, int64_t end) {
  const int64_t days = (end - start + kTicksPerDay - 1) / kTicksPerDay;
  const int64_t last_day = start + (days - 1) * kTicksPerDay;
  // The benign look-alikes happen on fixed days counted back from the end, so every window of
  // three days or more has them.
  const int64_t marketing_day = start + std::max<int64_t>(0, days - 6) * kTicksPerDay;
  const int64_t typo_day = start;
  for (int64_t day = start; day < end; day += kTicksPerDay) {
    const bool workday = Weekday(day);
    const bool maintenance_day = (last_day - day) / kTicksPerDay % 7 == 2;
    for (const Device& device : company.devices) {
      if (device.IsWorkstation()) {
        if (workday || day == marketing_day) {
          WorkstationDay(company, rng, sinks, device, company.UserNamed(device.user), day, end);
        }
      } else {
        ServerDay(rng, sinks, company, device, day, end, maintenance_day);
      }
    }
    for (const User& user : company.users) {
      if (HasMailbox(user) && (workday || user.name == "lgarcia")) {
        MailDay(company, rng, sinks, user, day, end);
        CloudDay(rng, sinks, user, day, end);
      }
    }
    // The executive assistant works in the CEO's mailbox every day (delegate access).
    const User& assistant = company.UserNamed("snakamura");
    for (int i = 0; i < 4; ++i) {
      CloudActivity a;
      a.t = day + 9 * kHour + i * 97 * kMinute;
      a.action_type = "MailItemsAccessed";
      a.application = "Microsoft Exchange Online";
      a.object_name = "Inbox";
      a.mailbox_owner = company.UserNamed("rbrown").upn;
      a.ip = kOfficePublicIp;
      if (a.t < end) {
        WriteCloud(sinks, assistant, a);
      }
    }
  }
  // A new hire's account, created by the server admin on the first day.
  const User& admin = company.UserNamed("adm-pkumar");
  sinks.security->Event(company.devices[0], typo_day + 10 * kHour, 4720,
                        {{"TargetUserName", "newhire01"},
                         {"TargetDomainName", kDomain},
                         {"TargetSid", "S-1-5-21-1004336348-1177238915-682003330-1400"},
                         {"SubjectUserSid", admin.sid},
                         {"SubjectUserName", admin.name},
                         {"SubjectDomainName", kDomain},
                         {"SubjectLogonId", "0x7a3f10"},
                         {"SamAccountName", "newhire01"},
                         {"UserAccountControl", "%%2080"}});
  // Mistyped passwords at the marketing manager's workstation.
  const User& lgarcia = company.UserNamed("lgarcia");
  const Device& her_pc = company.DeviceNamed(lgarcia.workstation);
  for (int i = 0; i < 3; ++i) {
    FailedLogon(*sinks.security, her_pc, typo_day + 8 * kHour + (i * 9 + 3) * kSecond, lgarcia, 2,
                "127.0.0.1", her_pc.name);
  }
  // The marketing manager pulls the campaign archive down from SharePoint.
  for (int i = 0; i < 160; ++i) {
    CloudActivity a;
    a.t = marketing_day + 14 * kHour + i * 7 * kSecond;
    a.action_type = "FileDownloaded";
    a.application = "Microsoft SharePoint Online";
    a.object_name = fmt::format("/sites/marketing/Campaign Assets/2026/asset-{:03}.png", i);
    a.ip = kOfficePublicIp;
    if (a.t < end) {
      WriteCloud(sinks, lgarcia, a);
    }
  }
}

}  // namespace vigil::app::demo
