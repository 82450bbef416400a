#include "vigil/detect/match/compiled.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <tuple>
#include <utility>

#include "vigil/detect/match/internal/compiled_types.h"
#include "vigil/detect/match/internal/prefilter.h"
#include "vigil/detect/match/mapping.h"

namespace vigil::detect::match {

using internal::Bucket;
using internal::CompiledAlt;
using internal::CompiledRule;
using internal::CompiledTest;
using internal::TableMatcher;
using internal::ThreadState;
using sigma::MatchOp;

internal::TableMatcher::~TableMatcher() {
  for (auto& bucket : buckets) {
    for (auto& db : bucket.databases) {
      hs_free_database(db.db);
      if (db.column_db != nullptr) {
        hs_free_database(db.column_db);
      }
    }
    if (bucket.keyword_db != nullptr) {
      hs_free_database(bucket.keyword_db);
    }
  }
}

internal::ThreadState::~ThreadState() {
  if (hs_scratch != nullptr) {
    hs_free_scratch(hs_scratch);
  }
}

MatchScratch::MatchScratch() : state_(std::make_unique<ThreadState>()) {}
MatchScratch::~MatchScratch() = default;

CompiledRuleSet::CompiledRuleSet() = default;
CompiledRuleSet::~CompiledRuleSet() = default;

namespace {

std::string FoldText(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = FoldChar(c);
  }
  return out;
}

// RE2 pattern for a Sigma glob (`*`, `?`, escapes `\*` `\?` `\\`), anchored by FullMatch.
std::string GlobToRegex(std::string_view glob) {
  std::string out;
  std::string literal;
  auto flush = [&] {
    out += RE2::QuoteMeta(literal);
    literal.clear();
  };
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '\\' && i + 1 < glob.size() &&
        (glob[i + 1] == '*' || glob[i + 1] == '?' || glob[i + 1] == '\\')) {
      literal.push_back(glob[++i]);
    } else if (c == '*') {
      flush();
      out += ".*";
    } else if (c == '?') {
      flush();
      out += ".";
    } else {
      literal.push_back(c);
    }
  }
  flush();
  return out;
}


bool ParseCidr(const std::string& text, CompiledAlt& alt) {
  const size_t slash = text.find('/');
  std::string address = text.substr(0, slash);
  int prefix = -1;
  bool v6 = address.find(':') != std::string::npos;
  if (slash == std::string::npos) {
    prefix = v6 ? 128 : 32;
  } else {
    auto parsed = internal::ParseNumber(std::string_view(text).substr(slash + 1));
    if (!parsed || *parsed < 0 || *parsed > (v6 ? 128 : 32)) {
      return false;
    }
    prefix = static_cast<int>(*parsed);
  }
  alt.net.fill(0);
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), alt.net.data()) != 1) {
    return false;
  }
  alt.cidr_v6 = v6;
  alt.prefix = prefix;
  return true;
}

int OpCost(const CompiledTest& test, const Accessor* accessor) {
  int cost = 10;
  if (accessor != nullptr &&
      (accessor->kind == AccessorKind::kEventId || accessor->kind == AccessorKind::kColumn)) {
    cost = 1;
  }
  if (test.accessor < 0) {
    cost = 100;
  } else if (accessor->kind == AccessorKind::kAdditional ||
             accessor->kind == AccessorKind::kHashes) {
    cost = 20;
  }
  if (test.op == MatchOp::kRegex || test.op == MatchOp::kGlob) {
    cost += 30;
  }
  return cost;
}

struct Builder {
  const BuildOptions& options;
  TableMatcher& table;

  uint32_t AccessorId(const Accessor& accessor) {
    for (size_t i = 0; i < table.accessors.size(); ++i) {
      if (table.accessors[i] == accessor) {
        return static_cast<uint32_t>(i);
      }
    }
    table.accessors.push_back(accessor);
    return static_cast<uint32_t>(table.accessors.size() - 1);
  }

  Result<CompiledTest> CompileTest(const sigma::FieldTest& in, FieldContext context) {
    CompiledTest test;
    test.op = in.op;
    test.fieldref_op = in.fieldref_op;
    test.time_part = in.time_part;
    test.case_sensitive = in.case_sensitive;
    test.negate = in.negate;
    test.match_all = in.match_all;
    const Accessor* accessor = nullptr;
    LiteralRewrite rewrite = LiteralRewrite::kNone;
    if (!in.field.empty()) {
      VIGIL_ASSIGN_OR_RETURN(Accessor resolved, ResolveField(*table.schema, context, in.field));
      test.accessor = static_cast<int32_t>(AccessorId(resolved));
      accessor = &table.accessors[static_cast<size_t>(test.accessor)];
      rewrite = accessor->rewrite;
    } else if (test.op == MatchOp::kEquals) {
      test.op = MatchOp::kContains;  // keywords are a full-text search
    }
    if (test.op == MatchOp::kFieldRef) {
      if (in.values.empty() || in.values[0].alternatives.empty()) {
        return InvalidArgumentError("fieldref on '{}' names no field", in.field);
      }
      VIGIL_ASSIGN_OR_RETURN(Accessor other,
                             ResolveField(*table.schema, context, in.values[0].alternatives[0]));
      test.ref_accessor = static_cast<int32_t>(AccessorId(other));
      test.cost = 5;
      return test;
    }
    for (const auto& value : in.values) {
      std::vector<CompiledAlt> alts;
      std::vector<std::string> texts;
      for (const auto& alternative : value.alternatives) {
        RewriteLiteral(rewrite, test.op, alternative, texts);
      }
      for (const auto& text : texts) {
        CompiledAlt alt;
        alt.text = test.case_sensitive ? text : FoldText(text);
        if (value.number && text == value.alternatives.front()) {
          alt.number = value.number;
        } else if (test.op == MatchOp::kEquals || test.time_part != sigma::TimePart::kNone ||
                   test.op == MatchOp::kLt || test.op == MatchOp::kLte || test.op == MatchOp::kGt ||
                   test.op == MatchOp::kGte || test.op == MatchOp::kExists) {
          alt.number = internal::ParseNumber(text);
        }
        if (test.op == MatchOp::kExists && !alt.number) {
          alt.number = (FoldText(text) == "false") ? 0.0 : 1.0;
        }
        if (test.op == MatchOp::kRegex || test.op == MatchOp::kGlob) {
          RE2::Options re_options;
          re_options.set_log_errors(false);
          re_options.set_max_mem(options.regex_max_mem);
          std::string pattern = text;
          if (test.op == MatchOp::kGlob) {
            // A Sigma `*` spans line breaks; `.` in a `|re` pattern does so only with `|s`
            // (the loader folds that in as (?s)).
            re_options.set_dot_nl(true);
            re_options.set_encoding(RE2::Options::EncodingLatin1);
            re_options.set_case_sensitive(test.case_sensitive);
            pattern = GlobToRegex(text);
          }
          alt.regex = std::make_unique<RE2>(pattern, re_options);
          if (!alt.regex->ok()) {
            return InvalidArgumentError("bad {} '{}' on field '{}': {}",
                                        test.op == MatchOp::kGlob ? "wildcard" : "regex", text,
                                        in.field, alt.regex->error());
          }
        }
        if (test.op == MatchOp::kCidr && !ParseCidr(text, alt)) {
          return InvalidArgumentError("bad cidr '{}' on field '{}'", text, in.field);
        }
        alts.push_back(std::move(alt));
      }
      test.values.push_back(std::move(alts));
    }
    test.cost = OpCost(test, accessor);
    return test;
  }
};

std::atomic<uint64_t> next_build_id{1};

}  // namespace

struct BuildAccess {
  static Result<std::shared_ptr<const CompiledRuleSet>> Build(const sigma::RuleSet& rules,
                                                              const schema::Catalog& catalog,
                                                              const BuildOptions& options);
};

Result<std::shared_ptr<const CompiledRuleSet>> CompiledRuleSet::Build(
    const sigma::RuleSet& rules, const schema::Catalog& catalog, const BuildOptions& options) {
  return BuildAccess::Build(rules, catalog, options);
}

Result<std::shared_ptr<const CompiledRuleSet>> BuildAccess::Build(const sigma::RuleSet& rules,
                                                                  const schema::Catalog& catalog,
                                                                  const BuildOptions& options) {
  std::shared_ptr<CompiledRuleSet> set(new CompiledRuleSet());
  set->build_id_ = next_build_id.fetch_add(1);
  std::map<const schema::TableSchema*, size_t> table_index;
  // Per table: bucket key -> compiled rule indexes.
  std::vector<std::map<std::string, std::vector<uint32_t>>> placements;
  set->logsources_.reserve(rules.rules.size());
  for (size_t rule_idx = 0; rule_idx < rules.rules.size(); ++rule_idx) {
    const sigma::Rule& rule = rules.rules[rule_idx];
    set->logsources_.push_back(rule.logsource);
    const auto rule_id = static_cast<uint32_t>(rule_idx);
    auto targets = MapLogSource(rule.logsource, catalog);
    if (!targets.ok()) {
      set->unmapped_.push_back({rule_id, targets.error().message()});
      continue;
    }
    std::string reason;
    bool compiled = false;
    for (const Target& target : *targets) {
      auto [it, added] = table_index.try_emplace(target.table, set->tables_.size());
      if (added) {
        auto matcher = std::make_unique<TableMatcher>();
        matcher->schema = target.table;
        matcher->action_col = target.table->FindColumn("ActionType");
        set->tables_.push_back(std::move(matcher));
        placements.emplace_back();
      }
      TableMatcher& table = *set->tables_[it->second];
      Builder builder{options, table};
      CompiledRule compiled_rule;
      compiled_rule.rule = rule_id;
      compiled_rule.context = target.context;
      compiled_rule.condition = rule.condition;
      compiled_rule.event_ids = target.constraint.event_ids;
      Status status;
      for (const auto& search : rule.searches) {
        std::vector<std::vector<CompiledTest>> any_of;
        for (const auto& alternative : search.any_of) {
          std::vector<CompiledTest> tests;
          for (const auto& field_test : alternative) {
            auto test = builder.CompileTest(field_test, target.context);
            if (!test.ok()) {
              status = test.error();
              break;
            }
            tests.push_back(std::move(*test));
          }
          if (!status.ok()) {
            break;
          }
          std::stable_sort(
              tests.begin(), tests.end(),
              [](const CompiledTest& a, const CompiledTest& b) { return a.cost < b.cost; });
          any_of.push_back(std::move(tests));
        }
        if (!status.ok()) {
          break;
        }
        compiled_rule.searches.push_back(std::move(any_of));
      }
      if (!status.ok()) {
        if (reason.empty()) {
          reason = status.message();
        }
        continue;
      }
      const auto compiled_idx = static_cast<uint32_t>(table.rules.size());
      table.rules.push_back(std::move(compiled_rule));
      table.by_rule[rule_id].push_back(compiled_idx);
      std::vector<std::string> actions = target.constraint.action_types;
      std::vector<std::string> channels;
      for (const auto& channel : target.constraint.channels) {
        channels.push_back(FoldText(channel));
      }
      if (actions.empty()) {
        actions.emplace_back();
      }
      if (channels.empty()) {
        channels.emplace_back();
      }
      for (const auto& action : actions) {
        for (const auto& channel : channels) {
          placements[it->second][action + '\x1f' + channel].push_back(compiled_idx);
          table.action_buckets = table.action_buckets || !action.empty();
          table.channel_buckets = table.channel_buckets || !channel.empty();
        }
      }
      compiled = true;
    }
    if (compiled) {
      ++set->compiled_rules_;
    } else {
      set->unmapped_.push_back({rule_id, reason});
    }
  }
  for (size_t t = 0; t < set->tables_.size(); ++t) {
    TableMatcher& table = *set->tables_[t];
    for (const auto& [key, members] : placements[t]) {
      table.bucket_index[key] = static_cast<uint32_t>(table.buckets.size());
      table.buckets.emplace_back();
      Bucket& bucket = table.buckets.back();
      bucket.rules = members;
      internal::BucketPrefilter registry(table, bucket);
      std::vector<uint32_t> keyword_rules;  // prefiltered on at least one keyword literal
      for (uint32_t compiled_idx : members) {
        std::optional<std::vector<uint32_t>> atoms = registry.RuleAtoms(table.rules[compiled_idx]);
        if (!options.use_prefilter || !atoms) {
          bucket.always.push_back(compiled_idx);
          continue;
        }
        std::sort(atoms->begin(), atoms->end());
        atoms->erase(std::unique(atoms->begin(), atoms->end()), atoms->end());
        if (bucket.atom_rules.size() < bucket.atoms) {
          bucket.atom_rules.resize(bucket.atoms);
        }
        bool on_keyword = false;
        for (uint32_t atom : *atoms) {
          bucket.atom_rules[atom].push_back(compiled_idx);
          on_keyword = on_keyword || registry.IsKeywordAtom(atom);
        }
        if (on_keyword) {
          keyword_rules.push_back(compiled_idx);
        }
        ++set->stats_.prefiltered_rules;
      }
      bucket.atom_rules.resize(bucket.atoms);
      VIGIL_RETURN_IF_ERROR(registry.BuildDatabases(options));
      bucket.atom_rules.resize(bucket.atoms);
      if (bucket.escape_atom != internal::kNoAtom) {
        bucket.atom_rules[bucket.escape_atom] = std::move(keyword_rules);
      }
      set->stats_.always_rules += bucket.always.size();
      set->stats_.literal_databases +=
          bucket.databases.size() + (bucket.keyword_db != nullptr ? 1 : 0);
      set->stats_.literals += registry.literals();
      set->max_atoms_ = std::max(set->max_atoms_, bucket.atoms);
    }
    set->stats_.buckets += table.buckets.size();
    set->max_rules_ = std::max(set->max_rules_, table.rules.size());
    set->max_accessors_ = std::max(set->max_accessors_, table.accessors.size());
  }
  set->stats_.tables = set->tables_.size();
  return std::shared_ptr<const CompiledRuleSet>(std::move(set));
}

}  // namespace vigil::detect::match
