// The console routes over real stores: saved queries (ownership, sharing, validation,
// persistence), custom detection rules created through the API that fire on later ingests
// and can be switched off, Sigma rules switched off, the automation policy and API apps.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "vigil/api/auth/auth_store.h"
#include "vigil/api/console/console_detections.h"
#include "vigil/api/console/console_routes.h"
#include "vigil/api/console/console_store.h"
#include "vigil/api/ingest/ingest_service.h"
#include "vigil/api/odata/json_value.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/custom_detection_file.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/respond/automation.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::api::console {
namespace {

namespace fs = std::filesystem;
using odata::JsonValue;

constexpr const char* kSigma = R"(title: Tool Two Started
id: 11111111-1111-4111-8111-111111111111
status: test
author: Test Author
tags: [attack.execution]
logsource: {product: windows, category: process_creation}
detection:
  selection:
    CommandLine|contains: 'tool2.exe'
  condition: selection
level: high
)";

constexpr const char* kDetectionQuery =
    "DeviceProcessEvents | where FileName == 'tool7.exe' | project Timestamp, ReportId, DeviceId,"
    " DeviceName";

std::string Line(int i) {
  return fmt::format(
      R"({{"Timestamp":"2026-10-24T10:00:{:02}Z","DeviceId":"dev1","DeviceName":"ws-1",)"
      R"("ActionType":"ProcessCreated","FileName":"tool{}.exe",)"
      R"("ProcessCommandLine":"tool{}.exe -x","AccountName":"alice","ReportId":{}}})"
      "\n",
      i, i, i, i + 1);
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_.path().string();
    store::StoreOptions so;
    so.dir = dir_ + "/store";
    so.background_flush = false;
    so.retention_days = 0;
    store_ = std::move(*store::Store::Open(so, schema::Catalog::Default()));
    alerts_ = std::move(*detect::alerts::AlertStore::Open(dir_ + "/alerts.db"));
    auth_ = std::move(*AuthStore::Open(dir_ + "/auth.db"));
    IngestServiceOptions options;
    auto rules = detect::sigma::LoadRuleText(kSigma, "test.yml", {});
    ASSERT_TRUE(rules.has_value());
    options.rules = std::move(*rules);
    options.alerts = alerts_.get();
    options.always_detect = true;
    ingest_ = std::move(*IngestService::Create(dir_, store_.get(), std::move(options)));
    Open();
  }
  void TearDown() override {
    ingest_.reset();
    (void)store_->Close();
  }
  // (Re)opens console.db and the live detection state, as a server start does.
  void Open() {
    router_ = Router();
    detections_.reset();
    console_.reset();
    console_ = std::move(*ConsoleStore::Open(dir_ + "/console.db"));
    detect::CustomDetectionRule content;
    content.id = "vigil-cd-0001";
    content.name = "Shipped rule";
    content.query = kDetectionQuery;
    content.period = detect::DetectionPeriod::kEvery1h;
    auto created = ConsoleDetections::Create(dir_, {content}, *console_, ingest_.get());
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    detections_ = std::move(*created);
    RegisterConsoleRoutes(
        router_, ConsoleContext{dir_, console_.get(), detections_.get(), auth_.get(), nullptr});
  }
  ApiResponse Call(std::string method, std::string path, std::string body = "",
                   Role role = Role::kAdmin, std::string who = "alice") {
    ApiRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.principal = {who, who, role, {}};
    return router_.Dispatch(request);
  }
  static JsonValue Body(const ApiResponse& response) {
    auto parsed = odata::ParseJson(response.body);
    EXPECT_TRUE(parsed.has_value()) << response.body;
    return parsed.has_value() ? *parsed : JsonValue();
  }
  uint64_t IngestDetections(int line) {
    auto outcome = ingest_->Ingest("DeviceProcessEvents", IngestFormat::kJsonLines, Line(line));
    EXPECT_TRUE(outcome.has_value()) << outcome.error().ToString();
    return outcome.has_value() ? outcome->detections : 0;
  }

  store::testing::TempDir temp_;
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<detect::alerts::AlertStore> alerts_;
  std::unique_ptr<AuthStore> auth_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<ConsoleStore> console_;
  std::unique_ptr<ConsoleDetections> detections_;
  Router router_;
};

TEST_F(ConsoleTest, SavedQueriesArePrivateUnlessSharedAndPersist) {
  ApiResponse created = Call("POST", "/api/hunting/queries",
                             R"({"name":"Mine","query":"DeviceInfo | take 1"})", Role::kViewer);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string mine = Body(created).Find("id")->string_value();
  EXPECT_EQ(Body(created).Find("owner")->string_value(), "alice");
  EXPECT_FALSE(Body(created).Find("shared")->bool_value());
  created = Call("POST", "/api/hunting/queries",
                 R"({"name":"Team","query":"DeviceInfo","description":"d","shared":true})",
                 Role::kViewer);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string team = Body(created).Find("id")->string_value();

  EXPECT_EQ(
      Body(Call("GET", "/api/hunting/queries", "", Role::kViewer)).Find("value")->items().size(),
      2u);
  const JsonValue bobs = Body(Call("GET", "/api/hunting/queries", "", Role::kViewer, "bob"));
  ASSERT_EQ(bobs.Find("value")->items().size(), 1u);
  EXPECT_EQ(bobs.Find("value")->items()[0].Find("name")->string_value(), "Team");

  // Another viewer: the private one does not exist for him, the shared one is not his.
  EXPECT_EQ(Call("DELETE", "/api/hunting/queries/" + mine, "", Role::kAnalyst, "bob").status, 404);
  EXPECT_EQ(Call("PATCH", "/api/hunting/queries/" + team, R"({"name":"x"})", Role::kAnalyst, "bob")
                .status,
            403);
  ApiResponse patched =
      Call("PATCH", "/api/hunting/queries/" + team, R"({"name":"Team 2"})", Role::kViewer);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched).Find("name")->string_value(), "Team 2");
  EXPECT_EQ(Body(patched).Find("query")->string_value(), "DeviceInfo");

  // Validation.
  EXPECT_EQ(Call("POST", "/api/hunting/queries", R"({"name":"","query":"x"})").status, 400);
  EXPECT_EQ(Call("POST", "/api/hunting/queries",
                 R"({"name":")" + std::string(201, 'n') + R"(","query":"x"})")
                .status,
            400);
  EXPECT_EQ(Call("POST", "/api/hunting/queries", R"({"name":"n","query":"  "})").status, 400);
  EXPECT_EQ(Call("POST", "/api/hunting/queries",
                 R"({"name":"n","query":")" + std::string(64 * 1024 + 1, 'q') + R"("})")
                .status,
            400);
  EXPECT_EQ(Call("POST", "/api/hunting/queries", R"({"name":"n","query":"x","shared":1})").status,
            400);
  EXPECT_EQ(Call("PATCH", "/api/hunting/queries/999", R"({"name":"x"})").status, 404);

  // Persisted: reopen, then the admin deletes another user's query.
  Open();
  const JsonValue after = Body(Call("GET", "/api/hunting/queries", "", Role::kViewer));
  ASSERT_EQ(after.Find("value")->items().size(), 2u);
  EXPECT_EQ(Call("DELETE", "/api/hunting/queries/" + mine, "", Role::kAdmin, "root").status, 204);
  EXPECT_EQ(
      Body(Call("GET", "/api/hunting/queries", "", Role::kViewer)).Find("value")->items().size(),
      1u);
}

TEST_F(ConsoleTest, ConsoleDetectionRuleFiresOnLaterIngestsUntilDisabled) {
  JsonValue list = Body(Call("GET", "/api/detectionrules", "", Role::kViewer));
  ASSERT_EQ(list.Find("value")->items().size(), 1u);
  EXPECT_EQ(list.Find("value")->items()[0].Find("origin")->string_value(), "content");
  EXPECT_EQ(IngestDetections(7), 0u);  // the shipped rule is scheduled, not continuous

  const std::string rule =
      fmt::format(R"({{"name":"Tool seven","query":"{}","severity":"High","category":"Execution",)"
                  R"("frequency":"0","description":"seven ran","techniques":["T1059"]}})",
                  kDetectionQuery);
  EXPECT_EQ(Call("POST", "/api/detectionrules", rule, Role::kAnalyst).status, 403);
  ApiResponse bad =
      Call("POST", "/api/detectionrules",
           R"({"name":"x","query":"DeviceProcessEvents | project FileName"})", Role::kResponder);
  ASSERT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Timestamp"), std::string::npos) << bad.body;
  bad = Call("POST", "/api/detectionrules", R"({"name":"x","query":"NoSuchTable | take 1"})",
             Role::kResponder);
  ASSERT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("NoSuchTable"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("POST", "/api/detectionrules",
                 R"({"name":"x","query":"DeviceInfo","frequency":"2H"})", Role::kResponder)
                .status,
            400);

  ApiResponse created = Call("POST", "/api/detectionrules", rule, Role::kResponder, "rita");
  ASSERT_EQ(created.status, 201) << created.body;
  const JsonValue body = Body(created);
  EXPECT_EQ(body.Find("id")->string_value(), "vigil-cd-c0001");
  EXPECT_EQ(body.Find("origin")->string_value(), "console");
  EXPECT_EQ(body.Find("createdBy")->string_value(), "rita");
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "detections" / "vigil-cd-c0001.yml"));

  EXPECT_EQ(IngestDetections(7), 1u);  // runs live, without a restart
  auto alerts = alerts_->List({});
  ASSERT_TRUE(alerts.has_value());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].rule_id, "vigil-cd-c0001");

  EXPECT_EQ(
      Call("PATCH", "/api/detectionrules/vigil-cd-c0001", R"({"enabled":false})", Role::kAnalyst)
          .status,
      403);
  EXPECT_EQ(Call("PATCH", "/api/detectionrules/nope", R"({"enabled":false})").status, 404);
  EXPECT_EQ(Call("PATCH", "/api/detectionrules/vigil-cd-c0001", R"({"enabled":"no"})").status, 400);
  ApiResponse off =
      Call("PATCH", "/api/detectionrules/vigil-cd-c0001", R"({"enabled":false})", Role::kResponder);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(Body(off).Find("enabled")->bool_value());
  EXPECT_EQ(IngestDetections(7), 0u);

  // A restart reads the rule file back and keeps it off.
  Open();
  list = Body(Call("GET", "/api/detectionrules", "", Role::kViewer));
  ASSERT_EQ(list.Find("value")->items().size(), 2u);
  const JsonValue& again = list.Find("value")->items()[1];
  EXPECT_EQ(again.Find("name")->string_value(), "Tool seven");
  EXPECT_EQ(again.Find("query")->string_value(), kDetectionQuery);
  EXPECT_FALSE(again.Find("enabled")->bool_value());
  EXPECT_EQ(IngestDetections(7), 0u);
  ASSERT_EQ(Call("PATCH", "/api/detectionrules/vigil-cd-c0001", R"({"enabled":true})").status, 200);
  EXPECT_EQ(IngestDetections(7), 1u);
  EXPECT_EQ(
      Body(Call("POST", "/api/detectionrules", rule, Role::kResponder)).Find("id")->string_value(),
      "vigil-cd-c0002");
}

TEST_F(ConsoleTest, DisabledSigmaRuleRaisesNoAlerts) {
  const JsonValue list = Body(Call("GET", "/api/rules", "", Role::kViewer));
  ASSERT_EQ(list.Find("value")->items().size(), 1u);
  const JsonValue& rule = list.Find("value")->items()[0];
  EXPECT_EQ(rule.Find("id")->string_value(), "11111111-1111-4111-8111-111111111111");
  EXPECT_EQ(rule.Find("kind")->string_value(), "sigma");
  EXPECT_EQ(rule.Find("level")->string_value(), "high");
  EXPECT_TRUE(rule.Find("enabled")->bool_value());
  EXPECT_EQ(IngestDetections(2), 1u);

  const std::string path = "/api/rules/11111111-1111-4111-8111-111111111111";
  EXPECT_EQ(Call("PATCH", path, R"({"enabled":false})", Role::kResponder).status, 403);
  EXPECT_EQ(Call("PATCH", "/api/rules/unknown", R"({"enabled":false})").status, 404);
  ApiResponse off = Call("PATCH", path, R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(Body(off).Find("enabled")->bool_value());
  EXPECT_EQ(IngestDetections(2), 0u);

  Open();  // persisted in console.db and applied again at start
  EXPECT_FALSE(Body(Call("GET", "/api/rules", "", Role::kViewer))
                   .Find("value")
                   ->items()[0]
                   .Find("enabled")
                   ->bool_value());
  EXPECT_EQ(IngestDetections(2), 0u);
  ASSERT_EQ(Call("PATCH", path, R"({"enabled":true})").status, 200);
  EXPECT_EQ(IngestDetections(2), 1u);
}

TEST_F(ConsoleTest, AutomationPolicyIsValidatedWrittenAndReadBack) {
  JsonValue policy = Body(Call("GET", "/api/settings/automation", "", Role::kViewer));
  EXPECT_EQ(policy.Find("defaults")->Find("endpoint")->string_value(), "Full");
  EXPECT_EQ(policy.Find("levels")->items().size(), 5u);

  const std::string put =
      R"({"defaults":{"endpoint":"SemiRequireApprovalCoreFolders","email":"Full"},)"
      R"("deviceGroups":{"Servers":{"endpoint":"NoAutomatedResponse"}}})";
  EXPECT_EQ(Call("PUT", "/api/settings/automation", put, Role::kResponder).status, 403);
  ApiResponse bad = Call("PUT", "/api/settings/automation", R"({"defaults":{"endpoint":"Most"}})");
  ASSERT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("defaults.endpoint"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("PUT", "/api/settings/automation", R"({"defaults":{"printer":"Full"}})").status,
            400);

  ApiResponse ok = Call("PUT", "/api/settings/automation", put);
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto loaded = respond::LoadAutomationPolicy(dir_ + "/automation.yml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().ToString();
  EXPECT_EQ(loaded->LevelFor(respond::Domain::kEndpoint, "servers"),
            respond::AutomationLevel::kNoAutomatedResponse);
  EXPECT_EQ(loaded->LevelFor(respond::Domain::kEndpoint, "other"),
            respond::AutomationLevel::kSemiRequireApprovalCoreFolders);
  policy = Body(Call("GET", "/api/settings/automation", "", Role::kViewer));
  EXPECT_EQ(policy.Find("defaults")->Find("email")->string_value(), "Full");
  EXPECT_EQ(policy.Find("deviceGroups")->Find("servers")->Find("endpoint")->string_value(),
            "NoAutomatedResponse");
}

TEST_F(ConsoleTest, ApiAppsAreCreatedListedAndRevokedByAdminsOnly) {
  EXPECT_EQ(Call("GET", "/api/settings/apps", "", Role::kResponder).status, 403);
  EXPECT_EQ(Call("POST", "/api/settings/apps", R"({"name":"x","role":"viewer","kind":"app"})",
                 Role::kResponder)
                .status,
            403);
  EXPECT_EQ(Call("POST", "/api/settings/apps", R"({"name":"x","role":"boss","kind":"app"})").status,
            400);
  EXPECT_EQ(
      Call("POST", "/api/settings/apps", R"({"name":"x","role":"viewer","kind":"cert"})").status,
      400);
  ApiResponse app =
      Call("POST", "/api/settings/apps", R"({"name":"soar","role":"responder","kind":"app"})");
  ASSERT_EQ(app.status, 201) << app.body;
  const std::string secret = Body(app).Find("clientSecret")->string_value();
  const std::string client_id = Body(app).Find("clientId")->string_value();
  EXPECT_FALSE(secret.empty());
  EXPECT_TRUE(auth_->VerifyClientSecret(client_id, secret).has_value());
  ApiResponse key = Call("POST", "/api/settings/apps",
                         R"({"name":"sensor","role":"ingest","kind":"key","source":"mail-gw"})");
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string key_id = Body(key).Find("id")->string_value();
  EXPECT_EQ(Body(key).Find("apiKey")->string_value().rfind("vk_", 0), 0u);

  ApiResponse list = Call("GET", "/api/settings/apps");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(secret), std::string::npos);  // shown once only
  EXPECT_EQ(Body(list).Find("value")->items().size(), 2u);
  EXPECT_NE(list.body.find("mail-gw"), std::string::npos);

  EXPECT_EQ(Call("DELETE", "/api/settings/apps/" + key_id, "", Role::kResponder).status, 403);
  EXPECT_EQ(Call("DELETE", "/api/settings/apps/" + key_id).status, 204);
  EXPECT_EQ(Call("DELETE", "/api/settings/apps/nope").status, 404);
  EXPECT_TRUE(Body(Call("GET", "/api/settings/apps"))
                  .Find("value")
                  ->items()[1]
                  .Find("revoked")
                  ->bool_value());
}

TEST(ConsoleDetectionsTest, RuleYamlReadsBackExactly) {
  detect::CustomDetectionRule rule;
  rule.id = "vigil-cd-c0009";
  rule.name = "Quotes \" and \\ and: colons # hash";
  rule.query = "DeviceInfo\n| where DeviceName == \"a'b\"\t| take 1";
  rule.description = "line one\nline two";
  rule.techniques = {"T1059.001"};
  rule.period = detect::DetectionPeriod::kEvery3h;
  const std::string yaml = ConsoleDetections::RuleYaml(rule);
  auto parsed = detect::ParseCustomDetections(yaml, "x.yml");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front() << "\n" << yaml;
  ASSERT_EQ(parsed.rules.size(), 1u);
  EXPECT_EQ(parsed.rules[0].name, rule.name);
  EXPECT_EQ(parsed.rules[0].query, rule.query);
  EXPECT_EQ(parsed.rules[0].description, rule.description);
  EXPECT_EQ(parsed.rules[0].techniques, rule.techniques);
  EXPECT_EQ(parsed.rules[0].period, detect::DetectionPeriod::kEvery3h);
}

}  // namespace
}  // namespace vigil::api::console
