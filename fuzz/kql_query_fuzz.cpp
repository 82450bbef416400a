// libFuzzer target for the whole KQL engine: any query text is parsed, bound and run over a
// small in-memory table and the (empty) hunting schema under tight limits. It must return a
// result or a KqlError, never crash, hang or exceed its memory budget.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace {

vigil::kql::Engine& FuzzEngine() {
  static vigil::kql::Engine* engine = [] {
    auto* e = new vigil::kql::Engine(nullptr, &vigil::schema::Catalog::Default());
    auto t = std::make_shared<vigil::kql::Table>();
    t->Reset({{"Name", vigil::kql::Type::kString},
              {"N", vigil::kql::Type::kLong},
              {"When", vigil::kql::Type::kDateTime},
              {"Bag", vigil::kql::Type::kDynamic}});
    for (int i = 0; i < 50; ++i) {
      t->AppendRow({vigil::kql::Value::String(i % 3 == 0 ? "cmd.exe -enc AAA" : "powershell"),
                    vigil::kql::Value::Long(i), vigil::kql::Value::DateTime(i * 36'000'000'000LL),
                    *vigil::kql::ParseJson(R"({"a":[1,2,{"b":"x"}],"c":"d"})")});
    }
    e->AddTable("T", t);
    return e;
  }();
  return *engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) {
    return 0;  // long inputs only slow the search down
  }
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  vigil::kql::QueryOptions options;
  options.now_ticks = 1;
  options.limits.max_result_rows = 1000;
  options.limits.memory_budget_bytes = 64u << 20;
  options.limits.timeout = std::chrono::milliseconds(2000);
  auto result = FuzzEngine().Run(query, options);
  if (!result) {
    (void)result.error().ToString();
  }
  return 0;
}
