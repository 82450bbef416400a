// The engine over a real Store: pushdown (time range, term hints, per-dictionary filters) and
// column pruning must not change results (differential against the same rows held in memory),
// blocks are skipped, and the limits (rows, memory, cancellation) hold.
#include <gtest/gtest.h>

#include <algorithm>

#include "vigil/kql/exec/engine.h"
#include "vigil/store/store.h"
#include "vigil/store/store_test_util.h"

namespace vigil::kql {
namespace {

using store::testing::AddProcessRows;
using store::testing::DayStart;
using store::testing::TempDir;

class EngineStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions options;
    options.dir = dir_.path();
    options.background_flush = false;
    options.block_rows = 1024;
    options.retention_days = 0;
    auto opened = store::Store::Open(options, schema::Catalog::Default());
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
    const auto* table = schema::Catalog::Default().Find("DeviceProcessEvents");
    for (int day = 0; day < 3; ++day) {
      schema::TableBatch batch(*table);
      AddProcessRows(batch, 6000, DayStart(2026, 10, 20 + day), day * 100000, 7 + day);
      ASSERT_TRUE(store_->Append(batch).ok());
    }
    ASSERT_TRUE(store_->Flush().ok());
    options_.now_ticks = DayStart(2026, 10, 23);
    // The same rows in memory (no scan, no pushdown) for differential checks.
    Engine all(store_.get(), &schema::Catalog::Default());
    auto everything = all.Run("DeviceProcessEvents", options_);
    ASSERT_TRUE(everything.has_value()) << everything.error().ToString();
    ASSERT_EQ(everything->table->rows, 18000u);
    memory_ = everything->table;
  }

  std::vector<std::string> Rows(const QueryResult& r) {
    std::vector<std::string> out;
    for (size_t i = 0; i < r.table->rows; ++i) {
      std::string row;
      for (const auto& col : r.table->cols) {
        row += col[i].ToText() + "|";
      }
      out.push_back(row);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  QueryOptions options_;
  TablePtr memory_;
};

TEST_F(EngineStoreTest, PushdownGivesTheSameRowsAsInMemoryEvaluation) {
  Engine stored(store_.get(), &schema::Catalog::Default());
  Engine in_memory(nullptr, &schema::Catalog::Default());
  in_memory.AddTable("DeviceProcessEvents", memory_);
  const char* queries[] = {
      "DeviceProcessEvents | where Timestamp > ago(1d) | count",
      "DeviceProcessEvents | where Timestamp between (datetime(2026-10-21) .. 12h) | count",
      "DeviceProcessEvents | where FileName =~ \"POWERSHELL.EXE\" | summarize count() by DeviceName",
      "DeviceProcessEvents | where ProcessCommandLine has \"powershell\" | count",
      "DeviceProcessEvents | where ProcessCommandLine contains \"EXE\" and Timestamp < "
      "datetime(2026-10-21 06:00) | project ReportId, FileName",
      "DeviceProcessEvents | where AccountName in~ (\"ALICE\", \"bob\") | summarize dcount(DeviceId) "
      "by AccountName",
      "DeviceProcessEvents | where FileName == \"cmd.exe\" and ProcessId % 2 == 0 | count",
      "DeviceProcessEvents | where FileName != \"cmd.exe\" | summarize max(Timestamp) by FileName",
      "DeviceProcessEvents | where isnotempty(AccountDomain) | summarize count() by AccountDomain",
      // string filters run on the raw dictionary text (StringFilter): every operator shape
      "DeviceProcessEvents | where FileName !in~ (\"CMD.EXE\", \"svchost.exe\") | count",
      "DeviceProcessEvents | where FileName in (\"cmd.exe\", \"CMD.EXE\") | count",
      "DeviceProcessEvents | where ProcessCommandLine !has \"echo\" or FileName startswith "
      "\"Ch\" | summarize count() by FileName",
      "DeviceProcessEvents | where ProcessCommandLine has_any (\"POWERSHELL\", \"rundll32\") | "
      "summarize count() by FileName",
      "DeviceProcessEvents | where ProcessCommandLine has_all (\"echo\", \"cmd\") | count",
      "DeviceProcessEvents | where FolderPath matches regex @\"(?i)system32.(cmd|conhost)\" | "
      "summarize count() by FileName",
      "DeviceProcessEvents | where AccountUpn == \"\" and AccountUpn !has \"x\" | summarize count() by AccountName",
      "DeviceProcessEvents | where AccountDomain !~ \"CONTOSO\" and AccountName !contains \"svc\" "
      "| summarize count() by AccountName",
      "DeviceProcessEvents | where DeviceName hassuffix \"example\" and DeviceName != "
      "\"ws-001.corp.example.com\" | count",
      "DeviceProcessEvents | where DeviceName != \"ws-001.corp.example.com\" | count",
      // substring and term filters judge a new dictionary in one pass over its packed values
      "DeviceProcessEvents | where ProcessCommandLine contains \"ECHO 12\" | count",
      "DeviceProcessEvents | where ProcessCommandLine contains_cs \"exe /c echo 4\" | count",
      "DeviceProcessEvents | where ProcessCommandLine !contains \"d 1\" | count",
      "DeviceProcessEvents | where ProcessCommandLine has \"12\" | summarize count() by FileName",
      "DeviceProcessEvents | where ProcessCommandLine has \"--id 7\" | count",
      "DeviceProcessEvents | where ProcessCommandLine hasprefix \"ech\" and ProcessCommandLine "
      "hassuffix_cs \"7\" | count",
      "DeviceProcessEvents | where ProcessCommandLine has_all (\"CMD\", \"42\") or "
      "ProcessCommandLine !has_cs \"echo\" | count",
      // and/or: the second side judges only the values the first leaves open when they are
      // few, else all values in one pass
      "DeviceProcessEvents | where ProcessCommandLine contains \"echo 1\" and "
      "ProcessCommandLine matches regex @\"--id [0-9]*7$\" | count",
      "DeviceProcessEvents | where ProcessCommandLine contains \"echo\" and "
      "ProcessCommandLine contains \"--id 1\" | count",
      "DeviceProcessEvents | where ProcessCommandLine contains \"zzz\" or "
      "ProcessCommandLine has \"42\" | count",
      "DeviceProcessEvents | where ProcessCommandLine !contains \"echo 4\" or "
      "ProcessCommandLine endswith \"9\" | count",
      "DeviceProcessEvents | where DeviceName hassuffix \"example\" | count",
      // comparisons of integer-backed columns with constants run on the raw integers; null
      // cells (FileSize is null in a third of the rows) never pass
      "DeviceProcessEvents | where FileSize > 12000 | count",
      "DeviceProcessEvents | where FileSize <= 12000 | summarize count() by FileName",
      "DeviceProcessEvents | where FileSize < 12000.5 | count",
      "DeviceProcessEvents | where FileSize > 9223372036854775807 | count",
      "DeviceProcessEvents | where ProcessId between (2000 .. 30000) and 50000 > "
      "InitiatingProcessId | summarize count() by FileName",
      "DeviceProcessEvents | where ProcessId >= 5000 and ProcessId < 5600 | project ReportId",
      "DeviceProcessEvents | where ProcessCreationTime <= datetime(2026-10-21 12:00) | count",
      "DeviceProcessEvents | where ReportId == 100005 | project ReportId, FileName",
      "DeviceProcessEvents | where Timestamp > datetime(2026-10-21 07:00) and FileName == "
      "\"cmd.exe\" | count",
      // summarize fused into the scan (ScanAggregateOp): keys by dictionary, integer column
      // and expression; count, dcount and generic aggregates; no keys over no rows
      "DeviceProcessEvents | summarize count(), dcount(ProcessId), sum(FileSize), avg(FileSize), "
      "min(ProcessCommandLine) by bin(Timestamp, 1h), FileName",
      "DeviceProcessEvents | summarize dcount(DeviceId, 0), dcount(AccountUpn), max(Timestamp) by "
      "IsProcessRemoteSession, AccountName",
      "DeviceProcessEvents | where FileName == \"no-such.exe\" | summarize count(), dcount(DeviceId)",
      "DeviceProcessEvents | summarize c = count() by ProcessId % 5, AccountUpn",
      // dcount through the (group, value) bitmaps: block dictionaries, more than 1,024 values
      // a group (the sketch), several dcounts, a null string column
      "DeviceProcessEvents | summarize dcount(ProcessCommandLine), dcount(DeviceId) by FileName",
      "DeviceProcessEvents | summarize dcount(ProcessCommandLine, 2), dcount(AccountUpn), count() "
      "by AccountName, bin(Timestamp, 1d)",
      "DeviceProcessEvents | summarize count() by bin(ProcessId, 1000) | where count_ > 100",
      // joins whose build-side keys are pushed into the probe scan as a semi-join filter
      "DeviceProcessEvents | join kind=inner (DeviceProcessEvents | where FileName == \"cmd.exe\" "
      "| distinct DeviceId | top 5 by DeviceId asc) on DeviceId | summarize count() by DeviceId",
      "DeviceProcessEvents | join (DeviceProcessEvents | where ProcessId % 7 == 0 | distinct "
      "AccountName) on AccountName | summarize count() by AccountName",
      "DeviceProcessEvents | join kind=leftsemi (DeviceProcessEvents | distinct DeviceName | top 3 by "
      "DeviceName asc) on DeviceName | count",
      "DeviceProcessEvents | where FileName == \"svchost.exe\" | join kind=rightsemi "
      "(DeviceProcessEvents | distinct DeviceName | top 4 by DeviceName) on DeviceName",
      "DeviceProcessEvents | join kind=leftouter (DeviceProcessEvents | distinct DeviceName | top 2 by "
      "DeviceName | extend Tag = 1) on DeviceName | summarize count() by Tag",
      // the left scan probed batch by batch (JoinOp::ProbeScanBatches): dictionary and integer
      // keys, left and right columns, the left kinds
      "DeviceProcessEvents | join kind=leftanti (DeviceProcessEvents | where FileName == "
      "\"cmd.exe\" | distinct DeviceName | top 5 by DeviceName asc) on DeviceName | summarize "
      "count() by FileName",
      "DeviceProcessEvents | where ProcessId % 11 == 0 | join kind=inner (DeviceProcessEvents | "
      "distinct DeviceName | top 3 by DeviceName | extend T = strlen(DeviceName)) on DeviceName | "
      "project ReportId, DeviceName, T, FileName",
      "DeviceProcessEvents | join kind=inner (DeviceProcessEvents | where ReportId % 97 == 0 | "
      "project ProcessId, Tag = ReportId) on ProcessId | project ReportId, ProcessId, Tag",
      "DeviceProcessEvents | where FileName == \"cmd.exe\" | join kind=leftouter "
      "(DeviceProcessEvents | where ReportId % 89 == 0 | project ProcessId, Tag = ReportId) on "
      "ProcessId | project ReportId, Tag",
      // wide arg_max/arg_min over a scan run in two phases (ExtremePrefilterOp)
      "DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId",
      "DeviceProcessEvents | summarize arg_min(Timestamp, *) by DeviceName, AccountName",
      "DeviceProcessEvents | where FileName == \"cmd.exe\" | summarize arg_max(Timestamp, *) by "
      "DeviceId",
      "DeviceProcessEvents | summarize arg_max(FileSize, *) by DeviceId | project DeviceId, FileSize",
      // a value that is null in every row: the prefilter must not drop the groups
      "DeviceProcessEvents | summarize arg_max(AccountUpn, *) by DeviceId | count",
      // computed columns nobody reads: their inputs are pruned from the scan, so they must not
      // be evaluated (this crashed the server before)
      "DeviceProcessEvents | extend X = strlen(FileName) | count",
      "DeviceProcessEvents | extend X = tolower(ProcessCommandLine), Y = strcat(DeviceName, \"x\") "
      "| summarize count()",
      "DeviceProcessEvents | extend X = strlen(FileName) | project DeviceName | summarize count() by "
      "DeviceName",
  };
  for (const char* q : queries) {
    auto a = stored.Run(q, options_);
    auto b = in_memory.Run(q, options_);
    ASSERT_TRUE(a.has_value()) << q << ": " << a.error().ToString();
    ASSERT_TRUE(b.has_value()) << q << ": " << b.error().ToString();
    EXPECT_EQ(Rows(*a), Rows(*b)) << q;
    EXPECT_GT(a->table->rows, 0u) << q;
  }
}

// The fused dcount's bitmaps spill to the per-row path when they pass their byte limit, at any
// point of a batch; the counts must not change.
TEST_F(EngineStoreTest, DcountBitmapLimitDoesNotChangeCounts) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  const char* queries[] = {
      "DeviceProcessEvents | summarize dcount(ProcessCommandLine), dcount(DeviceId) by FileName",
      "DeviceProcessEvents | summarize dcount(ProcessCommandLine) by AccountName",
      "DeviceProcessEvents | summarize dcount(DeviceName, 3) by bin(Timestamp, 1h)",
  };
  for (const char* q : queries) {
    auto plan = engine.Explain(q, options_);
    ASSERT_TRUE(plan.has_value());
    EXPECT_NE(plan->find("fused-scan"), std::string::npos) << *plan;
    auto roomy = engine.Run(q, options_);
    ASSERT_TRUE(roomy.has_value()) << q << ": " << roomy.error().ToString();
    for (const size_t limit : {size_t{0}, size_t{64}, size_t{3000}}) {
      QueryOptions tight = options_;
      tight.limits.dcount_bitmap_bytes = limit;
      auto r = engine.Run(q, tight);
      ASSERT_TRUE(r.has_value()) << q << ": " << r.error().ToString();
      EXPECT_EQ(Rows(*r), Rows(*roomy)) << q << " with a limit of " << limit;
    }
  }
}

TEST_F(EngineStoreTest, TimeRangeSkipsBlocksAndPrunesColumns) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  const char* q = "DeviceProcessEvents | where Timestamp >= datetime(2026-10-22) | count";
  auto plan = engine.Explain(q, options_);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->find("time=[2026-10-22T00:00:00.0000000Z .. +inf]"), std::string::npos) << *plan;
  EXPECT_NE(plan->find("cols=[Timestamp]"), std::string::npos) << *plan;
  auto r = engine.Run(q, options_);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->table->cols[0][0].AsInt64(), 6000);
  EXPECT_GT(r->stats.blocks_skipped + r->stats.partitions_skipped, 0u);
  EXPECT_LE(r->stats.rows_scanned, 6000u + 1024u);
}

TEST_F(EngineStoreTest, TimeScopeLimitsEveryStoredTable) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  QueryOptions o = options_;
  o.scope_min_ticks = DayStart(2026, 10, 21);
  o.scope_max_ticks = DayStart(2026, 10, 22) - 1;
  // Both legs of the union are scoped; the query's own filter narrows further.
  auto r = engine.Run("union DeviceProcessEvents, DeviceProcessEvents | count", o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->table->cols[0][0].AsInt64(), 12000);
  auto plan = engine.Explain("DeviceProcessEvents | where Timestamp > datetime(2026-10-21 12:00)", o);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->find("time=[2026-10-21T12:00:00.0000001Z .. 2026-10-21T23:59:59.9999999Z]"),
            std::string::npos) << *plan;
  auto none = engine.Run("DeviceProcessEvents | where Timestamp < datetime(2026-10-21) | count", o);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->table->cols[0][0].AsInt64(), 0);
}

TEST_F(EngineStoreTest, WideArgMaxReadsTheTableTwiceButMaterialisesOnlyCandidates) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  const char* q = "DeviceProcessEvents | summarize arg_max(Timestamp, *) by DeviceId";
  auto plan = engine.Explain(q, options_);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->find("ExtremePrefilter max(Timestamp) by [DeviceId]"), std::string::npos)
      << *plan;
  auto r = engine.Run(q, options_);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->table->rows, 20u);  // AddProcessRows spreads rows over 20 hosts
  // The narrow pass reads every row; the wide pass only the blocks at or after the earliest
  // group maximum (the rows are one second apart, the hosts random: the last few minutes).
  EXPECT_GT(r->stats.rows_scanned, 18000u + 20u);
  EXPECT_LT(r->stats.rows_scanned, 18000u + 1800u);
  // Narrow arg_max (no `*`) and non-scan inputs keep the one-pass plan.
  auto narrow = engine.Explain(
      "DeviceProcessEvents | summarize arg_max(Timestamp, FileName) by DeviceId", options_);
  ASSERT_TRUE(narrow.has_value());
  EXPECT_EQ(narrow->find("ExtremePrefilter"), std::string::npos) << *narrow;
}

TEST_F(EngineStoreTest, SummarizeOverAScanIsFusedWhereEveryPartHasAFusedForm) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  auto fused = engine.Explain(
      "DeviceProcessEvents | where FileName in~ (\"cmd.exe\") | summarize count(), "
      "dcount(DeviceId) by DeviceName, bin(Timestamp, 1h)",
      options_);
  ASSERT_TRUE(fused.has_value());
  EXPECT_NE(fused->find("fused-scan"), std::string::npos) << *fused;
  // a computed aggregate argument, a dynamic key or a filter left above the scan: not fused
  for (const char* q : {"DeviceProcessEvents | summarize countif(ProcessId > 5) by DeviceName",
                        "DeviceProcessEvents | summarize count() by tolower(DeviceName)",
                        "DeviceProcessEvents | where ProcessId > InitiatingProcessId | summarize "
                        "count() by DeviceName"}) {
    auto plan = engine.Explain(q, options_);
    ASSERT_TRUE(plan.has_value()) << q;
    EXPECT_EQ(plan->find("fused-scan"), std::string::npos) << *plan;
  }
  auto r = engine.Run("DeviceProcessEvents | summarize count() by DeviceName", options_);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->table->rows, 20u);
  EXPECT_EQ(r->stats.rows_scanned, 18000u);
}

TEST_F(EngineStoreTest, FusedSummarizeKeepsTheMemoryBudget) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  QueryOptions tight = options_;
  tight.limits.memory_budget_bytes = 64 * 1024;
  auto r = engine.Run("DeviceProcessEvents | summarize count() by ReportId", tight);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "KQL0902") << r.error().ToString();
}

TEST_F(EngineStoreTest, ResultRowLimitTruncatesWithAWarning) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  QueryOptions o = options_;
  o.limits.max_result_rows = 100;
  auto r = engine.Run("DeviceProcessEvents | project ReportId", o);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->table->rows, 100u);
  EXPECT_TRUE(r->truncated);
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_NE(r->warnings[0].find("truncated to 100 rows"), std::string::npos);
}

TEST_F(EngineStoreTest, MemoryBudgetStopsARunawayQuery) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  QueryOptions o = options_;
  o.limits.memory_budget_bytes = 64 * 1024;
  auto r = engine.Run("DeviceProcessEvents | sort by ProcessCommandLine asc", o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "KQL0902");
}

TEST_F(EngineStoreTest, CancellationStopsTheQuery) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  std::atomic<bool> cancel{true};
  QueryOptions o = options_;
  o.limits.cancel = &cancel;
  auto r = engine.Run("DeviceProcessEvents | summarize count() by ProcessCommandLine", o);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "KQL0904");
}

TEST_F(EngineStoreTest, JsonOutputHasTheHuntingApiShape) {
  Engine engine(store_.get(), &schema::Catalog::Default());
  auto r = engine.Run("DeviceProcessEvents | summarize n = count() by FileName | top 1 by n", options_);
  ASSERT_TRUE(r.has_value());
  const std::string json = FormatJson(*r);
  EXPECT_EQ(json.rfind("{\"Schema\":[{\"Name\":\"FileName\",\"Type\":\"string\"},{\"Name\":\"n\","
                       "\"Type\":\"long\"}],\"Results\":[{\"FileName\":",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find("\"Stats\":{"), std::string::npos);
}

TEST_F(EngineStoreTest, HasAnyAndHasAllPushTermHintsWithoutChangingResults) {
  Engine stored(store_.get(), &schema::Catalog::Default());
  Engine in_memory(nullptr, &schema::Catalog::Default());
  in_memory.AddTable("DeviceProcessEvents", memory_);
  // "--id 5999" is the last row of each day: one block in six holds it.
  const char* has_any =
      "DeviceProcessEvents | where ProcessCommandLine has_any (\"5999\", \"MIMIKATZ\") | project "
      "ReportId, ProcessCommandLine";
  const char* has_all =
      "DeviceProcessEvents | where ProcessCommandLine has_all (\"echo\", \"5999\") | project "
      "ReportId";
  auto plan = stored.Explain(has_any, options_);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->find("hint(has_any ProcessCommandLine (\"5999\",\"MIMIKATZ\"))"),
            std::string::npos)
      << *plan;
  plan = stored.Explain(has_all, options_);
  ASSERT_TRUE(plan.has_value());
  EXPECT_NE(plan->find("hint(has ProcessCommandLine \"5999\")"), std::string::npos) << *plan;
  for (const char* q : {has_any, has_all}) {
    auto a = stored.Run(q, options_);
    auto b = in_memory.Run(q, options_);
    ASSERT_TRUE(a.has_value()) << q << ": " << a.error().ToString();
    ASSERT_TRUE(b.has_value()) << q << ": " << b.error().ToString();
    EXPECT_EQ(Rows(*a), Rows(*b)) << q;
    EXPECT_EQ(a->table->rows, 3u) << q;
    EXPECT_GE(a->stats.blocks_skipped, 12u) << q;  // 18 blocks, 3 hold the term
  }
  // A needle that is not a single term (or one present everywhere) disables the hint.
  for (const char* q : {"DeviceProcessEvents | where ProcessCommandLine has_any (\"5999\", "
                        "\"--id 5998\") | count",
                        "DeviceProcessEvents | where ProcessCommandLine has_any (\"5999\", "
                        "\"echo\") | count"}) {
    auto a = stored.Run(q, options_);
    auto b = in_memory.Run(q, options_);
    ASSERT_TRUE(a.has_value()) << q << ": " << a.error().ToString();
    ASSERT_TRUE(b.has_value()) << q << ": " << b.error().ToString();
    EXPECT_EQ(Rows(*a), Rows(*b)) << q;
    EXPECT_EQ(a->stats.blocks_skipped, 0u) << q;
  }
}

}  // namespace
}  // namespace vigil::kql
