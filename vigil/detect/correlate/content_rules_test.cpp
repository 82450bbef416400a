// Checks the shipped rule pack (content/rules/*.yml): every file is one valid YAML document
// with the keys Vigil requires, UUIDs and names are unique, and the correlation rules resolve
// and run in the correlation engine.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "vigil/detect/correlate/correlate_test_util.h"

namespace vigil::detect::correlate {
namespace {

namespace fs = std::filesystem;

struct PackFile {
  std::string file;
  YAML::Node doc;
};

// Loads every .yml of content/rules; empty when VIGIL_SOURCE_DIR is not set.
std::vector<PackFile> LoadPack(std::string* error) {
  const char* root = std::getenv("VIGIL_SOURCE_DIR");
  if (root == nullptr) {
    return {};
  }
  std::vector<PackFile> pack;
  const fs::path dir = fs::path(root) / "content" / "rules";
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yml") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    try {
      auto docs = YAML::LoadAllFromFile(path.string());
      if (docs.size() != 1) {
        *error += path.filename().string() + ": expected one YAML document\n";
        continue;
      }
      pack.push_back({path.filename().string(), docs[0]});
    } catch (const YAML::Exception& e) {
      *error += path.filename().string() + ": " + e.what() + "\n";
    }
  }
  return pack;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Lower-case random (version 4) UUID.
bool IsUuidV4(const std::string& s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

// attack.tNNNN or attack.tNNNN.NNN
bool IsTechnique(const std::string& s) {
  const std::string prefix = "attack.t";
  if (s.rfind(prefix, 0) != 0) {
    return false;
  }
  const std::string rest = s.substr(prefix.size());
  auto digits = [](const std::string& d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (rest.size() == 4) {
    return digits(rest);
  }
  return rest.size() == 8 && rest[4] == '.' && digits(rest.substr(0, 4)) && digits(rest.substr(5));
}

std::string Scalar(const YAML::Node& node, const char* key) {
  const auto value = node[key];
  return value && value.IsScalar() ? value.as<std::string>() : "";
}

TEST(ContentRulesTest, EveryRuleHasTheRequiredKeys) {
  if (std::getenv("VIGIL_SOURCE_DIR") == nullptr) {
    GTEST_SKIP() << "VIGIL_SOURCE_DIR is not set: cannot find content/rules";
  }
  std::string error;
  const auto pack = LoadPack(&error);
  EXPECT_EQ(error, "");
  ASSERT_GE(pack.size(), 30u);

  const std::set<std::string> tactics = {"attack.initial_access",  "attack.execution",
                                         "attack.persistence",     "attack.privilege_escalation",
                                         "attack.defense_evasion", "attack.credential_access",
                                         "attack.discovery",       "attack.lateral_movement",
                                         "attack.collection",      "attack.command_and_control",
                                         "attack.exfiltration",    "attack.impact"};
  const std::set<std::string> levels = {"informational", "low", "medium", "high", "critical"};
  std::set<std::string> ids, names;
  int correlations = 0;
  for (const auto& [file, doc] : pack) {
    SCOPED_TRACE(file);
    ASSERT_TRUE(doc.IsMap());
    EXPECT_FALSE(Scalar(doc, "title").empty());
    const std::string id = Scalar(doc, "id");
    EXPECT_TRUE(IsUuidV4(id)) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    const std::string name = Scalar(doc, "name");
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
    EXPECT_EQ(Scalar(doc, "author"), "Vigil");
    const std::string status = Scalar(doc, "status");
    EXPECT_TRUE(status == "test" || status == "stable") << status;
    EXPECT_TRUE(levels.count(Scalar(doc, "level"))) << Scalar(doc, "level");
    EXPECT_FALSE(Scalar(doc, "description").empty());

    ASSERT_TRUE(doc["tags"] && doc["tags"].IsSequence());
    bool has_tactic = false, has_technique = false;
    for (const auto& tag : doc["tags"]) {
      const auto text = tag.as<std::string>();
      has_tactic = has_tactic || tactics.count(text) > 0;
      has_technique = has_technique || IsTechnique(text);
      EXPECT_TRUE(tactics.count(text) > 0 || IsTechnique(text)) << text;
    }
    EXPECT_TRUE(has_tactic);
    EXPECT_TRUE(has_technique);

    if (doc["correlation"]) {
      ++correlations;
      const auto corr = doc["correlation"];
      EXPECT_FALSE(Scalar(corr, "type").empty());
      EXPECT_TRUE(corr["rules"] && corr["rules"].IsSequence() && corr["rules"].size() > 0);
      EXPECT_FALSE(Scalar(corr, "timespan").empty());
      EXPECT_FALSE(doc["detection"]);
      continue;
    }
    ASSERT_TRUE(doc["logsource"] && doc["logsource"].IsMap());
    EXPECT_EQ(Scalar(doc["logsource"], "product"), "windows");
    EXPECT_TRUE(!Scalar(doc["logsource"], "category").empty() ||
                !Scalar(doc["logsource"], "service").empty());
    ASSERT_TRUE(doc["detection"] && doc["detection"].IsMap());
    const std::string condition = Scalar(doc["detection"], "condition");
    EXPECT_FALSE(condition.empty());
    // Search identifiers are maps (field items) or lists (alternatives or keywords).
    for (const auto& item : doc["detection"]) {
      const auto key = item.first.as<std::string>();
      if (key != "condition") {
        EXPECT_TRUE(item.second.IsMap() || item.second.IsSequence()) << key;
      }
    }
  }
  EXPECT_GE(correlations, 2);
}

int64_t TimespanSeconds(const std::string& text) {
  if (text.size() < 2) {
    return 0;
  }
  const int64_t n = std::stoll(text.substr(0, text.size() - 1));
  switch (text.back()) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    default:
      return 0;
  }
}

// Builds the engine's view of the pack (names, correlation shapes) without the Sigma loader.
sigma::RuleSet PackRuleSet(const std::vector<PackFile>& pack) {
  sigma::RuleSet set;
  for (const auto& [file, doc] : pack) {
    if (!doc["correlation"]) {
      set.rules.push_back(testing::MakeRule(Scalar(doc, "id"), Scalar(doc, "name")));
      continue;
    }
    const auto corr = doc["correlation"];
    sigma::Correlation c;
    c.id = Scalar(doc, "id");
    c.name = Scalar(doc, "name");
    c.title = Scalar(doc, "title");
    const std::string type = Scalar(corr, "type");
    const std::map<std::string, sigma::CorrelationType> types = {
        {"event_count", sigma::CorrelationType::kEventCount},
        {"value_count", sigma::CorrelationType::kValueCount},
        {"temporal", sigma::CorrelationType::kTemporal},
        {"temporal_ordered", sigma::CorrelationType::kTemporalOrdered}};
    c.type = types.count(type) ? types.at(type) : sigma::CorrelationType::kValueSum;
    for (const auto& r : corr["rules"]) {
      c.rules.push_back(r.as<std::string>());
    }
    for (const auto& g : corr["group-by"]) {
      c.group_by.push_back(g.as<std::string>());
    }
    c.timespan_seconds = TimespanSeconds(Scalar(corr, "timespan"));
    if (const auto cond = corr["condition"]) {
      if (cond["gte"]) c.condition.gte = cond["gte"].as<double>();
      if (cond["gt"]) c.condition.gt = cond["gt"].as<double>();
      c.condition.field = Scalar(cond, "field");
    }
    c.generate = corr["generate"] && corr["generate"].as<bool>();
    set.correlations.push_back(std::move(c));
  }
  return set;
}

TEST(ContentRulesTest, CorrelationsResolveAndRun) {
  if (std::getenv("VIGIL_SOURCE_DIR") == nullptr) {
    GTEST_SKIP() << "VIGIL_SOURCE_DIR is not set: cannot find content/rules";
  }
  std::string error;
  const auto pack = LoadPack(&error);
  ASSERT_EQ(error, "");
  const sigma::RuleSet set = PackRuleSet(pack);
  auto engine = testing::MustCreate(set);
  ASSERT_NE(engine, nullptr);
  for (const auto& p : engine->Problems()) {
    ADD_FAILURE() << p.reason;
  }
  ASSERT_GE(set.correlations.size(), 2u);

  uint32_t failed_logon = 0;
  bool found = false;
  for (uint32_t i = 0; i < set.rules.size(); ++i) {
    if (set.rules[i].name == "vigil_failed_logon") {
      failed_logon = i;
      found = true;
    }
  }
  ASSERT_TRUE(found);
  EXPECT_FALSE(engine->ShouldEmitBaseRule(failed_logon));
  // Ten failures for one account from one address in five minutes: one brute-force hit.
  testing::Fields event = {{"IpAddress", "198.51.100.23"}, {"TargetUserName", "svc_backup"}};
  for (int i = 0; i < 12; ++i) {
    engine->OnRuleHit(failed_logon, (1'700'000'000LL + i * 20) * testing::kSec,
                      testing::Getter(event));
  }
  const auto hits = engine->TakeHits();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(set.correlations[hits[0].correlation].name, "vigil_bruteforce_failed_logons");
  EXPECT_EQ(hits[0].value, 10);
}

}  // namespace
}  // namespace vigil::detect::correlate
