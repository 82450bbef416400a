// IncidentStore: create/get/list, analyst updates with audit, comments, persistence across
// reopening the file, and propagation of resolve/assign to the alert store.
#include "vigil/incidents/incident_store.h"

#include <gtest/gtest.h>

#include "vigil/detect/alerts/alert_store.h"
#include "vigil/incidents/test_alerts.h"

namespace vigil::incidents {
namespace {

using testing::FakeClock;

Incident NewIncident(Severity severity) {
  Incident inc;
  inc.alerts_severity = severity;
  inc.facts.categories = {"Execution"};
  inc.facts.devices = {"ws-1"};
  RefreshDerived(inc);
  return inc;
}

TEST(IncidentStoreTest, CreateGetListAndPersistAcrossReopen) {
  const std::string dir = testing::FreshDir("store_crud");
  FakeClock clock;
  {
    auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Incident a = NewIncident(Severity::kLow);
    Incident b = NewIncident(Severity::kHigh);
    ASSERT_EQ(*(*store)->Create(a), 1);
    clock.now += testing::kMinute;
    ASSERT_EQ(*(*store)->Create(b), 2);
    ASSERT_TRUE((*store)->Link({"alert-1", 1, "no related open incident", "corr", clock.now}).ok());
    ASSERT_TRUE((*store)->Link({"alert-2", 2, "no related open incident", "corr", clock.now}).ok());
    b.custom_tags = {"phish"};
    b.system_tags = {"AIR"};
    ASSERT_TRUE((*store)->Save(b).ok());
    ASSERT_TRUE((*store)->SaveEntity({2, "device:d1", "device ws-1", {"device:d1"}, 5, 3}).ok());
    IncidentPatch patch;
    patch.status = "In progress";
    patch.assigned_to = "alice";
    patch.comment = "looking";
    ASSERT_TRUE((*store)->Update(2, patch, "alice").ok());
  }
  auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
  ASSERT_TRUE(store.ok());
  auto b = (*store)->Get(2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->title, "Execution incident on one endpoint");
  EXPECT_EQ(b->severity, Severity::kHigh);
  EXPECT_EQ(b->status, IncidentStatus::kInProgress);
  EXPECT_EQ(b->assigned_to, "alice");
  EXPECT_EQ(b->custom_tags, std::vector<std::string>{"phish"});
  EXPECT_EQ(b->system_tags, std::vector<std::string>{"AIR"});
  EXPECT_EQ(b->alert_ids, std::vector<std::string>{"alert-2"});
  auto comments = (*store)->Comments(2);
  ASSERT_TRUE(comments.ok());
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ((*comments)[0].comment, "looking");
  auto entities = (*store)->Entities(2);
  ASSERT_TRUE(entities.ok());
  ASSERT_EQ(entities->size(), 1u);
  EXPECT_EQ((*entities)[0].domains, 3u);
  EXPECT_EQ(*(*store)->OpenIncidentIds(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ((*store)->Get(3).status().code(), StatusCode::kNotFound);

  IncidentFilter filter;
  filter.min_severity = Severity::kHigh;
  auto high = (*store)->List(filter);
  ASSERT_TRUE(high.ok());
  ASSERT_EQ(high->size(), 1u);
  EXPECT_EQ((*high)[0].id, 2);
  filter = IncidentFilter();
  filter.status = IncidentStatus::kActive;
  EXPECT_EQ((*store)->List(filter)->size(), 1u);
  filter = IncidentFilter();
  filter.assigned_to = "alice";
  EXPECT_EQ((*store)->List(filter)->size(), 1u);
  filter = IncidentFilter();
  filter.order_by = IncidentOrder::kId;
  filter.descending = false;
  filter.limit = 1;
  filter.offset = 1;
  auto page = (*store)->List(filter);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, 2);
}

TEST(IncidentStoreTest, UpdateAuditsEveryFieldAndValidates) {
  const std::string dir = testing::FreshDir("store_update");
  FakeClock clock;
  auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
  ASSERT_TRUE(store.ok());
  Incident inc = NewIncident(Severity::kMedium);
  ASSERT_TRUE((*store)->Create(inc).ok());

  IncidentPatch bad;
  bad.classification = "FalsePositive";
  bad.determination = "Clean";
  auto rejected = (*store)->Update(1, bad, "bob");
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("only be set when the classification is TruePositive"),
            std::string::npos);
  IncidentPatch misfit;
  misfit.classification = "TruePositive";
  misfit.determination = "SecurityTesting";
  EXPECT_FALSE((*store)->Update(1, misfit, "bob").ok());
  IncidentPatch long_comment;
  long_comment.comment = std::string(IncidentStore::kMaxCommentBytes + 1, 'x');
  EXPECT_FALSE((*store)->Update(1, long_comment, "bob").ok());
  long_comment.comment = std::string(IncidentStore::kMaxCommentBytes, 'x');
  EXPECT_TRUE((*store)->Update(1, long_comment, "bob").ok());
  IncidentPatch redirect;
  redirect.status = "Redirected";
  EXPECT_FALSE((*store)->Update(1, redirect, "bob").ok());

  clock.now += testing::kHour;
  IncidentPatch patch;
  patch.classification = "true positive";
  patch.determination = "compromisedUser";
  patch.title = "Jdoe phished";
  patch.severity = "High";
  patch.add_tags = {"vip", "phish"};
  auto updated = (*store)->Update(1, patch, "bob");
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->determination, AlertDetermination::kCompromisedAccount);
  EXPECT_EQ(updated->title, "Jdoe phished");
  EXPECT_TRUE(updated->title_custom);
  EXPECT_EQ(updated->severity, Severity::kHigh);
  EXPECT_EQ(updated->last_update_us, clock.now);
  IncidentPatch back;
  back.title = "";
  back.severity = "";
  back.remove_tags = {"vip"};
  updated = (*store)->Update(1, back, "bob");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->title, "Execution incident on one endpoint");
  EXPECT_EQ(updated->severity, Severity::kMedium);
  EXPECT_EQ(updated->custom_tags, std::vector<std::string>{"phish"});

  auto audit = (*store)->AuditLog(1);
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> fields;
  for (const auto& e : *audit) {
    fields.push_back(e.field + ":" + e.old_value + "->" + e.new_value);
    EXPECT_EQ(e.actor, "bob");
  }
  EXPECT_EQ(
      fields,
      (std::vector<std::string>{
          "classification:Unknown->TruePositive", "determination:NotAvailable->CompromisedAccount",
          "title:Execution incident on one endpoint->Jdoe phished", "severity:Medium->High",
          "tags:->+vip", "tags:->+phish", "title:Jdoe phished->Execution incident on one endpoint",
          "severity:High->Medium", "tags:-vip->"}));
}

TEST(IncidentStoreTest, ResolveAndAssignPropagateToAlerts) {
  const std::string dir = testing::FreshDir("store_propagate");
  FakeClock clock;
  auto alerts = detect::alerts::AlertStore::Open(dir + "/alerts.db", {clock.Fn()});
  auto store = IncidentStore::Open(dir + "/incidents.db", {clock.Fn()});
  ASSERT_TRUE(alerts.ok() && store.ok());
  ASSERT_TRUE((*alerts)->Upsert(testing::Alert("a1", testing::kT0, {})).ok());
  ASSERT_TRUE((*alerts)->Upsert(testing::Alert("a2", testing::kT0, {})).ok());
  Incident inc = NewIncident(Severity::kMedium);
  ASSERT_TRUE((*store)->Create(inc).ok());
  ASSERT_TRUE((*store)->Link({"a1", 1, "r", "c", 1}).ok());
  ASSERT_TRUE((*store)->Link({"a2", 1, "r", "c", 2}).ok());
  IncidentPatch patch;
  patch.assigned_to = "carol";
  patch.status = "Resolved";
  ASSERT_TRUE((*store)->Update(1, patch, "carol", alerts->get()).ok());
  for (const char* id : {"a1", "a2"}) {
    auto alert = (*alerts)->Get(id);
    ASSERT_TRUE(alert.ok());
    EXPECT_EQ(alert->status, detect::alerts::AlertStatus::kResolved);
    EXPECT_EQ(alert->assigned_to, "carol");
  }
  EXPECT_TRUE((*store)->OpenIncidentIds()->empty());
}

}  // namespace
}  // namespace vigil::incidents
