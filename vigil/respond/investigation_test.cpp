// Investigations over a real store: rows built here, the shipped default playbook, the default
// automation policy and per-device-group levels. Checks verdicts, proposed actions and their
// approval, indicators with per-connector deliveries, no duplicates on re-run, state refresh,
// lookback scoping and failure handling.
#include "vigil/respond/investigation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <variant>

#include "vigil/detect/alerts/evidence.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::respond {
namespace {

using store::testing::TempDir;
using Cell = std::variant<int64_t, std::string>;

constexpr int64_t kDayUs = int64_t{86400} * 1'000'000;
const int64_t kNowUs = DaysFromCivil(2026, 11, 1) * kDayUs + kDayUs / 2;
const std::string kFileHash(64, 'a');
const std::string kOtherHash(64, 'b');

std::string SourceDir() {
  const char* env = std::getenv("VIGIL_SOURCE_DIR");
  return env != nullptr && *env != '\0' ? env : std::filesystem::current_path().string();
}

void AddRow(schema::TableBatch& batch, std::initializer_list<std::pair<const char*, Cell>> cells) {
  batch.BeginRow();
  for (const auto& [name, value] : cells) {
    const int col = batch.schema().FindColumn(name);
    ASSERT_GE(col, 0) << name;
    if (const auto* number = std::get_if<int64_t>(&value)) {
      batch.SetInt(static_cast<size_t>(col), *number);
    } else {
      batch.SetBytes(static_cast<size_t>(col), std::get<std::string>(value));
    }
  }
}

int64_t Ticks(int64_t days_ago) { return (kNowUs - days_ago * kDayUs) * 10; }

detect::Evidence Machine(const std::string& id, const std::string& name) {
  detect::Evidence e;
  e.entity_type = "Machine";
  e.evidence_role = "Impacted";
  e.device_id = id;
  e.device_name = name;
  return e;
}

detect::Evidence User() {
  detect::Evidence e;
  e.entity_type = "User";
  e.evidence_role = "Impacted";
  e.account_name = "bob";
  e.account_domain = "corp";
  e.account_sid = "S-1-5-21-1-2-3-1104";
  e.account_upn = "bob@corp.example";
  return e;
}

detect::alerts::AlertRecord Alert(std::string id, detect::Severity severity, std::string category,
                                  const std::vector<detect::Evidence>& evidence) {
  detect::alerts::AlertRecord a;
  a.id = std::move(id);
  a.title = "alert " + a.id;
  a.severity = severity;
  a.category = std::move(category);
  a.evidence_json = detect::alerts::EvidenceToJson(evidence);
  return a;
}

class InvestigationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.dir = dir_.path() / "store";
    options.background_flush = false;
    options.retention_days = 0;
    auto opened = store::Store::Open(options, schema::Catalog::Default());
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
    const auto& catalog = schema::Catalog::Default();

    schema::TableBatch files(*catalog.Find("DeviceFileEvents"));
    AddRow(files, {{"Timestamp", Ticks(2)},
                   {"DeviceId", "dev-1"},
                   {"SHA256", kFileHash},
                   {"FileName", "evil.exe"},
                   {"ReportId", int64_t{1}}});
    AddRow(files, {{"Timestamp", Ticks(3)},
                   {"DeviceId", "dev-2"},
                   {"SHA256", kFileHash},
                   {"FileName", "evil.exe"},
                   {"ReportId", int64_t{2}}});
    // Outside the 30-day lookback: not counted.
    AddRow(files, {{"Timestamp", Ticks(41)},
                   {"DeviceId", "dev-3"},
                   {"SHA256", kFileHash},
                   {"FileName", "evil.exe"},
                   {"ReportId", int64_t{3}}});
    Append(files);

    schema::TableBatch info(*catalog.Find("DeviceInfo"));
    AddRow(info, {{"Timestamp", Ticks(1)},
                  {"DeviceId", "dev-1"},
                  {"DeviceName", "ws-01"},
                  {"MachineGroup", "Workstations"},
                  {"ReportId", int64_t{10}}});
    AddRow(info, {{"Timestamp", Ticks(1)},
                  {"DeviceId", "dev-9"},
                  {"DeviceName", "srv-09"},
                  {"MachineGroup", "Servers"},
                  {"ReportId", int64_t{11}}});
    Append(info);

    schema::TableBatch mail(*catalog.Find("EmailEvents"));
    for (const char* rcpt : {"bob@corp.example", "alice@corp.example"}) {
      AddRow(mail, {{"Timestamp", Ticks(2)},
                    {"NetworkMessageId", "nm-1"},
                    {"SenderFromAddress", "attacker@evil.example"},
                    {"RecipientEmailAddress", rcpt},
                    {"Subject", "Invoice"},
                    {"ThreatTypes", std::string(rcpt[0] == 'b' ? "Phish" : "")},
                    {"ReportId", int64_t{20}}});
    }
    Append(mail);

    schema::TableBatch logons(*catalog.Find("DeviceLogonEvents"));
    for (int i = 1; i <= 5; ++i) {
      AddRow(logons, {{"Timestamp", Ticks(1)},
                      {"DeviceId", "dev-" + std::to_string(i)},
                      {"AccountName", "BOB"},
                      {"ActionType", "LogonSuccess"},
                      {"ReportId", int64_t{30 + i}}});
    }
    Append(logons);
    ASSERT_TRUE(store_->Flush().ok());
    engine_ = std::make_unique<kql::Engine>(store_.get(), &catalog);

    auto actions = ActionStore::Open((dir_.path() / "response.db").string());
    ASSERT_TRUE(actions.ok());
    actions_ = std::move(*actions);
    auto indicators = detect::ioc::IndicatorStore::Open((dir_.path() / "ind.db").string());
    ASSERT_TRUE(indicators.ok());
    indicators_ = std::move(*indicators);
  }

  void Append(const schema::TableBatch& batch) { ASSERT_TRUE(store_->Append(batch).ok()); }

  Result<Playbook> DefaultPlaybook() {
    return LoadPlaybookFile(SourceDir() + "/content/playbooks/default.yml");
  }

  std::vector<Action> ActionsOf(int64_t investigation_id) {
    ActionFilter filter;
    filter.investigation_id = investigation_id;
    filter.limit = 1000;
    auto list = actions_->List(filter);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<Action>{};
  }

  static const Action* Find(const std::vector<Action>& actions, ActionType type,
                            Connector connector) {
    for (const Action& a : actions) {
      if (a.type == type && a.connector == connector) {
        return &a;
      }
    }
    return nullptr;
  }

  static Verdict VerdictOf(const InvestigationRecord& r, std::string_view type) {
    for (const auto& e : r.evidence) {
      if (e.entity.entity_type == type) {
        return e.verdict;
      }
    }
    return Verdict::kUnknown;
  }

  std::vector<detect::alerts::AlertRecord> Attack() {
    detect::Evidence file;
    file.entity_type = "File";
    file.file_name = "evil.exe";
    file.folder_path = "C:\\Users\\bob\\Downloads\\evil.exe";
    file.sha256 = kFileHash;
    detect::Evidence url;
    url.entity_type = "Url";
    url.remote_url = "http://evil.example/payload";
    detect::Evidence message;
    message.entity_type = "MailMessage";
    message.network_message_id = "nm-1";
    message.email_subject = "Invoice";
    detect::Evidence ip;
    ip.entity_type = "Ip";
    ip.remote_ip = "203.0.113.7";
    return {
        Alert("da1", detect::Severity::kHigh, "Execution",
              {Machine("dev-1", "ws-01"), User(), file, url}),
        Alert("da2", detect::Severity::kHigh, "CredentialAccess",
              {Machine("dev-1", "ws-01"), User()}),
        Alert("da3", detect::Severity::kMedium, "InitialAccess", {message}),
        Alert("da4", detect::Severity::kLow, "CommandAndControl", {ip}),
    };
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kql::Engine> engine_;
  std::unique_ptr<ActionStore> actions_;
  std::unique_ptr<detect::ioc::IndicatorStore> indicators_;
};

TEST_F(InvestigationTest, MultiDomainIncidentGetsVerdictsActionsAndIndicators) {
  auto playbook = DefaultPlaybook();
  if (!playbook.ok()) {
    GTEST_SKIP() << playbook.status().ToString();
  }
  Investigator investigator(*engine_, *actions_, indicators_.get(), *playbook, {});
  auto run = investigator.Run(1, Attack(), kNowUs);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(VerdictOf(*run, "Machine"), Verdict::kMalicious);
  EXPECT_EQ(VerdictOf(*run, "File"), Verdict::kMalicious);
  EXPECT_EQ(VerdictOf(*run, "User"), Verdict::kMalicious);  // 5 devices after credential theft
  EXPECT_EQ(VerdictOf(*run, "Url"), Verdict::kMalicious);
  EXPECT_EQ(VerdictOf(*run, "MailMessage"), Verdict::kMalicious);  // flagged Phish
  EXPECT_EQ(VerdictOf(*run, "Ip"), Verdict::kNoThreatsFound);
  EXPECT_EQ(run->state, InvestigationState::kPendingApproval);
  EXPECT_EQ(run->alert_ids.size(), 4u);

  const auto actions = ActionsOf(run->id);
  // Devices: Full by default -> automatic.
  const Action* isolate = Find(actions, ActionType::kIsolateDevice, Connector::kEndpoint);
  ASSERT_NE(isolate, nullptr);
  EXPECT_EQ(isolate->approval, ApprovalState::kNotRequired);
  EXPECT_EQ(isolate->target.device_id, "dev-1");
  EXPECT_EQ(isolate->source, "Automated device action");
  EXPECT_EQ(isolate->incident_id, 1);
  const Action* quarantine =
      Find(actions, ActionType::kStopAndQuarantineFile, Connector::kEndpoint);
  ASSERT_NE(quarantine, nullptr);
  EXPECT_EQ(quarantine->approval, ApprovalState::kNotRequired);
  EXPECT_EQ(quarantine->target.sha256, kFileHash);
  EXPECT_EQ(quarantine->target.device_id, "dev-1");
  // Identity and email wait for approval by default.
  const Action* disable = Find(actions, ActionType::kDisableUser, Connector::kDirectory);
  ASSERT_NE(disable, nullptr);
  EXPECT_EQ(disable->approval, ApprovalState::kPending);
  EXPECT_EQ(disable->target.account_sid, "S-1-5-21-1-2-3-1104");
  const Action* delete_mail = Find(actions, ActionType::kSoftDeleteEmail, Connector::kMail);
  ASSERT_NE(delete_mail, nullptr);
  EXPECT_EQ(delete_mail->approval, ApprovalState::kPending);
  EXPECT_EQ(delete_mail->target.network_message_id, "nm-1");
  const Action* block_sender = Find(actions, ActionType::kBlockSender, Connector::kMail);
  ASSERT_NE(block_sender, nullptr);
  EXPECT_EQ(block_sender->target.sender, "attacker@evil.example");
  ASSERT_NE(Find(actions, ActionType::kBlockUrl, Connector::kProxy), nullptr);
  EXPECT_EQ(Find(actions, ActionType::kRunAntivirusScan, Connector::kEndpoint)->approval,
            ApprovalState::kNotRequired);

  // Cross-domain: the file and the URL became indicators delivered to each enforcing connector.
  auto file_indicator = indicators_->Find(detect::ioc::IndicatorType::kFileSha256, kFileHash);
  ASSERT_TRUE(file_indicator.ok() && file_indicator->has_value());
  EXPECT_EQ((*file_indicator)->action, detect::ioc::IndicatorAction::kBlockAndRemediate);
  EXPECT_NE((*file_indicator)->title.find("Incident 1"), std::string::npos);
  auto url_indicator =
      indicators_->Find(detect::ioc::IndicatorType::kUrl, "http://evil.example/payload");
  ASSERT_TRUE(url_indicator.ok() && url_indicator->has_value());
  EXPECT_EQ((*url_indicator)->action, detect::ioc::IndicatorAction::kBlock);
  std::map<std::string, std::set<Connector>> deliveries;
  for (const Action& a : actions) {
    if (a.type == ActionType::kAddIndicator) {
      deliveries[a.target.indicator_id].insert(a.connector);
    }
  }
  EXPECT_EQ(deliveries[(*file_indicator)->id],
            (std::set<Connector>{Connector::kEndpoint, Connector::kMail}));
  EXPECT_EQ(deliveries[(*url_indicator)->id],
            (std::set<Connector>{Connector::kProxy, Connector::kMail, Connector::kEndpoint}));
  for (const Action& a : actions) {
    if (a.type == ActionType::kAddIndicator) {
      // The file's deliveries follow the device domain (Full); the URL's the email domain.
      EXPECT_EQ(a.approval, a.target.indicator_id == (*file_indicator)->id
                                ? ApprovalState::kNotRequired
                                : ApprovalState::kPending);
    }
  }

  // Persisted, with a log of steps.
  auto stored = actions_->GetInvestigation(run->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->evidence.size(), run->evidence.size());
  EXPECT_EQ(stored->state, InvestigationState::kPendingApproval);
  EXPECT_GE(stored->log.size(), 10u);

  // Re-run with one more alert: same investigation, only the new entity's action is added.
  auto alerts = Attack();
  detect::Evidence process;
  process.entity_type = "Process";
  process.sha256 = kOtherHash;
  process.process_id = 4242;
  process.process_command_line = "evil.exe -x";
  alerts.push_back(
      Alert("da5", detect::Severity::kHigh, "Execution", {Machine("dev-1", "ws-01"), process}));
  const size_t before = actions.size();
  auto rerun = investigator.Run(1, alerts, kNowUs + 60'000'000);
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_EQ(rerun->id, run->id);
  EXPECT_EQ(rerun->alert_ids.size(), 5u);
  const auto after = ActionsOf(run->id);
  ASSERT_EQ(after.size(), before + 1);
  EXPECT_EQ(after.front().type, ActionType::kKillProcess);
  EXPECT_EQ(after.front().target.process_id, 4242);
  EXPECT_EQ(actions_->ListInvestigations()->size(), 1u);

  // Everything approved and carried out -> SuccessfullyRemediated.
  for (const Action& a : after) {
    if (a.approval == ApprovalState::kPending) {
      ASSERT_TRUE(actions_->Approve(a.id, "alice").ok());
    }
  }
  auto mid = investigator.Refresh(run->id);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->state, InvestigationState::kRunning);
  for (Connector c : {Connector::kEndpoint, Connector::kMail, Connector::kDirectory,
                      Connector::kProxy, Connector::kCloudApp}) {
    auto pulled = actions_->Pull(c, 100);
    ASSERT_TRUE(pulled.ok());
    for (const Action& a : *pulled) {
      ASSERT_TRUE(actions_->Report(a.id, true, "done").ok());
    }
  }
  auto done = investigator.Refresh(run->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, InvestigationState::kSuccessfullyRemediated);
}

TEST_F(InvestigationTest, DeviceGroupLevelsDecideApprovalOrNothing) {
  auto playbook = DefaultPlaybook();
  if (!playbook.ok()) {
    GTEST_SKIP() << playbook.status().ToString();
  }
  const std::vector<detect::alerts::AlertRecord> alerts = {
      Alert("s1", detect::Severity::kHigh, "Execution", {Machine("dev-9", "srv-09")}),
      Alert("s2", detect::Severity::kHigh, "Persistence", {Machine("dev-9", "srv-09")}),
  };
  auto semi =
      ParseAutomationPolicy("device_groups: {servers: SemiRequireApprovalAllFolders}", "a.yml");
  ASSERT_TRUE(semi.ok());
  Investigator gated(*engine_, *actions_, nullptr, *playbook, *semi);
  auto run = gated.Run(2, alerts, kNowUs);
  ASSERT_TRUE(run.ok());
  const auto actions = ActionsOf(run->id);
  const Action* isolate = Find(actions, ActionType::kIsolateDevice, Connector::kEndpoint);
  ASSERT_NE(isolate, nullptr);
  EXPECT_EQ(isolate->approval, ApprovalState::kPending);
  EXPECT_EQ(run->state, InvestigationState::kPendingApproval);

  auto none = ParseAutomationPolicy("device_groups: {Servers: NoAutomatedResponse}", "a.yml");
  ASSERT_TRUE(none.ok());
  Investigator off(*engine_, *actions_, nullptr, *playbook, *none);
  auto quiet = off.Run(3, alerts, kNowUs);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(VerdictOf(*quiet, "Machine"), Verdict::kMalicious);
  EXPECT_TRUE(ActionsOf(quiet->id).empty());
  EXPECT_EQ(quiet->state, InvestigationState::kPartiallyRemediated);
  const bool logged = std::any_of(quiet->log.begin(), quiet->log.end(), [](const auto& e) {
    return e.message.find("level NoAutomatedResponse") != std::string::npos;
  });
  EXPECT_TRUE(logged);
}

TEST_F(InvestigationTest, NothingFoundIsBenign) {
  auto playbook = DefaultPlaybook();
  if (!playbook.ok()) {
    GTEST_SKIP() << playbook.status().ToString();
  }
  detect::Evidence ip;
  ip.entity_type = "Ip";
  ip.remote_ip = "198.51.100.1";
  Investigator investigator(*engine_, *actions_, indicators_.get(), *playbook, {});
  auto run = investigator.Run(4, {Alert("b1", detect::Severity::kLow, "Discovery", {ip})}, kNowUs);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->state, InvestigationState::kBenign);
  EXPECT_TRUE(ActionsOf(run->id).empty());
}

TEST_F(InvestigationTest, LookbackScopesCollectionAndAFailedQueryFailsTheInvestigation) {
  auto playbook = ParsePlaybook(R"(
name: test
lookback_days: 30
entities:
  - type: File
    queries:
      - name: prevalence
        kql: DeviceFileEvents | where SHA256 == {{sha256}} | summarize Devices = dcount(DeviceId)
      - name: broken
        kql: NoSuchTable | where SHA256 == {{sha256}}
    scoring:
      - when: {query: prevalence, column: Devices, op: "==", value: 2}
        verdict: Suspicious
        reason: seen on two devices
)",
                                "test.yml");
  ASSERT_TRUE(playbook.ok()) << playbook.status().ToString();
  detect::Evidence file;
  file.entity_type = "File";
  file.sha256 = kFileHash;
  Investigator investigator(*engine_, *actions_, nullptr, *playbook, {});
  auto run =
      investigator.Run(5, {Alert("f1", detect::Severity::kLow, "Execution", {file})}, kNowUs);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->evidence.size(), 1u);
  EXPECT_EQ(run->evidence[0].verdict, Verdict::kSuspicious);
  ASSERT_EQ(run->evidence[0].reasons.size(), 1u);
  EXPECT_EQ(run->evidence[0].reasons[0], "seen on two devices (Devices = 2)");
  EXPECT_EQ(run->state, InvestigationState::kFailed);
  auto refreshed = investigator.Refresh(run->id);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->state, InvestigationState::kFailed);
}

TEST_F(InvestigationTest, TerminateCancelsOpenActions) {
  auto playbook = DefaultPlaybook();
  if (!playbook.ok()) {
    GTEST_SKIP() << playbook.status().ToString();
  }
  Investigator investigator(*engine_, *actions_, nullptr, *playbook, {});
  auto run = investigator.Run(6, Attack(), kNowUs);
  ASSERT_TRUE(run.ok());
  auto stopped = investigator.Terminate(run->id, "alice");
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(stopped->state, InvestigationState::kTerminatedByUser);
  for (const Action& a : ActionsOf(run->id)) {
    EXPECT_EQ(a.status, ActionStatus::kCancelled);
  }
  auto again = investigator.Run(6, Attack(), kNowUs);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, InvestigationState::kTerminatedByUser);
}

TEST_F(InvestigationTest, ReRunWithOnlyNewAlertsKeepsEarlierEvidenceWithoutDuplicates) {
  auto playbook = DefaultPlaybook();
  if (!playbook.ok()) {
    GTEST_SKIP() << playbook.status().ToString();
  }
  Investigator investigator(*engine_, *actions_, nullptr, *playbook, {});
  const auto alerts = Attack();
  auto first = investigator.Run(7, {alerts[0]}, kNowUs);
  ASSERT_TRUE(first.ok());
  const size_t first_actions = ActionsOf(first->id).size();
  auto second = investigator.Run(7, {alerts[3]}, kNowUs + 1);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->evidence.size(), first->evidence.size() + 1);  // + the Ip
  EXPECT_EQ(ActionsOf(first->id).size(), first_actions);
  // The same alert again proposes nothing new.
  auto third = investigator.Run(7, {alerts[0]}, kNowUs + 2);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(ActionsOf(first->id).size(), first_actions);
  EXPECT_EQ(third->alert_ids, (std::vector<std::string>{"da1", "da4"}));
}

TEST(InvestigationStateTest, FromActionStates) {
  Action a;
  EXPECT_EQ(StateFromActions({}, false), InvestigationState::kBenign);
  EXPECT_EQ(StateFromActions({}, true), InvestigationState::kPartiallyRemediated);
  a.approval = ApprovalState::kPending;
  EXPECT_EQ(StateFromActions({a}, true), InvestigationState::kPendingApproval);
  a.approval = ApprovalState::kApproved;
  EXPECT_EQ(StateFromActions({a}, true), InvestigationState::kRunning);
  a.status = ActionStatus::kSucceeded;
  Action b = a;
  EXPECT_EQ(StateFromActions({a, b}, true), InvestigationState::kSuccessfullyRemediated);
  b.status = ActionStatus::kTimeOut;
  EXPECT_EQ(StateFromActions({a, b}, true), InvestigationState::kPartiallyRemediated);
}

}  // namespace
}  // namespace vigil::respond
