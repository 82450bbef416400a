// OData query options as the Defender and Graph APIs take them: $filter (comparisons, and/or/
// not, parentheses, `in (...)`, startswith/endswith/contains), $top, $skip, $orderby, $expand,
// $select and $count, parsed once and evaluated over JsonValue records so every resource
// filters, sorts and pages the same way. Used by vigil/api/resources. Parsed objects are
// immutable and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/api/odata/json_value.h"
#include "vigil/base/status.h"

namespace vigil::api::odata {

inline constexpr size_t kMaxFilterBytes = 8192;
inline constexpr int kMaxFilterDepth = 64;

struct FilterNode;

// A parsed $filter. String comparisons ignore ASCII case (enum spellings differ between the
// Defender and Graph APIs); a datetime literal (`2018-08-01Z`, `2024-01-01T00:00:00Z`, or a
// quoted one) compares by time with string fields holding ISO 8601 text.
class Filter {
 public:
  // `fields`: the field names the resource accepts (case-insensitive; a path `a/b` is checked
  // by its first segment); empty accepts any. Errors (kInvalidArgument) name the 1-based
  // position: "syntax error at position 12: expected ')'", "unknown field 'foo' at position 1".
  static Result<Filter> Parse(std::string_view text, const std::vector<std::string>& fields = {});
  bool Matches(const JsonValue& record) const;

 private:
  std::shared_ptr<const FilterNode> root_;
};

struct OrderKey {
  std::string field;
  bool descending = false;
};

struct QueryLimits {
  int64_t default_top = 100;
  int64_t max_top = 10000;              // a larger $top is an error
  std::vector<std::string> fields;      // filterable/sortable fields; empty = any
  std::vector<std::string> expandable;  // $expand values accepted ("alerts", "evidence")
};

struct QueryOptions {
  std::optional<Filter> filter;
  int64_t top = 100;
  bool top_given = false;
  int64_t skip = 0;
  std::vector<OrderKey> order;
  std::vector<std::string> expand;  // lower-cased
  std::vector<std::string> select;
  bool count = false;

  bool Expands(std::string_view what) const;
};

// Reads $filter, $top, $skip, $orderby, $expand, $select, $count (names case-insensitive, with
// or without '$'). Errors are kInvalidArgument with a message for the 400 body.
Result<QueryOptions> ParseQueryOptions(const std::multimap<std::string, std::string>& query,
                                       const QueryLimits& limits);

struct Page {
  std::vector<JsonValue> items;  // after filter, order, skip, top and select
  int64_t total = 0;             // matches before skip/top (for $count)
  bool more = false;             // matches remain after this page
};

// Filters, sorts (stable; nulls first ascending), pages and projects `records`.
Page ApplyQuery(const QueryOptions& options, std::vector<JsonValue> records);

// Total order used by $orderby: null < bool < number < string (case-insensitive; datetimes in
// ISO 8601 text sort by time because the text does).
int CompareForOrder(const JsonValue& a, const JsonValue& b);

// The value at `path` ("relatedUser/userName"), or nullptr.
const JsonValue* Lookup(const JsonValue& record, std::string_view path);

}  // namespace vigil::api::odata
