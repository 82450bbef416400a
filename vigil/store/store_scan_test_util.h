// Store test helpers that need GoogleTest: opening a store, reading scans back as text rows.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vigil/schema/catalog.h"
#include "vigil/store/store.h"

namespace vigil::store::testing {

// Options for tests: no background thread, compaction after two small segments.
inline StoreOptions Options(const std::filesystem::path& dir) {
  StoreOptions options;
  options.dir = dir;
  options.background_flush = false;
  options.compact_min_segments = 2;
  return options;
}

inline std::unique_ptr<Store> OpenOrDie(const StoreOptions& options, const schema::Catalog& catalog) {
  auto store = Store::Open(options, catalog);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

inline std::string CellText(const ColumnVector& col, size_t row) {
  if (col.IsNull(row)) {
    return "<null>";
  }
  switch (col.type) {
    case schema::ColumnType::kReal:
      return fmt::format("{}", col.reals[row]);
    case schema::ColumnType::kString:
    case schema::ColumnType::kGuid:
      return "'" + std::string(col.GetString(row)) + "'";
    case schema::ColumnType::kDynamic:
      return col.GetDynamic(row).ToJson();
    default:
      return std::to_string(col.ints[row]);
  }
}

// Calls fn(const ColumnBatch&) for each batch the scan returns; the cursor's statistics.
template <typename Fn>
ScanStats ForEachBatch(const Snapshot& snapshot, const ScanRequest& request, Fn&& fn) {
  auto cursor = snapshot.Scan(request);
  EXPECT_TRUE(cursor.ok()) << cursor.status().ToString();
  if (!cursor.ok()) {
    return {};
  }
  ColumnBatch batch;
  while (true) {
    auto more = (*cursor)->Next(batch);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) {
      break;
    }
    fn(static_cast<const ColumnBatch&>(batch));
  }
  return (*cursor)->stats();
}

// Every returned row as "v1|v2|...", sorted (scan order is not part of the contract).
inline std::vector<std::string> ScanRows(const Snapshot& snapshot, const ScanRequest& request,
                                         ScanStats* stats = nullptr) {
  std::vector<std::string> rows;
  const ScanStats got = ForEachBatch(snapshot, request, [&](const ColumnBatch& batch) {
    EXPECT_GT(batch.rows, 0u);
    for (size_t r = 0; r < batch.rows; ++r) {
      std::string row;
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        EXPECT_EQ(batch.column(c).valid.size(), batch.rows);
        row += (c > 0 ? "|" : "") + CellText(batch.column(c), r);
      }
      rows.push_back(std::move(row));
    }
  });
  if (stats != nullptr) {
    *stats = got;
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The ReportId column of `request.table` (DeviceProcessEvents when empty), sorted.
inline std::vector<int64_t> ReportIds(const Snapshot& snapshot, ScanRequest request = {}) {
  if (request.table.empty()) {
    request.table = "DeviceProcessEvents";
  }
  request.columns = {"ReportId"};
  std::vector<int64_t> ids;
  for (const std::string& row : ScanRows(snapshot, request)) {
    ids.push_back(std::stoll(row));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace vigil::store::testing
