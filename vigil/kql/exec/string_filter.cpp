#include "vigil/kql/exec/string_filter.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <re2/re2.h>

namespace vigil::kql {

namespace {

bool IsColumn0(const BExprPtr& e) { return e && e->kind == BKind::kColumn && e->column == 0; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c + 32);
    }
  }
  return out;
}

// into[i] = into[i] and/or other[i], for verdicts that are 0 or 1.
void CombineVerdicts(int8_t* into, const int8_t* other, size_t n, bool is_and) {
  for (size_t i = 0; i < n; ++i) {
    into[i] = static_cast<int8_t>(is_and ? (into[i] & other[i]) : (into[i] | other[i]));
  }
}

class MatcherFilter final : public StringFilter {
 public:
  MatcherFilter(std::shared_ptr<const StringMatcher> m, bool negated)
      : m_(std::move(m)), negated_(negated) {}
  bool Match(std::string_view text) const override { return m_->Match(text) != negated_; }
  void MatchAll(const store::Dictionary& dict, int8_t* verdicts) const override {
    m_->MatchPacked(dict.packed(), dict.offsets().data(), dict.size(), verdicts);
    if (negated_) {
      for (size_t i = 0; i < dict.size(); ++i) {
        verdicts[i] = static_cast<int8_t>(1 - verdicts[i]);
      }
    }
  }

 private:
  std::shared_ptr<const StringMatcher> m_;
  bool negated_;
};

class EqualsFilter final : public StringFilter {
 public:
  EqualsFilter(std::string value, bool negated) : value_(std::move(value)), negated_(negated) {}
  bool Match(std::string_view text) const override { return (text == value_) != negated_; }

 private:
  std::string value_;
  bool negated_;
};

// Looks strings up by string_view (no copy per probe).
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using TextSet = std::unordered_set<std::string, TextHash, std::equal_to<>>;

class InFilter final : public StringFilter {
 public:
  InFilter(TextSet values, bool ci, bool negated)
      : values_(std::move(values)), ci_(ci), negated_(negated) {}
  bool Match(std::string_view text) const override {
    const bool found = ci_ ? values_.find(std::string_view(AsciiLower(text))) != values_.end()
                           : values_.find(text) != values_.end();
    return found != negated_;
  }

 private:
  TextSet values_;
  bool ci_;
  bool negated_;
};

class AnyAllFilter final : public StringFilter {
 public:
  AnyAllFilter(std::vector<std::shared_ptr<const StringMatcher>> ms, bool all)
      : ms_(std::move(ms)), all_(all) {}
  bool Match(std::string_view text) const override {
    for (const auto& m : ms_) {
      const bool r = m->Match(text);
      if (all_ && !r) {
        return false;
      }
      if (!all_ && r) {
        return true;
      }
    }
    return all_;
  }
  void MatchAll(const store::Dictionary& dict, int8_t* verdicts) const override {
    std::vector<int8_t> one(dict.size());
    std::fill(verdicts, verdicts + dict.size(), all_ ? 1 : 0);
    for (const auto& m : ms_) {
      m->MatchPacked(dict.packed(), dict.offsets().data(), dict.size(), one.data());
      CombineVerdicts(verdicts, one.data(), dict.size(), all_);
    }
  }

 private:
  std::vector<std::shared_ptr<const StringMatcher>> ms_;
  bool all_;
};

class RegexFilter final : public StringFilter {
 public:
  explicit RegexFilter(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  bool Match(std::string_view text) const override { return re2::RE2::PartialMatch(text, *re_); }

 private:
  std::shared_ptr<const re2::RE2> re_;
};

class LogicFilter final : public StringFilter {
 public:
  LogicFilter(std::unique_ptr<StringFilter> a, std::unique_ptr<StringFilter> b, bool is_and)
      : a_(std::move(a)), b_(std::move(b)), and_(is_and) {}
  bool Match(std::string_view text) const override {
    return and_ ? (a_->Match(text) && b_->Match(text)) : (a_->Match(text) || b_->Match(text));
  }
  void MatchAll(const store::Dictionary& dict, int8_t* verdicts) const override {
    a_->MatchAll(dict, verdicts);
    // The values whose verdict b can still change: a's true ones under `and`, its false ones
    // under `or`. When they are few, b judges just them (b may be a regex); otherwise b runs
    // over all values in one pass too.
    const int8_t open = and_ ? 1 : 0;
    const auto undecided =
        static_cast<size_t>(std::count(verdicts, verdicts + dict.size(), open));
    if (undecided * 4 < dict.size()) {
      for (size_t i = 0; i < dict.size(); ++i) {
        if (verdicts[i] == open) {
          verdicts[i] = b_->Match(dict[i]) ? 1 : 0;
        }
      }
      return;
    }
    std::vector<int8_t> other(dict.size());
    b_->MatchAll(dict, other.data());
    CombineVerdicts(verdicts, other.data(), dict.size(), and_);
  }

 private:
  std::unique_ptr<StringFilter> a_;
  std::unique_ptr<StringFilter> b_;
  bool and_;
};

}  // namespace

void StringFilter::MatchAll(const store::Dictionary& dict, int8_t* verdicts) const {
  for (size_t i = 0; i < dict.size(); ++i) {
    verdicts[i] = Match(dict[i]) ? 1 : 0;
  }
}

std::unique_ptr<StringFilter> StringFilter::Compile(const BExpr& e) {
  switch (e.kind) {
    case BKind::kStrOp:
      if (e.matcher && e.args.size() >= 1 && IsColumn0(e.args[0])) {
        return std::make_unique<MatcherFilter>(e.matcher, e.negated);
      }
      return nullptr;
    case BKind::kCompare: {
      if (e.args.size() != 2 || (e.op != "==" && e.op != "!=")) {
        return nullptr;
      }
      const BExpr* konst = nullptr;
      if (IsColumn0(e.args[0]) && e.args[1]->kind == BKind::kConst) {
        konst = e.args[1].get();
      } else if (IsColumn0(e.args[1]) && e.args[0]->kind == BKind::kConst) {
        konst = e.args[0].get();
      }
      if (konst == nullptr || !konst->constant.is_string()) {
        return nullptr;
      }
      return std::make_unique<EqualsFilter>(konst->constant.AsString(), e.op == "!=");
    }
    case BKind::kIn: {
      if (!e.set || e.args.empty() || !IsColumn0(e.args[0])) {
        return nullptr;
      }
      TextSet values;
      for (const Value& v : *e.set) {
        if (!v.is_string()) {
          return nullptr;  // numbers, nulls, dynamic: the generic comparison rules apply
        }
        values.insert(v.AsString());
      }
      return std::make_unique<InFilter>(std::move(values), e.case_insensitive, e.negated);
    }
    case BKind::kHasAny:
      if (e.matchers.empty() || e.args.size() != 1 || !IsColumn0(e.args[0])) {
        return nullptr;
      }
      return std::make_unique<AnyAllFilter>(e.matchers, e.all);
    case BKind::kRegex:
      if (!e.regex || e.args.empty() || !IsColumn0(e.args[0])) {
        return nullptr;
      }
      return std::make_unique<RegexFilter>(e.regex);
    case BKind::kAnd:
    case BKind::kOr: {
      if (e.args.size() != 2) {
        return nullptr;
      }
      auto a = Compile(*e.args[0]);
      auto b = Compile(*e.args[1]);
      if (!a || !b) {
        return nullptr;
      }
      return std::make_unique<LogicFilter>(std::move(a), std::move(b), e.kind == BKind::kAnd);
    }
    default:
      return nullptr;
  }
}

}  // namespace vigil::kql
