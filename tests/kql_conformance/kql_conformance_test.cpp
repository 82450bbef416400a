// Conformance suites of issue #3 over ../shared/corpus/kql (skipped when ../shared is absent):
//   BindConformance: hunting queries the reference parser accepts must parse and bind.
//   DocExamples: deterministic documentation examples must give the documented table.
//   RunConformance: hunting queries the reference binds must run on the demo data.
// Each asserts a floor at the last measured pass rate, so regressions fail; raise the floors as
// the engine improves. VIGIL_CONFORMANCE_REPORT=<file> with the Report test writes the markdown
// report (docs/KQL_CONFORMANCE.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "tests/kql_conformance/conformance_compare.h"
#include "tests/kql_conformance/conformance_suites.h"
#include "tests/kql_conformance/run_suite.h"
#include "tests/support/shared_data.h"
#include "vigil/base/time.h"
#include "vigil/store/store_test_util.h"

namespace vigil::kql::testing {
namespace {

// Floors: the measured rates rounded down to the percent. Raise them, never lower them.
constexpr double kBindFloorPercent = 92;
constexpr double kDocFloorPercent = 88;
// Runtime: at most this many reference-binding hunting queries may fail on the demo data
// (measured: 16; 10 name columns bag_unpack does not produce on this data, 5 are fuzzy unions
// whose every leg reads externaldata, 1 is a "Insert date" placeholder). Lower it, never
// raise it.
constexpr size_t kRunFailureCeiling = 16;
// ... and at least this many must return rows (measured: 141; most queries look for attacks
// the demo data does not have). Raise it as the demo data or the engine grows.
constexpr size_t kRunWithRowsFloor = 130;
constexpr const char* kDemoEnd = "2026-11-01T00:00:00Z";

// Writes the demo data set into `data_dir` with the vigil binary, as a user would.
bool WriteDemoStore(const std::filesystem::path& data_dir) {
  const std::string command = std::string("\"") + VIGIL_BINARY + "\" --data \"" +
                              data_dir.string() + "\" demo --days 10 --end " + kDemoEnd +
                              " > \"" + (data_dir.parent_path() / "demo.log").string() +
                              "\" 2>&1";
  return std::system(command.c_str()) == 0;
}

RunReport RunOnDemo(const std::filesystem::path& shared) {
  store::testing::TempDir dir;
  const std::filesystem::path data = dir.path() / "data";
  if (!WriteDemoStore(data)) {
    RunReport failed;
    failed.failures.push_back({data.string(), "demo", "vigil demo failed"});
    return failed;
  }
  return RunHuntingSuite(shared / "corpus/kql/hunting_queries.jsonl", data,
                         *ParseDateTime(kDemoEnd));
}

TEST(BindConformance, AcceptedHuntingQueriesParseAndBind) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const BindReport report = RunBindSuite(shared / "corpus/kql/hunting_queries.jsonl");
  ASSERT_GT(report.accepted, 0u);
  std::cout << Summary(report);
  EXPECT_GE(BindRate(report), kBindFloorPercent);
}

TEST(DocExamples, DeterministicExamplesGiveTheDocumentedTable) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const DocReport report = RunDocSuite(shared / "corpus/kql/doc_examples.jsonl");
  ASSERT_GT(report.eligible, 0u);
  std::cout << Summary(report);
  EXPECT_GE(DocRate(report), kDocFloorPercent);
}

TEST(RunConformance, HuntingQueriesRunOnTheDemoData) {
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const RunReport report = RunOnDemo(shared);
  std::cout << Summary(report);
  ASSERT_GT(report.queries, 0u);
  EXPECT_LE(report.failures.size(), kRunFailureCeiling);
  // A scan or filter that silently returned nothing would show here.
  EXPECT_GE(report.with_rows, kRunWithRowsFloor);
}

TEST(ConformanceReport, WritesMarkdownReport) {
  const char* path = std::getenv("VIGIL_CONFORMANCE_REPORT");
  if (path == nullptr || *path == '\0') {
    GTEST_SKIP() << "set VIGIL_CONFORMANCE_REPORT=<file> to write the report";
  }
  VIGIL_REQUIRE_SHARED_DIR(shared);
  const BindReport bind = RunBindSuite(shared / "corpus/kql/hunting_queries.jsonl");
  const DocReport doc = RunDocSuite(shared / "corpus/kql/doc_examples.jsonl");
  std::ofstream out(path);
  ASSERT_TRUE(out.good()) << "cannot write " << path;
  const RunReport run = RunOnDemo(shared);
  out << RenderReport(bind, doc, kBindFloorPercent, kDocFloorPercent);
  out << "\n" << RenderRunSection(run, kRunFailureCeiling);
  std::cout << Summary(bind) << Summary(doc) << Summary(run);
}

// The comparison rules the documentation suite relies on.
TEST(MarkdownCompare, ParsesTablesWithEscapedBars) {
  const auto t = ParseMarkdownTable("| a | b |\n|---|:--|\n| x \\| y | `2` |\n|3|4|\n");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->header, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0], (std::vector<std::string>{"x | y", "2"}));
  EXPECT_FALSE(ParseMarkdownTable("no table here").has_value());
}

TEST(MarkdownCompare, CellsCompareByValue) {
  EXPECT_TRUE(CellMatches("0.333333333333333", Value::Real(1.0 / 3), Type::kReal));
  EXPECT_FALSE(CellMatches("0.3334", Value::Real(1.0 / 3), Type::kReal));
  EXPECT_TRUE(CellMatches("2023-01-01 00:00:00.0000000",
                          Value::DateTime(*ParseDateTime("2023-01-01T00:00:00Z")),
                          Type::kDateTime));
  EXPECT_TRUE(CellMatches("TRUE", Value::Bool(true), Type::kBool));
  EXPECT_FALSE(CellMatches("false", Value::Bool(true), Type::kBool));
  EXPECT_TRUE(CellMatches("", Value(), Type::kLong));
  EXPECT_TRUE(CellMatches("", Value::String(""), Type::kString));
  EXPECT_FALSE(CellMatches("", Value::Long(0), Type::kLong));
  EXPECT_TRUE(CellMatches("1.00:00:00", Value::TimeSpan(864'000'000'000), Type::kTimeSpan));
  EXPECT_TRUE(CellMatches("{ \"b\": [1, 2], \"a\": \"x\" }",
                          *ParseJson("{\"a\":\"x\",\"b\":[1,2]}"), Type::kDynamic));
  EXPECT_FALSE(CellMatches("[1,2]", *ParseJson("[2,1]"), Type::kDynamic));
  // Counts written with thousands separators compare by value; other commas do not.
  EXPECT_TRUE(CellMatches("1,048,576", Value::Long(1048576), Type::kLong));
  EXPECT_TRUE(CellMatches("-12,345.5", Value::Real(-12345.5), Type::kReal));
  EXPECT_FALSE(CellMatches("1,048,57", Value::Long(104857), Type::kLong));
  EXPECT_FALSE(CellMatches("1,2", Value::Long(12), Type::kLong));
  EXPECT_FALSE(CellMatches("1234,567", Value::Long(1234567), Type::kLong));
}

}  // namespace
}  // namespace vigil::kql::testing
