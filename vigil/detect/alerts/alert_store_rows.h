// How AlertStore lays alert records out in SQLite: the schema, the alerts column list, record
// <-> row mapping and the WHERE clause of an AlertFilter. Private to alert_store.cpp (and its
// tests through the store). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/sqlite_db.h"
#include "vigil/detect/alerts/alert_store.h"

namespace vigil::detect::alerts::internal {

// Migration steps (step i takes the database from version i to i + 1).
extern const std::array<std::string_view, AlertStore::kSchemaVersion> kAlertSchema;

// The alerts columns in the order ReadAlertRow and BindAlertRow use (parameters ?1..?26).
extern const std::string_view kAlertColumns;

// Reads a row selected as kAlertColumns (comments are not part of it).
AlertRecord ReadAlertRow(const SqliteStatement& row);
// Binds every alerts column of `record`; a zero created time becomes `now_us`, and the last
// update time is always `now_us`.
void BindAlertRow(SqliteStatement& statement, const AlertRecord& record, int64_t now_us);

std::string_view OrderColumn(AlertOrder order);

// WHERE clause of a filter ("" or " WHERE ...") and its values, bound in order from ?1.
struct WhereValue {
  bool is_int = false;
  int64_t int_value = 0;
  std::string text;
};
struct WhereClause {
  std::string sql;
  std::vector<WhereValue> values;
};
WhereClause BuildWhere(const AlertFilter& filter);
void BindWhere(SqliteStatement& statement, const WhereClause& where);

}  // namespace vigil::detect::alerts::internal
