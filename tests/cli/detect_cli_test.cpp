// The detection commands end to end: `vigil ingest` raises alerts from the shipped rule pack
// (AlertInfo/AlertEvidence rows + alerts.db), `vigil alerts` triages them with an audit trail,
// `vigil detect` scans files without a store, `vigil rules check` reports bad rules,
// `vigil indicators` imports indicators that the next ingest matches, and
// `vigil detections` runs custom KQL detections.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/cli/cli_util.h"

namespace {

using namespace vigil::cli_test;  // NOLINT: test helpers
namespace fs = std::filesystem;

// Sysmon process creation in the flat forwarder JSON shape.
std::string Process(const std::string& time, const std::string& image, const std::string& cmd,
                    const std::string& parent, const std::string& extra = "") {
  return R"({"Hostname":"ws7.contoso.local","Channel":"Microsoft-Windows-Sysmon/Operational",)"
         R"("EventID":1,"SourceName":"Microsoft-Windows-Sysmon","TimeCreated":")" +
         time + R"(","Image":")" + image + R"(","CommandLine":")" + cmd +
         R"(","ParentImage":")" + parent + R"(","ProcessId":"4242","User":"CONTOSO\\eve")" +
         extra + "}\n";
}

std::string AttackEvents() {
  const std::string ps = R"(C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe)";
  return Process("2026-11-20 10:00:00.000", ps, "powershell.exe -nop -w hidden -enc SQBFAFgA",
                 R"(C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE)") +
         Process("2026-11-20 10:00:30.000", ps, "powershell.exe -nop -w hidden -enc SQBFAFgA",
                 R"(C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE)") +
         Process("2026-11-20 10:05:00.000", R"(C:\\Windows\\System32\\notepad.exe)",
                 "notepad.exe notes.txt", R"(C:\\Windows\\explorer.exe)",
                 R"(,"Hashes":"SHA256=1111111111111111111111111111111111111111111111111111111111111111")");
}

TEST_F(CliTest, IngestRaisesAlertsThatAreHuntableAndTriaged) {
  Write(dir_ / "attack.jsonl", AttackEvents());
  const Output ingest = RunVigil("--data " + data_ + " ingest " + (dir_ / "attack.jsonl").string());
  ASSERT_EQ(ingest.exit_code, 0) << ingest.text;
  EXPECT_NE(ingest.text.find("Detection: "), std::string::npos) << ingest.text;
  EXPECT_NE(ingest.text.find("PowerShell Started With an Encoded Command"), std::string::npos)
      << ingest.text;
  // The two encoded PowerShell runs (same rule, same host, user and command line within the
  // hour) are one alert with a count of 2.
  const Output hunt = RunVigil(
      "--data " + data_ +
      " hunt --format csv \"AlertInfo | where Title == 'PowerShell Started With an Encoded "
      "Command' | project AlertId, Severity, Count = tolong(AdditionalFields.Count), "
      "Author = tostring(AdditionalFields.RuleAuthor)\"");
  ASSERT_EQ(hunt.exit_code, 0) << hunt.text;
  EXPECT_NE(hunt.text.find(",High,2,Vigil"), std::string::npos) << hunt.text;
  const Output evidence = RunVigil("--data " + data_ +
                                   " hunt \"AlertEvidence | summarize count() by EntityType\"");
  EXPECT_NE(evidence.text.find("Machine"), std::string::npos) << evidence.text;
  EXPECT_NE(evidence.text.find("User"), std::string::npos) << evidence.text;

  const Output list = RunVigil("--data " + data_ + " alerts list --severity High");
  ASSERT_EQ(list.exit_code, 0) << list.text;
  const size_t at = list.text.find("\nva");
  ASSERT_NE(at, std::string::npos) << list.text;
  const std::string id = list.text.substr(at + 1, 34);
  const Output update =
      RunVigil("--data " + data_ + " alerts update " + id +
               " --status InProgress --classification TruePositive --determination Malware "
               "--comment \"isolating the host\" --actor alice");
  ASSERT_EQ(update.exit_code, 0) << update.text;
  const Output show = RunVigil("--data " + data_ + " alerts show " + id);
  EXPECT_NE(show.text.find("InProgress"), std::string::npos) << show.text;
  EXPECT_NE(show.text.find("alice  status: 'New' -> 'InProgress'"), std::string::npos)
      << show.text;
  const Output bad = RunVigil("--data " + data_ + " alerts update " + id + " --status Closed");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.text.find("unknown alert status 'Closed'"), std::string::npos) << bad.text;
}

TEST_F(CliTest, DetectScansFilesWithoutAStore) {
  Write(dir_ / "attack.jsonl", AttackEvents());
  const Output out = RunVigil("--data " + data_ + " detect --format csv " +
                              (dir_ / "attack.jsonl").string());
  ASSERT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find("Timestamp,Computer,Level,Title,RuleId,Author"), std::string::npos);
  EXPECT_NE(out.text.find("2026-11-20T10:00:00.0000000Z,\"ws7.contoso.local\",high"),
            std::string::npos)
      << out.text;
  EXPECT_FALSE(fs::exists(data_)) << "detect must not create a data directory";
  const Output high = RunVigil("detect --min-level critical " + (dir_ / "attack.jsonl").string());
  EXPECT_NE(high.text.find("below --min-level critical"), std::string::npos) << high.text;
}

TEST_F(CliTest, RulesCheckReportsEachBadRuleAndKeepsTheOthers) {
  Write(dir_ / "rules" / "good.yml", R"(title: Good
id: 6f1c1a40-0000-4000-8000-000000000001
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
level: low
)");
  Write(dir_ / "rules" / "bad.yml", R"(title: Bad modifier
id: 6f1c1a40-0000-4000-8000-000000000002
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|sideways: 'x'}
  condition: sel
)");
  Write(dir_ / "rules" / "linux.yml", R"(title: Linux only
id: 6f1c1a40-0000-4000-8000-000000000003
logsource: {product: linux, service: auditd}
detection:
  sel: {type: EXECVE}
  condition: sel
)");
  const Output out = RunVigil("rules check " + (dir_ / "rules").string());
  EXPECT_EQ(out.exit_code, 2) << out.text;
  EXPECT_NE(out.text.find("rules: 2 loaded, 1 failed"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("sideways"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("linux.yml"), std::string::npos) << out.text;
  const Output shipped = RunVigil("rules check");
  EXPECT_EQ(shipped.exit_code, 0) << shipped.text;
}

TEST_F(CliTest, ImportedIndicatorsMatchTheNextIngest) {
  Write(dir_ / "iocs.csv",
        "IndicatorType,IndicatorValue,Action,Severity,Title,Description,GenerateAlert\n"
        "FileSha256,1111111111111111111111111111111111111111111111111111111111111111,Audit,High,"
        "Known bad notepad,test,true\n"
        "IpAddress,10.0.0.1,Block,High,internal address,refused as Defender does,true\n");
  const Output import = RunVigil("--data " + data_ + " indicators import " +
                                 (dir_ / "iocs.csv").string());
  EXPECT_EQ(import.exit_code, 2) << import.text;  // one record refused
  EXPECT_NE(import.text.find("Imported 1 indicator(s) from 2 record(s)"), std::string::npos)
      << import.text;
  Write(dir_ / "attack.jsonl", AttackEvents());
  const Output ingest = RunVigil("--data " + data_ + " ingest " + (dir_ / "attack.jsonl").string());
  ASSERT_EQ(ingest.exit_code, 0) << ingest.text;
  EXPECT_NE(ingest.text.find("1 indicators"), std::string::npos) << ingest.text;
  const Output hunt = RunVigil("--data " + data_ +
                               " hunt \"AlertInfo | where DetectionSource == 'customTi' | "
                               "project Title, Severity\"");
  EXPECT_NE(hunt.text.find("Known bad notepad"), std::string::npos) << hunt.text;
}

TEST_F(CliTest, CustomDetectionsRunOverTheStore) {
  Write(dir_ / "attack.jsonl", AttackEvents());
  ASSERT_EQ(RunVigil("--data " + data_ + " ingest --no-detect " +
                     (dir_ / "attack.jsonl").string()).exit_code,
            0);
  Write(dir_ / "cd.yml", R"(id: cd-1
name: Encoded PowerShell
frequency: 24H
severity: High
query: |
  DeviceProcessEvents | where ProcessCommandLine has "-enc"
  | project Timestamp, ReportId, DeviceId, DeviceName, AccountName
---
name: No entity column
query: DeviceProcessEvents | project Timestamp, ReportId
)");
  const Output check = RunVigil("detections check " + (dir_ / "cd.yml").string());
  EXPECT_EQ(check.exit_code, 2) << check.text;
  EXPECT_NE(check.text.find("returns no entity column"), std::string::npos) << check.text;
  const Output run = RunVigil("--data " + data_ + " detections run --now 2026-11-21 " +
                              (dir_ / "cd.yml").string());
  EXPECT_NE(run.text.find("Encoded PowerShell: 2 row(s)"), std::string::npos) << run.text;
  const Output hunt = RunVigil("--data " + data_ +
                               " hunt \"AlertInfo | where DetectionSource == 'customDetection' "
                               "| count\"");
  EXPECT_NE(hunt.text.find("\n1\n"), std::string::npos) << hunt.text;
}

}  // namespace
