// Kusto's string operators with their exact semantics, as reusable matchers: the executor
// builds one StringMatcher per (operator, constant right side) and runs it over many values
// (once per distinct dictionary value where the column is dictionary-encoded).
//
// Semantics (https://learn.microsoft.com/kusto/query/datatypes-string-operators):
// - A *term* is a maximal run of ASCII alphanumeric characters (and bytes >= 0x80, so UTF-8
//   letters stay inside terms). `has` is true when the needle is a whole term of the haystack,
//   or, when the needle itself contains non-alphanumeric characters, when the needle occurs
//   with term boundaries on both of its ends (start/end of haystack or a non-alphanumeric
//   neighbour), comparing case-insensitively. `hasprefix`/`hassuffix`: a term starts/ends
//   with the needle. Empty needle: `has ""` is true.
// - `contains`, `startswith`, `endswith`: substring / prefix / suffix, case-insensitive
//   (ASCII folding; UTF-8 bytes compared as is). `_cs` variants are case-sensitive.
// - `==` exact bytes; `=~` case-insensitive equality.
// - Negated forms (`!has`, `!contains`, `!~`, ...) are the negation, handled by the caller via
//   the `negated` output of ParseStringOp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::kql {

enum class StringOp : unsigned char {
  kEquals,         // ==
  kEqualsCi,       // =~
  kHas,
  kHasCs,
  kHasPrefix,
  kHasPrefixCs,
  kHasSuffix,
  kHasSuffixCs,
  kContains,
  kContainsCs,
  kStartsWith,
  kStartsWithCs,
  kEndsWith,
  kEndsWithCs,
};

// "has", "!has_cs", "=~", "!~", "!=", "contains", "notcontains", ... -> op + negated flag.
// "!=" is kEquals negated. nullopt for anything else.
std::optional<StringOp> ParseStringOp(std::string_view text, bool* negated);

// True for a byte that belongs to a term (ASCII letter/digit or any byte >= 0x80).
inline bool IsTermByte(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

class StringMatcher {
 public:
  StringMatcher(StringOp op, std::string needle);
  bool Match(std::string_view haystack) const;
  // Judges many values at once: value i is bytes[offsets[i], offsets[i + 1]), for i < count,
  // and out[i] becomes Match(value i) as 1 or 0. The substring and term operators search all
  // the values in one pass (no call and no block tail per value); the others go value by value.
  void MatchPacked(std::string_view bytes, const size_t* offsets, size_t count,
                   int8_t* out) const;
  StringOp op() const { return op_; }
  const std::string& needle() const { return needle_; }

 private:
  StringOp op_;
  std::string needle_;        // as given
  std::string needle_lower_;  // ASCII lower-case, for the case-insensitive ops
  bool needle_is_term_ = true;  // needle consists only of term bytes
};

}  // namespace vigil::kql
