// libFuzzer target for the Sigma loader and the rule compiler: any bytes must load (rules,
// correlations, filters) or fail with LoadErrors, and whatever loads must compile for the
// hunting tables and match a small batch without crashing or hanging.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vigil/detect/match/compiled.h"
#include "vigil/detect/sigma/loader.h"
#include "vigil/schema/catalog.h"
#include "vigil/schema/table_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::detect::sigma::LoadOptions options;
  options.placeholders["Administrators"] = {"Administrator", "Admin"};
  auto loaded = vigil::detect::sigma::LoadRuleText(input, "fuzz.yml", options);
  if (!loaded.has_value() || loaded->rules.empty()) {
    return 0;
  }
  // Compiling is bounded by the loader's expansion limits; the fuzzer keeps each input's
  // compile small so it explores inputs instead of building large literal databases.
  size_t patterns = 0;
  for (const auto& rule : loaded->rules) {
    for (const auto& search : rule.searches) {
      for (const auto& all_of : search.any_of) {
        for (const auto& test : all_of) {
          for (const auto& value : test.values) {
            patterns += value.alternatives.size();
          }
        }
      }
    }
  }
  if (patterns > 2000) {
    return 0;
  }
  const auto& catalog = vigil::schema::Catalog::Default();
  auto compiled = vigil::detect::match::CompiledRuleSet::Build(*loaded, catalog);
  if (!compiled.has_value()) {
    return 0;
  }
  // One process row with a few fields set, so compiled predicates really run.
  vigil::schema::TableBatch batch(*catalog.Find("DeviceProcessEvents"));
  const auto& schema = batch.schema();
  batch.BeginRow();
  batch.SetInt(static_cast<size_t>(schema.FindColumn("Timestamp")), 638000000000000000);
  batch.SetBytes(static_cast<size_t>(schema.FindColumn("ActionType")), "ProcessCreated");
  batch.SetBytes(static_cast<size_t>(schema.FindColumn("FolderPath")),
                 "C:\\Windows\\System32\\cmd.exe");
  batch.SetBytes(static_cast<size_t>(schema.FindColumn("ProcessCommandLine")),
                 "cmd.exe /c whoami -enc AAAA");
  batch.SetBytes(static_cast<size_t>(schema.FindColumn("AdditionalFields")),
                 R"({"Provider":"Microsoft-Windows-Sysmon","EventID":1,"CurrentDirectory":"C:\\"})");
  vigil::detect::match::MatchScratch scratch;
  std::vector<vigil::detect::match::RuleHit> hits;
  (*compiled)->Match(batch, scratch, hits);
  return 0;
}
