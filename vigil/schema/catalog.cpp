#include "vigil/schema/catalog.h"

#include <algorithm>
#include <cctype>

namespace vigil::schema {

// Defined in the generated file embedded_schema.cpp (see vigil/schema/CMakeLists.txt).
extern const char* const kEmbeddedSchemaText;

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kLong:
      return "long";
    case ColumnType::kReal:
      return "real";
    case ColumnType::kString:
      return "string";
    case ColumnType::kDateTime:
      return "datetime";
    case ColumnType::kTimeSpan:
      return "timespan";
    case ColumnType::kGuid:
      return "guid";
    case ColumnType::kDynamic:
      return "dynamic";
  }
  return "unknown";
}

std::optional<ColumnType> ParseColumnType(std::string_view name) {
  static constexpr std::pair<std::string_view, ColumnType> kNames[] = {
      {"bool", ColumnType::kBool},         {"boolean", ColumnType::kBool},
      {"int", ColumnType::kInt},           {"long", ColumnType::kLong},
      {"real", ColumnType::kReal},         {"double", ColumnType::kReal},
      {"string", ColumnType::kString},     {"datetime", ColumnType::kDateTime},
      {"date", ColumnType::kDateTime},     {"timespan", ColumnType::kTimeSpan},
      {"time", ColumnType::kTimeSpan},     {"guid", ColumnType::kGuid},
      {"uniqueid", ColumnType::kGuid},     {"dynamic", ColumnType::kDynamic},
  };
  for (const auto& [text, type] : kNames) {
    if (EqualsIgnoreCase(text, name)) {
      return type;
    }
  }
  return std::nullopt;
}

TableSchema::TableSchema(std::string name, std::vector<ColumnDef> columns)
    : name_(std::move(name)), columns_(std::move(columns)) {
  for (size_t i = 0; i < columns_.size(); ++i) {
    index_.emplace(columns_[i].name, static_cast<int>(i));
    if (columns_[i].name == "Timestamp" && columns_[i].type == ColumnType::kDateTime) {
      timestamp_column_ = static_cast<int>(i);
    }
    if (columns_[i].name == "AdditionalFields") {
      additional_fields_column_ = static_cast<int>(i);
    }
  }
}

int TableSchema::FindColumn(std::string_view name) const {
  const auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

Result<std::shared_ptr<const Catalog>> Catalog::Parse(std::string_view text) {
  auto catalog = std::shared_ptr<Catalog>(new Catalog());
  std::string table_name;
  std::vector<ColumnDef> columns;
  size_t line_no = 0;
  auto finish_table = [&]() -> Status {
    if (table_name.empty()) {
      return Status::Ok();
    }
    if (catalog->by_name_.count(table_name) != 0) {
      return InvalidArgumentError("schema line {}: duplicate table '{}'", line_no, table_name);
    }
    auto table = std::make_unique<TableSchema>(table_name, std::move(columns));
    if (table->additional_fields_column() < 0) {
      return InvalidArgumentError("schema: table '{}' has no AdditionalFields column", table_name);
    }
    catalog->by_name_.emplace(table_name, table.get());
    catalog->tables_.push_back(std::move(table));
    columns.clear();
    table_name.clear();
    return Status::Ok();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++line_no;
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') {
      if (end == text.size()) {
        break;
      }
      continue;
    }
    if (line.rfind("table ", 0) == 0) {
      VIGIL_RETURN_IF_ERROR(finish_table());
      table_name = std::string(Trim(line.substr(6)));
      continue;
    }
    if (table_name.empty()) {
      return InvalidArgumentError("schema line {}: column outside a table", line_no);
    }
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      return InvalidArgumentError("schema line {}: expected '<column> <type>'", line_no);
    }
    std::string_view rest = Trim(line.substr(sp + 1));
    std::string_view type_name = rest.substr(0, rest.find(' '));
    const auto type = ParseColumnType(type_name);
    if (!type) {
      return InvalidArgumentError("schema line {}: unknown type '{}'", line_no, type_name);
    }
    ColumnDef def;
    def.name = std::string(line.substr(0, sp));
    def.type = *type;
    def.vigil_added = rest.find("vigil:added") != std::string_view::npos;
    columns.push_back(std::move(def));
    if (end == text.size()) {
      break;
    }
  }
  VIGIL_RETURN_IF_ERROR(finish_table());
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

const Catalog& Catalog::Default() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    auto parsed = Parse(kEmbeddedSchemaText);
    // The embedded schema is part of the build; a parse failure is a build defect.
    if (!parsed.ok()) {
      std::fprintf(stderr, "vigil: embedded schema is invalid: %s\n",
                   parsed.status().ToString().c_str());
      std::abort();
    }
    return *parsed;
  }();
  return *catalog;
}

const TableSchema* Catalog::Find(std::string_view table) const {
  const auto it = by_name_.find(std::string(table));
  return it == by_name_.end() ? nullptr : it->second;
}

const TableSchema* Catalog::FindIgnoreCase(std::string_view table) const {
  if (const TableSchema* exact = Find(table)) {
    return exact;
  }
  for (const auto& candidate : tables_) {
    if (EqualsIgnoreCase(candidate->name(), table)) {
      return candidate.get();
    }
  }
  return nullptr;
}

}  // namespace vigil::schema
