#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/base/time.h"
#include "vigil/detect/alerts/evidence.h"
#include "vigil/ingest/normalize/normalizer.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::alerts {
namespace {

using Cells = std::vector<std::pair<std::string, std::string>>;

// One row of `table` from name/value pairs (integer columns parsed as decimal).
schema::TableBatch MakeRow(const schema::TableSchema& table, const Cells& cells) {
  schema::TableBatch batch(table);
  batch.BeginRow();
  for (const auto& [name, value] : cells) {
    const int col = table.FindColumn(name);
    EXPECT_GE(col, 0) << name;
    if (col < 0) {
      continue;
    }
    if (schema::IsIntegerBacked(table.column(static_cast<size_t>(col)).type)) {
      batch.SetInt(static_cast<size_t>(col), std::stoll(value));
    } else {
      batch.SetBytes(static_cast<size_t>(col), value);
    }
  }
  return batch;
}

schema::TableBatch Row(std::string_view table, const Cells& cells) {
  const schema::TableSchema* schema = schema::Catalog::Default().Find(table);
  EXPECT_NE(schema, nullptr) << table;
  return MakeRow(*schema, cells);
}

const Evidence* FindEntity(const std::vector<Evidence>& all, std::string_view type,
                           size_t nth = 0) {
  for (const Evidence& e : all) {
    if (e.entity_type == type && nth-- == 0) {
      return &e;
    }
  }
  return nullptr;
}

size_t CountType(const std::vector<Evidence>& all, std::string_view type) {
  size_t n = 0;
  for (const Evidence& e : all) {
    n += e.entity_type == type ? 1 : 0;
  }
  return n;
}

TEST(AlertsEvidenceTest, ProcessRowFromTheNormalizer) {
  ingest::WinEvent event;
  event.provider = "Microsoft-Windows-Sysmon";
  event.channel = "Microsoft-Windows-Sysmon/Operational";
  event.event_id = 1;
  event.computer = "WS01.Contoso.Local";
  event.time_created = *ParseDateTime("2024-05-01T10:00:00Z");
  event.has_time_created = true;
  event.record_id = 7;
  const Cells data = {{"ProcessId", "4242"},
                      {"Image", "C:\\Windows\\System32\\cmd.exe"},
                      {"CommandLine", "cmd.exe /c whoami"},
                      {"User", "CONTOSO\\alice"},
                      {"Hashes", "MD5=AB,SHA256=CD"},
                      {"ParentProcessId", "100"},
                      {"ParentImage", "C:\\Windows\\explorer.exe"},
                      {"ParentCommandLine", "explorer.exe"},
                      {"ParentUser", "CONTOSO\\bob"}};
  for (const auto& [name, value] : data) {
    event.data.push_back({name, value});
  }
  ingest::Normalizer normalizer(schema::Catalog::Default());
  ingest::IngestReport report;
  normalizer.Add(event, report);
  std::optional<schema::TableBatch> process;
  normalizer.Drain([&](schema::TableBatch& batch) {
    if (batch.schema().name() == "DeviceProcessEvents") {
      process = batch;
    }
  });
  ASSERT_TRUE(process.has_value());
  ASSERT_EQ(process->rows(), 1u);

  const std::vector<Evidence> all = EvidenceFromRow(*process, 0);
  ASSERT_EQ(all.size(), 5u) << EvidenceToJson(all);
  EXPECT_EQ(all[0].entity_type, "Machine");
  EXPECT_EQ(all[0].evidence_role, "Impacted");
  EXPECT_EQ(all[0].device_name, "ws01.contoso.local");
  EXPECT_EQ(all[0].device_id.size(), 40u);
  EXPECT_EQ(all[1].entity_type, "User");
  EXPECT_EQ(all[1].evidence_role, "Impacted");
  EXPECT_EQ(all[1].account_name, "alice");
  EXPECT_EQ(all[1].account_domain, "CONTOSO");
  EXPECT_EQ(all[2].entity_type, "User");
  EXPECT_EQ(all[2].evidence_role, "Related");
  EXPECT_EQ(all[2].account_name, "bob");
  EXPECT_EQ(all[3].entity_type, "Process");
  EXPECT_EQ(all[3].evidence_role, "Related");
  EXPECT_EQ(all[3].file_name, "cmd.exe");
  EXPECT_EQ(all[3].folder_path, "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(all[3].process_command_line, "cmd.exe /c whoami");
  EXPECT_EQ(all[3].process_id, 4242);
  EXPECT_EQ(all[3].sha256, "cd");
  EXPECT_EQ(all[3].md5, "ab");
  EXPECT_EQ(all[4].entity_type, "Process");
  EXPECT_EQ(all[4].file_name, "explorer.exe");
  EXPECT_EQ(all[4].process_command_line, "explorer.exe");
  EXPECT_EQ(all[4].process_id, 100);
}

TEST(AlertsEvidenceTest, NetworkRowUsesTheInitiatingAccountAsMain) {
  const auto batch = Row("DeviceNetworkEvents", {{"DeviceId", "d1"},
                                                 {"DeviceName", "ws01"},
                                                 {"LocalIP", "10.0.0.5"},
                                                 {"RemoteIP", "203.0.113.9"},
                                                 {"RemoteUrl", "evil.example.com"},
                                                 {"InitiatingProcessFileName", "curl.exe"},
                                                 {"InitiatingProcessCommandLine", "curl x"},
                                                 {"InitiatingProcessId", "55"},
                                                 {"InitiatingProcessAccountName", "alice"},
                                                 {"InitiatingProcessAccountSid", "S-1-5-21-1"}});
  const auto all = EvidenceFromRow(batch, 0);
  ASSERT_EQ(all.size(), 5u) << EvidenceToJson(all);
  EXPECT_EQ(all[0].local_ip, "10.0.0.5");
  const Evidence* user = FindEntity(all, "User");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->evidence_role, "Impacted");
  EXPECT_EQ(user->account_sid, "S-1-5-21-1");
  const Evidence* process = FindEntity(all, "Process");
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->process_id, 55);
  EXPECT_EQ(process->evidence_role, "Related");
  ASSERT_NE(FindEntity(all, "Ip"), nullptr);
  EXPECT_EQ(FindEntity(all, "Ip")->remote_ip, "203.0.113.9");
  ASSERT_NE(FindEntity(all, "Url"), nullptr);
  EXPECT_EQ(FindEntity(all, "Url")->remote_url, "evil.example.com");
  EXPECT_EQ(CountType(all, "File"), 0u);
}

TEST(AlertsEvidenceTest, FileRowGivesFileAndOrigin) {
  const auto batch = Row("DeviceFileEvents", {{"DeviceName", "ws01"},
                                              {"FileName", "a.exe"},
                                              {"FolderPath", "C:\\Temp\\a.exe"},
                                              {"SHA1", "11"},
                                              {"SHA256", "22"},
                                              {"FileOriginUrl", "http://x.test/a.exe"},
                                              {"FileOriginIP", "198.51.100.1"}});
  const auto all = EvidenceFromRow(batch, 0);
  const Evidence* file = FindEntity(all, "File");
  ASSERT_NE(file, nullptr) << EvidenceToJson(all);
  EXPECT_EQ(file->folder_path, "C:\\Temp\\a.exe");
  EXPECT_EQ(file->sha256, "22");
  EXPECT_EQ(file->process_id, -1);
  EXPECT_EQ(CountType(all, "Process"), 0u);
  EXPECT_EQ(FindEntity(all, "Url")->remote_url, "http://x.test/a.exe");
  EXPECT_EQ(FindEntity(all, "Ip")->remote_ip, "198.51.100.1");
}

TEST(AlertsEvidenceTest, RegistryRowGivesKeyAndValue) {
  const auto batch = Row("DeviceRegistryEvents", {{"DeviceName", "ws01"},
                                                  {"RegistryKey", "HKLM\\Software\\Run"},
                                                  {"RegistryValueName", "evil"},
                                                  {"RegistryValueData", "c:\\evil.exe"}});
  const auto all = EvidenceFromRow(batch, 0);
  ASSERT_EQ(all.size(), 3u) << EvidenceToJson(all);
  EXPECT_EQ(all[1].entity_type, "RegistryKey");
  EXPECT_EQ(all[1].registry_key, "HKLM\\Software\\Run");
  EXPECT_EQ(all[2].entity_type, "RegistryValue");
  EXPECT_EQ(all[2].registry_value_name, "evil");
  EXPECT_EQ(all[2].registry_value_data, "c:\\evil.exe");
}

TEST(AlertsEvidenceTest, EmailRowGivesMailboxesAndMessage) {
  const auto batch = Row("EmailEvents", {{"NetworkMessageId", "m-1"},
                                         {"Subject", "Invoice"},
                                         {"RecipientEmailAddress", "bob@contoso.com"},
                                         {"SenderFromAddress", "eve@evil.test"},
                                         {"SenderIPv4", "192.0.2.7"}});
  const auto all = EvidenceFromRow(batch, 0);
  ASSERT_EQ(all.size(), 4u) << EvidenceToJson(all);
  EXPECT_EQ(all[0].entity_type, "Mailbox");
  EXPECT_EQ(all[0].mailbox, "bob@contoso.com");
  EXPECT_EQ(all[0].evidence_role, "Impacted");
  EXPECT_EQ(all[1].entity_type, "Mailbox");
  EXPECT_EQ(all[1].mailbox, "eve@evil.test");
  EXPECT_EQ(all[1].evidence_role, "Related");
  EXPECT_EQ(all[2].entity_type, "Ip");
  EXPECT_EQ(all[3].entity_type, "MailMessage");
  EXPECT_EQ(all[3].network_message_id, "m-1");
  EXPECT_EQ(all[3].email_subject, "Invoice");
}

TEST(AlertsEvidenceTest, IdentityRowGivesUserIpAndApplication) {
  const auto batch = Row("IdentityLogonEvents", {{"AccountName", "alice"},
                                                 {"AccountDomain", "contoso"},
                                                 {"AccountUpn", "alice@contoso.com"},
                                                 {"DeviceName", "ws01"},
                                                 {"IPAddress", "10.1.1.1"},
                                                 {"Application", "Active Directory"}});
  const auto all = EvidenceFromRow(batch, 0);
  ASSERT_EQ(all.size(), 4u) << EvidenceToJson(all);
  EXPECT_EQ(all[1].entity_type, "User");
  EXPECT_EQ(all[1].account_upn, "alice@contoso.com");
  EXPECT_EQ(all[2].entity_type, "Ip");
  EXPECT_EQ(all[2].remote_ip, "10.1.1.1");
  EXPECT_EQ(all[3].entity_type, "CloudApplication");
  EXPECT_EQ(all[3].application, "Active Directory");
}

TEST(AlertsEvidenceTest, SameAccountTwiceIsOneUserAndDashesAreAbsent) {
  const auto clean = Row("DeviceProcessEvents", {{"DeviceName", "ws01"},
                                                 {"AccountName", "Alice"},
                                                 {"AccountDomain", "CONTOSO"},
                                                 {"InitiatingProcessAccountName", "alice"},
                                                 {"InitiatingProcessAccountDomain", "contoso"},
                                                 {"ProcessCommandLine", "-"}});
  const auto all = EvidenceFromRow(clean, 0);
  ASSERT_EQ(all.size(), 2u) << EvidenceToJson(all);
  EXPECT_EQ(all[0].entity_type, "Machine");
  EXPECT_EQ(all[1].entity_type, "User");
  EXPECT_TRUE(EvidenceFromRow(clean, 1).empty());  // past the last row
}

TEST(AlertsEvidenceTest, CustomSchemaWithOddTypesDoesNotCrash) {
  auto catalog = schema::Catalog::Parse(
      "table Odd\nTimestamp datetime\nDeviceName long\nRemoteIP real\nProcessId string\n"
      "AdditionalFields dynamic\n");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const schema::TableSchema* odd = (*catalog)->Find("Odd");
  ASSERT_NE(odd, nullptr);
  schema::TableBatch batch(*odd);
  batch.BeginRow();
  batch.SetInt(1, 77);
  batch.SetReal(2, 1.5);
  batch.SetBytes(3, "123");
  const auto all = EvidenceFromRow(batch, 0);
  ASSERT_EQ(all.size(), 1u) << EvidenceToJson(all);
  EXPECT_EQ(all[0].device_name, "77");  // integers read as their decimal text
  // A process id alone (here as text) identifies nothing: no Process entity.
  EXPECT_EQ(CountType(all, "Process"), 0u);
}

TEST(AlertsEvidenceTest, EveryCatalogTableFullOrEmpty) {
  // Every table of the hunting schema, once with every cell null and once with every cell
  // set: extraction never fails and never yields an entity without a key.
  for (const auto& table : schema::Catalog::Default().tables()) {
    schema::TableBatch batch(*table);
    batch.BeginRow();
    batch.BeginRow();
    for (size_t col = 0; col < table->column_count(); ++col) {
      const schema::ColumnType type = table->column(col).type;
      if (schema::IsIntegerBacked(type)) {
        batch.SetInt(col, 7);
      } else if (type == schema::ColumnType::kReal) {
        batch.SetReal(col, 1.5);
      } else {
        batch.SetBytes(col, table->column(col).name + "-value");
      }
    }
    EXPECT_TRUE(EvidenceFromRow(batch, 0).empty()) << table->name();
    for (const Evidence& e : EvidenceFromRow(batch, 1)) {
      EXPECT_FALSE(EntityKey(e).empty()) << table->name() << " " << e.entity_type;
    }
  }
}

TEST(AlertsEvidenceTest, JsonRoundTripAndErrors) {
  Evidence machine;
  machine.entity_type = "Machine";
  machine.evidence_role = "Impacted";
  machine.device_id = "d1";
  machine.device_name = "ws-1.contoso.local";
  Evidence process;
  process.entity_type = "Process";
  process.process_command_line = "powershell -enc \"x\"\n";
  process.process_id = 4242;
  process.sha256 = "ab";
  const std::vector<Evidence> in = {machine, process};
  auto out = EvidenceFromJson(EvidenceToJson(in));
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(EvidenceToJson(*out), EvidenceToJson(in));
  EXPECT_EQ((*out)[1].process_id, 4242);
  EXPECT_EQ((*out)[1].evidence_role, "Related");
  EXPECT_FALSE(EvidenceFromJson("{}").ok());
  EXPECT_FALSE(EvidenceFromJson("[1]").ok());
  EXPECT_FALSE(EvidenceFromJson("[{\"DeviceId\":3}]").ok());
  EXPECT_FALSE(EvidenceFromJson("[{").ok());
}

TEST(AlertsEvidenceTest, EntityKeysIgnoreCaseRoleAndProcessId) {
  Evidence a;
  a.entity_type = "Process";
  a.folder_path = "C:\\Windows\\cmd.exe";
  a.process_command_line = "cmd /c whoami";
  a.process_id = 1;
  Evidence b = a;
  b.folder_path = "c:\\windows\\CMD.EXE";
  b.process_id = 2;
  b.evidence_role = "Impacted";
  EXPECT_EQ(EntityKey(a), EntityKey(b));
  b.process_command_line = "cmd /c dir";
  EXPECT_NE(EntityKey(a), EntityKey(b));
  Evidence user;
  user.entity_type = "User";
  user.account_name = "Alice";
  user.account_domain = "CONTOSO";
  EXPECT_EQ(EntityKey(user), "User|contoso\\alice");
  user.account_sid = "S-1-5-21-9";
  EXPECT_EQ(EntityKey(user), "User|s-1-5-21-9");
  Evidence empty;
  empty.entity_type = "Ip";
  EXPECT_EQ(EntityKey(empty), "");
  EXPECT_EQ(EntityKeys({user, a, user}).size(), 2u);
}

TEST(AlertsEvidenceTest, EvidenceJsonUsesColumnNames) {
  Evidence e;
  e.entity_type = "Process";
  e.file_name = "a\"b.exe";
  e.process_id = 9;
  EXPECT_EQ(EvidenceToJson({e}),
            "[{\"EntityType\":\"Process\",\"EvidenceRole\":\"Related\",\"FileName\":"
            "\"a\\\"b.exe\",\"ProcessId\":9}]");
  EXPECT_EQ(EvidenceToJson({}), "[]");
}

}  // namespace
}  // namespace vigil::detect::alerts
