#include "vigil/schema/table_batch.h"

namespace vigil::schema {

TableBatch::TableBatch(const TableSchema& schema) : schema_(&schema) {
  columns_.resize(schema.column_count());
  for (size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].type = schema.column(i).type;
  }
}

size_t TableBatch::ByteSize() const {
  size_t total = 0;
  for (const auto& col : columns_) {
    total += col.valid.size() + col.ints.size() * 8 + col.reals.size() * 8 +
             col.offsets.size() * 4 + col.bytes.size();
  }
  return total;
}

void TableBatch::BeginRow() {
  for (auto& col : columns_) {
    col.valid.push_back(0);
    if (IsIntegerBacked(col.type)) {
      col.ints.push_back(0);
    } else if (col.type == ColumnType::kReal) {
      col.reals.push_back(0.0);
    } else {
      col.offsets.push_back(static_cast<uint32_t>(col.bytes.size()));
    }
  }
  ++rows_;
}

void TableBatch::SetNull(size_t col) {
  ColumnData& data = columns_[col];
  data.valid.back() = 0;
  if (IsIntegerBacked(data.type)) {
    data.ints.back() = 0;
  } else if (data.type == ColumnType::kReal) {
    data.reals.back() = 0.0;
  } else {
    data.bytes.resize(data.offsets[data.offsets.size() - 2]);
    data.offsets.back() = static_cast<uint32_t>(data.bytes.size());
  }
}

void TableBatch::SetInt(size_t col, int64_t value) {
  ColumnData& data = columns_[col];
  if (!IsIntegerBacked(data.type)) {
    if (data.type == ColumnType::kReal) {
      SetReal(col, static_cast<double>(value));
    }
    return;
  }
  if (data.type == ColumnType::kBool) {
    value = value != 0 ? 1 : 0;
  } else if (data.type == ColumnType::kInt) {
    value = static_cast<int32_t>(value);
  }
  data.ints.back() = value;
  data.valid.back() = 1;
}

void TableBatch::SetReal(size_t col, double value) {
  ColumnData& data = columns_[col];
  if (data.type != ColumnType::kReal) {
    return;
  }
  data.reals.back() = value;
  data.valid.back() = 1;
}

void TableBatch::SetBytes(size_t col, std::string_view value) {
  ColumnData& data = columns_[col];
  if (!IsBytesBacked(data.type)) {
    return;
  }
  data.bytes.resize(data.offsets[data.offsets.size() - 2]);
  data.bytes.append(value);
  data.offsets.back() = static_cast<uint32_t>(data.bytes.size());
  data.valid.back() = 1;
}

void TableBatch::DropLastRow() {
  if (rows_ == 0) {
    return;
  }
  for (auto& col : columns_) {
    col.valid.pop_back();
    if (IsIntegerBacked(col.type)) {
      col.ints.pop_back();
    } else if (col.type == ColumnType::kReal) {
      col.reals.pop_back();
    } else {
      col.offsets.pop_back();
      col.bytes.resize(col.offsets.back());
    }
  }
  --rows_;
}

void TableBatch::Append(const TableBatch& other) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnData& dst = columns_[c];
    const ColumnData& src = other.columns_[c];
    dst.valid.insert(dst.valid.end(), src.valid.begin(), src.valid.end());
    if (IsIntegerBacked(dst.type)) {
      dst.ints.insert(dst.ints.end(), src.ints.begin(), src.ints.end());
    } else if (dst.type == ColumnType::kReal) {
      dst.reals.insert(dst.reals.end(), src.reals.begin(), src.reals.end());
    } else {
      const auto base = static_cast<uint32_t>(dst.bytes.size());
      dst.bytes.append(src.bytes);
      for (size_t r = 1; r < src.offsets.size(); ++r) {
        dst.offsets.push_back(base + src.offsets[r]);
      }
    }
  }
  rows_ += other.rows_;
}

void TableBatch::Clear() {
  for (auto& col : columns_) {
    col.valid.clear();
    col.ints.clear();
    col.reals.clear();
    col.offsets.assign(1, 0);
    col.bytes.clear();
  }
  rows_ = 0;
}

void TableBatch::Reserve(size_t rows) {
  for (auto& col : columns_) {
    col.valid.reserve(rows);
    if (IsIntegerBacked(col.type)) {
      col.ints.reserve(rows);
    } else if (col.type == ColumnType::kReal) {
      col.reals.reserve(rows);
    } else {
      col.offsets.reserve(rows + 1);
    }
  }
}

}  // namespace vigil::schema
