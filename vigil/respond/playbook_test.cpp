// Playbook loading (the shipped default playbook, each kind of error with file:line and field)
// and KQL templates (escaping, missing and unknown placeholders). The default playbook's
// queries are bound against the real schema so a typo in a column fails here.
#include "vigil/respond/playbook.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::respond {
namespace {

std::string SourceDir() {
  const char* env = std::getenv("VIGIL_SOURCE_DIR");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::current_path().string();
}

TEST(PlaybookTest, TemplatesQuoteAndEscapeValues) {
  EXPECT_EQ(KqlStringLiteral("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  auto filled = FillTemplate("T | where Url == {{url}} and X == {{ sha256 }}",
                             {{"url", "http://x/\" or 1==1 //"}, {"sha256", "ab"}});
  ASSERT_TRUE(filled.ok());
  EXPECT_EQ(*filled, "T | where Url == \"http://x/\\\" or 1==1 //\" and X == \"ab\"");
  EXPECT_EQ(FillTemplate("T | where A == {{url}}", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FillTemplate("T | where A == {{url}}", {{"url", ""}}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(FillTemplate("T | where A == {{password}}", {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FillTemplate("T | where A == {{url", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*FillTemplate("print dynamic({\"a\": 1})", {}), "print dynamic({\"a\": 1})");
}

TEST(PlaybookTest, LoadsTheDefaultPlaybookAndItsQueriesBind) {
  const std::string path = SourceDir() + "/content/playbooks/default.yml";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no source tree at " << path;
  }
  auto playbook = LoadPlaybookFile(path);
  ASSERT_TRUE(playbook.ok()) << playbook.status().ToString();
  EXPECT_EQ(playbook->name, "default");
  EXPECT_EQ(playbook->lookback_days, 30);
  for (const char* type : {"File", "Process", "Machine", "User", "Mailbox", "MailMessage", "Url",
                           "Ip", "CloudApplication"}) {
    EXPECT_NE(playbook->For(type), nullptr) << type;
  }
  const EntityPlaybook* file = playbook->For("File");
  EXPECT_EQ(file->remediations.at(Verdict::kMalicious),
            std::vector<ActionType>{ActionType::kStopAndQuarantineFile});
  std::map<std::string, std::string> values;
  for (const char* p : {"sha256", "sha1", "md5", "file_name", "folder_path", "device_id",
                        "device_name", "account_name", "account_domain", "account_sid",
                        "account_upn", "account_object_id", "mailbox", "network_message_id",
                        "sender", "url", "ip", "application", "process_command_line"}) {
    values[p] = "x";
  }
  kql::Engine engine(nullptr, &schema::Catalog::Default());
  size_t queries = 0;
  for (const auto& entity : playbook->entities) {
    for (const auto& q : entity.queries) {
      auto kql = FillTemplate(q.kql, values);
      ASSERT_TRUE(kql.ok()) << q.name;
      auto bound = engine.Check(*kql);
      EXPECT_TRUE(bound.has_value())
          << entity.entity_type << "/" << q.name << ": " << bound.error().ToString();
      ++queries;
    }
  }
  EXPECT_GE(queries, 12u);
}

TEST(PlaybookTest, ErrorsNameFileLineAndField) {
  auto check = [](std::string_view yaml, std::string_view expected) {
    auto playbook = ParsePlaybook(yaml, "pb.yml");
    ASSERT_FALSE(playbook.ok()) << yaml;
    EXPECT_EQ(playbook.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(playbook.status().message().find(expected), std::string::npos)
        << playbook.status().message();
  };
  check("entities: []\n", "pb.yml:1: name: missing 'name'");
  check("name: x\n", "entities: missing 'entities'");
  check("name: x\nentities:\n  - type: Printer\n", "pb.yml:3: entities[0].type: unknown entity");
  check("name: x\nentities:\n  - type: File\n  - type: file\n", "appears twice");
  check(
      "name: x\nentities:\n  - type: File\n    queries:\n      - name: q\n        kql: "
      "T | where A == {{nope}}\n",
      "entities[0].queries[0].kql: unknown placeholder");
  check(
      "name: x\nentities:\n  - type: File\n    queries:\n      - {name: q, kql: T}\n      - "
      "{name: q, kql: T}\n",
      "duplicate query name 'q'");
  check(
      "name: x\nentities:\n  - type: File\n    scoring:\n      - when: {query: missing, "
      "column: A, value: 1}\n        verdict: Malicious\n        reason: r\n",
      "no query named 'missing'");
  check(
      "name: x\nentities:\n  - type: File\n    scoring:\n      - when: {min_alerts: 1}\n"
      "        verdict: Evil\n        reason: r\n",
      "pb.yml:6: entities[0].scoring[0].verdict: unknown verdict 'Evil'");
  check(
      "name: x\nentities:\n  - type: File\n    scoring:\n      - when: {min_alerts: -2}\n"
      "        verdict: Malicious\n        reason: r\n",
      "expected a count");
  check(
      "name: x\nentities:\n  - type: File\n    scoring:\n      - when: {}\n"
      "        verdict: Malicious\n        reason: r\n",
      "no condition");
  check(
      "name: x\nentities:\n  - type: File\n    scoring:\n      - when: {min_alert_severity: "
      "Huge}\n        verdict: Malicious\n        reason: r\n",
      "unknown severity 'Huge'");
  check("name: x\nentities:\n  - type: File\n    remediations:\n      Malicious: [Explode]\n",
        "entities[0].remediations.Malicious: unknown action type 'Explode'");
  check("name: x\nentities:\n  - type: File\n    colour: red\n", "unknown field 'colour'");
  check("name: x\nlookback_days: 365\nentities: []\n", "lookback_days: expected 1 to 180");
  check("name: [x\n", "pb.yml:");
  check(
      "name: x\nentities:\n  - type: Mail\n    queries:\n      - name: q\n        kql: T\n"
      "        capture: {secret: Col}\n",
      "unknown placeholder 'secret'");
}

TEST(PlaybookTest, MissingFileIsAnIoError) {
  EXPECT_EQ(LoadPlaybookFile("/nonexistent/pb.yml").status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace vigil::respond
