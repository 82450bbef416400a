// TableBatch: rows for one hunting table, held column by column in memory. Readers and
// normalizers build batches row by row; the store logs and encodes them; tests read them back.
// Not thread-safe: one writer at a time; hand a finished batch to another thread by moving it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/schema/catalog.h"

namespace vigil::schema {

// One column of a batch. Integer-backed types (bool, int, long, datetime, timespan) use
// `ints`; real uses `reals`; string, guid and dynamic (JSON text) use `bytes` + `offsets`
// (row r spans bytes[offsets[r], offsets[r+1])). `valid[r]` is 0 for null.
struct ColumnData {
  ColumnType type = ColumnType::kString;
  std::vector<uint8_t> valid;
  std::vector<int64_t> ints;
  std::vector<double> reals;
  std::vector<uint32_t> offsets{0};
  std::string bytes;

  bool IsNull(size_t row) const { return valid[row] == 0; }
  std::string_view GetBytes(size_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

class TableBatch {
 public:
  explicit TableBatch(const TableSchema& schema);

  const TableSchema& schema() const { return *schema_; }
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  const ColumnData& column(size_t index) const { return columns_[index]; }
  ColumnData& mutable_column(size_t index) { return columns_[index]; }
  // Approximate bytes held, for batching decisions.
  size_t ByteSize() const;

  // Row building: BeginRow() appends a row of nulls; Set*() fill the current row's cells
  // (setting a cell twice keeps the last value). Columns are addressed by index.
  void BeginRow();
  void SetNull(size_t col);
  void SetInt(size_t col, int64_t value);  // bool, int, long, datetime, timespan
  void SetBool(size_t col, bool value) { SetInt(col, value ? 1 : 0); }
  void SetReal(size_t col, double value);
  void SetBytes(size_t col, std::string_view value);  // string, guid, dynamic (JSON text)
  // Removes the row begun last (e.g. when its event turned out unreadable).
  void DropLastRow();

  // Appends all rows of `other` (same schema).
  void Append(const TableBatch& other);
  void Clear();
  void Reserve(size_t rows);

 private:
  const TableSchema* schema_;
  size_t rows_ = 0;
  std::vector<ColumnData> columns_;
};

}  // namespace vigil::schema
