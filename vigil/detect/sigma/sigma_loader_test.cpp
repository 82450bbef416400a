// Unit tests for loader.h and load_report.h: documents, metadata, detections, filters,
// correlations, paths, placeholders, error reasons and robustness to garbage input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "vigil/detect/sigma/load_report.h"
#include "vigil/detect/sigma/loader.h"

namespace vigil::detect::sigma {
namespace {

RuleSet Load(std::string_view yaml, const LoadOptions& options = {}) {
  auto set = LoadRuleText(yaml, "test.yml", options);
  EXPECT_TRUE(set.ok());
  return set.ok() ? std::move(*set) : RuleSet{};
}

constexpr char kRule[] = R"(title: Suspicious Thing
id: 11111111-1111-1111-1111-111111111111
name: suspicious_thing
status: test
description: Finds things
author: Jane Doe, John Roe
date: 2024-01-02
modified: 2024-02-03
license: DRL-1.1
references:
    - https://example.com/a
tags:
    - attack.execution
    - attack.t1059.001
logsource:
    product: windows
    category: process_creation
detection:
    selection_img:
        - Image|endswith: '\powershell.exe'
        - OriginalFileName: 'PowerShell.EXE'
    selection_cli:
        CommandLine|contains|all:
            - ' -enc '
            - 'bypass'
        ParentImage: null
    keywords:
        - 'evil'
        - 'bad*thing'
    filter_main:
        User: ''
    condition: all of selection_* and not filter_main
falsepositives:
    - Admins
fields:
    - CommandLine
level: high
)";

TEST(SigmaLoaderTest, LoadsRuleMetadataAndDetection) {
  const RuleSet set = Load(kRule);
  ASSERT_TRUE(set.errors.empty()) << set.errors[0].reason;
  ASSERT_EQ(set.rules.size(), 1u);
  const Rule& rule = set.rules[0];
  EXPECT_EQ(rule.id, "11111111-1111-1111-1111-111111111111");
  EXPECT_EQ(rule.name, "suspicious_thing");
  EXPECT_EQ(rule.author, "Jane Doe, John Roe");
  EXPECT_EQ(rule.date, "2024-01-02");
  EXPECT_EQ(rule.modified, "2024-02-03");
  EXPECT_EQ(rule.license, "DRL-1.1");
  EXPECT_EQ(rule.status, "test");
  EXPECT_EQ(rule.level, Level::kHigh);
  EXPECT_EQ(rule.tags, (std::vector<std::string>{"attack.execution", "attack.t1059.001"}));
  EXPECT_EQ(rule.references.size(), 1u);
  EXPECT_EQ(rule.falsepositives, std::vector<std::string>{"Admins"});
  EXPECT_EQ(rule.fields, std::vector<std::string>{"CommandLine"});
  EXPECT_EQ(rule.logsource.product, "windows");
  EXPECT_EQ(rule.logsource.category, "process_creation");
  EXPECT_EQ(rule.source_path, "test.yml");
  EXPECT_EQ(rule.condition_text, "all of selection_* and not filter_main");
  ASSERT_EQ(rule.searches.size(), 4u);
  // List of maps: OR of two alternatives.
  EXPECT_EQ(rule.searches[0].name, "selection_img");
  ASSERT_EQ(rule.searches[0].any_of.size(), 2u);
  EXPECT_EQ(rule.searches[0].any_of[0][0].op, MatchOp::kEndsWith);
  EXPECT_EQ(rule.searches[0].any_of[0][0].values[0].alternatives[0], "\\powershell.exe");
  // Map: one alternative ANDing two fields.
  ASSERT_EQ(rule.searches[1].any_of.size(), 1u);
  ASSERT_EQ(rule.searches[1].any_of[0].size(), 2u);
  EXPECT_TRUE(rule.searches[1].any_of[0][0].match_all);
  EXPECT_EQ(rule.searches[1].any_of[0][1].op, MatchOp::kNull);
  // Keyword list.
  const FieldTest& keywords = rule.searches[2].any_of[0][0];
  EXPECT_EQ(keywords.field, "");
  EXPECT_EQ(keywords.op, MatchOp::kGlob);  // "bad*thing" needs a glob, so both are globs
  EXPECT_EQ(keywords.values[0].alternatives[0], "*evil*");
  EXPECT_EQ(rule.searches[3].any_of[0][0].values[0].alternatives[0], "");
  // all of selection_* and not filter_main
  EXPECT_EQ(rule.condition.kind, Condition::Kind::kAnd);
  ASSERT_EQ(rule.condition.children.size(), 2u);
  EXPECT_EQ(rule.condition.children[0].kind, Condition::Kind::kAnd);
  EXPECT_EQ(rule.condition.children[1].kind, Condition::Kind::kNot);
}

TEST(SigmaLoaderTest, LevelDefaultsToMediumAndUnknownLevelFails) {
  const RuleSet ok = Load(R"(title: t
logsource: {product: windows}
detection: {sel: {A: 1}, condition: sel}
)");
  ASSERT_EQ(ok.rules.size(), 1u);
  EXPECT_EQ(ok.rules[0].level, Level::kMedium);
  EXPECT_EQ(ok.rules[0].searches[0].any_of[0][0].values[0].number, 1.0);
  const RuleSet bad = Load(R"(title: t
logsource: {product: windows}
detection: {sel: {A: 1}, condition: sel}
level: severe
)");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].reason, "unknown level 'severe'");
  EXPECT_EQ(bad.errors[0].line, 4);
}

TEST(SigmaLoaderTest, KeywordAllKeyAndDeprecatedStatus) {
  constexpr char kText[] = R"(title: t
status: deprecated
logsource: {product: linux}
detection:
    keywords:
        '|all':
            - 'a'
            - 'b'
    condition: keywords
)";
  RuleSet set = Load(kText);
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].status, "deprecated");
  EXPECT_TRUE(set.rules[0].searches[0].any_of[0][0].match_all);
  EXPECT_EQ(set.rules[0].searches[0].any_of[0][0].field, "");
  LoadOptions options;
  options.include_deprecated = false;
  set = Load(kText, options);
  EXPECT_TRUE(set.rules.empty());
  EXPECT_TRUE(set.errors.empty());
}

TEST(SigmaLoaderTest, ErrorsCarryReasonLineAndIdAndOthersKeepLoading) {
  constexpr char kText[] = R"(title: bad modifier
id: bad-1
logsource: {product: windows}
detection:
    sel:
        Image|foo: x
    condition: sel
---
title: good
id: good-1
logsource: {product: windows}
detection:
    sel:
        Image: x
    condition: sel
---
title: old aggregation
id: bad-2
logsource: {product: windows}
detection:
    sel:
        Image: x
    condition: sel | count() by Host > 5
---
title: bad regex
id: bad-3
logsource: {product: windows}
detection:
    sel:
        Image|re: '(unclosed'
    condition: sel
---
- just a list
)";
  const RuleSet set = Load(kText);
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].id, "good-1");
  ASSERT_EQ(set.errors.size(), 4u);
  EXPECT_EQ(set.errors[0].id, "bad-1");
  EXPECT_EQ(set.errors[0].title, "bad modifier");
  EXPECT_EQ(set.errors[0].document, 0);
  EXPECT_EQ(set.errors[0].line, 6);
  EXPECT_EQ(set.errors[0].reason, "unknown modifier 'foo' on field 'Image'");
  EXPECT_EQ(set.errors[1].reason,
            "sigma 1.x aggregation in condition is not supported; rewrite as a correlation rule");
  EXPECT_EQ(set.errors[1].document, 2);
  EXPECT_EQ(set.errors[1].line, 23);
  EXPECT_EQ(set.errors[2].id, "bad-3");
  EXPECT_EQ(set.errors[2].reason.rfind("invalid regular expression on field 'Image'", 0), 0u);
  EXPECT_EQ(set.errors[3].reason, "document is not a yaml map");
}

TEST(SigmaLoaderTest, YamlSyntaxErrorHasLine) {
  const RuleSet set = Load("title: t\ndetection:\n  sel: [a, b\n  condition: sel\n");
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].reason.rfind("yaml syntax error", 0), 0u);
  EXPECT_GT(set.errors[0].line, 0);
}

TEST(SigmaLoaderTest, MetaFilterIsAppliedAsAndNot) {
  constexpr char kText[] = R"(title: rule
id: rule-1
logsource: {product: windows, category: process_creation}
detection:
    selection:
        Image|endswith: '\cmd.exe'
    condition: selection
---
title: tuning
id: filter-1
logsource: {product: windows, category: process_creation}
filter:
    rules:
        - rule-1
        - no-such-rule
    selection:
        ComputerName|startswith: 'DC-'
    condition: selection
)";
  const RuleSet set = Load(kText);
  EXPECT_EQ(set.filters_loaded, 1);
  ASSERT_EQ(set.rules.size(), 1u);
  const Rule& rule = set.rules[0];
  EXPECT_EQ(rule.filters_applied, std::vector<std::string>{"filter-1"});
  ASSERT_EQ(rule.searches.size(), 2u);
  EXPECT_EQ(rule.searches[0].name, "selection");
  EXPECT_EQ(rule.searches[1].name, "_filter0_selection");
  EXPECT_EQ(rule.searches[1].any_of[0][0].field, "ComputerName");
  EXPECT_EQ(rule.condition_text, "(selection) and not (selection)");
  ASSERT_EQ(rule.condition.kind, Condition::Kind::kAnd);
  EXPECT_EQ(rule.condition.children[0].search, 0);
  ASSERT_EQ(rule.condition.children[1].kind, Condition::Kind::kNot);
  EXPECT_EQ(rule.condition.children[1].children[0].search, 1);
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].reason, "filter: targets unknown rule 'no-such-rule'");
  EXPECT_EQ(set.errors[0].id, "filter-1");
}

TEST(SigmaLoaderTest, CorrelationAllTypes) {
  const char* types[] = {"event_count", "value_count", "temporal",        "temporal_ordered",
                         "value_sum",   "value_avg",   "value_percentile"};
  const CorrelationType expected[] = {
      CorrelationType::kEventCount,      CorrelationType::kValueCount, CorrelationType::kTemporal,
      CorrelationType::kTemporalOrdered, CorrelationType::kValueSum,   CorrelationType::kValueAvg,
      CorrelationType::kValuePercentile};
  for (int i = 0; i < 7; ++i) {
    const std::string text = std::string(R"(title: many failures
id: corr-1
name: many_failures
level: critical
correlation:
    type: )") + types[i] + R"(
    rules:
        - failed_logon
        - 22222222-2222-2222-2222-222222222222
    group-by:
        - TargetUserName
        - IpAddress
    timespan: 5m
    condition:
        gte: 10
        lt: 100
        field: TargetUserName
        percentile: 95
    aliases:
        ip:
            failed_logon: IpAddress
            22222222-2222-2222-2222-222222222222: SourceIp
    generate: true
)";
    const RuleSet set = Load(text);
    ASSERT_EQ(set.errors.size(), 0u) << types[i] << ": " << set.errors[0].reason;
    ASSERT_EQ(set.correlations.size(), 1u);
    const Correlation& corr = set.correlations[0];
    EXPECT_EQ(corr.type, expected[i]);
    EXPECT_EQ(corr.name, "many_failures");
    EXPECT_EQ(corr.level, Level::kCritical);
    EXPECT_EQ(corr.rules.size(), 2u);
    EXPECT_EQ(corr.group_by, (std::vector<std::string>{"TargetUserName", "IpAddress"}));
    EXPECT_EQ(corr.timespan_seconds, 300);
    EXPECT_EQ(corr.condition.gte, 10.0);
    EXPECT_EQ(corr.condition.lt, 100.0);
    EXPECT_FALSE(corr.condition.gt.has_value());
    EXPECT_EQ(corr.condition.field, "TargetUserName");
    EXPECT_EQ(corr.aliases.at("ip").at("failed_logon"), "IpAddress");
    EXPECT_TRUE(corr.generate);
    EXPECT_EQ(corr.source_path, "test.yml");
  }
}

std::string CorrelationError(std::string_view body) {
  const RuleSet set = Load(std::string("title: c\ncorrelation:\n") + std::string(body));
  return set.errors.empty() ? "<ok>" : set.errors[0].reason;
}

TEST(SigmaLoaderTest, CorrelationValidation) {
  EXPECT_EQ(CorrelationError("  type: temporal\n  rules: [a, b]\n  timespan: 30s\n"), "<ok>");
  EXPECT_EQ(CorrelationError("  type: bogus\n  rules: [a]\n  timespan: 1h\n"),
            "correlation: unknown type 'bogus'");
  EXPECT_EQ(CorrelationError("  type: event_count\n  timespan: 1h\n  condition: {gte: 1}\n"),
            "correlation: missing rules");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  timespan: 1x\n"
                             "  condition: {gte: 1}\n"),
            "correlation: invalid timespan '1x' (expected e.g. 30s, 5m, 1h, 2d)");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  timespan: -5m\n"
                             "  condition: {gte: 1}\n"),
            "correlation: invalid timespan '-5m' (expected e.g. 30s, 5m, 1h, 2d)");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  condition: {gte: 1}\n"),
            "correlation: missing timespan");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  timespan: 2d\n"),
            "correlation: missing condition");
  EXPECT_EQ(CorrelationError("  type: value_count\n  rules: a\n  timespan: 2d\n"
                             "  condition: {gte: 3}\n"),
            "correlation: value_count needs condition.field");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  timespan: 2d\n"
                             "  condition: {more: 3}\n"),
            "correlation: unknown condition key 'more'");
  EXPECT_EQ(CorrelationError("  type: event_count\n  rules: a\n  timespan: 2d\n"
                             "  condition: {gte: lots}\n"),
            "correlation: condition 'gte' needs a number");
}

std::filesystem::path MakeTree() {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sigma_loader_test_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir / "sub");
  auto write = [&](const std::string& rel, const std::string& text) {
    std::ofstream(dir / rel) << text;
  };
  write("b.yml",
        "title: b\nid: rule-b\nlogsource: {product: x}\n"
        "detection: {sel: {A: 1}, condition: sel}\n");
  write("sub/a.yaml",
        "title: a\nid: rule-a\nlogsource: {product: x}\n"
        "detection: {sel: {A: 1}, condition: sel}\n");
  write("sub/notes.txt", "not yaml at all: [");
  write("sub/broken.yml", "title: [\n");
  write("corr.yml",
        "title: c\ncorrelation:\n  type: event_count\n  rules: [rule-a, rule-zzz]\n"
        "  timespan: 1h\n  condition: {gte: 2}\n");
  write("filter.yml",
        "title: f\nid: filter-x\nlogsource: {product: x}\nfilter:\n"
        "  rules: rule-b\n  sel: {B: 2}\n  condition: sel\n");
  return dir;
}

TEST(SigmaLoaderTest, LoadRulePathsRecursesSortsAndAppliesFiltersAcrossFiles) {
  const auto dir = MakeTree();
  const RuleSet set = LoadRulePaths({dir.string()}, {});
  EXPECT_EQ(set.files_read, 5);
  ASSERT_EQ(set.rules.size(), 2u);
  EXPECT_EQ(set.rules[0].source_path, "b.yml");
  EXPECT_EQ(set.rules[1].source_path, "sub/a.yaml");
  EXPECT_EQ(set.rules[0].filters_applied, std::vector<std::string>{"filter-x"});
  EXPECT_TRUE(set.rules[1].filters_applied.empty());
  EXPECT_EQ(set.filters_loaded, 1);
  EXPECT_TRUE(set.correlations.empty());
  ASSERT_EQ(set.errors.size(), 2u);
  EXPECT_EQ(set.errors[0].path, "sub/broken.yml");
  EXPECT_EQ(set.errors[1].reason, "correlation: references unknown rule 'rule-zzz'");

  const std::string report = FormatLoadReport(set);
  EXPECT_NE(report.find("rules: 2 loaded, 0 failed"), std::string::npos) << report;
  EXPECT_NE(report.find("correlations: 0 loaded, 1 failed"), std::string::npos) << report;
  EXPECT_NE(report.find("filters: 1 loaded, 0 failed"), std::string::npos) << report;
  EXPECT_NE(report.find("sub/broken.yml:"), std::string::npos) << report;
  EXPECT_NE(report.find("1 correlation: references unknown rule '…'"), std::string::npos) << report;

  const RuleSet missing = LoadRulePaths({(dir / "nope").string()}, {});
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].reason, "no such file or directory");
  std::filesystem::remove_all(dir);
}

TEST(SigmaLoaderTest, PlaceholderFileAndExpand) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("sigma_placeholders_" + std::to_string(std::random_device{}()) + ".yml");
  std::ofstream(path) << "Administrators: ['Administrator', 'Admin']\n'%Servers%': srv01\n";
  auto placeholders = LoadPlaceholderFile(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(placeholders.ok()) << placeholders.error().message();
  EXPECT_EQ(placeholders->at("Administrators"),
            (std::vector<std::string>{"Administrator", "Admin"}));
  EXPECT_EQ(placeholders->at("Servers"), std::vector<std::string>{"srv01"});
  EXPECT_FALSE(LoadPlaceholderFile("/nonexistent/placeholders.yml").ok());

  constexpr char kText[] = R"(title: t
logsource: {product: windows}
detection:
    sel:
        SubjectUserName|expand: '%Administrators%'
    condition: sel
)";
  LoadOptions options;
  options.placeholders = *placeholders;
  RuleSet set = Load(kText, options);
  ASSERT_EQ(set.rules.size(), 1u);
  EXPECT_EQ(set.rules[0].searches[0].any_of[0][0].values[0].alternatives.size(), 2u);
  set = Load(kText);
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].reason,
            "unresolved placeholder '%Administrators%' on field 'SubjectUserName'");
}

TEST(SigmaLoaderTest, GarbageInputNeverThrows) {
  const std::vector<std::string> inputs = {
      "",
      "---\n---\n",
      "\xFF\xFE\x00\x01",
      "[[[[[[[[[[[[",
      "{a: *b}",
      "a: &x [*x]",
      "detection: 5",
      "title: t\ndetection: {condition: sel}\nlogsource: {}",
      "title: t\nlogsource: x\ndetection: {sel: x, condition: sel}",
      "correlation: 5",
      "correlation: {type: [a]}",
      "filter: {rules: [], condition: x}",
      "detection: {sel: [[a]], condition: sel}\nlogsource: {}",
      "detection: {sel: {A: {B: c}}, condition: sel}\nlogsource: {}",
      "detection: {sel: ~, condition: [[x]]}\nlogsource: {}",
      "logsource: {}\ndetection:\n  sel: &a {A: [1,2,3,4,5,6,7,8,9,10]}\n  condition: sel",
      std::string(100000, '['),
      std::string(3000, '-') + "\n"};
  for (const auto& input : inputs) {
    auto set = LoadRuleText(input, "garbage.yml", {});
    EXPECT_TRUE(set.ok());
  }
  std::mt19937 rng(7);
  const std::string alphabet = "abc:-|*?\\'\"[]{}&!%\n \t#0123456789";
  for (int round = 0; round < 500; ++round) {
    std::string input = kRule;
    for (int k = 0; k < 10; ++k) {
      input[rng() % input.size()] = alphabet[rng() % alphabet.size()];
    }
    auto set = LoadRuleText(input, "mutated.yml", {});
    EXPECT_TRUE(set.ok());
  }
  LoadOptions tiny;
  tiny.max_file_bytes = 10;
  EXPECT_FALSE(LoadRuleText(kRule, "big.yml", tiny).ok());
}

TEST(SigmaLoadReportTest, ReasonClass) {
  EXPECT_EQ(ReasonClass("unknown modifier 'foo' on field 'Image'"),
            "unknown modifier '…' on field '…'");
  EXPECT_EQ(ReasonClass("invalid regular expression on field 'X': missing )"),
            "invalid regular expression on field '…'");
  EXPECT_EQ(ReasonClass("correlation: unknown type 'x'"), "correlation: unknown type '…'");
}

}  // namespace
}  // namespace vigil::detect::sigma

namespace vigil::detect::sigma {
namespace {

// A value with five word-initial dashes expands to 5^5 = 3,125 windash variants.
std::string WindashRule(int id, int values) {
  std::string yaml = "title: Wide " + std::to_string(id) +
                     "\nid: 33333333-3333-4333-8333-" + std::to_string(100000000000 + id) +
                     "\nlogsource: {product: windows, category: process_creation}\n"
                     "detection:\n  sel:\n    CommandLine|contains|windash:\n";
  for (int v = 0; v < values; ++v) {
    yaml += "      - ' -a" + std::to_string(v) + " -b -c -d -e'\n";
  }
  return yaml + "  condition: sel\n";
}

TEST(SigmaLoaderTest, ExpansionIsBoundedPerRuleAndPerFile) {
  // 6 values x 3,125 variants = 18,750 patterns: loads.
  RuleSet ok = Load(WindashRule(1, 6));
  ASSERT_EQ(ok.rules.size(), 1u) << (ok.errors.empty() ? "" : ok.errors[0].reason);
  // 7 values: 21,875 > 20,000 patterns for one rule.
  RuleSet wide = Load(WindashRule(2, 7));
  EXPECT_TRUE(wide.rules.empty());
  ASSERT_EQ(wide.errors.size(), 1u);
  EXPECT_NE(wide.errors[0].reason.find("rule expands to 21875 patterns"), std::string::npos)
      << wide.errors[0].reason;
  // Six such rules in one file pass 100,000 patterns together: the last one is refused.
  std::string file;
  for (int i = 0; i < 6; ++i) {
    file += (i ? "---\n" : "") + WindashRule(10 + i, 6);
  }
  RuleSet many = Load(file);
  EXPECT_EQ(many.rules.size(), 5u);
  ASSERT_EQ(many.errors.size(), 1u);
  EXPECT_NE(many.errors[0].reason.find("the file expands to more than 100000 patterns"),
            std::string::npos)
      << many.errors[0].reason;
}

}  // namespace
}  // namespace vigil::detect::sigma
