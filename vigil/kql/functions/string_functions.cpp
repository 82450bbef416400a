// String scalar functions: strcat/strcat_delim/strcat_array, strlen/string_size, substring,
// tolower/toupper, trim*, replace_string/replace_strings, replace_regex/replace, reverse,
// split, indexof, countof, has_any_index, strrep, translate, make_string and the
// unicode_codepoints_* pair, isempty/isnotempty/notempty, isnull/isnotnull.
// Arguments that Kusto types as string accept any scalar, read with tostring semantics.

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/functions/string_ops.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;
using fn1::TextArg;

// Results larger than this are cut off as null: one row must not exhaust memory.
constexpr size_t kMaxResultBytes = size_t{64} << 20;

// Simple case mapping for the scripts seen in security data (ASCII, Latin-1, Latin Extended-A,
// Greek, Cyrillic); other characters are kept as is.
uint32_t LowerCp(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') {
    return cp + 32;
  }
  if (cp < 0xC0) {
    return cp;
  }
  if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
      (cp >= 0x410 && cp <= 0x42F)) {
    return cp + 32;
  }
  if (cp >= 0x400 && cp <= 0x40F) {
    return cp + 80;
  }
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
      cp != 0x17F) {
    const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper ? (cp % 2 == 1) : (cp % 2 == 0)) {
      return cp + 1;
    }
  }
  return cp;
}

uint32_t UpperCp(uint32_t cp) {
  if (cp >= 'a' && cp <= 'z') {
    return cp - 32;
  }
  if (cp < 0xE0) {
    return cp;
  }
  if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) || (cp >= 0x3B1 && cp <= 0x3CB && cp != 0x3C2) ||
      (cp >= 0x430 && cp <= 0x44F)) {
    return cp - 32;
  }
  if (cp >= 0x450 && cp <= 0x45F) {
    return cp - 80;
  }
  if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
      cp != 0x17F) {
    const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    if (odd_upper ? (cp % 2 == 0) : (cp % 2 == 1)) {
      return cp - 1;
    }
  }
  return cp;
}

std::string MapCase(std::string_view s, bool lower) {
  std::string out;
  out.reserve(s.size());
  if (fn1::IsAscii(s)) {
    for (const char c : s) {
      if (lower) {
        out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
      } else {
        out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
      }
    }
    return out;
  }
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t start = pos;
    const uint32_t cp = fn1::DecodeUtf8(s, pos);
    if (cp == 0xFFFD && pos == start + 1) {
      out.push_back(s[start]);  // keep invalid bytes as they are
      continue;
    }
    fn1::AppendUtf8(out, lower ? LowerCp(cp) : UpperCp(cp));
  }
  return out;
}

size_t CharCount(std::string_view s) {
  size_t count = 0;
  for (const char c : s) {
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  }
  return count;
}

Value Substring(std::span<const Value> args) {
  const TextArg text(args[0]);
  const auto start_arg = fn1::IntegerOf(args[1]);
  if (!start_arg) {
    return Value();
  }
  const std::vector<size_t> offsets = fn1::CharOffsets(text);
  const auto n = static_cast<int64_t>(offsets.size() - 1);
  int64_t start = *start_arg;
  if (start < 0) {
    start = std::max<int64_t>(0, n + start);
  }
  if (start >= n) {
    return Value::String("");
  }
  int64_t end = n;
  if (args.size() > 2) {
    const auto length = fn1::IntegerOf(args[2]);
    if (!length) {
      return Value();
    }
    if (*length <= 0) {
      return Value::String("");
    }
    end = *length >= n - start ? n : start + *length;
  }
  const size_t from = offsets[static_cast<size_t>(start)];
  const size_t to = offsets[static_cast<size_t>(end)];
  return Value::String(std::string(text.view().substr(from, to - from)));
}

// trim/trim_start/trim_end: the first argument is a regex; all leading/trailing repetitions
// of it are removed.
Value Trim(std::span<const Value> args, FunctionContext& ctx, bool start, bool end) {
  if (ctx.regex == nullptr) {
    return Value();
  }
  const TextArg pattern(args[0]);
  const TextArg text(args[1]);
  std::string_view rest = text.view();
  const re2::RE2* lead = start ? ctx.regex->Get("\\A(?:" + pattern.str() + ")+") : nullptr;
  const re2::RE2* tail = end ? ctx.regex->Get("(?:" + pattern.str() + ")+\\z") : nullptr;
  if ((start && lead == nullptr) || (end && tail == nullptr)) {
    ctx.Warn("trim(): invalid regular expression '" + pattern.str() + "'");
    return Value();
  }
  re2::StringPiece match;
  if (lead != nullptr && lead->Match(re2::StringPiece(rest.data(), rest.size()), 0, rest.size(),
                                     re2::RE2::UNANCHORED, &match, 1)) {
    rest.remove_prefix(match.size());
  }
  if (tail != nullptr && tail->Match(re2::StringPiece(rest.data(), rest.size()), 0, rest.size(),
                                     re2::RE2::UNANCHORED, &match, 1)) {
    rest = rest.substr(0, static_cast<size_t>(match.data() - rest.data()));
  }
  return Value::String(std::string(rest));
}

Value ReplaceString(std::string_view text, std::string_view lookup, std::string_view rewrite) {
  if (lookup.empty()) {
    return Value::String(std::string(text));
  }
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t hit = text.find(lookup, pos);
    if (hit == std::string_view::npos) {
      break;
    }
    out.append(text.substr(pos, hit - pos));
    out.append(rewrite);
    pos = hit + lookup.size();
    if (out.size() > kMaxResultBytes) {
      return Value();
    }
  }
  out.append(text.substr(pos));
  return Value::String(std::move(out));
}

// replace_strings(text, lookups, rewrites): the lookups apply in array order, each to the text
// that no earlier lookup replaced (rewritten text is never searched again). So ['is', 'This']
// turns "This" into "Thwas" while ['This', 'is'] keeps it, as documented. A rewrite that is
// not a string keeps the matched text (and protects it).
Value ReplaceStrings(std::span<const Value> args) {
  const TextArg text(args[0]);
  if (!args[1].is_array() || !args[2].is_array()) {
    return Value();
  }
  struct Piece {
    std::string text;
    bool done;  // produced by a rewrite
  };
  std::vector<Piece> pieces{{text.str(), false}};
  size_t total = text.size();
  for (size_t i = 0; i < args[1].AsArray().size(); ++i) {
    const std::string lookup = args[1].AsArray()[i].ToText();
    if (lookup.empty()) {
      continue;
    }
    std::optional<std::string> rewrite;
    if (i >= args[2].AsArray().size()) {
      rewrite = "";
    } else if (args[2].AsArray()[i].is_string()) {
      rewrite = args[2].AsArray()[i].AsString();
    }
    std::vector<Piece> next;
    for (Piece& piece : pieces) {
      if (piece.done) {
        next.push_back(std::move(piece));
        continue;
      }
      size_t from = 0;
      size_t hit = piece.text.find(lookup);
      while (hit != std::string::npos) {
        if (hit > from) {
          next.push_back({piece.text.substr(from, hit - from), false});
        }
        next.push_back({rewrite ? *rewrite : lookup, true});
        total = total - lookup.size() + next.back().text.size();
        if (total > kMaxResultBytes) {
          return Value();
        }
        from = hit + lookup.size();
        hit = piece.text.find(lookup, from);
      }
      if (from < piece.text.size()) {
        next.push_back({piece.text.substr(from), false});
      }
    }
    pieces = std::move(next);
  }
  std::string out;
  out.reserve(total);
  for (const Piece& piece : pieces) {
    out += piece.text;
  }
  return Value::String(std::move(out));
}

Value ReplaceRegex(std::string_view text, std::string_view pattern, std::string_view rewrite,
                   FunctionContext& ctx) {
  if (ctx.regex == nullptr) {
    return Value();
  }
  std::string error;
  const re2::RE2* re = ctx.regex->Get(pattern, &error);
  if (re == nullptr) {
    ctx.Warn("replace_regex(): " + error);
    return Value();
  }
  const re2::StringPiece rw(rewrite.data(), rewrite.size());
  if (!re->CheckRewriteString(rw, &error)) {
    ctx.Warn("replace_regex(): invalid rewrite '" + std::string(rewrite) + "': " + error);
    return Value();
  }
  std::string out(text);
  re2::RE2::GlobalReplace(&out, *re, rw);
  return out.size() > kMaxResultBytes ? Value() : Value::String(std::move(out));
}

Value Split(std::span<const Value> args) {
  const TextArg text(args[0]);
  const TextArg delim(args[1]);
  Array parts;
  if (delim.empty()) {
    parts.push_back(Value::String(text.str()));
  } else {
    const std::string_view s = text.view();
    size_t pos = 0;
    while (true) {
      const size_t hit = s.find(delim.view(), pos);
      if (hit == std::string_view::npos) {
        parts.push_back(Value::String(std::string(s.substr(pos))));
        break;
      }
      parts.push_back(Value::String(std::string(s.substr(pos, hit - pos))));
      pos = hit + delim.size();
    }
  }
  if (args.size() > 2) {
    const auto index = fn1::IntegerOf(args[2]);
    if (!index) {
      return Value();
    }
    if (*index < 0 || *index >= static_cast<int64_t>(parts.size())) {
      return Value::MakeArray({});
    }
    return Value::MakeArray({parts[static_cast<size_t>(*index)]});
  }
  return Value::MakeArray(std::move(parts));
}

// indexof(source, lookup [, start [, length [, occurrence]]]), in characters. Each further
// occurrence is searched from one past the previous hit with the same window length.
Value IndexOf(std::span<const Value> args) {
  const TextArg text(args[0]);
  const TextArg lookup(args[1]);
  int64_t start = 0;
  int64_t length = -1;
  int64_t occurrence = 1;
  for (size_t i = 2; i < args.size(); ++i) {
    const auto v = fn1::IntegerOf(args[i]);
    if (!v) {
      return Value();
    }
    (i == 2 ? start : i == 3 ? length : occurrence) = *v;
  }
  const std::vector<size_t> offsets = fn1::CharOffsets(text);
  const auto n = static_cast<int64_t>(offsets.size() - 1);
  if (start < 0) {
    start = n + start;
  }
  if (start < 0 || length < -1 || occurrence < 0) {
    return Value();
  }
  if (occurrence == 0) {
    return Value::Long(-1);
  }
  for (int64_t found = 0;;) {
    if (start > n) {
      return Value::Long(-1);
    }
    const int64_t end = (length < 0 || length > n - start) ? n : start + length;
    const std::string_view window =
        text.view().substr(offsets[static_cast<size_t>(start)],
                           offsets[static_cast<size_t>(end)] - offsets[static_cast<size_t>(start)]);
    const size_t hit = window.find(lookup.view());
    if (hit == std::string_view::npos) {
      return Value::Long(-1);
    }
    const size_t byte_pos = offsets[static_cast<size_t>(start)] + hit;
    const auto char_pos = static_cast<int64_t>(
        std::lower_bound(offsets.begin(), offsets.end(), byte_pos) - offsets.begin());
    if (++found == occurrence) {
      return Value::Long(char_pos);
    }
    start = char_pos + 1;
  }
}

Value CountOf(std::span<const Value> args, FunctionContext& ctx) {
  const TextArg text(args[0]);
  const TextArg search(args[1]);
  const std::string kind = args.size() > 2 ? args[2].ToText() : "normal";
  if (kind == "normal") {
    if (search.empty()) {
      return Value::Long(0);
    }
    int64_t count = 0;
    for (size_t pos = text.view().find(search.view()); pos != std::string_view::npos;
         pos = text.view().find(search.view(), pos + 1)) {
      ++count;
    }
    return Value::Long(count);
  }
  if (kind != "regex" || ctx.regex == nullptr) {
    return Value();
  }
  std::string error;
  const re2::RE2* re = ctx.regex->Get(search.view(), &error);
  if (re == nullptr) {
    ctx.Warn("countof(): " + error);
    return Value();
  }
  const re2::StringPiece input(text.view().data(), text.size());
  int64_t count = 0;
  size_t pos = 0;
  re2::StringPiece match;
  while (pos <= input.size() &&
         re->Match(input, pos, input.size(), re2::RE2::UNANCHORED, &match, 1)) {
    ++count;
    const auto match_end = static_cast<size_t>(match.data() - input.data()) + match.size();
    pos = match.empty() ? match_end + 1 : match_end;
  }
  return Value::Long(count);
}

Value HasAnyIndex(std::span<const Value> args) {
  const TextArg text(args[0]);
  if (!args[1].is_array()) {
    return Value();
  }
  const Array& values = args[1].AsArray();
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string needle = values[i].ToText();
    if (!needle.empty() && StringMatcher(StringOp::kHas, needle).Match(text)) {
      return Value::Long(static_cast<int64_t>(i));
    }
  }
  return Value::Long(-1);
}

Value StrRep(std::span<const Value> args) {
  const TextArg text(args[0]);
  const auto times_arg = fn1::IntegerOf(args[1]);
  if (!times_arg || *times_arg < 1) {
    return Value();
  }
  const int64_t times = std::min<int64_t>(*times_arg, 1024);  // Kusto's documented cap
  std::string delim = args.size() > 2 ? args[2].ToText() : "";
  std::string out;
  for (int64_t i = 0; i < times; ++i) {
    if (i > 0) {
      out.append(delim);
    }
    out.append(text.view());
    if (out.size() > kMaxResultBytes) {
      return Value();
    }
  }
  return Value::String(std::move(out));
}

std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos < s.size()) {
    out.push_back(fn1::DecodeUtf8(s, pos));
  }
  return out;
}

// translate(searchList, replacementList, source): per character; a replacement list shorter
// than the search list repeats its last character; an empty one deletes the characters.
Value Translate(std::span<const Value> args) {
  const std::vector<uint32_t> from = CodePoints(TextArg(args[0]).view());
  const std::vector<uint32_t> to = CodePoints(TextArg(args[1]).view());
  const TextArg text(args[2]);
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t cp = fn1::DecodeUtf8(text, pos);
    const auto it = std::find(from.begin(), from.end(), cp);
    if (it == from.end()) {
      fn1::AppendUtf8(out, cp);
      continue;
    }
    if (to.empty()) {
      continue;
    }
    const auto idx = static_cast<size_t>(it - from.begin());
    fn1::AppendUtf8(out, idx < to.size() ? to[idx] : to.back());
  }
  return Value::String(std::move(out));
}

// make_string / unicode_codepoints_to_string: integers or arrays of integers (code points).
Value FromCodePoints(std::span<const Value> args) {
  std::string out;
  auto add = [&out](const Value& v) {
    const auto cp = fn1::IntegerOf(v);
    if (!cp || *cp < 0 || *cp > 0x10FFFF) {
      return false;
    }
    fn1::AppendUtf8(out, static_cast<uint32_t>(*cp));
    return true;
  };
  for (const Value& arg : args) {
    if (arg.is_array()) {
      for (const Value& item : arg.AsArray()) {
        if (!add(item)) {
          return Value();
        }
      }
    } else if (!add(arg)) {
      return Value();
    }
  }
  return Value::String(std::move(out));
}

bool IsEmptyValue(const Value& v) { return v.is_null() || (v.is_string() && v.AsString().empty()); }

}  // namespace

void RegisterStringFunctions(Registry& r) {
  Add(r, "strcat", 1, 64, Returns("strcat", Type::kString, {Arg::kText}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        std::string out;
        for (const Value& v : args) {
          out.append(TextArg(v).view());
        }
        return Value::String(std::move(out));
      });
  Add(r, "strcat_delim", 3, 64, Returns("strcat_delim", Type::kString, {Arg::kText}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        const TextArg delim(args[0]);
        std::string out;
        for (size_t i = 1; i < args.size(); ++i) {
          if (i > 1) {
            out.append(delim.view());
          }
          out.append(TextArg(args[i]).view());
        }
        return Value::String(std::move(out));
      });
  Add(r, "strcat_array", 2, 2, Returns("strcat_array", Type::kString, {Arg::kDynamic, Arg::kText}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array()) {
          return Value();
        }
        const TextArg delim(args[1]);
        std::string out;
        for (size_t i = 0; i < args[0].AsArray().size(); ++i) {
          if (i > 0) {
            out.append(delim.view());
          }
          out.append(TextArg(args[0].AsArray()[i]).view());
        }
        return Value::String(std::move(out));
      });
  Add(r, "strlen", 1, 1, Returns("strlen", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::Long(static_cast<int64_t>(CharCount(TextArg(args[0]))));
      });
  Add(r, "string_size", 1, 1, Returns("string_size", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::Long(static_cast<int64_t>(TextArg(args[0]).size()));
      });
  Add(r, "substring", 2, 3,
      Returns("substring", Type::kString, {Arg::kText, Arg::kInteger, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return Substring(args); });
  Add(r, "tolower", 1, 1, Returns("tolower", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::String(MapCase(TextArg(args[0]), true));
      });
  Add(r, "toupper", 1, 1, Returns("toupper", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return Value::String(MapCase(TextArg(args[0]), false));
      });
  Add(r, "trim", 2, 2, Returns("trim", Type::kString),
      [](std::span<const Value> args, FunctionContext& ctx) {
        return Trim(args, ctx, true, true);
      });
  Add(r, "trim_start", 2, 2, Returns("trim_start", Type::kString),
      [](std::span<const Value> args, FunctionContext& ctx) {
        return Trim(args, ctx, true, false);
      });
  Add(r, "trim_end", 2, 2, Returns("trim_end", Type::kString),
      [](std::span<const Value> args, FunctionContext& ctx) {
        return Trim(args, ctx, false, true);
      });
  Add(r, "replace_string", 3, 3, Returns("replace_string", Type::kString),
      [](std::span<const Value> args, FunctionContext&) {
        return ReplaceString(TextArg(args[0]), TextArg(args[1]), TextArg(args[2]));
      });
  Add(r, "replace_strings", 3, 3,
      Returns("replace_strings", Type::kString, {Arg::kText, Arg::kDynamic, Arg::kDynamic}),
      [](std::span<const Value> args, FunctionContext&) { return ReplaceStrings(args); });
  Add(r, "replace_regex", 3, 3, Returns("replace_regex", Type::kString),
      [](std::span<const Value> args, FunctionContext& ctx) {
        return ReplaceRegex(TextArg(args[0]), TextArg(args[1]), TextArg(args[2]), ctx);
      });
  // Deprecated: replace(regex, rewrite, text).
  Add(r, "replace", 3, 3, Returns("replace", Type::kString),
      [](std::span<const Value> args, FunctionContext& ctx) {
        return ReplaceRegex(TextArg(args[2]), TextArg(args[0]), TextArg(args[1]), ctx);
      });
  Add(r, "reverse", 1, 1, Returns("reverse", Type::kString),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        std::vector<uint32_t> cps = CodePoints(TextArg(args[0]));
        std::string out;
        for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
          fn1::AppendUtf8(out, *it);
        }
        return Value::String(std::move(out));
      });
  Add(r, "split", 2, 3, Returns("split", Type::kDynamic, {Arg::kText, Arg::kText, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return Split(args); });
  Add(r, "indexof", 2, 5, Returns("indexof", Type::kLong, {Arg::kText, Arg::kText, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return IndexOf(args); });
  Add(r, "countof", 2, 3, Returns("countof", Type::kLong),
      [](std::span<const Value> args, FunctionContext& ctx) { return CountOf(args, ctx); });
  Add(r, "has_any_index", 2, 2, Returns("has_any_index", Type::kLong, {Arg::kText, Arg::kDynamic}),
      [](std::span<const Value> args, FunctionContext&) { return HasAnyIndex(args); });
  Add(r, "strrep", 2, 3, Returns("strrep", Type::kString, {Arg::kText, Arg::kInteger, Arg::kText}),
      [](std::span<const Value> args, FunctionContext&) { return StrRep(args); });
  Add(r, "translate", 3, 3, Returns("translate", Type::kString),
      [](std::span<const Value> args, FunctionContext&) { return Translate(args); });
  for (const char* name : {"make_string", "unicode_codepoints_to_string"}) {
    Add(r, name, 1, 64, Returns(name, Type::kString, {Arg::kAny}),
        [](std::span<const Value> args, FunctionContext&) { return FromCodePoints(args); });
  }
  Add(r, "unicode_codepoints_from_string", 1, 1,
      Returns("unicode_codepoints_from_string", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Array out;
        for (const uint32_t cp : CodePoints(TextArg(args[0]))) {
          out.push_back(Value::Long(cp));
        }
        return Value::MakeArray(std::move(out));
      });
  Add(r, "isempty", 1, 1, Returns("isempty", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::Bool(IsEmptyValue(args[0]));
      });
  for (const char* name : {"isnotempty", "notempty"}) {
    Add(r, name, 1, 1, Returns(name, Type::kBool),
        [](std::span<const Value> args, FunctionContext&) {
          return Value::Bool(!IsEmptyValue(args[0]));
        });
  }
  Add(r, "isnull", 1, 1, Returns("isnull", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) { return Value::Bool(args[0].is_null()); });
  for (const char* name : {"isnotnull", "notnull"}) {
    Add(r, name, 1, 1, Returns(name, Type::kBool),
        [](std::span<const Value> args, FunctionContext&) {
          return Value::Bool(!args[0].is_null());
        });
  }
}

}  // namespace vigil::kql
