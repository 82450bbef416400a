// Orchestrates the demo data set (see demo_data.h): opens the output files, writes the
// inventory tables (IdentityInfo, DeviceInfo) and hands the rest to the background and attack
// writers (demo_background.cpp, demo_attack.cpp).
#include "apps/vigil/demo_data.h"

#include <fmt/format.h>

#include <fstream>
#include <memory>

#include "apps/vigil/demo_writers.h"
#include "vigil/base/time.h"
#include "vigil/ingest/normalize/field_transforms.h"

namespace vigil::app {
namespace {

using demo::Company;
using demo::Sinks;

constexpr int kMaxDays = 90;
constexpr int kMaxDevices = 500;

void WriteIdentityInfo(const Company& company, Sinks& sinks, int64_t start) {
  demo::TableWriter& t = sinks.Table("IdentityInfo");
  for (const demo::User& u : company.users) {
    const std::string groups =
        u.is_admin
            ? R"(["Domain Users","Helpdesk Admins","Exchange Administrators"])"
            : (u.is_service ? R"(["Domain Users","Service Accounts"])" : R"(["Domain Users"])");
    t.Time("Timestamp", start)
        .Str("ReportId", sinks.ReportId())
        .Str("AccountObjectId", u.object_id)
        .Str("AccountUpn", u.upn)
        .Str("OnPremSid", u.sid)
        .Str("AccountDisplayName", u.Display())
        .Str("AccountName", u.name)
        .Str("AccountDomain", demo::kDomain)
        .Int("CriticalityLevel", u.is_admin ? 1 : 0)
        .Str("Type", u.is_service ? "ServiceAccount" : "User")
        .Str("DistinguishedName",
             fmt::format("CN={},OU={},DC=contoso,DC=com", u.Display(), u.department))
        .Str("GivenName", u.given)
        .Str("Surname", u.surname)
        .Str("Department", u.department)
        .Str("JobTitle", u.title)
        .Str("EmailAddress", u.is_service ? "" : u.upn)
        .Str("City", "Seattle")
        .Str("Country", "US")
        .Bool("IsAccountEnabled", true)
        .Str("CompanyName", "Contoso Ltd.")
        .Str("SourceSystem", "ActiveDirectory")
        .Json("GroupMembership", groups)
        .End();
  }
}

void WriteDeviceInfo(const Company& company, Sinks& sinks, int64_t start, int64_t end) {
  demo::TableWriter& t = sinks.Table("DeviceInfo");
  int64_t report = 5000;
  for (int64_t day = start; day < end; day += kTicksPerDay) {
    for (const demo::Device& d : company.devices) {
      const std::string users =
          d.user.empty()
              ? "[]"
              : fmt::format(R"([{{"UserName":"{}","DomainName":"{}"}}])", d.user, demo::kDomain);
      const bool workstation = d.IsWorkstation();
      t.Time("Timestamp", day + 6 * 3600 * kTicksPerSecond)
          .Str("DeviceId", ingest::DeviceIdFor(d.fqdn))
          .Str("DeviceName", d.fqdn)
          .Str("ClientVersion", "10.8760.26100.1000")
          .Str("PublicIP", demo::kOfficePublicIp)
          .Str("OSArchitecture", "64-bit")
          .Str("OSPlatform", d.os_platform)
          .Int("OSBuild", d.os_build)
          .Bool("IsAzureADJoined", false)
          .Str("JoinType", "Domain Joined")
          .Str("LoggedOnUsers", users)
          .Str("OSVersion", "10.0")
          .Str("MachineGroup", d.machine_group)
          .Int("ReportId", ++report)
          .Str("OnboardingStatus", "Onboarded")
          .Str("DeviceCategory", "Endpoint")
          .Str("DeviceType", workstation ? "Workstation" : "Server")
          .Str("Model", workstation ? "Latitude 7440" : "Virtual Machine")
          .Str("Vendor", workstation ? "Dell Inc." : "Microsoft Corporation")
          .Str("SensorHealthState", "Active")
          .Str("ExposureLevel", "Low")
          .Str("AssetValue", workstation ? "Normal" : "High")
          .End();
    }
  }
}

}  // namespace

Result<DemoFiles> WriteDemoData(const std::filesystem::path& dir, const DemoOptions& options) {
  if (options.days < 3 || options.days > kMaxDays) {
    return InvalidArgumentError("demo days must be between 3 and {}, not {}", kMaxDays,
                                options.days);
  }
  if (options.devices < 5 || options.devices > kMaxDevices) {
    return InvalidArgumentError("demo devices must be between 5 and {}, not {}", kMaxDevices,
                                options.devices);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return IoError("cannot create demo directory '{}': {}", dir.string(), ec.message());
  }
  DemoFiles files;
  files.sysmon_jsonl = dir / "endpoint-sysmon.jsonl";
  files.security_xml = dir / "security-events.xml";
  std::ofstream json(files.sysmon_jsonl, std::ios::binary | std::ios::trunc);
  std::ofstream xml(files.security_xml, std::ios::binary | std::ios::trunc);
  if (!json || !xml) {
    return IoError("cannot write demo files in '{}'", dir.string());
  }
  std::vector<std::unique_ptr<demo::TableWriter>> tables;
  Sinks sinks;
  for (const char* table : {"IdentityInfo", "DeviceInfo", "EmailEvents", "EmailAttachmentInfo",
                            "EmailUrlInfo", "UrlClickEvents", "CloudAppEvents"}) {
    auto writer = std::make_unique<demo::TableWriter>(table, dir / fmt::format("{}.jsonl", table));
    if (!writer->ok()) {
      return IoError("cannot write '{}'", writer->path().string());
    }
    sinks.tables[table] = writer.get();
    tables.push_back(std::move(writer));
  }
  demo::SysmonWriter sysmon(json);
  demo::SecurityWriter security(xml);
  sinks.sysmon = &sysmon;
  sinks.security = &security;

  const int64_t end = options.end_ticks;
  const int64_t start = (DayOf(end) - options.days) * kTicksPerDay;
  const Company company = demo::BuildCompany(options.devices);
  demo::Rng rng(options.seed);
  xml << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Events>\n";
  WriteIdentityInfo(company, sinks, start);
  WriteDeviceInfo(company, sinks, start, end);
  demo::WriteBackground(company, rng, sinks, start, end);
  demo::WriteAttack(company, rng, sinks, DayOf(end) - 2);
  xml << "</Events>\n";

  json.close();
  xml.close();
  bool ok = static_cast<bool>(json) && static_cast<bool>(xml);
  files.events = sysmon.events() + security.events();
  for (auto& t : tables) {
    t->Close();
    ok = ok && t->ok();
    files.events += t->rows();
    files.tables.push_back({t->table(), t->path()});
  }
  if (!ok) {
    return IoError("writing demo files in '{}' failed", dir.string());
  }
  return files;
}

}  // namespace vigil::app
