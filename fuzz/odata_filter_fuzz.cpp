// libFuzzer target: OData $filter parsing and evaluation over a fixed record, and the
// query-option parser. Any input must yield a Status or a result, never a crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vigil/api/odata/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigil::api::odata::JsonValue;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonValue record = JsonValue::Object();
  record.Set("status", JsonValue::String("New"))
      .Set("severity", JsonValue::String("High"))
      .Set("count", JsonValue::Int(3))
      .Set("created", JsonValue::String("2024-01-01T00:00:00Z"))
      .Set("none", JsonValue());
  auto filter = vigil::api::odata::Filter::Parse(text);
  if (filter.has_value()) {
    (void)filter->Matches(record);
  }
  std::multimap<std::string, std::string> query{
      {"$filter", std::string(text)}, {"$orderby", std::string(text)}, {"$top", std::string(text)}};
  auto options = vigil::api::odata::ParseQueryOptions(query, {});
  if (options.has_value()) {
    (void)vigil::api::odata::ApplyQuery(*options, {record, record});
  }
  (void)vigil::api::odata::ParseJson(text);
  return 0;
}
