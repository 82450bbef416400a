#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "vigil/base/time.h"
#include "vigil/ingest/text/json_reader.h"
#include "vigil/schema/catalog.h"

namespace vigil::ingest {
namespace {

using schema::ColumnType;
using schema::TableBatch;
using schema::TableSchema;

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
};

Collected Read(std::string_view data) {
  Collected out;
  out.rows = std::make_unique<TableBatch>(TestTable());
  const Status status = ReadTableJsonLines(
      data, "t.jsonl", TestTable(),
      [&](TableBatch& batch) {
        out.batch_sizes.push_back(batch.rows());
        out.rows->Append(batch);
      },
      out.report);
  EXPECT_TRUE(status.ok());
  return out;
}

const schema::ColumnData& C(const TableBatch& b, std::string_view name) {
  return b.column(static_cast<size_t>(TestTable().FindColumn(name)));
}
std::string Str(const TableBatch& b, std::string_view name, size_t row) {
  return C(b, name).IsNull(row) ? "<null>" : std::string(C(b, name).GetBytes(row));
}

TEST(TableJsonLinesReaderTest, ConvertsValuesToColumnTypes) {
  const auto r = Read(
      R"({"Timestamp":"2026-10-24 00:00:00.069501","Name":"a","Count":5,"Small":-3,"Ratio":1,)"
      R"("Flag":true,"Span":"00:05:00","Id":"{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}","Bag":{"k":[1,"x"]}})"
      "\n"
      R"({"Timestamp":"2026-10-24T00:00:01Z","Name":42,"Count":"7","Ratio":0.25,"Flag":0,"Bag":"{\"j\":true}"})"
      "\n"
      R"({"Name":"","Count":null,"Bag":"plain","Flag":"False"})"
      "\n");
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 3u);
  EXPECT_EQ(FormatDateTime(C(b, "Timestamp").ints[0]), "2026-10-24T00:00:00.0695010Z");
  EXPECT_EQ(Str(b, "Name", 0), "a");
  EXPECT_EQ(C(b, "Count").ints[0], 5);
  EXPECT_EQ(C(b, "Small").ints[0], -3);
  EXPECT_DOUBLE_EQ(C(b, "Ratio").reals[0], 1.0);
  EXPECT_EQ(C(b, "Flag").ints[0], 1);
  EXPECT_EQ(C(b, "Span").ints[0], 300 * kTicksPerSecond);
  EXPECT_EQ(Str(b, "Id", 0), "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ(Str(b, "Bag", 0), R"({"k":[1,"x"]})");
  EXPECT_EQ(Str(b, "Name", 1), "42");
  EXPECT_EQ(C(b, "Count").ints[1], 7);
  EXPECT_EQ(C(b, "Flag").ints[1], 0);
  EXPECT_EQ(Str(b, "Bag", 1), R"({"j":true})");  // JSON held in a string is unwrapped
  EXPECT_EQ(Str(b, "Name", 2), "<null>");
  EXPECT_TRUE(C(b, "Count").IsNull(2));
  EXPECT_EQ(Str(b, "Bag", 2), R"("plain")");
  EXPECT_EQ(C(b, "Flag").ints[2], 0);
  EXPECT_TRUE(C(b, "AdditionalFields").IsNull(0));
  EXPECT_EQ(r.report.records_read(), 3u);
  EXPECT_EQ(r.report.rows_by_table().at("T"), 3u);
  EXPECT_TRUE(r.report.warnings().empty());
}

TEST(TableJsonLinesReaderTest, UnknownKeysAndBadValuesGoToAdditionalFields) {
  const auto r = Read(
      R"({"name":"x","Extra":{"a":1},"Count":1.5,"Flag":"maybe","AdditionalFields":{"z":2}})"
      "\n"
      R"({"Name":"y","AdditionalFields":"{\"q\":\"r\"}","Timestamp":12345,"Small":3000000000})"
      "\n");
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 2u);
  EXPECT_EQ(Str(b, "Name", 0), "x");
  EXPECT_TRUE(C(b, "Count").IsNull(0));
  EXPECT_EQ(Str(b, "AdditionalFields", 0), R"({"Extra":{"a":1},"Count":1.5,"Flag":"maybe","z":2})");
  EXPECT_EQ(Str(b, "AdditionalFields", 1), R"({"q":"r","Timestamp":12345,"Small":3000000000})");
  EXPECT_EQ(r.report.warnings().size(), 4u);  // Count, Flag, Timestamp, Small
}

TEST(TableJsonLinesReaderTest, MalformedLinesAreSkippedWithLineNumbers) {
  const auto r = Read(
      "{\"Name\":\"a\"}\n"
      "{\"Name\":\"b\"\n"
      "\n"
      "[1,2]\n"
      "{\"Name\":\"c\"}\r\n"
      "not json\n"
      "{\"Name\":\"d\"}");
  const TableBatch& b = *r.rows;
  ASSERT_EQ(b.rows(), 3u);
  EXPECT_EQ(Str(b, "Name", 2), "d");
  ASSERT_EQ(r.report.skipped(), 3u);
  EXPECT_EQ(r.report.kept_skips()[0].position, "line 2");
  EXPECT_EQ(r.report.kept_skips()[1].position, "line 4");
  EXPECT_EQ(r.report.kept_skips()[1].reason.substr(0, 17), "not a JSON object");
  EXPECT_EQ(r.report.kept_skips()[2].position, "line 6");
}

TEST(TableJsonLinesReaderTest, FlushesInBatches) {
  std::string data;
  const size_t rows = kDefaultBatchRows + 3;
  for (size_t i = 0; i < rows; ++i) {
    data += fmt::format("{{\"Count\":{}}}\n", i);
  }
  const auto r = Read(data);
  EXPECT_EQ(r.batch_sizes, (std::vector<size_t>{kDefaultBatchRows, 3}));
  EXPECT_EQ(C(*r.rows, "Count").ints[rows - 1], static_cast<int64_t>(rows - 1));
}

}  // namespace
}  // namespace vigil::ingest
