// Sigma semantics of one compiled field test / rule against a row (internal to
// CompiledRuleSet). Allocation-free on the common paths: values and their folded forms come
// from the RowReader's per-row cache.

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "vigil/base/time.h"

#include "vigil/detect/match/internal/compiled_types.h"

namespace vigil::detect::match::internal {
namespace {

using sigma::MatchOp;

void Fold(std::string_view text, std::string& out) { FoldInto(text, out); }

bool ParseIp(std::string_view text, bool& v6, std::array<uint8_t, 16>& bytes) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) {
    return false;
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  bytes.fill(0);
  if (inet_pton(AF_INET, buf, bytes.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, buf, bytes.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

bool InNetwork(const CompiledAlt& alt, std::string_view text) {
  bool v6 = false;
  std::array<uint8_t, 16> ip{};
  if (alt.prefix < 0 || !ParseIp(text, v6, ip) || v6 != alt.cidr_v6) {
    return false;
  }
  int bits = alt.prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != (alt.net[i] & mask)) {
      return false;
    }
  }
  return true;
}

std::optional<int64_t> TimePartOf(sigma::TimePart part, int64_t ticks) {
  const int64_t days = DayOf(ticks);
  const int64_t in_day = ticks - days * kTicksPerDay;
  // Civil date from days since the epoch (era-based algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  switch (part) {
    case sigma::TimePart::kMinute:
      return (in_day / (60 * kTicksPerSecond)) % 60;
    case sigma::TimePart::kHour:
      return in_day / (3600 * kTicksPerSecond);
    case sigma::TimePart::kDay:
      return day;
    case sigma::TimePart::kMonth:
      return month;
    case sigma::TimePart::kYear:
      return year;
    case sigma::TimePart::kWeek: {
      const int64_t jan1 = DaysFromCivil(year, 1, 1);
      return (days - jan1) / 7 + 1;
    }
    case sigma::TimePart::kNone:
      break;
  }
  return std::nullopt;
}

bool CompareNumbers(MatchOp op, double field, double literal) {
  switch (op) {
    case MatchOp::kLt:
      return field < literal;
    case MatchOp::kLte:
      return field <= literal;
    case MatchOp::kGt:
      return field > literal;
    case MatchOp::kGte:
      return field >= literal;
    default:
      return field == literal;
  }
}

bool TextOp(MatchOp op, std::string_view value, std::string_view literal) {
  switch (op) {
    case MatchOp::kEquals:
      return value == literal;
    case MatchOp::kContains:
      return value.find(literal) != std::string_view::npos;
    case MatchOp::kStartsWith:
      return value.substr(0, literal.size()) == literal;
    case MatchOp::kEndsWith:
      return value.size() >= literal.size() &&
             value.substr(value.size() - literal.size()) == literal;
    default:
      return false;
  }
}

std::optional<double> FieldNumber(const FieldValue& value) {
  if (value.kind == FieldValue::Kind::kNumber || value.kind == FieldValue::Kind::kBool) {
    return value.number;
  }
  return ParseNumber(value.text);
}

// One alternative against a present value. `folded` is the value's folded text.
bool AltMatches(const CompiledTest& test, const CompiledAlt& alt, const FieldValue& value,
                std::string_view folded) {
  if (test.time_part != sigma::TimePart::kNone) {
    int64_t ticks = value.ticks;
    if (!value.is_datetime) {
      auto parsed = ParseDateTime(value.text);
      if (!parsed) {
        return false;
      }
      ticks = *parsed;
    }
    auto part = TimePartOf(test.time_part, ticks);
    return part && alt.number && CompareNumbers(test.op, static_cast<double>(*part), *alt.number);
  }
  const std::string_view text = test.case_sensitive ? value.text : folded;
  switch (test.op) {
    case MatchOp::kEquals:
      if (alt.number) {
        if (auto number = FieldNumber(value)) {
          return *number == *alt.number;
        }
      }
      return text == alt.text;
    case MatchOp::kContains:
    case MatchOp::kStartsWith:
    case MatchOp::kEndsWith:
      return TextOp(test.op, text, alt.text);
    case MatchOp::kGlob:
      return alt.regex != nullptr &&
             RE2::FullMatch(re2::StringPiece(value.text.data(), value.text.size()), *alt.regex);
    case MatchOp::kRegex:
      return alt.regex != nullptr &&
             RE2::PartialMatch(re2::StringPiece(value.text.data(), value.text.size()), *alt.regex);
    case MatchOp::kCidr:
      return InNetwork(alt, value.text);
    case MatchOp::kLt:
    case MatchOp::kLte:
    case MatchOp::kGt:
    case MatchOp::kGte: {
      auto number = FieldNumber(value);
      return number && alt.number && CompareNumbers(test.op, *number, *alt.number);
    }
    default:
      return false;
  }
}

bool ValueMatches(const CompiledTest& test, const std::vector<CompiledAlt>& alts,
                  const FieldValue& value, std::string_view folded) {
  for (const auto& alt : alts) {
    if (AltMatches(test, alt, value, folded)) {
      return true;
    }
  }
  return false;
}

bool KeywordValue(const CompiledTest& test, const std::vector<CompiledAlt>& alts, RowReader& reader,
                  std::string& fold) {
  return reader.AnyString([&](std::string_view text) {
    FieldValue value;
    value.kind = FieldValue::Kind::kString;
    value.text = text;
    std::string_view folded = text;
    if (!test.case_sensitive) {
      Fold(text, fold);
      folded = fold;
    }
    return ValueMatches(test, alts, value, folded);
  });
}

bool EvalCondition(const CompiledRule& rule, const sigma::Condition& node, RowReader& reader,
                   std::string& fold) {
  switch (node.kind) {
    case sigma::Condition::Kind::kTrue:
      return true;
    case sigma::Condition::Kind::kFalse:
      return false;
    case sigma::Condition::Kind::kNot:
      return node.children.empty() || !EvalCondition(rule, node.children[0], reader, fold);
    case sigma::Condition::Kind::kAnd:
      for (const auto& child : node.children) {
        if (!EvalCondition(rule, child, reader, fold)) {
          return false;
        }
      }
      return true;
    case sigma::Condition::Kind::kOr:
      for (const auto& child : node.children) {
        if (EvalCondition(rule, child, reader, fold)) {
          return true;
        }
      }
      return false;
    case sigma::Condition::Kind::kSearch: {
      if (node.search < 0 || static_cast<size_t>(node.search) >= rule.searches.size()) {
        return false;
      }
      for (const auto& alternative : rule.searches[static_cast<size_t>(node.search)]) {
        bool all = true;
        for (const auto& test : alternative) {
          if (!EvaluateTest(test, reader, fold)) {
            all = false;
            break;
          }
        }
        if (all) {
          return true;
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  bool negative = false;
  if (*begin == '-') {
    negative = true;
    ++begin;
  }
  if (end - begin > 2 && begin[0] == '0' && (begin[1] == 'x' || begin[1] == 'X')) {
    uint64_t hex = 0;
    auto [ptr, ec] = std::from_chars(begin + 2, end, hex, 16);
    if (ec != std::errc() || ptr != end) {
      return std::nullopt;
    }
    const double number = static_cast<double>(hex);
    return negative ? -number : number;
  }
  if (begin == end || !std::isdigit(static_cast<unsigned char>(*begin))) {
    return std::nullopt;
  }
  double number = 0;
  auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return negative ? -number : number;
}

bool EvaluateTest(const CompiledTest& test, RowReader& reader, std::string& fold) {
  bool result = false;
  if (test.accessor < 0) {
    result = test.match_all;
    for (const auto& alts : test.values) {
      const bool hit = KeywordValue(test, alts, reader, fold);
      if (test.match_all ? !hit : hit) {
        result = hit;
        break;
      }
    }
    return test.negate ? !result : result;
  }
  const auto id = static_cast<uint32_t>(test.accessor);
  const FieldValue& value = reader.Get(id);
  switch (test.op) {
    case MatchOp::kExists: {
      const bool want = test.values.empty() || test.values[0].empty() ||
                        !test.values[0][0].number || *test.values[0][0].number != 0;
      result = value.present() == want;
      return test.negate ? !result : result;
    }
    case MatchOp::kNull:
      result = !value.present() || value.text.empty();
      return test.negate ? !result : result;
    default:
      break;
  }
  if (!value.present()) {
    // The normalizer stores empty values as nulls, so `field: ''` must match a null field.
    if (test.op == MatchOp::kEquals) {
      result = test.match_all;
      for (const auto& alts : test.values) {
        const bool hit = std::any_of(alts.begin(), alts.end(),
                                     [](const CompiledAlt& alt) { return alt.text.empty(); });
        if (test.match_all ? !hit : hit) {
          result = hit;
          break;
        }
      }
      return test.negate ? !result : result;
    }
    return test.negate;
  }
  std::string_view folded = test.case_sensitive ? value.text : reader.Folded(id);
  if (test.op == MatchOp::kFieldRef) {
    const FieldValue& other = reader.Get(static_cast<uint32_t>(test.ref_accessor));
    if (other.present()) {
      std::string_view other_text = test.case_sensitive
                                        ? other.text
                                        : reader.Folded(static_cast<uint32_t>(test.ref_accessor));
      std::string_view text = test.case_sensitive ? value.text : reader.Folded(id);
      result = TextOp(test.fieldref_op, text, other_text);
    }
    return test.negate ? !result : result;
  }
  result = test.match_all;
  for (const auto& alts : test.values) {
    const bool hit = ValueMatches(test, alts, value, folded);
    if (test.match_all ? !hit : hit) {
      result = hit;
      break;
    }
  }
  return test.negate ? !result : result;
}

bool EvaluateRule(const CompiledRule& rule, RowReader& reader, std::string& fold) {
  if (!rule.event_ids.empty()) {
    auto id = reader.EventId();
    bool ok = false;
    for (int64_t want : rule.event_ids) {
      ok = ok || (id && *id == want);
    }
    if (!ok) {
      return false;
    }
  }
  return EvalCondition(rule, rule.condition, reader, fold);
}

}  // namespace vigil::detect::match::internal
