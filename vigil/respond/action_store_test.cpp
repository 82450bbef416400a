// ActionStore over real SQLite files: approval, rejection, 7-day expiry (injected clock),
// connector pull/report, undo and its errors, audit log, list views and restart persistence.
#include "vigil/respond/action_store.h"

#include <gtest/gtest.h>

#include "vigil/store/store_test_util.h"

namespace vigil::respond {
namespace {

using store::testing::TempDir;

constexpr int64_t kT0 = int64_t{1'790'000'000} * 1'000'000;
constexpr int64_t kDay = int64_t{86400} * 1'000'000;

class ActionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    ActionStoreOptions options;
    options.clock = [this] { return now_; };
    auto opened = ActionStore::Open((dir_.path() / "response.db").string(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }

  static Action Isolate(ApprovalState approval, std::string device = "dev-1") {
    Action a;
    a.type = ActionType::kIsolateDevice;
    a.target.entity_type = "Machine";
    a.target.device_id = std::move(device);
    a.connector = Connector::kEndpoint;
    a.approval = approval;
    a.incident_id = 7;
    a.investigation_id = 3;
    return a;
  }

  int64_t ProposeOk(Action a, std::string_view actor = "automation") {
    auto id = store_->Propose(std::move(a), actor);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  TempDir dir_;
  int64_t now_ = kT0;
  std::unique_ptr<ActionStore> store_;
};

TEST_F(ActionStoreTest, ApprovalGatesDeliveryToTheConnector) {
  const int64_t automatic = ProposeOk(Isolate(ApprovalState::kNotRequired, "a"));
  const int64_t gated = ProposeOk(Isolate(ApprovalState::kPending, "b"));
  auto first = store_->Pull(Connector::kEndpoint, 10);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].id, automatic);
  EXPECT_EQ((*first)[0].status, ActionStatus::kInProgress);
  EXPECT_EQ((*first)[0].source, "Automated device action");

  auto approved = store_->Approve(gated, "alice", "confirmed");
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->approval, ApprovalState::kApproved);
  EXPECT_EQ(approved->decided_by, "alice");
  auto second = store_->Pull(Connector::kEndpoint, 10);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, gated);
  EXPECT_TRUE(store_->Pull(Connector::kEndpoint, 10)->empty());

  auto reported = store_->Report(gated, /*succeeded=*/true, "isolated");
  ASSERT_TRUE(reported.ok());
  EXPECT_EQ(reported->status, ActionStatus::kSucceeded);
  EXPECT_EQ(reported->result_message, "isolated");
  auto failed = store_->Report(automatic, false, "device offline");
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, ActionStatus::kFailed);

  auto audit = store_->AuditLog(gated);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 4u);
  EXPECT_EQ((*audit)[0].operation, "propose");
  EXPECT_EQ((*audit)[1].operation, "approve");
  EXPECT_EQ((*audit)[1].actor, "alice");
  EXPECT_NE((*audit)[1].details.find("confirmed"), std::string::npos);
  EXPECT_EQ((*audit)[2].operation, "pull");
  EXPECT_EQ((*audit)[3].operation, "report");
  EXPECT_EQ((*audit)[3].time_us, kT0);
}

TEST_F(ActionStoreTest, RejectCancelsAndDecisionsNeedAPendingApproval) {
  const int64_t id = ProposeOk(Isolate(ApprovalState::kPending));
  auto rejected = store_->Reject(id, "bob", "false positive");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, ActionStatus::kCancelled);
  EXPECT_EQ(rejected->approval, ApprovalState::kRejected);
  EXPECT_EQ(rejected->decision_comment, "false positive");
  EXPECT_EQ(store_->Approve(id, "bob").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Pull(Connector::kEndpoint, 10)->empty());
  const int64_t automatic = ProposeOk(Isolate(ApprovalState::kNotRequired));
  EXPECT_EQ(store_->Approve(automatic, "bob").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Approve(999, "bob").status().code(), StatusCode::kNotFound);
  Action bad = Isolate(ApprovalState::kApproved);
  EXPECT_EQ(store_->Propose(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ActionStoreTest, PendingApprovalTimesOutAfterSevenDays) {
  const int64_t old_one = ProposeOk(Isolate(ApprovalState::kPending, "a"));
  now_ = kT0 + kDay;
  const int64_t newer = ProposeOk(Isolate(ApprovalState::kPending, "b"));
  const int64_t automatic = ProposeOk(Isolate(ApprovalState::kNotRequired, "c"));
  auto none = store_->ExpirePending(kT0 + 7 * kDay - 1);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  now_ = kT0 + 7 * kDay;
  auto one = store_->ExpirePending(kT0 + 7 * kDay);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1u);
  auto expired = store_->Get(old_one);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->status, ActionStatus::kTimeOut);
  EXPECT_EQ(expired->approval, ApprovalState::kRejected);
  EXPECT_EQ(store_->Get(newer)->status, ActionStatus::kPending);
  EXPECT_EQ(store_->Get(automatic)->status, ActionStatus::kPending);
  EXPECT_EQ(store_->Approve(old_one, "alice").status().code(), StatusCode::kFailedPrecondition);
  auto pulled = store_->Pull(Connector::kEndpoint, 10);
  ASSERT_EQ(pulled->size(), 1u);
  EXPECT_EQ((*pulled)[0].id, automatic);
  EXPECT_EQ(store_->AuditLog(old_one)->back().operation, "expire");
  // Approving after the window closed fails and times the action out, before any sweep.
  now_ = kT0 + kDay + 7 * kDay;
  auto late = store_->Approve(newer, "alice");
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("timed out"), std::string::npos);
  EXPECT_EQ(store_->Get(newer)->status, ActionStatus::kTimeOut);
}

TEST_F(ActionStoreTest, UndoReversesSucceededUndoableActionsOnly) {
  const int64_t id = ProposeOk(Isolate(ApprovalState::kNotRequired));
  EXPECT_EQ(store_->Undo(id, "alice").status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->Pull(Connector::kEndpoint, 1).ok());
  ASSERT_TRUE(store_->Report(id, true, "").ok());
  auto undo = store_->Undo(id, "alice");
  ASSERT_TRUE(undo.ok()) << undo.status().ToString();
  EXPECT_EQ(undo->type, ActionType::kUnisolateDevice);
  EXPECT_EQ(undo->undo_of, id);
  EXPECT_EQ(undo->target.device_id, "dev-1");
  EXPECT_EQ(undo->approval, ApprovalState::kNotRequired);
  EXPECT_EQ(undo->source, "Manual device action");
  EXPECT_EQ(undo->requestor, "alice");
  EXPECT_EQ(undo->investigation_id, 3);
  EXPECT_EQ(store_->Get(id)->undone_by, undo->id);
  auto again = store_->Undo(id, "alice");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("already undone"), std::string::npos);
  // The reversing action itself is not undoable.
  ASSERT_TRUE(store_->Pull(Connector::kEndpoint, 1).ok());
  ASSERT_TRUE(store_->Report(undo->id, true, "").ok());
  EXPECT_EQ(store_->Undo(undo->id, "alice").status().code(), StatusCode::kFailedPrecondition);

  Action scan = Isolate(ApprovalState::kNotRequired);
  scan.type = ActionType::kRunAntivirusScan;
  const int64_t scan_id = ProposeOk(scan);
  ASSERT_TRUE(store_->Pull(Connector::kEndpoint, 1).ok());
  ASSERT_TRUE(store_->Report(scan_id, true, "").ok());
  auto not_undoable = store_->Undo(scan_id, "alice");
  EXPECT_EQ(not_undoable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(not_undoable.status().message().find("cannot be undone"), std::string::npos);
}

TEST_F(ActionStoreTest, EachConnectorPullsItsOwnQueueInOrder) {
  Action mail;
  mail.type = ActionType::kSoftDeleteEmail;
  mail.target.entity_type = "MailMessage";
  mail.target.network_message_id = "nm-1";
  mail.connector = Connector::kMail;
  const int64_t mail_id = ProposeOk(mail);
  const int64_t a = ProposeOk(Isolate(ApprovalState::kNotRequired, "a"));
  const int64_t b = ProposeOk(Isolate(ApprovalState::kNotRequired, "b"));
  const int64_t c = ProposeOk(Isolate(ApprovalState::kNotRequired, "c"));
  auto two = store_->Pull(Connector::kEndpoint, 2);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].id, a);
  EXPECT_EQ((*two)[1].id, b);
  EXPECT_EQ(store_->Pull(Connector::kEndpoint, 0)->size(), 0u);
  EXPECT_EQ((*store_->Pull(Connector::kEndpoint, 5))[0].id, c);
  EXPECT_TRUE(store_->Pull(Connector::kProxy, 5)->empty());
  auto mails = store_->Pull(Connector::kMail, 5);
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ((*mails)[0].id, mail_id);
  EXPECT_EQ((*mails)[0].target.network_message_id, "nm-1");
  EXPECT_EQ((*mails)[0].source, "Automated email action");
}

TEST_F(ActionStoreTest, ReportAndCancelCheckTheStatus) {
  const int64_t id = ProposeOk(Isolate(ApprovalState::kNotRequired));
  EXPECT_EQ(store_->Report(id, true, "").status().code(), StatusCode::kFailedPrecondition);
  auto cancelled = store_->Cancel(id, "alice", "not needed");
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, ActionStatus::kCancelled);
  EXPECT_EQ(store_->Cancel(id, "alice").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Pull(Connector::kEndpoint, 5)->empty());
}

TEST_F(ActionStoreTest, ListsPendingAndHistoryViewsWithFilters) {
  const int64_t pending = ProposeOk(Isolate(ApprovalState::kPending, "a"));
  const int64_t automatic = ProposeOk(Isolate(ApprovalState::kNotRequired, "b"));
  Action other = Isolate(ApprovalState::kPending, "c");
  other.investigation_id = 9;
  other.incident_id = 8;
  const int64_t other_id = ProposeOk(other);
  ActionFilter filter;
  filter.view = ActionView::kPendingApproval;
  auto pending_view = store_->List(filter);
  ASSERT_EQ(pending_view->size(), 2u);
  EXPECT_EQ((*pending_view)[0].id, other_id);  // newest first
  EXPECT_EQ((*pending_view)[1].id, pending);
  filter.investigation_id = 3;
  ASSERT_EQ(store_->List(filter)->size(), 1u);
  filter = {};
  filter.view = ActionView::kHistory;
  auto history = store_->List(filter);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].id, automatic);
  filter = {};
  filter.incident_id = 8;
  EXPECT_EQ(store_->List(filter)->size(), 1u);
  filter = {};
  filter.status = ActionStatus::kPending;
  filter.limit = 2;
  EXPECT_EQ(store_->List(filter)->size(), 2u);
  filter.connector = Connector::kMail;
  EXPECT_TRUE(store_->List(filter)->empty());
}

TEST_F(ActionStoreTest, StateSurvivesARestart) {
  Action a = Isolate(ApprovalState::kPending);
  a.target.device_name = "ws-01";
  a.reason = "Malicious Machine";
  const int64_t id = ProposeOk(a);
  ASSERT_TRUE(store_->Approve(id, "alice", "ok").ok());
  InvestigationRecord record;
  record.incident_id = 7;
  record.state = InvestigationState::kPendingApproval;
  record.playbook = "default";
  record.alert_ids = {"da1", "da2"};
  EvidenceVerdict ev;
  ev.entity_key = "Machine|dev-1";
  ev.entity.entity_type = "Machine";
  ev.entity.device_id = "dev-1";
  ev.verdict = Verdict::kMalicious;
  ev.reasons = {"two high-severity alerts", "second reason"};
  record.evidence.push_back(ev);
  record.log.push_back({kT0, "started"});
  auto inv_id = store_->SaveInvestigation(record);
  ASSERT_TRUE(inv_id.ok());

  Reopen();
  auto loaded = store_->Get(id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->approval, ApprovalState::kApproved);
  EXPECT_EQ(loaded->target.device_name, "ws-01");
  EXPECT_EQ(loaded->reason, "Malicious Machine");
  EXPECT_EQ(store_->AuditLog(id)->size(), 2u);
  EXPECT_EQ(store_->Pull(Connector::kEndpoint, 5)->size(), 1u);
  auto found = store_->FindInvestigationByIncident(7);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  const InvestigationRecord& back = **found;
  EXPECT_EQ(back.id, *inv_id);
  EXPECT_EQ(back.state, InvestigationState::kPendingApproval);
  EXPECT_EQ(back.alert_ids, record.alert_ids);
  ASSERT_EQ(back.evidence.size(), 1u);
  EXPECT_EQ(back.evidence[0].entity.device_id, "dev-1");
  EXPECT_EQ(back.evidence[0].verdict, Verdict::kMalicious);
  EXPECT_EQ(back.evidence[0].reasons, ev.reasons);
  ASSERT_EQ(back.log.size(), 1u);
  EXPECT_EQ(back.log[0].message, "started");
  EXPECT_FALSE(store_->FindInvestigationByIncident(99)->has_value());
  EXPECT_EQ(store_->ListInvestigations()->size(), 1u);
  EXPECT_EQ(store_->GetInvestigation(42).status().code(), StatusCode::kNotFound);
}

TEST(ActionTest, NamesRoundTripAndUndoPairs) {
  for (int i = 0; i <= static_cast<int>(ActionType::kAddIndicator); ++i) {
    const auto type = static_cast<ActionType>(i);
    EXPECT_EQ(ParseActionType(ActionTypeName(type)), type);
  }
  EXPECT_EQ(ParseActionType("isolatedevice"), ActionType::kIsolateDevice);
  EXPECT_FALSE(ParseActionType("Nuke").has_value());
  EXPECT_EQ(ReverseOf(ActionType::kStopAndQuarantineFile), ActionType::kReleaseFromQuarantine);
  EXPECT_EQ(ReverseOf(ActionType::kDisableUser), ActionType::kEnableUser);
  EXPECT_EQ(ReverseOf(ActionType::kBlockCloudApp), ActionType::kUnblockCloudApp);
  EXPECT_EQ(ReverseOf(ActionType::kRestrictCodeExecution), ActionType::kUnrestrictCodeExecution);
  EXPECT_FALSE(IsUndoable(ActionType::kSoftDeleteEmail));
  EXPECT_EQ(DefaultConnector(ActionType::kDisableUser), Connector::kDirectory);
  EXPECT_EQ(DefaultConnector(ActionType::kBlockUrl), Connector::kProxy);
  EXPECT_EQ(DefaultConnector(ActionType::kBlockCloudApp), Connector::kCloudApp);
  EXPECT_EQ(ActionSource(ActionType::kSoftDeleteEmail, false), "Manual email action");
  EXPECT_EQ(ParseActionStatus("timeout"), ActionStatus::kTimeOut);
  EXPECT_EQ(ParseVerdict("No threats found"), Verdict::kNoThreatsFound);
}

TEST(ActionTest, JsonCarriesTheTargetForConnectors) {
  Action a;
  a.id = 12;
  a.type = ActionType::kSoftDeleteEmail;
  a.connector = Connector::kMail;
  a.approval = ApprovalState::kApproved;
  a.target.entity_type = "MailMessage";
  a.target.network_message_id = "nm-\"1";
  const std::string json = ActionToJson(a);
  EXPECT_EQ(json.rfind("{\"id\":12,\"type\":\"SoftDeleteEmail\",\"connector\":\"mail\"", 0), 0u)
      << json;
  EXPECT_NE(json.find("\"approval\":\"Approved\""), std::string::npos);
  EXPECT_NE(
      json.find("\"target\":{\"entityType\":\"MailMessage\",\"networkMessageId\":\"nm-\\\"1\"}"),
      std::string::npos)
      << json;
  EXPECT_EQ(json.find("deviceId"), std::string::npos);
}

}  // namespace
}  // namespace vigil::respond
