// Tabular data inside the KQL executor: a Schema (named, typed columns), Chunks (a block of
// rows, column-major, as the operators pass them along) and Tables (materialised results:
// let-bound and materialize() tables, join build sides, query results). Plain data; a Table
// behind a TablePtr is immutable and may be read from many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/value.h"

namespace vigil::kql {

struct ColumnInfo {
  std::string name;
  Type type = Type::kDynamic;
};
using Schema = std::vector<ColumnInfo>;

// Index of column `name` (exact match), or -1.
int FindColumn(const Schema& schema, std::string_view name);

inline constexpr size_t kChunkRows = 4096;

inline Value CellOrNull(const std::vector<Value>& col, size_t row) {
  return row < col.size() ? col[row] : Value();
}

// A column the plan does not need (see PropagateNeeds) may be left empty by scans: code that
// copies every column must read cells through CellOrNull.
struct Chunk {
  size_t rows = 0;
  std::vector<std::vector<Value>> cols;

  // Empties the chunk for `width` columns, keeping the columns' capacity (no reallocation
  // per chunk on the hot path).
  void Reset(size_t width) {
    rows = 0;
    cols.resize(width);
    for (auto& col : cols) {
      col.clear();
    }
  }
};

struct Table {
  Schema schema;
  std::vector<std::vector<Value>> cols;
  size_t rows = 0;

  void Reset(Schema s) {
    schema = std::move(s);
    cols.assign(schema.size(), {});
    rows = 0;
  }
  void Append(const Chunk& chunk);
  void AppendRow(const std::vector<Value>& row);
};
using TablePtr = std::shared_ptr<const Table>;

}  // namespace vigil::kql
