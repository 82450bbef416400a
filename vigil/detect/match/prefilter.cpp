// Prefilter of one bucket: the atoms (literals per field, keyword literals, EventIDs, integer
// values) of which at least one is present whenever a rule can match, the choice of the most
// selective such set per rule, and the bucket's Vectorscan databases. Used by
// CompiledRuleSet::Build (compiled.cpp); build-time only, single-threaded.

#include <hs/hs.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "vigil/detect/match/internal/prefilter.h"

namespace vigil::detect::match::internal {
namespace {

using sigma::MatchOp;

std::string FoldText(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = FoldChar(c);
  }
  return out;
}

// Longest run of literal characters of a glob (a substring every match contains).
std::string GlobLiteral(std::string_view glob) {
  std::string best, current;
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '\\' && i + 1 < glob.size() &&
        (glob[i + 1] == '*' || glob[i + 1] == '?' || glob[i + 1] == '\\')) {
      current.push_back(glob[++i]);
    } else if (c == '*' || c == '?') {
      if (current.size() > best.size()) {
        best = current;
      }
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  return current.size() > best.size() ? current : best;
}

// Skips a RE2 repetition at p[i] ('?', '*', '+', '{n}', '{n,}', '{n,m}', each optionally lazy).
// Returns false when p[i] starts something that is not a valid repetition (a '{' RE2 would
// read as a literal); `min` is the minimum count (1 when there is no repetition).
bool SkipRepeat(std::string_view p, size_t& i, int& min) {
  min = 1;
  if (i >= p.size()) {
    return true;
  }
  const char c = p[i];
  if (c == '?' || c == '*') {
    min = 0;
    ++i;
  } else if (c == '+') {
    ++i;
  } else if (c == '{') {
    size_t j = i + 1;
    int n = 0;
    bool digits = false;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
      n = std::min(n * 10 + (p[j] - '0'), 1000);
      digits = true;
      ++j;
    }
    if (j < p.size() && p[j] == ',') {
      ++j;
      while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
        ++j;
      }
    }
    if (!digits || j >= p.size() || p[j] != '}') {
      return false;
    }
    min = n;
    i = j + 1;
  } else {
    return true;
  }
  if (i < p.size() && p[i] == '?') {
    ++i;
  }
  return true;
}

// Index just past the group or class that opens at p[i] ('(' or '['); npos when unbalanced.
size_t SkipNested(std::string_view p, size_t i) {
  int depth = 0;
  bool in_class = false;
  for (; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') {
        in_class = false;
        if (depth == 0) {
          return i + 1;
        }
      }
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') {
        ++i;
      }
      if (i + 1 < p.size() && p[i + 1] == ']') {
        ++i;  // a leading ']' is literal
      }
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) {
        return i + 1;
      }
    }
  }
  return std::string_view::npos;
}


}  // namespace

// The longest literal every match of a RE2 pattern contains, for the prefilter; empty when
// none is found (alternation at the top level, inline flag changes, unusual escapes). ASCII
// only; with (?i) the literal is folded and `caseless` set, and k/s (which (?i) also matches
// with the Kelvin and long-s signs) end a run.
std::string RegexLiteral(std::string_view p, bool& caseless) {
  caseless = false;
  size_t i = 0;
  while (p.substr(i).starts_with("(?")) {
    const size_t close = p.find(')', i);
    if (close == std::string_view::npos) {
      return {};
    }
    std::string_view flags = p.substr(i + 2, close - i - 2);
    if (flags.empty() || flags.find_first_not_of("imsU") != std::string_view::npos) {
      break;  // a group, handled below
    }
    caseless = caseless || flags.find('i') != std::string_view::npos;
    i = close + 1;
  }
  std::string best, run;
  auto end_run = [&] {
    if (run.size() > best.size()) {
      best = run;
    }
    run.clear();
  };
  while (i < p.size()) {
    const char c = p[i];
    int lit = -1;
    size_t next = i + 1;
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        return {};
      }
      const char e = p[i + 1];
      next = i + 2;
      if ((e >= '0' && e <= '9') || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
        if (std::string_view("dDwWsSbBAzfnrtv").find(e) == std::string_view::npos) {
          return {};  // \x, \p, \Q, back-references...: not worth reading
        }
        end_run();
      } else if (static_cast<unsigned char>(e) < 0x80) {
        lit = static_cast<unsigned char>(e);
      } else {
        end_run();
      }
    } else if (c == '(') {
      if (i + 2 < p.size() && p[i + 1] == '?') {
        const size_t colon = p.find_first_of(":)", i + 2);
        if (colon == std::string_view::npos || p[colon] == ')') {
          return {};  // (?flags) in the middle changes case handling from here on
        }
      }
      end_run();
      next = SkipNested(p, i);
      if (next == std::string_view::npos) {
        return {};
      }
    } else if (c == '[') {
      end_run();
      next = SkipNested(p, i);
      if (next == std::string_view::npos) {
        return {};
      }
    } else if (c == '|' || c == ')') {
      return {};
    } else if (c == '.' || c == '^' || c == '$' || c == '*' || c == '+' || c == '?') {
      end_run();
    } else if (c == '{') {
      return {};
    } else if (static_cast<unsigned char>(c) < 0x80) {
      lit = static_cast<unsigned char>(c);
    } else {
      end_run();
    }
    const size_t atom_end = next;
    int min = 1;
    if (!SkipRepeat(p, next, min)) {
      return {};
    }
    const bool quantified = next != atom_end;
    if (lit >= 0) {
      const char ch = static_cast<char>(lit);
      const char folded = FoldChar(ch);
      if ((caseless && (folded == 'k' || folded == 's')) || min == 0) {
        end_run();
      } else {
        run.push_back(caseless ? folded : ch);
        if (quantified) {
          end_run();  // present, but what follows is not adjacent to the run
        }
      }
    } else if (quantified) {
      end_run();
    }
    i = next;
  }
  end_run();
  return best;
}

// Atoms (literal or EventID) of which at least one is present whenever a part of the rule is
// true; nullopt = no such set.
using AtomSet = std::optional<std::vector<uint32_t>>;

struct BucketPrefilter::Registry {
  TableMatcher& table;
  Bucket& bucket;
  std::map<std::tuple<uint32_t, std::string, bool>, uint32_t> literals;
  std::map<int64_t, uint32_t> event_ids;
  std::vector<bool> keyword_atom;
  std::vector<double> atom_cost;
  std::map<std::pair<int, int64_t>, uint32_t> numbers;

  uint32_t Literal(uint32_t accessor, const std::string& text, bool caseless) {
    auto [it, added] =
        literals.try_emplace({accessor, text, caseless}, static_cast<uint32_t>(bucket.atoms));
    if (added) {
      ++bucket.atoms;
      keyword_atom.resize(bucket.atoms, false);
      keyword_atom[it->second] = accessor == kKeywordAccessor;
      atom_cost.resize(bucket.atoms, 1.0);
      atom_cost[it->second] = LiteralCost(accessor, text);
    }
    return it->second;
  }

  // Estimated share of rows on which a literal occurs (to pick the most selective necessary
  // atoms of an AND): short literals and the two-valued fields are weak.
  double LiteralCost(uint32_t accessor, const std::string& text) const {
    if (accessor != kKeywordAccessor &&
        table.accessors[accessor].kind == AccessorKind::kInitiated) {
      return 1.0;
    }
    if (text == "true" || text == "false" || text == "0" || text == "1") {
      return 0.8;
    }
    double cost = 1.0;
    for (size_t i = 0; i < text.size() && cost > 1e-4; ++i) {
      cost *= 0.7;
    }
    return cost;
  }

  double Cost(const std::vector<uint32_t>& atoms) const {
    double sum = 0;
    for (uint32_t atom : atoms) {
      sum += atom < atom_cost.size() ? atom_cost[atom] : 1.0;
    }
    return sum;
  }
  bool Better(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) const {
    const double ca = Cost(a), cb = Cost(b);
    return ca < cb || (ca == cb && a.size() < b.size());
  }
  // The column of an accessor that reads a plain integer column (no fallback), else -1.
  int IntColumn(uint32_t accessor) const {
    const Accessor& info = table.accessors[accessor];
    if (info.kind != AccessorKind::kColumn || info.col < 0 || info.datetime ||
        !info.key.empty() || static_cast<size_t>(info.col) >= table.schema->column_count()) {
      return -1;
    }
    const auto type = table.schema->column(static_cast<size_t>(info.col)).type;
    return type == schema::ColumnType::kInt || type == schema::ColumnType::kLong ? info.col : -1;
  }

  uint32_t Number(int col, int64_t value) {
    auto [it, added] = numbers.try_emplace({col, value}, static_cast<uint32_t>(bucket.atoms));
    if (added) {
      ++bucket.atoms;
      keyword_atom.resize(bucket.atoms, false);
      atom_cost.resize(bucket.atoms, 1.0);
      atom_cost[it->second] = 0.1;
    }
    return it->second;
  }

  uint32_t EventId(int64_t id) {
    auto [it, added] = event_ids.try_emplace(id, static_cast<uint32_t>(bucket.atoms));
    if (added) {
      ++bucket.atoms;
      keyword_atom.resize(bucket.atoms, false);
      atom_cost.resize(bucket.atoms, 1.0);
      atom_cost[it->second] = 0.3;
    }
    return it->second;
  }

  AtomSet TestAtoms(const CompiledTest& test) {
    if (test.negate || test.time_part != sigma::TimePart::kNone) {
      return std::nullopt;
    }
    const bool keyword = test.accessor < 0;
    const bool eid =
        !keyword &&
        table.accessors[static_cast<size_t>(test.accessor)].kind == AccessorKind::kEventId &&
        test.op == MatchOp::kEquals;
    if (!eid && test.op != MatchOp::kEquals && test.op != MatchOp::kContains &&
        test.op != MatchOp::kStartsWith && test.op != MatchOp::kEndsWith &&
        test.op != MatchOp::kGlob && test.op != MatchOp::kRegex) {
      return std::nullopt;
    }
    AtomSet best;
    std::vector<uint32_t> any;
    for (const auto& alts : test.values) {
      std::vector<uint32_t> atoms;
      for (const auto& alt : alts) {
        if (eid) {
          if (!alt.number) {
            return std::nullopt;
          }
          atoms.push_back(EventId(static_cast<int64_t>(*alt.number)));
          continue;
        }
        if (test.op == MatchOp::kEquals && !keyword) {
          const int col = IntColumn(static_cast<uint32_t>(test.accessor));
          if (col >= 0) {
            // An integer cell equals a literal only as a number (its text is a number too).
            if (alt.number && *alt.number == std::floor(*alt.number) &&
                std::fabs(*alt.number) < 9e15) {
              atoms.push_back(Number(col, static_cast<int64_t>(*alt.number)));
            } else if (alt.text.empty()) {
              return std::nullopt;
            }
            continue;
          }
          if (alt.number) {
            return std::nullopt;  // numeric equality does not need the literal text
          }
        }
        std::string literal = alt.text;
        bool caseless = !test.case_sensitive;
        if (test.op == MatchOp::kRegex) {
          // The regex's own flags decide its case (the RE2 is built with default options).
          literal = alt.regex != nullptr ? RegexLiteral(alt.regex->pattern(), caseless)
                                         : std::string();
          if (literal.size() < 2) {
            return std::nullopt;
          }
        } else if (test.op == MatchOp::kGlob) {
          literal = GlobLiteral(alt.text);
          if (!test.case_sensitive) {
            literal = FoldText(literal);
          }
        }
        if (literal.empty()) {
          return std::nullopt;
        }
        atoms.push_back(Literal(keyword ? kKeywordAccessor
                                        : static_cast<uint32_t>(test.accessor),
                                literal, caseless));
      }
      if (test.match_all) {
        if (!best || Better(atoms, *best)) {
          best = std::move(atoms);
        }
      } else {
        any.insert(any.end(), atoms.begin(), atoms.end());
      }
    }
    if (test.match_all) {
      return best;
    }
    if (test.values.empty()) {
      return std::nullopt;
    }
    return any;
  }

  AtomSet ConditionAtoms(const CompiledRule& rule, const sigma::Condition& node) {
    switch (node.kind) {
      case sigma::Condition::Kind::kFalse:
        return std::vector<uint32_t>{};
      case sigma::Condition::Kind::kTrue:
      case sigma::Condition::Kind::kNot:
        return std::nullopt;
      case sigma::Condition::Kind::kAnd: {
        AtomSet best;
        for (const auto& child : node.children) {
          AtomSet atoms = ConditionAtoms(rule, child);
          if (atoms && (!best || Better(*atoms, *best))) {
            best = std::move(atoms);
          }
        }
        return best;
      }
      case sigma::Condition::Kind::kOr: {
        std::vector<uint32_t> all;
        for (const auto& child : node.children) {
          AtomSet atoms = ConditionAtoms(rule, child);
          if (!atoms) {
            return std::nullopt;
          }
          all.insert(all.end(), atoms->begin(), atoms->end());
        }
        return all;
      }
      case sigma::Condition::Kind::kSearch: {
        if (node.search < 0 || static_cast<size_t>(node.search) >= rule.searches.size()) {
          return std::vector<uint32_t>{};
        }
        std::vector<uint32_t> all;
        for (const auto& alternative : rule.searches[static_cast<size_t>(node.search)]) {
          AtomSet best;
          for (const auto& test : alternative) {
            AtomSet atoms = TestAtoms(test);
            if (atoms && (!best || Better(*atoms, *best))) {
              best = std::move(atoms);
            }
          }
          if (!best) {
            return std::nullopt;
          }
          all.insert(all.end(), best->begin(), best->end());
        }
        return all;
      }
    }
    return std::nullopt;
  }

  bool IsKeywordAtom(uint32_t atom) const {
    return atom < keyword_atom.size() && keyword_atom[atom];
  }

  // The keyword literals as they occur in cells and, when different, in the AdditionalFields
  // JSON text (only the short escapes \\ \" \n \r \t \b \f; rows whose JSON uses \u or
  // \/ are caught by the escape atom).
  Status BuildKeywordDatabase(
      const std::vector<std::pair<std::string, std::pair<bool, uint32_t>>>& patterns) {
    std::vector<std::string> texts;
    std::vector<unsigned> flags, ids;
    for (const auto& [text, info] : patterns) {
      texts.push_back(text);
      flags.push_back(info.first ? HS_FLAG_CASELESS : 0);
      ids.push_back(info.second);
      std::string escaped = JsonEscaped(text);
      if (escaped != text) {
        texts.push_back(std::move(escaped));
        flags.push_back(info.first ? HS_FLAG_CASELESS : 0);
        ids.push_back(info.second);
      }
    }
    bucket.escape_atom = static_cast<uint32_t>(bucket.atoms++);
    for (const char* escape : {"\\u", "\\/"}) {
      texts.emplace_back(escape);
      flags.push_back(0);
      ids.push_back(bucket.escape_atom);
    }
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    for (const auto& text : texts) {
      exprs.push_back(text.data());
      lens.push_back(text.size());
    }
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                             &bucket.keyword_db, &error) != HS_SUCCESS) {
      std::string message = error != nullptr ? error->message : "unknown error";
      hs_free_compile_error(error);
      return InternalError("vectorscan compile of {} keywords on table '{}' failed: {}",
                           exprs.size(), table.schema->name(), message);
    }
    return Status::Ok();
  }

  static std::string JsonEscaped(std::string_view text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '"':
          out += "\\\"";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          out.push_back(c);
      }
    }
    return out;
  }

  Status Compile(const std::vector<const char*>& exprs, const std::vector<unsigned>& flags,
                 const std::vector<unsigned>& ids, const std::vector<size_t>& lens,
                 hs_database_t*& db) {
    hs_compile_error_t* error = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db,
                             &error) != HS_SUCCESS) {
      std::string message = error != nullptr ? error->message : "unknown error";
      hs_free_compile_error(error);
      db = nullptr;
      return InternalError("vectorscan compile of {} literals on table '{}' failed: {}",
                           exprs.size(), table.schema->name(), message);
    }
    return Status::Ok();
  }

  Status BuildDatabases(const BuildOptions& options) {
    std::map<uint32_t, std::vector<std::pair<std::string, std::pair<bool, uint32_t>>>> by_field;
    for (const auto& [key, atom] : literals) {
      by_field[std::get<0>(key)].push_back({std::get<1>(key), {std::get<2>(key), atom}});
    }
    bucket.event_id_atoms.insert(event_ids.begin(), event_ids.end());
    for (const auto& [key, atom] : numbers) {
      if (bucket.number_atoms.empty() || bucket.number_atoms.back().col != key.first) {
        bucket.number_atoms.push_back({key.first, {}});
      }
      bucket.number_atoms.back().atoms.emplace(key.second, atom);
    }
    if (!options.use_prefilter) {
      return Status::Ok();
    }
    for (const auto& [accessor, patterns] : by_field) {
      if (accessor == kKeywordAccessor) {
        VIGIL_RETURN_IF_ERROR(BuildKeywordDatabase(patterns));
        continue;
      }
      std::vector<const char*> exprs;
      std::vector<size_t> lens;
      std::vector<unsigned> flags, ids;
      for (const auto& [text, info] : patterns) {
        exprs.push_back(text.data());
        lens.push_back(text.size());
        flags.push_back(HS_FLAG_SINGLEMATCH | (info.first ? HS_FLAG_CASELESS : 0));
        ids.push_back(info.second);
      }
      FieldDatabase database;
      database.accessor = accessor;
      VIGIL_RETURN_IF_ERROR(Compile(exprs, flags, ids, lens, database.db));
      const Accessor& info = table.accessors[accessor];
      if (info.kind == AccessorKind::kColumn && info.col >= 0 &&
          static_cast<size_t>(info.col) < table.schema->column_count() &&
          schema::IsBytesBacked(table.schema->column(static_cast<size_t>(info.col)).type)) {
        for (unsigned& flag : flags) {
          flag &= ~static_cast<unsigned>(HS_FLAG_SINGLEMATCH);
        }
        // Owned by the bucket from here on (freed with it even if the next compile fails).
        bucket.databases.push_back(database);
        VIGIL_RETURN_IF_ERROR(Compile(exprs, flags, ids, lens, bucket.databases.back().column_db));
        bucket.databases.back().col = info.col;
        bucket.databases.back().fallback = !info.key.empty();
        continue;
      }
      bucket.databases.push_back(database);
    }
    return Status::Ok();
  }
};

BucketPrefilter::BucketPrefilter(TableMatcher& table, Bucket& bucket)
    : registry_(new Registry{table, bucket, {}, {}, {}, {}, {}}) {}
BucketPrefilter::~BucketPrefilter() = default;

std::optional<std::vector<uint32_t>> BucketPrefilter::RuleAtoms(const CompiledRule& rule) {
  return registry_->ConditionAtoms(rule, rule.condition);
}
bool BucketPrefilter::IsKeywordAtom(uint32_t atom) const { return registry_->IsKeywordAtom(atom); }
Status BucketPrefilter::BuildDatabases(const BuildOptions& options) {
  return registry_->BuildDatabases(options);
}
size_t BucketPrefilter::literals() const { return registry_->literals.size(); }

}  // namespace vigil::detect::match::internal
