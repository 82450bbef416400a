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
#include <utility>
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
  hs_database_t* db = nullptr;  // SINGLEMATCH, scanned over one row's value
  // When the accessor is a plain string column: the same literals without SINGLEMATCH,
  // scanned over the whole column of a batch at once; `fallback` = the accessor reads an
  // AdditionalFields member when the cell is null (such cells are scanned row by row).
  hs_database_t* column_db = nullptr;
  int col = -1;
  bool fallback = false;
};

// Literal-registry accessor id of keyword (field-less) literals.
inline constexpr uint32_t kKeywordAccessor = 0xffffffffu;
inline constexpr uint32_t kNoAtom = 0xffffffffu;

struct Bucket {
  std::vector<uint32_t> rules;                    // indexes into TableMatcher::rules
  std::vector<uint32_t> always;                   // rules evaluated on every row of the bucket
  std::vector<std::vector<uint32_t>> atom_rules;  // atom -> rules it may enable
  std::vector<FieldDatabase> databases;
  std::unordered_map<int64_t, uint32_t> event_id_atoms;
  // Numeric equality on an integer column: the cell's value -> atom, per column.
  struct NumberAtoms {
    int col = -1;
    std::unordered_map<int64_t, uint32_t> atoms;
  };
  std::vector<NumberAtoms> number_atoms;
  size_t atoms = 0;
  // Keyword literals (plain and JSON-escaped forms), scanned over every string cell of the
  // batch (column by column) without SINGLEMATCH; plus the patterns `\u` and `\/` under
  // `escape_atom`, which enables every keyword-prefiltered rule of a row whose
  // AdditionalFields use an escape the escaped literal forms do not cover.
  hs_database_t* keyword_db = nullptr;
  uint32_t escape_atom = kNoAtom;
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
  // Per batch: up to 4 bucket indexes per row (kNoAtom = none).
  std::vector<uint32_t> row_buckets;
  std::vector<RowReader::Header> headers;  // per row, when the table has channel buckets
  std::vector<int32_t> bucket_slot;     // bucket -> index into batch_hits, or -1
  std::vector<uint32_t> bucket_rows;    // bucket -> rows of the batch in it
  // Literal hits found by whole-column scans for one bucket, as rows -> atoms (CSR).
  struct BatchHits {
    uint32_t bucket = 0;
    bool columns_scanned = false;  // the bucket's column databases were scanned whole
    std::vector<std::pair<uint32_t, uint32_t>> raw;  // (row, atom)
    std::vector<uint32_t> row_start;                 // rows + 1
    std::vector<uint32_t> atoms;
  };
  std::vector<BatchHits> batch_hits;
  std::vector<uint32_t> fill;
  ~ThreadState();
};

// evaluate.cpp
bool EvaluateRule(const CompiledRule& rule, RowReader& reader, std::string& fold);
bool EvaluateTest(const CompiledTest& test, RowReader& reader, std::string& fold);
std::optional<double> ParseNumber(std::string_view text);

// prefilter.cpp: the longest literal every match of a RE2 pattern contains (empty: none found);
// `caseless` tells whether the pattern is (?i) (the literal is then folded).
std::string RegexLiteral(std::string_view pattern, bool& caseless);

}  // namespace vigil::detect::match::internal
