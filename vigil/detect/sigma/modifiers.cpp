#include "vigil/detect/sigma/modifiers.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "vigil/detect/sigma/encoding.h"
#include "vigil/detect/sigma/sigma_string.h"

namespace vigil::detect::sigma {

namespace {

using PieceKind = SigmaString::PieceKind;

const std::set<std::string_view>& KnownModifiers() {
  static const std::set<std::string_view> kKnown = {
      "contains", "startswith", "endswith", "all", "exists", "cased",        "neq",     "windash",
      "re",       "i",          "m",        "s",   "base64", "base64offset", "utf16le", "wide",
      "utf16be",  "utf16",      "cidr",     "lt",  "lte",    "gt",           "gte",     "fieldref",
      "expand",   "minute",     "hour",     "day", "week",   "month",        "year"};
  return kKnown;
}

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_';
}

// One position of a flattened SigmaString: a literal byte or a wildcard.
struct Unit {
  PieceKind kind;
  char byte;
};

std::vector<Unit> Flatten(const SigmaString& s) {
  std::vector<Unit> units;
  for (const auto& piece : s.pieces()) {
    if (piece.kind != PieceKind::kLiteral) {
      units.push_back(Unit{piece.kind, 0});
      continue;
    }
    for (char c : piece.text) {
      units.push_back(Unit{PieceKind::kLiteral, c});
    }
  }
  return units;
}

Result<std::vector<SigmaString>> Windash(const SigmaString& s) {
  static constexpr std::string_view kDashes[] = {"-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                                 "\xE2\x80\x95"};
  const std::vector<Unit> units = Flatten(s);
  std::vector<size_t> spots;
  for (size_t i = 0; i < units.size(); ++i) {
    if (units[i].kind != PieceKind::kLiteral || (units[i].byte != '-' && units[i].byte != '/')) {
      continue;
    }
    const bool word_before =
        i > 0 && units[i - 1].kind == PieceKind::kLiteral && IsWordByte(units[i - 1].byte);
    const bool word_after = i + 1 < units.size() && units[i + 1].kind == PieceKind::kLiteral &&
                            IsWordByte(units[i + 1].byte);
    if (!word_before && word_after) {
      spots.push_back(i);
    }
  }
  size_t total = 1;
  for (size_t k = 0; k < spots.size(); ++k) {
    total *= 5;
    if (total > kMaxAlternativesPerValue) {
      return InvalidArgumentError("windash expansion has more than {} variants",
                                  kMaxAlternativesPerValue);
    }
  }
  std::vector<SigmaString> out;
  out.reserve(total);
  for (size_t combo = 0; combo < total; ++combo) {
    SigmaString variant;
    size_t rest = combo;
    size_t spot_idx = 0;
    for (size_t i = 0; i < units.size(); ++i) {
      if (spot_idx < spots.size() && spots[spot_idx] == i) {
        variant.AppendLiteral(kDashes[rest % 5]);
        rest /= 5;
        ++spot_idx;
      } else if (units[i].kind == PieceKind::kLiteral) {
        variant.AppendLiteral(std::string_view(&units[i].byte, 1));
      } else {
        variant.AppendWildcard(units[i].kind);
      }
    }
    out.push_back(std::move(variant));
  }
  return out;
}

// Encodes the literal runs of `s` as UTF-16, keeping wildcards in place.
Result<SigmaString> Utf16(const SigmaString& s, bool big_endian, bool bom) {
  SigmaString out;
  if (bom) {
    out.AppendLiteral("\xFF\xFE");
  }
  for (const auto& piece : s.pieces()) {
    if (piece.kind != PieceKind::kLiteral) {
      out.AppendWildcard(piece.kind);
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(std::string encoded, Utf8ToUtf16(piece.text, big_endian));
    out.AppendLiteral(encoded);
  }
  return out;
}

std::optional<double> ParseNumber(const RawValue& value) {
  if (value.number) {
    return value.number;
  }
  double parsed = 0;
  const std::string& t = value.text;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), parsed);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
    return std::nullopt;
  }
  return parsed;
}

// Replaces every %name% of `text` with each value of the placeholder, in every combination.
Result<std::vector<std::string>> Expand(const std::string& text, const PlaceholderMap& map) {
  std::vector<std::string> done = {""};
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find('%', pos);
    const size_t close = open == std::string::npos ? std::string::npos : text.find('%', open + 1);
    if (close == std::string::npos) {
      for (auto& d : done) {
        d += text.substr(pos);
      }
      break;
    }
    const std::string name = text.substr(open + 1, close - open - 1);
    const auto it = map.find(name);
    if (it == map.end() || it->second.empty()) {
      return InvalidArgumentError("unresolved placeholder '%{}%'", name);
    }
    std::vector<std::string> next;
    for (const auto& d : done) {
      for (const auto& v : it->second) {
        next.push_back(d + text.substr(pos, open - pos) + v);
        if (next.size() > kMaxAlternativesPerValue) {
          return InvalidArgumentError("placeholder expansion has more than {} variants",
                                      kMaxAlternativesPerValue);
        }
      }
    }
    done = std::move(next);
    pos = close + 1;
  }
  return done;
}

Status CheckOnly(const std::vector<std::string>& mods, const std::set<std::string_view>& allowed,
                 std::string_view main, const std::string& field) {
  for (const auto& m : mods) {
    if (!allowed.count(m)) {
      return InvalidArgumentError("modifier '{}' cannot be combined with '{}' on field '{}'", m,
                                  main, field);
    }
  }
  return Status::Ok();
}

bool Has(const std::vector<std::string>& mods, std::string_view m) {
  return std::find(mods.begin(), mods.end(), m) != mods.end();
}

}  // namespace

std::vector<std::string> WindashVariantsForTest(std::string_view text) {
  std::vector<std::string> out;
  auto variants = Windash(SigmaString::Parse(text));
  if (!variants.ok()) {
    return out;
  }
  for (const auto& v : *variants) {
    out.push_back(v.GlobText());
  }
  return out;
}

Result<FieldTest> BuildFieldTest(std::string_view key, const std::vector<RawValue>& values,
                                 const PlaceholderMap& placeholders) {
  FieldTest test;
  const size_t bar = key.find('|');
  test.field = std::string(key.substr(0, bar));
  const std::string shown = test.field.empty() ? std::string("keywords") : test.field;
  if (bar != std::string_view::npos) {
    std::string_view rest = key.substr(bar + 1);
    while (true) {
      const size_t next = rest.find('|');
      test.modifiers.emplace_back(rest.substr(0, next));
      if (next == std::string_view::npos) {
        break;
      }
      rest = rest.substr(next + 1);
    }
  }
  const auto& mods = test.modifiers;
  bool seen_re = false;
  int comparators = 0;
  for (const auto& m : mods) {
    if (!KnownModifiers().count(m)) {
      return InvalidArgumentError("unknown modifier '{}' on field '{}'", m, shown);
    }
    if ((m == "i" || m == "m" || m == "s") && !seen_re) {
      return InvalidArgumentError("modifier '{}' is only valid after 're' on field '{}'", m, shown);
    }
    seen_re = seen_re || m == "re";
    comparators += (m == "lt" || m == "lte" || m == "gt" || m == "gte") ? 1 : 0;
    if (m == "minute") test.time_part = TimePart::kMinute;
    if (m == "hour") test.time_part = TimePart::kHour;
    if (m == "day") test.time_part = TimePart::kDay;
    if (m == "week") test.time_part = TimePart::kWeek;
    if (m == "month") test.time_part = TimePart::kMonth;
    if (m == "year") test.time_part = TimePart::kYear;
  }
  test.match_all = Has(mods, "all");
  test.negate = Has(mods, "neq");
  test.case_sensitive = Has(mods, "cased");
  if (values.empty()) {
    return InvalidArgumentError("empty value list for field '{}'", shown);
  }

  // null: the field is absent or null.
  const bool any_null = std::any_of(values.begin(), values.end(), [](const RawValue& v) {
    return v.kind == RawValue::Kind::kNull;
  });
  if (any_null) {
    if (values.size() != 1) {
      return InvalidArgumentError("null must be the only value of field '{}'", shown);
    }
    if (test.field.empty()) {
      return InvalidArgumentError("null is not a valid keyword");
    }
    VIGIL_RETURN_IF_ERROR(CheckOnly(mods, {"neq"}, "null", shown));
    test.op = MatchOp::kNull;
    return test;
  }

  if (Has(mods, "exists")) {
    VIGIL_RETURN_IF_ERROR(CheckOnly(mods, {"exists"}, "exists", shown));
    if (values.size() != 1 || (values[0].text != "true" && values[0].text != "false")) {
      return InvalidArgumentError("modifier 'exists' on field '{}' needs true or false", shown);
    }
    test.op = MatchOp::kExists;
    const bool yes = values[0].text == "true";
    test.values.push_back(Value{{yes ? "true" : "false"}, yes ? 1.0 : 0.0});
    return test;
  }

  // Placeholders first: the result does not depend on where `expand` sits in the chain.
  std::vector<std::vector<std::string>> raw_alternatives;  // per value
  for (const auto& v : values) {
    if (Has(mods, "expand")) {
      auto expanded = Expand(v.text, placeholders);
      if (!expanded.ok()) {
        return InvalidArgumentError("{} on field '{}'", expanded.error().message(), shown);
      }
      raw_alternatives.push_back(std::move(*expanded));
    } else {
      raw_alternatives.push_back({v.text});
    }
  }

  if (seen_re) {
    VIGIL_RETURN_IF_ERROR(
        CheckOnly(mods, {"re", "i", "m", "s", "all", "neq", "cased", "expand"}, "re", shown));
    std::string flags;
    if (Has(mods, "i")) flags += "(?i)";
    if (Has(mods, "m")) flags += "(?m)";
    if (Has(mods, "s")) flags += "(?s)";
    test.op = MatchOp::kRegex;
    test.case_sensitive = !Has(mods, "i");
    for (size_t i = 0; i < values.size(); ++i) {
      Value value;
      for (const auto& raw : raw_alternatives[i]) {
        const std::string pattern = flags + raw;
        RE2::Options options;
        options.set_log_errors(false);
        options.set_max_mem(int64_t{8} << 20);
        const RE2 re(pattern, options);
        if (!re.ok()) {
          return InvalidArgumentError("invalid regular expression on field '{}': {}", shown,
                                      re.error());
        }
        value.alternatives.push_back(pattern);
      }
      test.values.push_back(std::move(value));
    }
    return test;
  }

  if (Has(mods, "cidr")) {
    VIGIL_RETURN_IF_ERROR(CheckOnly(mods, {"cidr", "all", "neq", "expand"}, "cidr", shown));
    test.op = MatchOp::kCidr;
    for (size_t i = 0; i < values.size(); ++i) {
      Value value;
      for (const auto& raw : raw_alternatives[i]) {
        auto network = NormalizeCidr(raw);
        if (!network.ok()) {
          return InvalidArgumentError("{} on field '{}'", network.error().message(), shown);
        }
        value.alternatives.push_back(std::move(*network));
      }
      test.values.push_back(std::move(value));
    }
    return test;
  }

  if (Has(mods, "fieldref")) {
    VIGIL_RETURN_IF_ERROR(
        CheckOnly(mods, {"fieldref", "contains", "startswith", "endswith", "all", "neq", "cased"},
                  "fieldref", shown));
    test.op = MatchOp::kFieldRef;
    if (Has(mods, "contains")) test.fieldref_op = MatchOp::kContains;
    if (Has(mods, "startswith")) test.fieldref_op = MatchOp::kStartsWith;
    if (Has(mods, "endswith")) test.fieldref_op = MatchOp::kEndsWith;
    for (const auto& v : values) {
      if (v.text.empty()) {
        return InvalidArgumentError("modifier 'fieldref' on field '{}' needs a field name", shown);
      }
      test.values.push_back(Value{{v.text}, std::nullopt});
    }
    return test;
  }

  if (comparators > 1) {
    return InvalidArgumentError("more than one of lt/lte/gt/gte on field '{}'", shown);
  }
  if (comparators == 1 || test.time_part != TimePart::kNone) {
    VIGIL_RETURN_IF_ERROR(CheckOnly(
        mods,
        {"lt", "lte", "gt", "gte", "neq", "all", "minute", "hour", "day", "week", "month", "year"},
        comparators == 1 ? "lt/lte/gt/gte" : "time part", shown));
    test.op = Has(mods, "lt")    ? MatchOp::kLt
              : Has(mods, "lte") ? MatchOp::kLte
              : Has(mods, "gt")  ? MatchOp::kGt
              : Has(mods, "gte") ? MatchOp::kGte
                                 : MatchOp::kEquals;
    for (const auto& v : values) {
      const std::optional<double> number = ParseNumber(v);
      if (!number) {
        return InvalidArgumentError("field '{}' needs a number, got '{}'", shown, v.text);
      }
      test.values.push_back(Value{{v.text}, number});
    }
    return test;
  }

  // String values: apply the chain left to right on wildcard-aware strings.
  struct Reduced {
    std::vector<SigmaString> alternatives;
    std::optional<double> number;
  };
  std::vector<Reduced> staged;
  for (size_t i = 0; i < values.size(); ++i) {
    Reduced item;
    if (values[i].kind == RawValue::Kind::kNumber) {
      item.number = values[i].number;
    }
    for (const auto& raw : raw_alternatives[i]) {
      item.alternatives.push_back(SigmaString::Parse(raw));
    }
    for (const auto& m : mods) {
      std::vector<SigmaString> next;
      for (auto& alt : item.alternatives) {
        if (m == "contains") {
          alt.PrependStar();
          alt.AppendStar();
        } else if (m == "startswith") {
          alt.AppendStar();
        } else if (m == "endswith") {
          alt.PrependStar();
        } else if (m == "windash") {
          auto variants = Windash(alt);
          if (!variants.ok()) {
            return InvalidArgumentError("{} on field '{}'", variants.error().message(), shown);
          }
          for (auto& v : *variants) {
            next.push_back(std::move(v));
          }
          continue;
        } else if (m == "base64" || m == "base64offset") {
          if (alt.HasWildcards()) {
            return InvalidArgumentError("modifier '{}' on field '{}' cannot encode wildcards", m,
                                        shown);
          }
          if (m == "base64") {
            alt = SigmaString::Literal(Base64Encode(alt.LiteralText()));
          } else {
            for (auto& v : Base64OffsetVariants(alt.LiteralText())) {
              next.push_back(SigmaString::Literal(v));
            }
            continue;
          }
        } else if (m == "utf16le" || m == "wide" || m == "utf16be" || m == "utf16") {
          auto encoded = Utf16(alt, m == "utf16be", m == "utf16");
          if (!encoded.ok()) {
            return InvalidArgumentError("{} on field '{}'", encoded.error().message(), shown);
          }
          alt = std::move(*encoded);
        }
        next.push_back(std::move(alt));
      }
      if (next.size() > kMaxAlternativesPerValue) {
        return InvalidArgumentError("value of field '{}' expands to more than {} variants", shown,
                                    kMaxAlternativesPerValue);
      }
      item.alternatives = std::move(next);
    }
    if (test.field.empty()) {
      for (auto& alt : item.alternatives) {
        alt.PrependStar();
        alt.AppendStar();
      }
    }
    staged.push_back(std::move(item));
  }

  // One op for the whole test; fall back to glob when the values disagree.
  std::optional<MatchOp> common;
  bool mixed = false;
  for (const auto& item : staged) {
    for (const auto& alt : item.alternatives) {
      MatchOp op = MatchOp::kEquals;
      std::string text;
      alt.Reduce(&op, &text);
      if (common && *common != op) {
        mixed = true;
      }
      common = op;
    }
  }
  test.op = mixed ? MatchOp::kGlob : common.value_or(MatchOp::kEquals);
  for (auto& item : staged) {
    Value value;
    value.number = item.number;
    for (const auto& alt : item.alternatives) {
      if (mixed) {
        value.alternatives.push_back(alt.GlobText());
        continue;
      }
      MatchOp op = MatchOp::kEquals;
      std::string text;
      alt.Reduce(&op, &text);
      value.alternatives.push_back(std::move(text));
    }
    if (test.op != MatchOp::kEquals) {
      value.number.reset();
    }
    test.values.push_back(std::move(value));
  }
  return test;
}

}  // namespace vigil::detect::sigma
