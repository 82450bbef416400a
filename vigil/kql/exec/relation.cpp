#include "vigil/kql/exec/relation.h"

#include <algorithm>

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
  for (size_t c = 0; c < cols.size(); ++c) {
    const size_t have = c < chunk.cols.size() ? std::min(chunk.cols[c].size(), chunk.rows) : 0;
    if (have > 0) {
      cols[c].insert(cols[c].end(), chunk.cols[c].begin(),
                     chunk.cols[c].begin() + static_cast<ptrdiff_t>(have));
    }
    cols[c].resize(rows + chunk.rows);  // columns a scan left empty (not needed) become null
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
