// Comparison of a KQL result table with an expected table written as markdown (the Kusto
// documentation's examples), as the semantic conformance suite uses it. Tolerant of the
// documentation's presentation: number formatting, datetime spellings, JSON spacing, case of
// booleans, empty cells for null. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/kql/exec/relation.h"

namespace vigil::kql::testing {

struct MarkdownTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Parses `| a | b |` / `|---|---|` / rows. Cells are trimmed; `\|` is a literal bar. Returns
// nullopt when there is no header and separator.
std::optional<MarkdownTable> ParseMarkdownTable(std::string_view text);

// True when the expected cell text denotes the actual value.
bool CellMatches(std::string_view expected, const Value& actual, Type type);

struct TableComparison {
  bool ok = false;
  std::string reason;                        // empty when ok; short, one line
  std::vector<std::string> name_mismatches;  // "expected 'a', got 'b'" (reported, not a failure)
};

TableComparison CompareTables(const MarkdownTable& expected, const Table& actual,
                              bool order_sensitive);

// Text of one result row as the report shows it (`a | b | c`), cut to `max_chars`.
std::string RowText(const Table& table, size_t row, size_t max_chars = 160);

}  // namespace vigil::kql::testing
