// Golden suite for the whole ingest path (format detection, reader, normalizer): every case
// folder in tests/ingest/formats/ holds one `input.*` file (or a zip), an optional `table` file
// naming the hunting table for table-shaped input, `expected.jsonl` (the rows, one JSON object
// per line with "$table" first) and `expected_report.txt` (records, rows per table, skips).
// VIGIL_GOLDEN_UPDATE=1 rewrites the expected files; review that diff like code.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/shared_data.h"
#include "vigil/ingest/file_ingestor.h"
#include "vigil/schema/row_json.h"

namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

struct CaseOutput {
  std::string rows;
  std::string report;
};

CaseOutput RunCase(const fs::path& dir) {
  vigil::ingest::IngestOptions options;
  if (fs::exists(dir / "table")) {
    options.table = vigil::schema::Catalog::Default().Find(Trimmed(ReadText(dir / "table")));
  }
  vigil::ingest::IngestReport report;
  CaseOutput out;
  const vigil::ingest::BatchSink sink = [&out](vigil::schema::TableBatch& batch) {
    for (size_t row = 0; row < batch.rows(); ++row) {
      vigil::schema::AppendRowJson(batch, row, {.include_nulls = false, .table_field = true},
                                   out.rows);
      out.rows.push_back('\n');
    }
  };
  std::vector<std::string> inputs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("input", 0) == 0) {
      inputs.push_back(entry.path().string());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  vigil::ingest::FileIngestor ingestor(vigil::schema::Catalog::Default(), options, sink, report);
  const vigil::Status status = ingestor.IngestPaths(inputs, {});
  std::ostringstream rep;
  rep << "status: " << (status.ok() ? "ok" : status.ToString()) << "\n";
  rep << "records_read: " << report.records_read() << "\n";
  for (const auto& [table, rows] : report.rows_by_table()) {
    rep << "rows " << table << ": " << rows << "\n";
  }
  rep << "skipped: " << report.skipped() << "\n";
  for (const auto& skip : report.kept_skips()) {
    // Paths are made relative to the case folder so the file does not depend on the checkout.
    std::string source = skip.source;
    const std::string prefix = dir.string() + "/";
    if (source.rfind(prefix, 0) == 0) {
      source = source.substr(prefix.size());
    }
    rep << "skip " << source << " [" << skip.position << "] " << skip.reason << "\n";
  }
  out.report = rep.str();
  return out;
}

class IngestGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IngestGoldenTest, MatchesExpected) {
  const fs::path dir = vigil::testing::SourceDir() / "tests/ingest/formats" / GetParam();
  const CaseOutput got = RunCase(dir);
  const char* update = std::getenv("VIGIL_GOLDEN_UPDATE");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(dir / "expected.jsonl", std::ios::binary) << got.rows;
    std::ofstream(dir / "expected_report.txt", std::ios::binary) << got.report;
    GTEST_SKIP() << "rewrote expected files of " << GetParam();
  }
  ASSERT_TRUE(fs::exists(dir / "expected.jsonl")) << "run with VIGIL_GOLDEN_UPDATE=1 to create";
  EXPECT_EQ(ReadText(dir / "expected_report.txt"), got.report);
  // Compare line by line so a failure names the first differing row.
  std::istringstream want_lines(ReadText(dir / "expected.jsonl"));
  std::istringstream got_lines(got.rows);
  std::string want_line;
  std::string got_line;
  size_t line_no = 0;
  while (true) {
    const bool more_want = static_cast<bool>(std::getline(want_lines, want_line));
    const bool more_got = static_cast<bool>(std::getline(got_lines, got_line));
    ++line_no;
    if (!more_want && !more_got) {
      break;
    }
    ASSERT_EQ(more_want, more_got) << "row count differs at line " << line_no;
    ASSERT_EQ(want_line, got_line) << "first difference at expected.jsonl line " << line_no;
  }
}

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  const fs::path root = vigil::testing::SourceDir() / "tests/ingest/formats";
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) {
      cases.push_back(entry.path().filename().string());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Formats, IngestGoldenTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param; });

}  // namespace
