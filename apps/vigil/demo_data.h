// Generates Vigil's demo data set: a company (contoso.com / CONTOSO) over N days - its
// workstations, servers and domain controller (Sysmon JSON lines, Security event XML), mail,
// URL clicks, cloud-app activity, identities and device inventory (table-shaped JSON lines) -
// with benign noise, benign admin activity that looks suspicious, and one multi-stage attack in
// the last days (phishing mail -> macro -> encoded PowerShell -> LSASS dump -> lateral movement
// with a stolen admin -> Kerberoasting -> mailbox access and mass download). Deterministic for a
// given seed and end time. Used by `vigil demo` and tests; WriteDemoData is thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"

namespace vigil::app {

struct DemoOptions {
  int days = 30;     // the window ends at end_ticks; at least 3
  int devices = 25;  // DC01, SRV-FS01, SRV-SQL01 and devices-3 workstations; at least 5
  uint64_t seed = 42;
  int64_t end_ticks = 0;  // datetime ticks; the attack is on the two days before its day
};

struct DemoTableFile {
  std::string table;  // hunting table the file is shaped as
  std::filesystem::path path;
};

struct DemoFiles {
  std::filesystem::path sysmon_jsonl;  // Windows events, flat forwarder JSON lines
  std::filesystem::path security_xml;  // Windows Security events, event XML
  std::vector<DemoTableFile> tables;   // table-shaped JSON lines (ingest with --table)
  uint64_t events = 0;                 // lines written over all files
};

// The attack's entities, as they appear after normalization (device names are lower-case
// FQDNs). Benign activity never uses any of them. Tests and `vigil demo` print them.
struct DemoAttackFacts {
  static constexpr std::string_view kDomain = "CONTOSO";
  // The phished user and her workstation.
  static constexpr std::string_view kVictimAccount = "jdoe";
  static constexpr std::string_view kVictimUpn = "jdoe@contoso.com";
  static constexpr std::string_view kVictimSid = "S-1-5-21-1004336348-1177238915-682003330-1142";
  static constexpr std::string_view kVictimObjectId = "5b1e2c7a-9f3d-4c21-a8e6-2d4f1b7c9e01";
  static constexpr std::string_view kVictimDevice = "ws-0142.contoso.com";
  static constexpr std::string_view kVictimDeviceIp = "10.0.1.144";
  // The admin account whose credentials are dumped from LSASS and reused.
  static constexpr std::string_view kAdminAccount = "adm-mchen";
  static constexpr std::string_view kAdminUpn = "adm-mchen@contoso.com";
  static constexpr std::string_view kAdminSid = "S-1-5-21-1004336348-1177238915-682003330-1250";
  static constexpr std::string_view kAdminObjectId = "c3a7d9e2-41b8-4f6a-9d05-7e2b8c1f4a63";
  // The server reached by lateral movement.
  static constexpr std::string_view kLateralDevice = "srv-sql01.contoso.com";
  static constexpr std::string_view kLateralDeviceIp = "10.0.2.20";
  // The phishing mail.
  static constexpr std::string_view kSender = "billing@fabrikam-invoices.com";
  static constexpr std::string_view kSenderIp = "192.0.2.45";
  static constexpr std::string_view kSubject = "Overdue invoice 8841 - action required";
  static constexpr std::string_view kNetworkMessageId = "8f3c2a1e-6b7d-4e59-a0c4-1d2e3f4a5b6c";
  static constexpr std::string_view kAttachmentName = "Invoice_8841.docm";
  static constexpr std::string_view kAttachmentSha256 =
      "9d4f6c1b2a8e7d3c5b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c";
  static constexpr std::string_view kPhishUrl = "https://fabrikam-invoices.com/secure/view?id=8841";
  static constexpr std::string_view kPhishDomain = "fabrikam-invoices.com";
  // Attacker infrastructure: the PowerShell stager's C2 and the cloud sessions' address.
  static constexpr std::string_view kC2Ip = "203.0.113.50";
  static constexpr std::string_view kC2Host = "cdn-update.azureedge-cdn.net";
  static constexpr std::string_view kAttackerCloudIp = "203.0.113.77";
};

// Writes the demo files into `dir` (created if needed).
Result<DemoFiles> WriteDemoData(const std::filesystem::path& dir, const DemoOptions& options);

}  // namespace vigil::app
