#include "vigil/schema/catalog.h"

#include <gtest/gtest.h>

#include "vigil/schema/table_batch.h"

namespace vigil::schema {
namespace {

TEST(CatalogTest, DefaultHasAllHuntingTables) {
  const Catalog& catalog = Catalog::Default();
  EXPECT_EQ(catalog.tables().size(), 65u);
  const TableSchema* process = catalog.Find("DeviceProcessEvents");
  ASSERT_NE(process, nullptr);
  EXPECT_EQ(process->timestamp_column(), 0);
  EXPECT_GE(process->FindColumn("ProcessCommandLine"), 0);
  EXPECT_EQ(process->column(process->FindColumn("ProcessId")).type, ColumnType::kLong);
}

TEST(CatalogTest, AddsAdditionalFieldsWhereMissing) {
  const TableSchema* registry = Catalog::Default().Find("DeviceRegistryEvents");
  ASSERT_NE(registry, nullptr);
  const int col = registry->additional_fields_column();
  ASSERT_GE(col, 0);
  EXPECT_TRUE(registry->column(col).vigil_added);
  EXPECT_EQ(registry->column(col).type, ColumnType::kDynamic);
}

TEST(CatalogTest, FindIgnoreCase) {
  EXPECT_NE(Catalog::Default().FindIgnoreCase("deviceprocessevents"), nullptr);
  EXPECT_EQ(Catalog::Default().FindIgnoreCase("NoSuchTable"), nullptr);
}

TEST(CatalogTest, ParseRejectsUnknownType) {
  auto parsed = Catalog::Parse("table T\nA strin\nAdditionalFields dynamic\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("unknown type 'strin'"), std::string::npos);
}

TEST(TableBatchTest, BuildsRowsWithNullsAndOverwrites) {
  const TableSchema* table = Catalog::Default().Find("DeviceProcessEvents");
  TableBatch batch(*table);
  const auto cmd = static_cast<size_t>(table->FindColumn("ProcessCommandLine"));
  const auto pid = static_cast<size_t>(table->FindColumn("ProcessId"));
  batch.BeginRow();
  batch.SetBytes(cmd, "first");
  batch.SetBytes(cmd, "cmd.exe /c whoami");
  batch.SetInt(pid, 42);
  batch.BeginRow();
  EXPECT_EQ(batch.rows(), 2u);
  EXPECT_EQ(batch.column(cmd).GetBytes(0), "cmd.exe /c whoami");
  EXPECT_EQ(batch.column(pid).ints[0], 42);
  EXPECT_TRUE(batch.column(cmd).IsNull(1));
  EXPECT_EQ(batch.column(cmd).GetBytes(1), "");
  TableBatch copy(*table);
  copy.Append(batch);
  copy.Append(batch);
  EXPECT_EQ(copy.rows(), 4u);
  EXPECT_EQ(copy.column(cmd).GetBytes(2), "cmd.exe /c whoami");
  copy.DropLastRow();
  EXPECT_EQ(copy.rows(), 3u);
}

}  // namespace
}  // namespace vigil::schema
