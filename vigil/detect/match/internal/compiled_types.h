// Internal data of CompiledRuleSet: compiled field tests, rules, per-table buckets with their
// Vectorscan literal databases, and the per-thread state. Built by compiled.cpp, evaluated by
// evaluate.cpp. Immutable after Build except ThreadState (one per thread).
#pragma once

#include <hs/hs.h>
#include <re2/re2.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vigil/detect/match/mapping.h"
#include "vigil/detect/match/row_reader.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::match::internal {

struct CompiledAlt {
  std::string text;              // folded (ASCII lower-case) unless the test is case-sensitive
  std::optional<double> number;  // the literal read as a number (decimal or 0x hex)
  std::unique_ptr<RE2> regex;    // kRegex, kGlob
  bool cidr_v6 = false;          // kCidr
  std::array<uint8_t, 16> net{};
  int prefix = -1;
};

struct CompiledTest {
  int32_t accessor = -1;  // -1: keyword (every string of the row)
  int32_t ref_accessor = -1;
  sigma::MatchOp op = sigma::MatchOp::kEquals;
  sigma::MatchOp fieldref_op = sigma::MatchOp::kEquals;
  sigma::TimePart time_part = sigma::TimePart::kNone;
  bool case_sensitive = false;
  bool negate = false;
  bool match_all = false;
  std::vector<std::vector<CompiledAlt>> values;  // values (OR/AND) of alternatives (OR)
  int cost = 0;
};

struct CompiledRule {
  uint32_t rule = 0;
  FieldContext context = FieldContext::kDevice;
  std::vector<std::vector<std::vector<CompiledTest>>> searches;  // search -> any_of -> all
  sigma::Condition condition;
  std::vector<int64_t> event_ids;  // row constraint; empty = any
};

struct FieldDatabase {
  uint32_t accessor = 0;
  hs_database_t* db = nullptr;
};

struct Bucket {
  std::vector<uint32_t> rules;                    // indexes into TableMatcher::rules
  std::vector<uint32_t> always;                   // rules evaluated on every row of the bucket
  std::vector<std::vector<uint32_t>> atom_rules;  // atom -> rules it may enable
  std::vector<FieldDatabase> databases;
  std::unordered_map<int64_t, uint32_t> event_id_atoms;
  size_t atoms = 0;
};

struct TableMatcher {
  const schema::TableSchema* schema = nullptr;
  std::vector<Accessor> accessors;
  std::vector<CompiledRule> rules;
  std::vector<Bucket> buckets;
  // "<ActionType>\x1f<lower-case channel>", either part empty for "any".
  std::unordered_map<std::string, uint32_t> bucket_index;
  bool action_buckets = false;
  bool channel_buckets = false;
  int action_col = -1;
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_rule;  // rule -> rules[] indexes
  ~TableMatcher();
};

struct ThreadState {
  uint64_t build_id = 0;
  hs_scratch_t* hs_scratch = nullptr;
  RowReader reader;
  std::vector<uint8_t> atom_hit;
  std::vector<uint32_t> atoms_set;
  std::vector<uint64_t> rule_stamp;
  uint64_t stamp = 0;
  std::vector<uint32_t> candidates;
  std::string key;
  std::string fold;
  ~ThreadState();
};

// evaluate.cpp
bool EvaluateRule(const CompiledRule& rule, RowReader& reader, std::string& fold);
bool EvaluateTest(const CompiledTest& test, RowReader& reader, std::string& fold);
std::optional<double> ParseNumber(std::string_view text);

}  // namespace vigil::detect::match::internal
