#include "vigil/ingest/text/csv_reader.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "vigil/base/time.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {
namespace {

using schema::ColumnDef;
using schema::ColumnType;
using schema::TableBatch;
using schema::TableSchema;

// A small table with one column of every type.
const TableSchema& TestTable() {
  static const TableSchema table("T", {{"Timestamp", ColumnType::kDateTime, false},
                                       {"Name", ColumnType::kString, false},
                                       {"Count", ColumnType::kLong, false},
                                       {"Small", ColumnType::kInt, false},
                                       {"Ratio", ColumnType::kReal, false},
                                       {"Flag", ColumnType::kBool, false},
                                       {"Span", ColumnType::kTimeSpan, false},
                                       {"Id", ColumnType::kGuid, false},
                                       {"Bag", ColumnType::kDynamic, false},
                                       {"AdditionalFields", ColumnType::kDynamic, true}});
  return table;
}

struct Collected {
  std::unique_ptr<TableBatch> rows;
  std::vector<size_t> batch_sizes;
  IngestReport report;
  Status status;
};

Collected Read(std::string_view csv, const TableSchema& table = TestTable()) {
  Collected out;
  out.rows = std::make_unique<TableBatch>(table);
  out.status = ReadTableCsv(
      csv, "t.csv", table,
      [&](TableBatch& batch) {
        out.batch_sizes.push_back(batch.rows());
        out.rows->Append(batch);
      },
      out.report);
  return out;
}

int Col(std::string_view name) { return TestTable().FindColumn(name); }

std::string Str(const TableBatch& b, std::string_view col, size_t row) {
  const auto& c = b.column(static_cast<size_t>(Col(col)));
  return c.IsNull(row) ? "<null>" : std::string(c.GetBytes(row));
}
int64_t Int(const TableBatch& b, std::string_view col, size_t row) {
  return b.column(static_cast<size_t>(Col(col))).ints[row];
}
bool IsNull(const TableBatch& b, std::string_view col, size_t row) {
  return b.column(static_cast<size_t>(Col(col))).IsNull(row);
}

TEST(TableCsvReaderTest, ConvertsEveryColumnType) {
  const auto r = Read(
      "Timestamp,Name,Count,Small,Ratio,Flag,Span,Id,Bag\n"
      "2026-10-24 00:00:00.069501,alpha,-42,7,2.5,TRUE,1.02:03:04.5,"
      "{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9},\"{\"\"k\"\":[1,2]}\"\n"
      "2026-10-24T01:02:03Z,beta,9223372036854775807,-2147483648,1e-3,0,00:05:00,"
      "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9,[]\n");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 2u);
  EXPECT_EQ(FormatDateTime(Int(b, "Timestamp", 0)), "2026-10-24T00:00:00.0695010Z");
  EXPECT_EQ(FormatDateTime(Int(b, "Timestamp", 1)), "2026-10-24T01:02:03.0000000Z");
  EXPECT_EQ(Str(b, "Name", 0), "alpha");
  EXPECT_EQ(Int(b, "Count", 0), -42);
  EXPECT_EQ(Int(b, "Count", 1), INT64_MAX);
  EXPECT_EQ(Int(b, "Small", 1), INT32_MIN);
  EXPECT_DOUBLE_EQ(b.column(static_cast<size_t>(Col("Ratio"))).reals[0], 2.5);
  EXPECT_DOUBLE_EQ(b.column(static_cast<size_t>(Col("Ratio"))).reals[1], 0.001);
  EXPECT_EQ(Int(b, "Flag", 0), 1);
  EXPECT_EQ(Int(b, "Flag", 1), 0);
  EXPECT_EQ(Int(b, "Span", 0),
            ((1LL * 24 + 2) * 3600 + 3 * 60 + 4) * kTicksPerSecond + 5 * kTicksPerSecond / 10);
  EXPECT_EQ(Int(b, "Span", 1), 300 * kTicksPerSecond);
  EXPECT_EQ(Str(b, "Id", 0), "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ(Str(b, "Id", 1), "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ(Str(b, "Bag", 0), R"({"k":[1,2]})");
  EXPECT_EQ(Str(b, "Bag", 1), "[]");
  EXPECT_TRUE(IsNull(b, "AdditionalFields", 0));
  EXPECT_EQ(r.report.rows_by_table().at("T"), 2u);
  EXPECT_EQ(r.report.records_read(), 2u);
  EXPECT_EQ(r.report.skipped(), 0u);
  EXPECT_TRUE(r.report.warnings().empty());
}

TEST(TableCsvReaderTest, QuotingEdgeCases) {
  const auto r = Read(
      "\xEF\xBB\xBFName,Count,Bag\r\n"
      "\"a,b\",1,\r\n"
      "\"say \"\"hi\"\"\",2,\r\n"
      "\"multi\r\nline\nvalue\",3,\r\n"
      "\"\",4,\"\"\r\n"
      "plain text,5,\r\n"
      "last,6,");  // no final newline, trailing empty field
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 6u);
  EXPECT_EQ(Str(b, "Name", 0), "a,b");
  EXPECT_EQ(Str(b, "Name", 1), "say \"hi\"");
  EXPECT_EQ(Str(b, "Name", 2), "multi\r\nline\nvalue");
  EXPECT_EQ(Str(b, "Name", 3), "<null>");
  EXPECT_EQ(Int(b, "Count", 3), 4);
  EXPECT_EQ(Str(b, "Name", 4), "plain text");
  EXPECT_EQ(Str(b, "Name", 5), "last");
  EXPECT_EQ(Int(b, "Count", 5), 6);
  EXPECT_TRUE(IsNull(b, "Bag", 5));
  EXPECT_TRUE(IsNull(b, "Timestamp", 0));  // column absent from the CSV
  EXPECT_EQ(r.report.skipped(), 0u);
}

TEST(TableCsvReaderTest, HeaderMatchesCaseInsensitivelyAndUnknownColumnsGoToAdditionalFields) {
  const auto r = Read(
      "name,COUNT,Extra One,AdditionalFields,Other\n"
      "x,1,e1,\"{\"\"a\"\":1}\",o\"q\n"
      "y,2,,,\n");
  ASSERT_TRUE(r.status.ok());
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 2u);
  EXPECT_EQ(Str(b, "Name", 0), "x");
  EXPECT_EQ(Int(b, "Count", 1), 2);
  EXPECT_EQ(Str(b, "AdditionalFields", 0), R"({"Extra One":"e1","a":1,"Other":"o\"q"})");
  EXPECT_TRUE(IsNull(b, "AdditionalFields", 1));
}

TEST(TableCsvReaderTest, BadCellsBecomeNullKeptInAdditionalFieldsAndWarnedOncePerColumn) {
  const auto r = Read(
      "Name,Count,Flag,Timestamp,Id,Bag,Small\n"
      "a,12x,maybe,not a date,nope,{bad,1\n"
      "b,3,true,2024-01-01,,,99999999999\n"
      "c,oops,false,,,,2\n");
  ASSERT_TRUE(r.status.ok());
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 3u);
  EXPECT_TRUE(IsNull(b, "Count", 0));
  EXPECT_TRUE(IsNull(b, "Flag", 0));
  EXPECT_TRUE(IsNull(b, "Timestamp", 0));
  EXPECT_TRUE(IsNull(b, "Id", 0));
  EXPECT_TRUE(IsNull(b, "Bag", 0));
  EXPECT_EQ(Str(b, "AdditionalFields", 0),
            R"({"Count":"12x","Flag":"maybe","Timestamp":"not a date","Id":"nope","Bag":"{bad"})");
  EXPECT_EQ(Int(b, "Count", 1), 3);
  EXPECT_TRUE(IsNull(b, "Small", 1));  // out of int range
  EXPECT_EQ(Str(b, "AdditionalFields", 1), R"({"Small":"99999999999"})");
  EXPECT_EQ(Str(b, "AdditionalFields", 2), R"({"Count":"oops"})");
  EXPECT_EQ(r.report.skipped(), 0u);
  // One warning per bad column, naming the count and the first line.
  ASSERT_EQ(r.report.warnings().size(), 6u);
  EXPECT_NE(r.report.warnings()[0].find("column 'Count': 2 value(s)"), std::string::npos)
      << r.report.warnings()[0];
  EXPECT_NE(r.report.warnings()[0].find("first on line 2"), std::string::npos);
  EXPECT_NE(r.report.warnings()[5].find("column 'Small': 1 value(s)"), std::string::npos);
  EXPECT_NE(r.report.warnings()[5].find("first on line 3"), std::string::npos);
}

TEST(TableCsvReaderTest, WrongFieldCountAndBrokenQuotingAreSkippedWithLineNumbers) {
  const auto r = Read(
      "Name,Count\n"
      "a,1\n"
      "b,2,extra\n"
      "\"c\nd\",3\n"
      "e\n"
      "\"f\"x,5\n"
      "\n"
      "g,6\n"
      "\"unterminated,7\n"
      "h,8\n");
  ASSERT_TRUE(r.status.ok());
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 3u);
  EXPECT_EQ(Str(b, "Name", 0), "a");
  EXPECT_EQ(Str(b, "Name", 1), "c\nd");
  EXPECT_EQ(Str(b, "Name", 2), "g");
  ASSERT_EQ(r.report.skipped(), 4u);
  const auto& skips = r.report.kept_skips();
  EXPECT_EQ(skips[0].position, "line 3");
  EXPECT_NE(skips[0].reason.find("expected 2 fields, got 3"), std::string::npos);
  EXPECT_EQ(skips[1].position, "line 6");
  EXPECT_EQ(skips[2].position, "line 7");
  EXPECT_EQ(skips[2].reason.substr(0, 21), "malformed CSV quoting");
  EXPECT_EQ(skips[3].position, "line 10");
  EXPECT_EQ(skips[0].source, "t.csv");
}

TEST(TableCsvReaderTest, FlushesFullBatchesAndTheRest) {
  std::string csv = "Name,Count\n";
  const size_t rows = kDefaultBatchRows * 2 + 5;
  for (size_t i = 0; i < rows; ++i) {
    csv += fmt::format("n{},{}\n", i, i);
  }
  const auto r = Read(csv);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.batch_sizes, (std::vector<size_t>{kDefaultBatchRows, kDefaultBatchRows, 5}));
  ASSERT_EQ(r.rows->rows(), rows);
  EXPECT_EQ(Int(*r.rows, "Count", rows - 1), static_cast<int64_t>(rows - 1));
  EXPECT_EQ(Str(*r.rows, "Name", kDefaultBatchRows), fmt::format("n{}", kDefaultBatchRows));
}

TEST(TableCsvReaderTest, HeaderProblems) {
  EXPECT_TRUE(Read("").status.ok());
  EXPECT_FALSE(Read("Foo,Bar\n1,2\n").status.ok());  // names no column of the table
  const auto only_header = Read("Name,Count\n");
  EXPECT_TRUE(only_header.status.ok());
  EXPECT_TRUE(only_header.batch_sizes.empty());
}

TEST(TableCsvReaderTest, DeviceProcessEventsExportShape) {
  const TableSchema* table = schema::Catalog::Default().Find("DeviceProcessEvents");
  ASSERT_NE(table, nullptr);
  const auto r = Read(
      "Timestamp,DeviceId,DeviceName,ActionType,FileName,FolderPath,ProcessId,ProcessCommandLine,"
      "AccountName,InitiatingProcessFileName,ReportId\n"
      "2026-10-24 00:00:00.069501,d1,pc1,ProcessCreated,cmd.exe,C:\\Windows\\System32\\cmd.exe,"
      "4242,\"cmd.exe /c \"\"whoami\"\"\",alice,explorer.exe,17\n",
      *table);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.rows->rows(), 1u);
  const auto& pid = r.rows->column(static_cast<size_t>(table->FindColumn("ProcessId")));
  EXPECT_EQ(pid.ints[0], 4242);
  const auto& cmd = r.rows->column(static_cast<size_t>(table->FindColumn("ProcessCommandLine")));
  EXPECT_EQ(cmd.GetBytes(0), "cmd.exe /c \"whoami\"");
  EXPECT_EQ(r.report.warnings().size(), 0u);
}

}  // namespace
}  // namespace vigil::ingest
