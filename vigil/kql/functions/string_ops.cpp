// Kusto string operators (has, contains, startswith, ... and their _cs forms) over raw bytes.
#include "vigil/kql/functions/string_ops.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "vigil/kql/functions/substring_search.h"

namespace vigil::kql {

namespace {

inline unsigned char LowerAscii(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c | 0x20) : c;
}

// True when `text` equals `lower` ignoring ASCII case; `lower` is already lower-case.
inline bool EqualsLowerCi(const char* text, const char* lower, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (LowerAscii(static_cast<unsigned char>(text[i])) != static_cast<unsigned char>(lower[i])) {
      return false;
    }
  }
  return true;
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(LowerAscii(static_cast<unsigned char>(c)));
  }
  return out;
}

// `needle` is already lower-case when the search folds case.
size_t Find(std::string_view text, std::string_view needle, size_t from, bool case_sensitive) {
  return case_sensitive ? FindExact(text, needle, from) : FindFolded(text, needle, from);
}

// True when the n-byte occurrence at p, inside the value text[begin, end), has a term boundary
// on each side that asks for one: the value's own start and end are boundaries, and so is any
// byte that is not a term byte.
bool AtTermEdges(std::string_view text, size_t begin, size_t end, size_t p, size_t n,
                 bool check_left, bool check_right) {
  const bool left_ok =
      !check_left || p == begin || !IsTermByte(static_cast<unsigned char>(text[p - 1]));
  const bool right_ok =
      !check_right || p + n == end || !IsTermByte(static_cast<unsigned char>(text[p + n]));
  return left_ok && right_ok;
}

bool IsCaseSensitive(StringOp op) {
  switch (op) {
    case StringOp::kEquals:
    case StringOp::kHasCs:
    case StringOp::kHasPrefixCs:
    case StringOp::kHasSuffixCs:
    case StringOp::kContainsCs:
    case StringOp::kStartsWithCs:
    case StringOp::kEndsWithCs:
      return true;
    default:
      return false;
  }
}

// Term search: an occurrence of the needle counts when it has a term boundary on the
// requested sides. A boundary is only needed where the needle's own edge byte is a term byte
// (a needle such as "-enc" already starts at a boundary).
bool TermSearch(std::string_view haystack, std::string_view needle, bool case_sensitive,
                bool need_left, bool need_right) {
  const size_t n = needle.size();
  if (n == 0) {
    return true;
  }
  const bool check_left = need_left && IsTermByte(static_cast<unsigned char>(needle.front()));
  const bool check_right = need_right && IsTermByte(static_cast<unsigned char>(needle.back()));
  size_t from = 0;
  while (true) {
    const size_t pos = Find(haystack, needle, from, case_sensitive);
    if (pos == std::string_view::npos) {
      return false;
    }
    if (AtTermEdges(haystack, 0, haystack.size(), pos, n, check_left, check_right)) {
      return true;
    }
    from = pos + 1;
  }
}

struct OpName {
  std::string_view text;
  StringOp op;
  bool negated;
};

constexpr std::array<OpName, 31> kOpNames = {{
    {"==", StringOp::kEquals, false},
    {"!=", StringOp::kEquals, true},
    {"=~", StringOp::kEqualsCi, false},
    {"!~", StringOp::kEqualsCi, true},
    {"has", StringOp::kHas, false},
    {"!has", StringOp::kHas, true},
    {"has_cs", StringOp::kHasCs, false},
    {"!has_cs", StringOp::kHasCs, true},
    {"hasprefix", StringOp::kHasPrefix, false},
    {"!hasprefix", StringOp::kHasPrefix, true},
    {"hasprefix_cs", StringOp::kHasPrefixCs, false},
    {"!hasprefix_cs", StringOp::kHasPrefixCs, true},
    {"hassuffix", StringOp::kHasSuffix, false},
    {"!hassuffix", StringOp::kHasSuffix, true},
    {"hassuffix_cs", StringOp::kHasSuffixCs, false},
    {"!hassuffix_cs", StringOp::kHasSuffixCs, true},
    {"contains", StringOp::kContains, false},
    {"!contains", StringOp::kContains, true},
    {"contains_cs", StringOp::kContainsCs, false},
    {"!contains_cs", StringOp::kContainsCs, true},
    // Deprecated spellings still accepted by Kusto.
    {"notcontains", StringOp::kContains, true},
    {"containscs", StringOp::kContainsCs, false},
    {"notcontainscs", StringOp::kContainsCs, true},
    {"startswith", StringOp::kStartsWith, false},
    {"!startswith", StringOp::kStartsWith, true},
    {"startswith_cs", StringOp::kStartsWithCs, false},
    {"!startswith_cs", StringOp::kStartsWithCs, true},
    {"endswith", StringOp::kEndsWith, false},
    {"!endswith", StringOp::kEndsWith, true},
    {"endswith_cs", StringOp::kEndsWithCs, false},
    {"!endswith_cs", StringOp::kEndsWithCs, true},
}};

}  // namespace

std::optional<StringOp> ParseStringOp(std::string_view text, bool* negated) {
  for (const auto& entry : kOpNames) {
    if (entry.text == text) {
      if (negated != nullptr) {
        *negated = entry.negated;
      }
      return entry.op;
    }
  }
  return std::nullopt;
}

StringMatcher::StringMatcher(StringOp op, std::string needle)
    : op_(op), needle_(std::move(needle)), needle_lower_(ToLowerAscii(needle_)) {
  for (const char c : needle_) {
    if (!IsTermByte(static_cast<unsigned char>(c))) {
      needle_is_term_ = false;
      break;
    }
  }
}

bool StringMatcher::Match(std::string_view haystack) const {
  const bool cs = IsCaseSensitive(op_);
  const std::string& needle = cs ? needle_ : needle_lower_;
  const size_t n = needle.size();
  switch (op_) {
    case StringOp::kEquals:
      return haystack == needle_;
    case StringOp::kEqualsCi:
      return haystack.size() == n && EqualsLowerCi(haystack.data(), needle.data(), n);
    case StringOp::kContains:
      return FindFolded(haystack, needle, 0) != std::string_view::npos;
    case StringOp::kContainsCs:
      return FindExact(haystack, needle, 0) != std::string_view::npos;
    case StringOp::kStartsWith:
      return haystack.size() >= n && EqualsLowerCi(haystack.data(), needle.data(), n);
    case StringOp::kStartsWithCs:
      return haystack.size() >= n && std::memcmp(haystack.data(), needle.data(), n) == 0;
    case StringOp::kEndsWith:
      return haystack.size() >= n &&
             EqualsLowerCi(haystack.data() + haystack.size() - n, needle.data(), n);
    case StringOp::kEndsWithCs:
      return haystack.size() >= n &&
             std::memcmp(haystack.data() + haystack.size() - n, needle.data(), n) == 0;
    case StringOp::kHas:
    case StringOp::kHasCs:
      if (needle_is_term_ && haystack.size() == n) {
        // Common dictionary case: the whole value is the term.
        return cs ? haystack == needle : EqualsLowerCi(haystack.data(), needle.data(), n);
      }
      return TermSearch(haystack, needle, cs, true, true);
    case StringOp::kHasPrefix:
    case StringOp::kHasPrefixCs:
      return TermSearch(haystack, needle, cs, true, false);
    case StringOp::kHasSuffix:
    case StringOp::kHasSuffixCs:
      return TermSearch(haystack, needle, cs, false, true);
  }
  return false;
}

void StringMatcher::MatchPacked(std::string_view bytes, const size_t* offsets, size_t count,
                                int8_t* out) const {
  bool need_left = false;
  bool need_right = false;
  switch (op_) {
    case StringOp::kContains:
    case StringOp::kContainsCs:
      break;
    case StringOp::kHas:
    case StringOp::kHasCs:
      need_left = need_right = true;
      break;
    case StringOp::kHasPrefix:
    case StringOp::kHasPrefixCs:
      need_left = true;
      break;
    case StringOp::kHasSuffix:
    case StringOp::kHasSuffixCs:
      need_right = true;
      break;
    default:
      for (size_t i = 0; i < count; ++i) {
        out[i] = Match(bytes.substr(offsets[i], offsets[i + 1] - offsets[i])) ? 1 : 0;
      }
      return;
  }
  const bool cs = IsCaseSensitive(op_);
  const std::string& needle = cs ? needle_ : needle_lower_;
  const size_t n = needle.size();
  std::fill(out, out + count, n == 0 ? 1 : 0);
  if (n == 0 || count == 0) {
    return;
  }
  // One search over all the values back to back. An occurrence counts for the value it starts
  // in when it ends inside that value too and has the term boundaries the operator needs (a
  // value's own start and end are boundaries); the search then goes on at the next value.
  const bool check_left = need_left && IsTermByte(static_cast<unsigned char>(needle.front()));
  const bool check_right = need_right && IsTermByte(static_cast<unsigned char>(needle.back()));
  const std::string_view all = bytes.substr(0, offsets[count]);
  size_t pos = offsets[0];
  size_t v = 0;
  while (true) {
    const size_t p = Find(all, needle, pos, cs);
    if (p == std::string_view::npos) {
      return;
    }
    // The value holding p: the last one starting at or before it (empty values share their
    // start with the next value, which is the one that holds p).
    v = static_cast<size_t>(std::upper_bound(offsets + v + 1, offsets + count + 1, p) - offsets) -
        1;
    const size_t begin = offsets[v];
    const size_t end = offsets[v + 1];
    if (p + n <= end && AtTermEdges(all, begin, end, p, n, check_left, check_right)) {
      out[v] = 1;
      pos = end;
    } else {
      pos = p + 1;
    }
  }
}

}  // namespace vigil::kql
