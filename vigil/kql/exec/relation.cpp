#include "vigil/kql/exec/relation.h"

namespace vigil::kql {

int FindColumn(const Schema& schema, std::string_view name) {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

void Table::Append(const Chunk& chunk) {
  for (size_t c = 0; c < cols.size() && c < chunk.cols.size(); ++c) {
    cols[c].insert(cols[c].end(), chunk.cols[c].begin(), chunk.cols[c].begin() + chunk.rows);
  }
  rows += chunk.rows;
}

void Table::AppendRow(const std::vector<Value>& row) {
  for (size_t c = 0; c < cols.size(); ++c) {
    cols[c].push_back(c < row.size() ? row[c] : Value());
  }
  ++rows;
}

}  // namespace vigil::kql
