#include "vigil/api/odata/query.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "vigil/base/time.h"

namespace vigil::api::odata {

namespace {

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const JsonValue kNull;

Result<int64_t> ParseCount(std::string_view name, const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) {
    return InvalidArgumentError("invalid {} value '{}': expected a non-negative integer", name,
                                text);
  }
  return value;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      comma = text.size();
    }
    std::string_view part = text.substr(start, comma - start);
    while (!part.empty() && part.front() == ' ') {
      part.remove_prefix(1);
    }
    while (!part.empty() && part.back() == ' ') {
      part.remove_suffix(1);
    }
    if (!part.empty()) {
      parts.emplace_back(part);
    }
    start = comma + 1;
  }
  return parts;
}

bool KnownField(const std::vector<std::string>& fields, std::string_view name) {
  if (fields.empty()) {
    return true;
  }
  const std::string_view head = name.substr(0, name.find('/'));
  return std::any_of(fields.begin(), fields.end(),
                     [&](const std::string& f) { return EqualsIgnoreCase(f, head); });
}

}  // namespace

bool QueryOptions::Expands(std::string_view what) const {
  return std::any_of(expand.begin(), expand.end(),
                     [&](const std::string& e) { return EqualsIgnoreCase(e, what); });
}

Result<QueryOptions> ParseQueryOptions(const std::multimap<std::string, std::string>& query,
                                       const QueryLimits& limits) {
  QueryOptions options;
  options.top = limits.default_top;
  for (const auto& [raw_name, value] : query) {
    std::string name = ToLower(raw_name);
    if (!name.empty() && name[0] == '$') {
      name.erase(0, 1);
    }
    if (name == "filter") {
      VIGIL_ASSIGN_OR_RETURN(Filter filter, Filter::Parse(value, limits.fields));
      options.filter = std::move(filter);
    } else if (name == "top") {
      VIGIL_ASSIGN_OR_RETURN(options.top, ParseCount("$top", value));
      if (options.top > limits.max_top) {
        return InvalidArgumentError("invalid $top value {}: the maximum is {}", options.top,
                                    limits.max_top);
      }
      options.top_given = true;
    } else if (name == "skip") {
      VIGIL_ASSIGN_OR_RETURN(options.skip, ParseCount("$skip", value));
    } else if (name == "orderby") {
      for (const std::string& part : SplitList(value)) {
        OrderKey key;
        const size_t space = part.find(' ');
        key.field = part.substr(0, space);
        if (space != std::string::npos) {
          std::string direction = ToLower(part.substr(space + 1));
          direction.erase(0, direction.find_first_not_of(' '));
          if (direction == "desc") {
            key.descending = true;
          } else if (direction != "asc") {
            return InvalidArgumentError("invalid $orderby: expected asc or desc after '{}'",
                                        key.field);
          }
        }
        if (!KnownField(limits.fields, key.field)) {
          return InvalidArgumentError("invalid $orderby: unknown field '{}'", key.field);
        }
        options.order.push_back(std::move(key));
      }
    } else if (name == "expand") {
      for (const std::string& part : SplitList(value)) {
        const bool known =
            std::any_of(limits.expandable.begin(), limits.expandable.end(),
                        [&](const std::string& e) { return EqualsIgnoreCase(e, part); });
        if (!known) {
          return InvalidArgumentError("invalid $expand: '{}' cannot be expanded here", part);
        }
        options.expand.push_back(ToLower(part));
      }
    } else if (name == "select") {
      options.select = SplitList(value);
    } else if (name == "count") {
      const std::string lower = ToLower(value);
      if (lower != "true" && lower != "false") {
        return InvalidArgumentError("invalid $count value '{}': expected true or false", value);
      }
      options.count = lower == "true";
    }
  }
  return options;
}

Page ApplyQuery(const QueryOptions& options, std::vector<JsonValue> records) {
  Page page;
  if (options.filter) {
    std::erase_if(records, [&](const JsonValue& r) { return !options.filter->Matches(r); });
  }
  if (!options.order.empty()) {
    std::stable_sort(records.begin(), records.end(), [&](const JsonValue& a, const JsonValue& b) {
      for (const OrderKey& key : options.order) {
        const JsonValue* x = Lookup(a, key.field);
        const JsonValue* y = Lookup(b, key.field);
        const int cmp = CompareForOrder(x != nullptr ? *x : kNull, y != nullptr ? *y : kNull);
        if (cmp != 0) {
          return key.descending ? cmp > 0 : cmp < 0;
        }
      }
      return false;
    });
  }
  page.total = static_cast<int64_t>(records.size());
  const size_t begin = static_cast<size_t>(std::min<int64_t>(options.skip, page.total));
  const size_t end =
      static_cast<size_t>(std::min<int64_t>(page.total, static_cast<int64_t>(begin) + options.top));
  page.more = static_cast<int64_t>(end) < page.total;
  for (size_t i = begin; i < end; ++i) {
    if (options.select.empty()) {
      page.items.push_back(std::move(records[i]));
      continue;
    }
    JsonValue projected = JsonValue::Object();
    for (const std::string& field : options.select) {
      if (const JsonValue* value = records[i].FindCaseless(field)) {
        projected.Set(field, *value);
      }
    }
    page.items.push_back(std::move(projected));
  }
  return page;
}

}  // namespace vigil::api::odata