#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "vigil/api/odata/json_value.h"
#include "vigil/api/resources/resource_routes.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/alert_store.h"
#include "vigil/detect/alerts/evidence.h"
#include "vigil/detect/ioc/indicator_store.h"
#include "vigil/incidents/correlator.h"
#include "vigil/incidents/incident_store.h"
#include "vigil/incidents/story.h"
#include "vigil/incidents/test_alerts.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/respond/action_store.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::api {
namespace {

using odata::JsonValue;
namespace it = incidents::testing;

const std::string kDb1(40, 'a');

class ResourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = temp_.path().string();
    alerts_ = std::move(*detect::alerts::AlertStore::Open(dir + "/alerts.db"));
    incidents_ = std::move(*incidents::IncidentStore::Open(dir + "/incidents.db"));
    correlator_ = std::move(*incidents::Correlator::Create(incidents_.get(), alerts_.get(),
                                                           incidents::CorrelationConfig()));
    actions_ = std::move(*respond::ActionStore::Open(dir + "/response.db"));
    indicators_ = std::move(*detect::ioc::IndicatorStore::Open(dir + "/indicators.db"));
    store::StoreOptions options;
    options.dir = dir + "/store";
    options.background_flush = false;
    options.retention_days = 0;
    store_ = std::move(*store::Store::Open(options, schema::Catalog::Default()));
    const int64_t now = NowTicks();
    now_ = now;
    schema::TableBatch info(*schema::Catalog::Default().Find("DeviceInfo"));
    const schema::TableSchema& t = info.schema();
    info.BeginRow();
    info.SetInt(static_cast<size_t>(t.FindColumn("Timestamp")), now - kTicksPerSecond * 60);
    info.SetBytes(static_cast<size_t>(t.FindColumn("DeviceId")), kDb1);
    info.SetBytes(static_cast<size_t>(t.FindColumn("DeviceName")), "srv-db1.corp.example.com");
    info.SetBytes(static_cast<size_t>(t.FindColumn("OSPlatform")), "WindowsServer2022");
    ASSERT_TRUE(store_->Append(info).ok());
    schema::TableBatch process(*schema::Catalog::Default().Find("DeviceProcessEvents"));
    store::testing::AddProcessRows(process, 5, now - kTicksPerSecond * 3600, 1);
    ASSERT_TRUE(store_->Append(process).ok());
    ASSERT_TRUE(store_->Flush().ok());
    engine_ = std::make_unique<kql::Engine>(store_.get(), &schema::Catalog::Default());

    // Three alerts on two unrelated devices, days apart: at least two incidents.
    const std::vector<detect::alerts::AlertRecord> records = {
        it::Alert("a1", it::kT0, {it::Machine(kDb1, "srv-db1"), it::User("alice", "corp")},
                  "Execution", detect::Severity::kHigh),
        it::Alert("a2", it::kT0 + it::kMinute, {it::Machine(kDb1, "srv-db1")}),
        it::Alert("a3", it::kT0 + 72 * it::kHour, {it::Machine(std::string(40, 'b'), "ws-9")},
                  "Discovery", detect::Severity::kLow)};
    ASSERT_TRUE(alerts_->Upsert(records).ok());
    ASSERT_TRUE(correlator_->OnAlerts(records).has_value());

    ctx_.data_dir = dir;
    ctx_.store = store_.get();
    ctx_.engine = engine_.get();
    ctx_.alerts = alerts_.get();
    ctx_.indicators = indicators_.get();
    ctx_.incidents = incidents_.get();
    ctx_.correlator = correlator_.get();
    ctx_.actions = actions_.get();
    RegisterResourceRoutes(router_, ctx_);
  }

  void TearDown() override { (void)store_->Close(); }

  ApiResponse Call(std::string method, std::string path,
                   std::multimap<std::string, std::string> query = {}, std::string body = "",
                   Role role = Role::kAdmin) {
    ApiRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.query = std::move(query);
    request.body = std::move(body);
    request.headers["host"] = "vigil.test:8443";
    request.principal = {"id-1", "alice@corp", role, {}};
    return router_.Dispatch(request);
  }

  static JsonValue Body(const ApiResponse& response) {
    auto parsed = odata::ParseJson(response.body);
    EXPECT_TRUE(parsed.has_value()) << response.body;
    return parsed.has_value() ? *parsed : JsonValue();
  }

  store::testing::TempDir temp_;
  std::unique_ptr<detect::alerts::AlertStore> alerts_;
  std::unique_ptr<incidents::IncidentStore> incidents_;
  std::unique_ptr<incidents::Correlator> correlator_;
  std::unique_ptr<respond::ActionStore> actions_;
  std::unique_ptr<detect::ioc::IndicatorStore> indicators_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kql::Engine> engine_;
  ApiContext ctx_;
  Router router_;
  int64_t now_ = 0;  // ticks; the process rows start an hour before
};

TEST_F(ResourcesTest, ListsIncidentsWithFilterOrderAndAlerts) {
  ApiResponse response = Call("GET", "/api/incidents", {{"$orderby", "incidentId desc"}});
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("@odata.context")->string_value(),
            "http://vigil.test:8443/api/$metadata#Incidents");
  const auto& items = body.Find("value")->items();
  ASSERT_GE(items.size(), 2u);
  EXPECT_GT(items[0].Find("incidentId")->int_value(), items[1].Find("incidentId")->int_value());
  EXPECT_FALSE(items[0].Find("alerts")->items().empty());

  response =
      Call("GET", "/api/incidents", {{"$filter", "severity eq 'High' and status eq 'Active'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  body = Body(response);
  ASSERT_EQ(body.Find("value")->items().size(), 1u);
  const JsonValue& alerts = *body.Find("value")->items()[0].Find("alerts");
  ASSERT_EQ(alerts.items().size(), 2u);
  EXPECT_EQ(alerts.items()[0].Find("devices")->items()[0].Find("deviceDnsName")->string_value(),
            "srv-db1");
  EXPECT_EQ(Call("GET", "/api/incidents", {{"$top", "101"}}).status, 400);
  EXPECT_EQ(Call("GET", "/api/incidents/999").status, 404);
}

TEST_F(ResourcesTest, StoryIsTheCliJson) {
  ApiResponse response = Call("GET", "/api/incidents/1/story", {}, "", Role::kViewer);
  ASSERT_EQ(response.status, 200) << response.body;
  auto cli = incidents::StoryJson(*incidents_, *alerts_, 1);
  ASSERT_TRUE(cli.has_value());
  EXPECT_EQ(response.body, *cli);
  const JsonValue body = Body(response);
  EXPECT_FALSE(body.Find("nodes")->items().empty());
  EXPECT_FALSE(body.Find("timeline")->items().empty());
  EXPECT_NE(body.Find("edges"), nullptr);
  response = Call("GET", "/api/incidents/999/story");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Body(response).Find("error")->Find("code")->string_value(), "ResourceNotFound");
  EXPECT_EQ(Call("GET", "/api/incidents/abc/story").status, 404);
}

TEST_F(ResourcesTest, SingleAlertCarriesRuleAndSourceEvent) {
  detect::alerts::AlertRecord alert =
      it::Alert("a9", (now_ - kTicksPerSecond * 3600 + 2 * kTicksPerSecond) / 10, {});
  alert.rule_id = "11111111-1111-4111-8111-111111111111";
  alert.rule_title = "Suspicious tool";
  alert.rule_author = "Test Author";
  alert.rule_link = "https://example.test/rule";
  alert.rule_license = "DRL-1.1";
  alert.source_report_id = "3";
  ASSERT_TRUE(alerts_->Upsert(std::vector<detect::alerts::AlertRecord>{alert}).ok());
  ApiResponse response = Call("GET", "/api/alerts/a9", {}, "", Role::kViewer);
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  const JsonValue* rule = body.Find("detectionRule");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->Find("id")->string_value(), alert.rule_id);
  EXPECT_EQ(rule->Find("kind")->string_value(), "sigma");
  EXPECT_EQ(rule->Find("license")->string_value(), "DRL-1.1");
  const JsonValue* event = body.Find("sourceEvent");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->Find("table")->string_value(), "DeviceProcessEvents");
  EXPECT_EQ(event->Find("reportId")->string_value(), "3");
  const JsonValue* raw = event->Find("raw");
  ASSERT_NE(raw, nullptr);
  ASSERT_EQ(raw->kind(), JsonValue::Kind::kObject) << response.body;
  EXPECT_EQ(raw->Find("ReportId")->int_value(), 3);
  EXPECT_NE(raw->Find("FileName"), nullptr);

  // An alert naming no rule or event: both null; lists stay Defender-shaped.
  body = Body(Call("GET", "/api/alerts/a2"));
  EXPECT_TRUE(body.Find("detectionRule")->is_null());
  EXPECT_TRUE(body.Find("sourceEvent")->Find("raw")->is_null());
  EXPECT_EQ(Call("GET", "/api/alerts").body.find("detectionRule"), std::string::npos);
}

TEST_F(ResourcesTest, PatchesIncidentAsCallerWithAudit) {
  ApiResponse response =
      Call("PATCH", "/api/incidents/1", {},
           R"({"status":"InProgress","assignedTo":"bob@corp","tags":["ransom"],"comment":"look"})",
           Role::kAnalyst);
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("status")->string_value(), "InProgress");
  EXPECT_EQ(body.Find("tags")->Dump(), R"(["ransom"])");
  EXPECT_EQ(body.Find("comments")->items()[0].Find("createdBy")->string_value(), "alice@corp");
  auto audit = incidents_->AuditLog(1);
  ASSERT_TRUE(audit.has_value());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().actor, "alice@corp");

  response = Call("PATCH", "/api/incidents/1", {}, R"({"status":"Resolved","colour":"red"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("colour"), std::string::npos);
  EXPECT_EQ(Call("PATCH", "/api/incidents/1", {}, "{not json").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/incidents/1", {}, R"({"status":"Sideways"})").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/incidents/1", {}, R"({"status":"Resolved"})", Role::kViewer).status,
            403);
}

TEST_F(ResourcesTest, AlertsFilterGetAndPatch) {
  ApiResponse response =
      Call("GET", "/api/alerts",
           {{"$filter", "severity in ('High','Low')"}, {"$orderby", "lastEventTime asc"}});
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  ASSERT_EQ(body.Find("value")->items().size(), 2u);
  EXPECT_EQ(body.Find("value")->items()[0].Find("id")->string_value(), "a1");
  EXPECT_EQ(body.Find("value")->items()[0].Find("evidence"), nullptr);

  response = Call("GET", "/api/alerts", {{"$filter", "status eq"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("position 10"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("ODataError"), std::string::npos) << response.body;
  response = Call("GET", "/api/alerts", {{"$expand", "evidence"}, {"$filter", "id eq 'a3'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("value")->items()[0].Find("evidence")->items().size(), 1u);
  response = Call("GET", "/api/alerts", {{"$filter", "colour eq 'red'"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("unknown field 'colour'"), std::string::npos) << response.body;

  response = Call("GET", "/api/alerts/a1");
  ASSERT_EQ(response.status, 200);
  body = Body(response);
  EXPECT_EQ(body.Find("machineId")->string_value(), kDb1);
  EXPECT_EQ(body.Find("evidence")->items().size(), 2u);

  response = Call("PATCH", "/api/alerts/a1", {},
                  R"({"status":"Resolved","classification":"FalsePositive","comment":"benign"})",
                  Role::kAnalyst);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("status")->string_value(), "Resolved");
  auto audit = alerts_->AuditLog("a1");
  ASSERT_TRUE(audit.has_value() && !audit->empty());
  EXPECT_EQ(audit->back().actor, "alice@corp");
  EXPECT_EQ(Call("PATCH", "/api/alerts/a1", {}, R"({"severity":"Low"})").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/alerts/nope", {}, R"({"status":"Resolved"})").status, 404);
}

TEST_F(ResourcesTest, MachinesFromTelemetry) {
  ApiResponse response = Call("GET", "/api/machines");
  ASSERT_EQ(response.status, 200) << response.body;
  const size_t all = Body(response).Find("value")->items().size();
  EXPECT_GE(all, 2u);
  response = Call("GET", "/api/machines", {{"$filter", "startswith(computerDnsName,'ws')"}});
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("value")->items().size(), all - 1);
  for (const JsonValue& machine : body.Find("value")->items()) {
    EXPECT_EQ(machine.Find("computerDnsName")->string_value().rfind("ws-", 0), 0u);
  }
  response = Call("GET", "/api/machines/" + kDb1);
  ASSERT_EQ(response.status, 200) << response.body;
  body = Body(response);
  EXPECT_EQ(body.Find("osPlatform")->string_value(), "WindowsServer2022");
  EXPECT_EQ(body.Find("healthStatus")->string_value(), "Active");
  // riskScore: the highest severity of the device's open alerts (a1 is High).
  EXPECT_EQ(body.Find("riskScore")->string_value(), "High");
  response = Call("GET", "/api/machines", {{"$filter", "riskScore eq 'High'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("value")->items().size(), 1u);
  detect::alerts::AlertPatch resolve;
  resolve.status = "Resolved";
  ASSERT_TRUE(alerts_->Update("a1", resolve, "test").has_value());
  body = Body(Call("GET", "/api/machines/" + kDb1));
  EXPECT_EQ(body.Find("riskScore")->string_value(), "Medium");  // a2 remains, Medium
  EXPECT_EQ(Call("GET", "/api/machines/" + std::string(40, 'c')).status, 404);
}

TEST_F(ResourcesTest, MachineActionLifecycle) {
  const std::string path = "/api/machines/" + kDb1 + "/isolate";
  EXPECT_EQ(Call("POST", path, {}, R"({"Comment":"c"})", Role::kAnalyst).status, 403);
  ApiResponse response = Call(
      "POST", path, {}, R"({"Comment":"contain","IsolationType":"Selective"})", Role::kResponder);
  ASSERT_EQ(response.status, 201) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("type")->string_value(), "Isolate");
  EXPECT_EQ(body.Find("scope")->string_value(), "Selective");
  EXPECT_EQ(body.Find("status")->string_value(), "Pending");
  EXPECT_EQ(body.Find("requestor")->string_value(), "alice@corp");
  EXPECT_EQ(body.Find("computerDnsName")->string_value(), "srv-db1.corp.example.com");
  const std::string id = body.Find("id")->string_value();
  response = Call("POST", path, {}, R"({"Comment":"again"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("already in progress"), std::string::npos);
  EXPECT_EQ(Call("POST", path, {}, R"({"Comment":"x","IsolationType":"Half"})").status, 400);
  EXPECT_EQ(Call("POST", "/api/machines/" + kDb1 + "/StopAndQuarantineFile", {},
                 R"({"Comment":"x","Sha1":"zz"})")
                .status,
            400);

  response = Call("GET", "/api/machineactions", {{"$filter", "type eq 'Isolate'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(Body(response).Find("value")->items().size(), 1u);
  EXPECT_EQ(Body(response).Find("value")->items()[0].Find("scope")->string_value(), "Selective");
  const std::string sha1 = "87662bc3d60e4200ceaf7aae249d1c343f4b83c9";
  response = Call("POST", "/api/machines/" + kDb1 + "/StopAndQuarantineFile", {},
                  R"({"Comment":"stop it","Sha1":")" + sha1 + "\"}", Role::kResponder);
  ASSERT_EQ(response.status, 201) << response.body;
  response = Call("GET", "/api/machineactions/" + Body(response).Find("id")->string_value());
  ASSERT_EQ(response.status, 200) << response.body;
  const JsonValue quarantine = Body(response);
  const JsonValue* file = quarantine.Find("relatedFileInfo");
  ASSERT_TRUE(file != nullptr && file->Find("fileIdentifier") != nullptr) << response.body;
  EXPECT_EQ(file->Find("fileIdentifier")->string_value(), sha1);
  EXPECT_EQ(file->Find("fileIdentifierType")->string_value(), "Sha1");
  EXPECT_EQ(Call("GET", "/api/machineactions/" + id).status, 200);

  response = Call("GET", "/api/connectors/endpoint/actions", {}, "", Role::kResponder);
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_EQ(Body(response).Find("value")->items().size(), 2u);  // isolate and quarantine
  EXPECT_EQ(Call("POST", "/api/connectors/endpoint/actions/" + id + "/result", {},
                 R"({"status":"maybe"})")
                .status,
            400);
  response = Call("POST", "/api/connectors/endpoint/actions/" + id + "/result", {},
                  R"({"status":"succeeded","message":"isolated"})", Role::kResponder);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("status")->string_value(), "Succeeded");

  response = Call("POST", "/api/actions/" + id + "/undo", {}, "", Role::kResponder);
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(Body(response).Find("type")->string_value(), "UnisolateDevice");
  EXPECT_EQ(Call("POST", "/api/actions/" + id + "/undo").status, 400);
  response = Call("GET", "/api/actioncenter/history");
  ASSERT_EQ(response.status, 200);
  EXPECT_GE(Body(response).Find("value")->items().size(), 1u);
}

TEST_F(ResourcesTest, ApprovesAndRejectsPendingActions) {
  respond::Action action;
  action.type = respond::ActionType::kDisableUser;
  action.target.entity_type = "User";
  action.target.account_name = "mallory";
  action.connector = respond::Connector::kDirectory;
  action.approval = respond::ApprovalState::kPending;
  auto first = actions_->Propose(action);
  action.target.account_name = "eve";
  auto second = actions_->Propose(action);
  ASSERT_TRUE(first.has_value() && second.has_value());
  ApiResponse response = Call("GET", "/api/actioncenter/pending", {}, "", Role::kViewer);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(Body(response).Find("value")->items().size(), 2u);
  EXPECT_EQ(
      Call("POST", "/api/actions/" + std::to_string(*first) + "/approve", {}, "", Role::kViewer)
          .status,
      403);
  response = Call("POST", "/api/actions/" + std::to_string(*first) + "/approve", {},
                  R"({"comment":"ok"})", Role::kResponder);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("decidedBy")->string_value(), "alice@corp");
  response = Call("POST", "/api/actions/" + std::to_string(*second) + "/reject");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("status")->string_value(), "Cancelled");
  EXPECT_EQ(Call("POST", "/api/actions/" + std::to_string(*second) + "/approve").status, 400);
  response = Call("GET", "/api/actioncenter/pending");
  EXPECT_EQ(Body(response).Find("value")->items().size(), 0u);
  EXPECT_EQ(Call("GET", "/api/connectors/directory/actions").status, 200);
  EXPECT_EQ(Call("GET", "/api/connectors/toaster/actions").status, 404);
  EXPECT_EQ(Call("GET", "/api/investigations").status, 200);
  EXPECT_EQ(Call("GET", "/api/investigations/5").status, 404);
}

TEST_F(ResourcesTest, IndicatorsCreateListDelete) {
  const std::string sha1 = "220e7d15b011d7fac48f2bd61114db1022197f7f";
  ApiResponse response = Call(
      "POST", "/api/indicators", {},
      R"({"indicatorValue":")" + sha1 +
          R"(","indicatorType":"FileSha1","action":"Block","title":"t","description":"d","severity":"High"})",
      Role::kResponder);
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("createdBy")->string_value(), "alice@corp");
  const std::string id = body.Find("id")->string_value();
  EXPECT_EQ(Call("POST", "/api/indicators", {}, R"({"indicatorValue":"x"})").status, 400);
  EXPECT_EQ(Call("POST", "/api/indicators", {}, "{}", Role::kAnalyst).status, 403);

  response = Call(
      "POST", "/api/indicators/import", {},
      R"({"Indicators":[{"indicatorValue":"evil.example.com","indicatorType":"DomainName","action":"Audit","title":"t","description":"d","generateAlert":true},{"indicatorValue":"zz","indicatorType":"FileSha256","action":"Block","title":"t","description":"d"}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("value")->items().size(), 2u);

  response = Call("GET", "/api/indicators", {{"$filter", "indicatorType eq 'FileSha1'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  body = Body(response);
  ASSERT_EQ(body.Find("value")->items().size(), 1u);
  EXPECT_EQ(body.Find("value")->items()[0].Find("indicatorValue")->string_value(), sha1);
  EXPECT_EQ(Body(Call("GET", "/api/connectors/endpoint/indicators")).Find("value")->items().size(),
            2u);
  EXPECT_EQ(Call("DELETE", "/api/indicators/" + id).status, 204);
  EXPECT_EQ(Call("DELETE", "/api/indicators/" + id).status, 404);
}

TEST_F(ResourcesTest, GraphIncidentsPageByNextLink) {
  ApiResponse response = Call("GET", "/v1.0/security/incidents",
                              {{"$top", "1"}, {"$count", "true"}, {"$orderby", "id asc"}});
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("@odata.context")->string_value(),
            "http://vigil.test:8443/v1.0/$metadata#security/incidents");
  const int64_t total = body.Find("@odata.count")->int_value();
  ASSERT_GE(total, 2);
  EXPECT_EQ(body.Find("value")->items()[0].Find("status")->string_value(), "active");
  EXPECT_EQ(body.Find("value")->items()[0].Find("alerts"), nullptr);
  int64_t seen = 1;
  while (const JsonValue* next = body.Find("@odata.nextLink")) {
    const std::string link = next->string_value();
    const std::string prefix = "http://vigil.test:8443/v1.0/security/incidents?";
    ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
    std::multimap<std::string, std::string> query;
    std::string rest = link.substr(prefix.size());
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string pair = rest.substr(0, amp);
      const size_t eq = pair.find('=');
      std::string value = pair.substr(eq + 1);
      if (value == "id%20asc") {
        value = "id asc";
      }
      query.emplace(pair.substr(0, eq), value);
      rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
    }
    response = Call("GET", "/v1.0/security/incidents", query);
    ASSERT_EQ(response.status, 200) << response.body;
    body = Body(response);
    seen += static_cast<int64_t>(body.Find("value")->items().size());
    ASSERT_LE(seen, total);
  }
  EXPECT_EQ(seen, total);

  response = Call("GET", "/v1.0/security/incidents/1", {{"$expand", "alerts"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_FALSE(Body(response).Find("alerts")->items().empty());
}

TEST_F(ResourcesTest, GraphPatchCommentsAndAlerts) {
  ApiResponse response = Call(
      "PATCH", "/v1.0/security/incidents/1", {},
      R"({"status":"resolved","classification":"truePositive","determination":"malware","customTags":["demo"]})",
      Role::kAnalyst);
  ASSERT_EQ(response.status, 200) << response.body;
  JsonValue body = Body(response);
  EXPECT_EQ(body.Find("status")->string_value(), "resolved");
  EXPECT_EQ(body.Find("classification")->string_value(), "truePositive");
  EXPECT_EQ(body.Find("customTags")->Dump(), R"(["demo"])");
  response = Call("PATCH", "/v1.0/security/incidents/1", {}, R"({"tags":["x"]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("innerError"), std::string::npos);

  response = Call("POST", "/v1.0/security/incidents/1/comments", {},
                  R"({"@odata.type":"microsoft.graph.security.alertComment","comment":"done"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("value")->items().back().Find("comment")->string_value(), "done");

  response = Call("GET", "/v1.0/security/alerts_v2", {{"$filter", "severity eq 'low'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  body = Body(response);
  ASSERT_EQ(body.Find("value")->items().size(), 1u);
  EXPECT_EQ(body.Find("value")->items()[0].Find("id")->string_value(), "a3");
  EXPECT_EQ(body.Find("value")
                ->items()[0]
                .Find("evidence")
                ->items()[0]
                .Find("@odata.type")
                ->string_value(),
            "#microsoft.graph.security.deviceEvidence");
  response = Call("PATCH", "/v1.0/security/alerts_v2/a3", {}, R"({"status":"inProgress"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("status")->string_value(), "inProgress");
  response = Call("GET", "/v1.0/security/alerts_v2/missing");
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("itemNotFound"), std::string::npos);
}


TEST_F(ResourcesTest, MachineAlertsBatchUpdateAndCancel) {
  ApiResponse response = Call("GET", "/api/machines/" + kDb1 + "/alerts");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("value")->items().size(), 2u);  // a1 and a2
  response = Call("GET", "/api/machines/SRV-DB1/alerts", {{"$filter", "severity eq 'High'"}});
  ASSERT_EQ(response.status, 200) << response.body;  // the DNS name works too
  EXPECT_EQ(Body(response).Find("value")->items().size(), 1u);
  response = Call("GET", "/api/machines/" + kDb1 + "/alerts/$count",
                  {{"$filter", "status ne 'Resolved'"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "2");

  EXPECT_EQ(Call("POST", "/api/alerts/batchUpdate", {}, R"({"alertIds":["a1"],"status":"x"})",
                 Role::kViewer)
                .status,
            403);
  response = Call("POST", "/api/alerts/batchUpdate", {},
                  R"({"alertIds":["a1","nope"],"status":"Resolved"})", Role::kAnalyst);
  EXPECT_EQ(response.status, 404) << response.body;
  EXPECT_EQ(alerts_->Get("a1")->status, detect::alerts::AlertStatus::kNew);  // nothing changed
  EXPECT_EQ(Call("POST", "/api/alerts/batchUpdate", {}, R"({"alertIds":[]})").status, 400);
  EXPECT_EQ(Call("POST", "/api/alerts/batchUpdate", {}, R"({"alertIds":["a1"]})").status, 400);
  EXPECT_EQ(Call("POST", "/api/alerts/batchUpdate", {}, R"({"alertIds":["a1"],"x":1})").status,
            400);
  response = Call("POST", "/api/alerts/batchUpdate", {},
                  R"({"alertIds":["a1","a2"],"status":"Resolved","comment":"batch"})",
                  Role::kAnalyst);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(alerts_->Get("a1")->status, detect::alerts::AlertStatus::kResolved);
  EXPECT_EQ(alerts_->Get("a2")->status, detect::alerts::AlertStatus::kResolved);
  response = Call("GET", "/api/machines/" + kDb1 + "/alerts/$count",
                  {{"$filter", "status ne 'Resolved'"}});
  EXPECT_EQ(response.body, "0");

  response = Call("POST", "/api/machines/" + kDb1 + "/runAntiVirusScan", {},
                  R"({"Comment":"scan","ScanType":"Quick"})", Role::kResponder);
  ASSERT_EQ(response.status, 201) << response.body;
  const std::string id = Body(response).Find("id")->string_value();
  EXPECT_EQ(Call("POST", "/api/machineactions/" + id + "/cancel", {}, "{}").status, 400);
  response = Call("POST", "/api/machineactions/" + id + "/cancel", {},
                  R"({"Comment":"wrong host"})", Role::kResponder);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Body(response).Find("status")->string_value(), "Cancelled");
  EXPECT_GE(Call("POST", "/api/machineactions/" + id + "/cancel", {}, R"({"Comment":"again"})")
                .status,
            400);
  EXPECT_EQ(Call("POST", "/api/machineactions/999999/cancel", {}, R"({"Comment":"c"})").status,
            404);
}

}  // namespace
}  // namespace vigil::api
