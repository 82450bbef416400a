// Turns one `field|modifier|...: values` item of a Sigma detection into a FieldTest with every
// modifier applied (encodings expanded, wildcards reduced, regexes checked with RE2). Used by
// detection.cpp while loading rules; pure functions, safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/sigma/rule.h"

namespace vigil::detect::sigma {

// A YAML scalar as the detection saw it, before modifiers.
struct RawValue {
  enum class Kind : uint8_t { kString, kNumber, kBool, kNull };
  Kind kind = Kind::kString;
  std::string text;              // as written ("4624", "true", "C:\\x"); "" for null
  std::optional<double> number;  // kNumber only
};

// Placeholder name (without `%`) -> values, for |expand.
using PlaceholderMap = std::map<std::string, std::vector<std::string>>;

// Upper bound on the alternatives one value may expand to (windash, expand, base64offset).
inline constexpr size_t kMaxAlternativesPerValue = 4096;

// `key` is the map key as written: "Image|endswith", "CommandLine|contains|windash", or
// "" / "|all" for keyword lists. An empty field name makes a keyword test: its values are
// searched anywhere in the event, so plain keywords reduce as if written `*keyword*`.
// Values of one field that reduce to different ops are all expressed as kGlob.
Result<FieldTest> BuildFieldTest(std::string_view key, const std::vector<RawValue>& values,
                                 const PlaceholderMap& placeholders);

// The windash alternatives of `text` (exposed for tests): every `-` or `/` that starts a word
// (preceded by start, a non-word character or a wildcard; followed by a word character) is
// replaced by each of `-`, `/`, U+2013, U+2014, U+2015, in every combination.
std::vector<std::string> WindashVariantsForTest(std::string_view text);

}  // namespace vigil::detect::sigma
