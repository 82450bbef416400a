#include <re2/re2.h>

#include <cmath>

#include "vigil/kql/exec/bound_expr.h"
#include "vigil/kql/exec/row_window.h"

namespace vigil::kql {

namespace {

bool IsIntKind(Kind k) { return k == Kind::kInt || k == Kind::kLong || k == Kind::kBool; }

Value MakeIntResult(Kind a, Kind b, int64_t v) {
  if (a == Kind::kInt && b == Kind::kInt) {
    return Value::Int(static_cast<int32_t>(v));
  }
  return Value::Long(v);
}

// Text a string operator sees: strings as is, other scalars in their text form.
std::string_view TextOf(const Value& v, std::string& scratch) {
  if (v.kind() == Kind::kString || v.kind() == Kind::kGuid) {
    return v.AsString();
  }
  scratch = v.ToText();
  return scratch;
}

bool StringEqualsCi(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<unsigned char>(x + 32);
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<unsigned char>(y + 32);
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool InMatch(const Value& needle, const Value& item, bool ci) {
  if (item.is_array()) {
    for (const auto& v : item.AsArray()) {
      if (InMatch(needle, v, ci)) {
        return true;
      }
    }
    return false;
  }
  if (ci) {
    std::string s1;
    std::string s2;
    return StringEqualsCi(TextOf(needle, s1), TextOf(item, s2));
  }
  if ((needle.is_string() || needle.kind() == Kind::kGuid) && !item.is_string() &&
      item.kind() != Kind::kGuid) {
    std::string s;
    return needle.AsString() == TextOf(item, s);
  }
  return ValuesEqual(needle, item);
}

}  // namespace

Value CoerceTo(const Value& v, Type type) {
  if (v.is_null()) {
    // Kusto strings have no null: a missing string is the empty string.
    return type == Type::kString ? Value::String(std::string()) : v;
  }
  switch (type) {
    case Type::kInt:
      if (v.kind() == Kind::kLong || v.kind() == Kind::kBool) {
        return Value::Int(v.AsInt64());
      }
      if (v.kind() == Kind::kReal && std::isfinite(v.AsReal())) {
        return Value::Int(static_cast<int64_t>(v.AsReal()));
      }
      return v;
    case Type::kLong:
      if (v.kind() == Kind::kInt || v.kind() == Kind::kBool) {
        return Value::Long(v.AsInt64());
      }
      if (v.kind() == Kind::kReal && std::isfinite(v.AsReal())) {
        return Value::Long(static_cast<int64_t>(v.AsReal()));
      }
      return v;
    case Type::kReal:
    case Type::kDecimal:
      if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
        return Value::Real(static_cast<double>(v.AsInt64()));
      }
      return v;
    default:
      return v;
  }
}

Value Arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) {
    return Value();
  }
  const Kind ka = a.kind();
  const Kind kb = b.kind();
  const char o = op[0];
  // datetime / timespan arithmetic
  if (ka == Kind::kDateTime && kb == Kind::kDateTime && o == '-') {
    return Value::TimeSpan(a.AsInt64() - b.AsInt64());
  }
  if (ka == Kind::kDateTime && kb == Kind::kTimeSpan) {
    if (o == '+') {
      return Value::DateTime(a.AsInt64() + b.AsInt64());
    }
    if (o == '-') {
      return Value::DateTime(a.AsInt64() - b.AsInt64());
    }
    return Value();
  }
  if (ka == Kind::kTimeSpan && kb == Kind::kDateTime && o == '+') {
    return Value::DateTime(a.AsInt64() + b.AsInt64());
  }
  if (ka == Kind::kTimeSpan && kb == Kind::kTimeSpan) {
    switch (o) {
      case '+':
        return Value::TimeSpan(a.AsInt64() + b.AsInt64());
      case '-':
        return Value::TimeSpan(a.AsInt64() - b.AsInt64());
      case '/':
        return b.AsInt64() == 0 ? Value() : Value::Real(static_cast<double>(a.AsInt64()) /
                                                        static_cast<double>(b.AsInt64()));
      case '%':
        return b.AsInt64() == 0 ? Value() : Value::TimeSpan(a.AsInt64() % b.AsInt64());
      default:
        return Value();
    }
  }
  if (ka == Kind::kTimeSpan && b.is_number()) {
    if (o == '*') {
      return Value::TimeSpan(static_cast<int64_t>(static_cast<double>(a.AsInt64()) * b.AsReal()));
    }
    if (o == '/') {
      return b.AsReal() == 0 ? Value()
                             : Value::TimeSpan(static_cast<int64_t>(
                                   static_cast<double>(a.AsInt64()) / b.AsReal()));
    }
    return Value();
  }
  if (a.is_number() && kb == Kind::kTimeSpan && o == '*') {
    return Value::TimeSpan(static_cast<int64_t>(a.AsReal() * static_cast<double>(b.AsInt64())));
  }
  if (!(a.is_number() || ka == Kind::kBool) || !(b.is_number() || kb == Kind::kBool)) {
    return Value();
  }
  if (IsIntKind(ka) && IsIntKind(kb)) {
    const int64_t x = a.AsInt64();
    const int64_t y = b.AsInt64();
    switch (o) {
      case '+':
        return MakeIntResult(ka, kb, static_cast<int64_t>(static_cast<uint64_t>(x) +
                                                          static_cast<uint64_t>(y)));
      case '-':
        return MakeIntResult(ka, kb, static_cast<int64_t>(static_cast<uint64_t>(x) -
                                                          static_cast<uint64_t>(y)));
      case '*':
        return MakeIntResult(ka, kb, static_cast<int64_t>(static_cast<uint64_t>(x) *
                                                          static_cast<uint64_t>(y)));
      case '/':
        if (y == 0 || (x == INT64_MIN && y == -1)) {
          return Value();
        }
        return MakeIntResult(ka, kb, x / y);
      case '%':
        if (y == 0 || (x == INT64_MIN && y == -1)) {
          return Value();
        }
        return MakeIntResult(ka, kb, x % y);
      default:
        return Value();
    }
  }
  const double x = a.AsReal();
  const double y = b.AsReal();
  switch (o) {
    case '+':
      return Value::Real(x + y);
    case '-':
      return Value::Real(x - y);
    case '*':
      return Value::Real(x * y);
    case '/':
      return Value::Real(x / y);
    case '%':
      return Value::Real(std::fmod(x, y));
    default:
      return Value();
  }
}

Value Compare(const std::string& op, const Value& a, const Value& b) {
  const bool eq = op == "==";
  const bool ne = op == "!=";
  if (a.is_null() || b.is_null()) {
    // As Kusto documents (null-values): a value and a null are not equal (`==` false, `!=`
    // true); two nulls, and any ordering with a null, give null.
    if ((a.is_null() && b.is_null()) || !(eq || ne)) {
      return Value();
    }
    return Value::Bool(ne);
  }
  if (eq || ne) {
    bool same;
    if ((a.is_string() || a.kind() == Kind::kGuid) && (b.is_string() || b.kind() == Kind::kGuid)) {
      same = a.AsString() == b.AsString();
    } else if (a.is_string() != b.is_string() && (a.is_string() || b.is_string())) {
      // string against a non-string scalar (dynamic values): compare text forms
      std::string s1;
      std::string s2;
      same = TextOf(a, s1) == TextOf(b, s2);
    } else {
      same = ValuesEqual(a, b);
    }
    return Value::Bool(eq ? same : !same);
  }
  // Ordering: both numbers, both datetimes, both timespans, or both strings.
  int c;
  if (a.is_number() && b.is_number()) {
    c = CompareValues(a, b);
  } else if (a.kind() == b.kind() ||
             ((a.is_string() || a.kind() == Kind::kGuid) &&
              (b.is_string() || b.kind() == Kind::kGuid))) {
    c = CompareValues(a, b);
  } else if (a.is_string() && b.is_number()) {
    // dynamic string vs number: compare numerically when the text is a number
    char* end = nullptr;
    const double x = std::strtod(a.AsString().c_str(), &end);
    if (end == a.AsString().c_str()) {
      return Value();
    }
    c = x < b.AsReal() ? -1 : (x > b.AsReal() ? 1 : 0);
  } else {
    return Value();
  }
  if (op == "<") {
    return Value::Bool(c < 0);
  }
  if (op == "<=") {
    return Value::Bool(c <= 0);
  }
  if (op == ">") {
    return Value::Bool(c > 0);
  }
  if (op == ">=") {
    return Value::Bool(c >= 0);
  }
  return Value();
}

Value Eval(const BExpr& e, const Chunk& chunk, size_t row, EvalContext& ctx) {
  switch (e.kind) {
    case BKind::kConst:
      return e.constant;
    case BKind::kColumn:
      return chunk.cols[static_cast<size_t>(e.column)][row];
    case BKind::kCall: {
      Value small[4];
      std::vector<Value> large;
      std::span<const Value> args;
      if (e.args.size() <= 4) {
        for (size_t i = 0; i < e.args.size(); ++i) {
          small[i] = Eval(*e.args[i], chunk, row, ctx);
        }
        args = std::span<const Value>(small, e.args.size());
      } else {
        large.reserve(e.args.size());
        for (const auto& a : e.args) {
          large.push_back(Eval(*a, chunk, row, ctx));
        }
        args = large;
      }
      return CoerceTo(e.fn->impl(args, ctx.fn), e.type);
    }
    case BKind::kArith:
      return Arithmetic(e.op, Eval(*e.args[0], chunk, row, ctx), Eval(*e.args[1], chunk, row, ctx));
    case BKind::kCompare:
      return Compare(e.op, Eval(*e.args[0], chunk, row, ctx), Eval(*e.args[1], chunk, row, ctx));
    case BKind::kAnd: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      if (a.kind() == Kind::kBool && !a.AsBool()) {
        return Value::Bool(false);
      }
      const Value b = Eval(*e.args[1], chunk, row, ctx);
      if (b.kind() == Kind::kBool && !b.AsBool()) {
        return Value::Bool(false);
      }
      if (a.is_null() || b.is_null()) {
        return Value();
      }
      return Value::Bool(true);
    }
    case BKind::kOr: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      if (IsTrue(a)) {
        return Value::Bool(true);
      }
      const Value b = Eval(*e.args[1], chunk, row, ctx);
      if (IsTrue(b)) {
        return Value::Bool(true);
      }
      if (a.is_null() || b.is_null()) {
        return Value();
      }
      return Value::Bool(false);
    }
    case BKind::kNeg: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      switch (a.kind()) {
        case Kind::kInt:
          return Value::Int(-a.AsInt64());
        case Kind::kLong:
          return Value::Long(static_cast<int64_t>(0 - static_cast<uint64_t>(a.AsInt64())));
        case Kind::kReal:
          return Value::Real(-a.AsReal());
        case Kind::kTimeSpan:
          return Value::TimeSpan(-a.AsInt64());
        default:
          return Value();
      }
    }
    case BKind::kStrOp: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      std::string scratch;
      const std::string_view text = TextOf(a, scratch);
      bool r;
      if (e.matcher) {
        r = e.matcher->Match(text);
      } else {
        const Value b = Eval(*e.args[1], chunk, row, ctx);
        std::string scratch2;
        StringMatcher m(e.str_op, std::string(TextOf(b, scratch2)));
        r = m.Match(text);
      }
      return Value::Bool(e.negated ? !r : r);
    }
    case BKind::kRegex: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      std::string scratch;
      const std::string_view text = TextOf(a, scratch);
      const re2::RE2* re = e.regex.get();
      if (re == nullptr) {
        const Value p = Eval(*e.args[1], chunk, row, ctx);
        re = ctx.fn.regex->Get(p.ToText());
        if (re == nullptr) {
          return Value();
        }
      }
      return Value::Bool(re2::RE2::PartialMatch(text, *re));
    }
    case BKind::kIn: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      bool found = false;
      if (e.set) {
        if (e.case_insensitive) {
          std::string scratch;
          const std::string_view t = TextOf(a, scratch);
          std::string lower(t);
          for (auto& ch : lower) {
            if (ch >= 'A' && ch <= 'Z') {
              ch = static_cast<char>(ch + 32);
            }
          }
          found = e.set->count(Value::String(std::move(lower))) > 0;
        } else if (a.kind() == Kind::kGuid) {
          found = e.set->count(Value::String(a.AsString())) > 0 || e.set->count(a) > 0;
        } else {
          found = e.set->count(a) > 0;
        }
      } else {
        if (a.is_null() && !e.case_insensitive) {
          return Value::Bool(e.negated);
        }
        for (size_t i = 1; i < e.args.size() && !found; ++i) {
          found = InMatch(a, Eval(*e.args[i], chunk, row, ctx), e.case_insensitive);
        }
      }
      return Value::Bool(e.negated ? !found : found);
    }
    case BKind::kHasAny: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      std::string scratch;
      const std::string_view text = TextOf(a, scratch);
      if (!e.matchers.empty() || e.args.size() == 1) {
        if (e.matchers.empty()) {
          return Value::Bool(e.all);
        }
        for (const auto& m : e.matchers) {
          const bool r = m->Match(text);
          if (e.all && !r) {
            return Value::Bool(false);
          }
          if (!e.all && r) {
            return Value::Bool(true);
          }
        }
        return Value::Bool(e.all);
      }
      std::vector<Value> needles;
      for (size_t i = 1; i < e.args.size(); ++i) {
        Value v = Eval(*e.args[i], chunk, row, ctx);
        if (v.is_array()) {
          for (const auto& x : v.AsArray()) {
            needles.push_back(x);
          }
        } else {
          needles.push_back(std::move(v));
        }
      }
      if (needles.empty()) {
        return Value::Bool(e.all);
      }
      for (const auto& n : needles) {
        std::string s;
        StringMatcher m(StringOp::kHas, std::string(TextOf(n, s)));
        const bool r = m.Match(text);
        if (e.all && !r) {
          return Value::Bool(false);
        }
        if (!e.all && r) {
          return Value::Bool(true);
        }
      }
      return Value::Bool(e.all);
    }
    case BKind::kBetween: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      const Value lo = Eval(*e.args[1], chunk, row, ctx);
      Value hi = Eval(*e.args[2], chunk, row, ctx);
      // `x between (dt .. 1h)`: a timespan upper bound is relative to the lower one
      if (lo.kind() == Kind::kDateTime && hi.kind() == Kind::kTimeSpan) {
        hi = Value::DateTime(lo.AsInt64() + hi.AsInt64());
      }
      const Value ge = Compare(">=", a, lo);
      const Value le = Compare("<=", a, hi);
      if (ge.is_null() || le.is_null()) {
        return Value();
      }
      const bool r = ge.AsBool() && le.AsBool();
      return Value::Bool(e.negated ? !r : r);
    }
    case BKind::kMember: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      if (a.is_bag()) {
        const Value* v = a.Find(e.member);
        return v != nullptr ? *v : Value();
      }
      if (a.is_string()) {
        // a string holding JSON (e.g. AdditionalFields read as text): parse on the fly
        auto parsed = ParseJson(a.AsString());
        if (parsed && parsed->is_bag()) {
          const Value* v = parsed->Find(e.member);
          return v != nullptr ? *v : Value();
        }
      }
      return Value();
    }
    case BKind::kIndex: {
      const Value a = Eval(*e.args[0], chunk, row, ctx);
      const Value i = Eval(*e.args[1], chunk, row, ctx);
      if (a.is_array() && (i.kind() == Kind::kLong || i.kind() == Kind::kInt)) {
        int64_t idx = i.AsInt64();
        const auto& arr = a.AsArray();
        if (idx < 0) {
          idx += static_cast<int64_t>(arr.size());
        }
        if (idx >= 0 && static_cast<size_t>(idx) < arr.size()) {
          return arr[static_cast<size_t>(idx)];
        }
        return Value();
      }
      if (a.is_bag() && i.is_string()) {
        const Value* v = a.Find(i.AsString());
        return v != nullptr ? *v : Value();
      }
      return Value();
    }
    case BKind::kRowNumber: {
      int64_t start = 1;
      if (!e.args.empty()) {
        const Value s = Eval(*e.args[0], chunk, row, ctx);
        if (s.is_integral()) {
          start = s.AsInt64();
        }
      }
      return Value::Long(start + static_cast<int64_t>(ctx.chunk_base_row + row));
    }
    case BKind::kPrevNext: {
      const int64_t target =
          e.op == "prev" ? static_cast<int64_t>(row) - e.offset : static_cast<int64_t>(row) + e.offset;
      if (target < 0 || target >= static_cast<int64_t>(chunk.rows)) {
        return e.args.size() > 1 ? Eval(*e.args[1], chunk, row, ctx) : Value();
      }
      return Eval(*e.args[0], chunk, static_cast<size_t>(target), ctx);
    }
    case BKind::kRowWindow:
      return EvalRowWindow(e, chunk, row, ctx);
    case BKind::kPackAll: {
      Bag bag;
      bag.reserve(e.args.size());
      for (size_t i = 0; i < e.args.size(); ++i) {
        Value v = Eval(*e.args[i], chunk, row, ctx);
        if (e.all && (v.is_null() || (v.is_string() && v.AsString().empty()))) {
          continue;  // pack_all(true)
        }
        bag.emplace_back(e.matchers[i]->needle(), std::move(v));
      }
      return Value::MakeBag(std::move(bag));
    }
  }
  return Value();
}

}  // namespace vigil::kql
