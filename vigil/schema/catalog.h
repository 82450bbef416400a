// The hunting schema: every table Vigil knows, its columns and their KQL types, loaded from
// schema/hunting_tables.schema (compiled into the binary). Immutable after load, so a Catalog
// may be shared freely across threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/schema/column_type.h"

namespace vigil::schema {

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kString;
  bool vigil_added = false;  // not in the Defender schema; Vigil adds it (AdditionalFields)
};

class TableSchema {
 public:
  TableSchema(std::string name, std::vector<ColumnDef> columns);

  const std::string& name() const { return name_; }
  const std::vector<ColumnDef>& columns() const { return columns_; }
  size_t column_count() const { return columns_.size(); }
  const ColumnDef& column(size_t index) const { return columns_[index]; }

  // Exact (case-sensitive) lookup; -1 when absent.
  int FindColumn(std::string_view name) const;
  // Index of Timestamp, or -1 for tables without one (inventory tables).
  int timestamp_column() const { return timestamp_column_; }
  // Index of AdditionalFields (always present: Vigil adds it where the schema lacks it).
  int additional_fields_column() const { return additional_fields_column_; }

 private:
  std::string name_;
  std::vector<ColumnDef> columns_;
  std::unordered_map<std::string, int> index_;
  int timestamp_column_ = -1;
  int additional_fields_column_ = -1;
};

class Catalog {
 public:
  // Parses the schema text format (see schema/hunting_tables.schema).
  static Result<std::shared_ptr<const Catalog>> Parse(std::string_view text);
  // The built-in hunting schema.
  static const Catalog& Default();

  // Exact lookup; nullptr when absent.
  const TableSchema* Find(std::string_view table) const;
  // Case-insensitive lookup, for user input such as `--table deviceprocessevents`.
  const TableSchema* FindIgnoreCase(std::string_view table) const;
  const std::vector<std::unique_ptr<TableSchema>>& tables() const { return tables_; }

 private:
  std::vector<std::unique_ptr<TableSchema>> tables_;
  std::unordered_map<std::string, const TableSchema*> by_name_;
};

}  // namespace vigil::schema
