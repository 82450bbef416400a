// Correlator: joining, restart rebuild, each never-merge guard, manual merge and link, and the
// alert store's incident_id.
#include "vigil/incidents/correlator.h"

#include <gtest/gtest.h>

#include "vigil/incidents/test_alerts.h"

namespace vigil::incidents {
namespace {

using detect::alerts::AlertRecord;
using testing::Alert;
using testing::kMinute;
using testing::kT0;
using testing::Machine;
using testing::User;

class CorrelatorTest : public ::testing::Test {
 protected:
  void Open(const std::string& name, CorrelationConfig config = {}) {
    dir_ = testing::FreshDir(name);
    config_ = config;
    auto alerts = detect::alerts::AlertStore::Open(dir_ + "/alerts.db", {clock_.Fn()});
    ASSERT_TRUE(alerts.ok());
    alerts_ = std::move(*alerts);
    Reopen();
  }
  void Reopen() {
    correlator_.reset();
    store_.reset();
    auto store = IncidentStore::Open(dir_ + "/incidents.db", {clock_.Fn()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    auto correlator = Correlator::Create(store_.get(), alerts_.get(), config_);
    ASSERT_TRUE(correlator.ok()) << correlator.status().ToString();
    correlator_ = std::move(*correlator);
  }
  Assignment Send(const AlertRecord& alert) {
    EXPECT_TRUE(alerts_->Upsert(alert).ok());
    auto assignment = correlator_->OnAlert(alert);
    EXPECT_TRUE(assignment.ok()) << assignment.status().ToString();
    return assignment.value_or(Assignment());
  }
  int64_t IncidentOf(const std::string& alert_id) {
    auto link = store_->LinkOf(alert_id);
    return link.ok() && link->has_value() ? (*link)->incident_id : -1;
  }

  testing::FakeClock clock_;
  std::string dir_;
  CorrelationConfig config_;
  std::unique_ptr<detect::alerts::AlertStore> alerts_;
  std::unique_ptr<IncidentStore> store_;
  std::unique_ptr<Correlator> correlator_;
};

TEST_F(CorrelatorTest, JoinsOnSharedDeviceAndSetsAlertIncident) {
  Open("join");
  Assignment first = Send(Alert("a1", kT0, {Machine("d1", "WS-1")}));
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.incident_id, 1);
  EXPECT_EQ(first.reason, "no related open incident");
  Assignment second =
      Send(Alert("a2", kT0 + 3 * kMinute, {Machine("D1", "ws-1")}, "Persistence", Severity::kHigh));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.incident_id, 1);
  EXPECT_EQ(second.reason, "shares device ws-1 within 3m");
  EXPECT_EQ(*alerts_->Get("a2")->incident_id, "1");
  auto incident = store_->Get(1);
  ASSERT_TRUE(incident.ok());
  EXPECT_EQ(incident->severity, Severity::kHigh);
  EXPECT_EQ(incident->alert_ids, (std::vector<std::string>{"a1", "a2"}));
  // A repeat of a linked alert keeps its incident.
  Assignment again = Send(Alert("a2", kT0 + 4 * kMinute, {Machine("d9", "other")}));
  EXPECT_EQ(again.incident_id, 1);
  EXPECT_FALSE(again.created);
}

TEST_F(CorrelatorTest, BatchIsOneCallAndIndexSurvivesRestart) {
  Open("restart");
  std::vector<AlertRecord> batch = {Alert("a1", kT0, {Machine("d1", "ws-1")}),
                                    Alert("b1", kT0, {Machine("d2", "ws-2")}),
                                    Alert("a2", kT0 + kMinute, {Machine("d1", "ws-1")})};
  ASSERT_TRUE(alerts_->Upsert(batch).ok());
  auto assignments = correlator_->OnAlerts(batch);
  ASSERT_TRUE(assignments.ok());
  EXPECT_EQ((*assignments)[2].incident_id, (*assignments)[0].incident_id);
  EXPECT_NE((*assignments)[1].incident_id, (*assignments)[0].incident_id);
  Reopen();
  EXPECT_EQ(correlator_->open_incident_count(), 2u);
  Assignment later = Send(Alert("b2", kT0 + 2 * kMinute, {Machine("d2", "ws-2")}));
  EXPECT_EQ(later.incident_id, (*assignments)[1].incident_id);
  EXPECT_EQ(later.reason, "shares device ws-2 within 2m");
}

TEST_F(CorrelatorTest, NoEvidenceStillGetsAnIncident) {
  Open("no_evidence");
  AlertRecord broken = Alert("x", kT0, {});
  broken.evidence_json = "{not json";
  Assignment a = Send(broken);
  EXPECT_TRUE(a.created);
  EXPECT_EQ(IncidentOf("x"), a.incident_id);
}

// Builds incident 1 (device d1, 2 alerts) and incident 2 (device d2 and account svc, 1 alert),
// runs `between`, then sends an alert sharing the device with 1 and the account with 2.
class GuardTest : public CorrelatorTest {
 protected:
  Assignment Bridge(const std::function<void()>& between) {
    Send(Alert("a1", kT0, {Machine("d1", "ws-1")}));
    Send(Alert("a2", kT0 + kMinute, {Machine("d1", "ws-1")}));
    Send(Alert("b1", kT0 + kMinute, {Machine("d2", "ws-2"), User("svc", "CONTOSO")}));
    between();
    return Send(Alert("x", kT0 + 5 * kMinute, {Machine("d1", "ws-1"), User("svc", "CONTOSO")}));
  }
};

TEST_F(GuardTest, MergesIntoTheBiggerIncident) {
  Open("guard_none");
  Assignment a = Bridge([] {});
  EXPECT_EQ(a.incident_id, 1);
  EXPECT_EQ(a.merged_incidents, std::vector<int64_t>{2});
  EXPECT_EQ(
      a.reason,
      "shares device ws-1 within 4m; merged incident 2 (shares account contoso\\svc within 4m)");
  auto source = store_->Get(2);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->status, IncidentStatus::kRedirected);
  EXPECT_EQ(source->redirect_incident_id, 1);
  EXPECT_EQ(source->system_tags, std::vector<std::string>{"Redirected"});
  EXPECT_TRUE(source->alert_ids.empty());
  EXPECT_EQ(store_->Get(1)->alert_ids.size(), 4u);
  EXPECT_EQ(*alerts_->Get("b1")->incident_id, "1");
  EXPECT_EQ(store_->Get(1)->title, "Execution incident on multiple endpoints");
  // The redirected incident's entities now lead to the target.
  Assignment later = Send(Alert("b2", kT0 + 6 * kMinute, {Machine("d2", "ws-2")}));
  EXPECT_EQ(later.incident_id, 1);
}

TEST_F(GuardTest, DifferentAssigneesBlock) {
  Open("guard_assignee");
  Assignment a = Bridge([this] {
    IncidentPatch p1;
    p1.assigned_to = "alice";
    ASSERT_TRUE(correlator_->Update(1, p1, "lead").ok());
    IncidentPatch p2;
    p2.assigned_to = "bob";
    ASSERT_TRUE(correlator_->Update(2, p2, "lead").ok());
  });
  EXPECT_EQ(a.incident_id, 1);
  EXPECT_TRUE(a.merged_incidents.empty());
  EXPECT_NE(a.reason.find("not merged with incident 2: incidents 1 and 2 are assigned to "
                          "different people (alice and bob)"),
            std::string::npos);
  EXPECT_EQ(IncidentOf("b1"), 2);
}

TEST_F(GuardTest, SameAssigneeDoesNotBlock) {
  Open("guard_same_assignee");
  Assignment a = Bridge([this] {
    IncidentPatch p;
    p.assigned_to = "alice";
    ASSERT_TRUE(correlator_->Update(1, p, "lead").ok());
  });
  EXPECT_EQ(a.merged_incidents, std::vector<int64_t>{2});
}

TEST_F(GuardTest, DifferentClassificationBlocks) {
  Open("guard_classification");
  Assignment a = Bridge([this] {
    IncidentPatch p;
    p.classification = "TruePositive";
    p.determination = "Malware";
    ASSERT_TRUE(correlator_->Update(2, p, "lead").ok());
  });
  EXPECT_TRUE(a.merged_incidents.empty());
  EXPECT_NE(a.reason.find("different classification/determination (Unknown/NotAvailable and "
                          "TruePositive/Malware)"),
            std::string::npos);
}

TEST_F(GuardTest, ResolvedIncidentTakesNothing) {
  Open("guard_resolved");
  Assignment a = Bridge([this] {
    IncidentPatch p;
    p.status = "Resolved";
    ASSERT_TRUE(correlator_->Update(2, p, "lead").ok());
  });
  EXPECT_EQ(a.incident_id, 1);
  EXPECT_TRUE(a.merged_incidents.empty());
  EXPECT_EQ(a.reason, "shares device ws-1 within 4m");
  EXPECT_EQ(store_->Get(2)->status, IncidentStatus::kResolved);
  EXPECT_EQ(alerts_->Get("b1")->status, detect::alerts::AlertStatus::kResolved);
}

TEST_F(GuardTest, EntityCapBlocks) {
  CorrelationConfig config;
  config.max_entities_per_incident = 2;
  Open("guard_cap", config);
  Assignment a = Bridge([] {});
  EXPECT_TRUE(a.merged_incidents.empty());
  EXPECT_NE(a.reason.find("would give 3 entities, above the limit of 2"), std::string::npos);
}

TEST_F(CorrelatorTest, ManualMergeAndItsGuards) {
  Open("manual_merge");
  Send(Alert("a1", kT0, {Machine("d1", "ws-1")}));
  Send(Alert("b1", kT0, {Machine("d2", "ws-2")}));
  Send(Alert("b2", kT0, {Machine("d2", "ws-2")}));
  Send(Alert("c1", kT0, {Machine("d3", "ws-3")}));
  const std::vector<int64_t> one = {1};
  EXPECT_EQ(correlator_->Merge(one, "ann").status().code(), StatusCode::kInvalidArgument);
  const std::vector<int64_t> six = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(correlator_->Merge(six, "ann").status().code(), StatusCode::kInvalidArgument);
  IncidentPatch assign;
  assign.assigned_to = "zed";
  ASSERT_TRUE(correlator_->Update(3, assign, "ann").ok());
  assign.assigned_to = "amy";
  ASSERT_TRUE(correlator_->Update(1, assign, "ann").ok());
  const std::vector<int64_t> blocked = {1, 3};
  auto refused = correlator_->Merge(blocked, "ann");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("assigned to different people"), std::string::npos);
  const std::vector<int64_t> ok = {1, 2};
  auto target = correlator_->Merge(ok, "ann");
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  EXPECT_EQ(*target, 2);  // more alerts
  EXPECT_EQ(IncidentOf("a1"), 2);
  EXPECT_EQ(*alerts_->Get("a1")->incident_id, "2");
  auto redirected = correlator_->Merge(std::vector<int64_t>{1, 3}, "ann");
  ASSERT_FALSE(redirected.ok());
  EXPECT_NE(redirected.status().message().find("incident 1 is Redirected"), std::string::npos);
  auto audit = store_->AuditLog(2);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->back().field, "merge");
  EXPECT_EQ(audit->back().new_value, "incident 1: merged manually by ann");
}

TEST_F(CorrelatorTest, ManualLinkAndUnlink) {
  Open("manual_link");
  Send(Alert("a1", kT0, {Machine("d1", "ws-1")}, "Execution"));
  Send(Alert("a2", kT0 + kMinute, {Machine("d1", "ws-1")}, "Persistence"));
  Send(Alert("b1", kT0, {Machine("d2", "ws-2")}));
  // Unlink a2 into a new incident: incident 1 is re-summarized.
  auto moved = correlator_->LinkAlert("a2", std::nullopt, "ann");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_TRUE(moved->created);
  EXPECT_EQ(moved->incident_id, 3);
  EXPECT_EQ(moved->reason, "moved to a new incident by ann");
  EXPECT_EQ(store_->Get(1)->title, "Execution incident on one endpoint");
  EXPECT_EQ(*alerts_->Get("a2")->incident_id, "3");
  // Link a1 to incident 2: incident 1 has no alert left and is resolved.
  auto linked = correlator_->LinkAlert("a1", 2, "ann");
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->reason, "linked manually by ann");
  EXPECT_EQ(IncidentOf("a1"), 2);
  EXPECT_EQ(store_->Get(1)->status, IncidentStatus::kResolved);
  EXPECT_EQ(store_->Links(2)->size(), 2u);
  EXPECT_EQ(correlator_->LinkAlert("a1", 1, "ann").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(correlator_->LinkAlert("nope", 2, "ann").status().code(), StatusCode::kNotFound);
}

TEST(CorrelatorNoAlertStoreTest, WorksWithoutAlertStoreButCannotLink) {
  const std::string dir = testing::FreshDir("no_alert_store");
  auto store = IncidentStore::Open(dir + "/incidents.db");
  ASSERT_TRUE(store.ok());
  auto correlator = Correlator::Create(store->get(), nullptr, CorrelationConfig());
  ASSERT_TRUE(correlator.ok());
  auto a = (*correlator)->OnAlert(Alert("a1", kT0, {Machine("d1", "ws-1")}));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->created);
  EXPECT_EQ((*correlator)->LinkAlert("a1", std::nullopt, "x").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(FormatWithinTest, RoundsUp) {
  EXPECT_EQ(FormatWithin(0), "1m");
  EXPECT_EQ(FormatWithin(35 * kMinute), "35m");
  EXPECT_EQ(FormatWithin(61 * kMinute), "2h");
  EXPECT_EQ(FormatWithin(72 * 60 * kMinute), "3d");
}

}  // namespace
}  // namespace vigil::incidents
