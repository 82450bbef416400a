#include "vigil/kql/exec/batch_table.h"

#include <memory>
#include <utility>

namespace vigil::kql {
namespace {

Value Cell(const schema::ColumnData& col, size_t row) {
  if (col.IsNull(row)) {
    return Value();
  }
  switch (col.type) {
    case schema::ColumnType::kBool:
      return Value::Bool(col.ints[row] != 0);
    case schema::ColumnType::kInt:
      return Value::Int(col.ints[row]);
    case schema::ColumnType::kLong:
      return Value::Long(col.ints[row]);
    case schema::ColumnType::kDateTime:
      return Value::DateTime(col.ints[row]);
    case schema::ColumnType::kTimeSpan:
      return Value::TimeSpan(col.ints[row]);
    case schema::ColumnType::kReal:
      return Value::Real(col.reals[row]);
    case schema::ColumnType::kString:
      return Value::String(std::string(col.GetBytes(row)));
    case schema::ColumnType::kGuid:
      return Value::Guid(std::string(col.GetBytes(row)));
    case schema::ColumnType::kDynamic: {
      const std::string_view text = col.GetBytes(row);
      if (auto parsed = ParseJson(text)) {
        return std::move(*parsed);
      }
      return Value::String(std::string(text));
    }
  }
  return Value();
}

}  // namespace

TablePtr TableFromBatch(const schema::TableBatch& batch) {
  auto table = std::make_shared<Table>();
  Schema schema;
  const auto& ts = batch.schema();
  for (const auto& col : ts.columns()) {
    schema.push_back({col.name, FromColumnType(col.type)});
  }
  table->Reset(std::move(schema));
  table->rows = batch.rows();
  for (size_t c = 0; c < ts.column_count(); ++c) {
    auto& out = table->cols[c];
    out.reserve(batch.rows());
    for (size_t r = 0; r < batch.rows(); ++r) {
      out.push_back(Cell(batch.column(c), r));
    }
  }
  return table;
}

}  // namespace vigil::kql
