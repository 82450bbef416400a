// Regex and text-extraction scalar functions: extract, extract_all, indexof_regex,
// extractjson/extract_json (JSONPath subset) and parse_command_line (Windows rules).
// Every user pattern goes through the per-query RE2 cache (linear time, bounded memory).

#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/function_util.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn1::Add;
using fn1::Arg;
using fn1::Returns;
using fn1::TextArg;

// Upper bound on matches collected by extract_all for one value.
constexpr size_t kMaxMatches = 100000;

const re2::RE2* Compile(std::string_view fn, std::string_view pattern, FunctionContext& ctx) {
  if (ctx.regex == nullptr) {
    return nullptr;
  }
  std::string error;
  const re2::RE2* re = ctx.regex->Get(pattern, &error);
  if (re == nullptr) {
    ctx.Warn(std::string(fn) + "(): " + error);
  }
  return re;
}

std::string PieceText(const re2::StringPiece& piece) {
  return piece.data() == nullptr ? std::string() : std::string(piece.data(), piece.size());
}

// extract(regex, captureGroup, source): the group's text of the first match, or "" (Kusto's
// null string) when there is no match or no such group.
Value Extract(std::span<const Value> args, FunctionContext& ctx) {
  const TextArg pattern(args[0]);
  const auto group = fn1::IntegerOf(args[1]);
  const TextArg text(args[2]);
  const re2::RE2* re = Compile("extract", pattern, ctx);
  if (re == nullptr || !group || *group < 0) {
    return Value();
  }
  if (*group > re->NumberOfCapturingGroups()) {
    return Value::String("");
  }
  const auto n = static_cast<size_t>(*group) + 1;
  std::vector<re2::StringPiece> groups(n);
  if (!re->Match(re2::StringPiece(text.view().data(), text.size()), 0, text.size(),
                 re2::RE2::UNANCHORED, groups.data(), static_cast<int>(n))) {
    return Value::String("");
  }
  return Value::String(PieceText(groups[n - 1]));
}

// Group indexes selected by extract_all's captureGroups argument (numbers or names).
std::optional<std::vector<int>> SelectedGroups(const Value& spec, const re2::RE2& re) {
  std::vector<int> out;
  if (!spec.is_array() || spec.AsArray().empty()) {
    return std::nullopt;
  }
  const std::map<std::string, int>& names = re.NamedCapturingGroups();
  for (const Value& item : spec.AsArray()) {
    if (item.is_string()) {
      const auto it = names.find(item.AsString());
      if (it == names.end()) {
        return std::nullopt;
      }
      out.push_back(it->second);
      continue;
    }
    const auto idx = fn1::IntegerOf(item);
    if (!idx || *idx < 0 || *idx > re.NumberOfCapturingGroups()) {
      return std::nullopt;
    }
    out.push_back(static_cast<int>(*idx));
  }
  return out;
}

// extract_all(regex, [captureGroups,] source): all matches. One capture group (or none: the
// whole match) gives an array of strings; several give an array of arrays per match.
Value ExtractAll(std::span<const Value> args, FunctionContext& ctx) {
  const TextArg pattern(args[0]);
  const TextArg text(args[args.size() - 1]);
  const re2::RE2* re = Compile("extract_all", pattern, ctx);
  if (re == nullptr) {
    return Value();
  }
  const int ngroups = re->NumberOfCapturingGroups();
  std::vector<int> selected;
  bool nested = ngroups > 1;
  if (args.size() == 3) {
    auto groups = SelectedGroups(args[1], *re);
    if (!groups) {
      ctx.Warn("extract_all(): invalid captureGroups argument");
      return Value();
    }
    selected = std::move(*groups);
    nested = true;
  } else if (ngroups == 0) {
    selected = {0};
  } else {
    for (int g = 1; g <= ngroups; ++g) {
      selected.push_back(g);
    }
  }
  const re2::StringPiece input(text.view().data(), text.size());
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups) + 1);
  Array matches;
  size_t pos = 0;
  while (pos <= input.size() && matches.size() < kMaxMatches &&
         re->Match(input, pos, input.size(), re2::RE2::UNANCHORED, groups.data(), ngroups + 1)) {
    if (nested) {
      Array row;
      for (const int g : selected) {
        row.push_back(Value::String(PieceText(groups[static_cast<size_t>(g)])));
      }
      matches.push_back(Value::MakeArray(std::move(row)));
    } else {
      matches.push_back(Value::String(PieceText(groups[static_cast<size_t>(selected[0])])));
    }
    const auto end = static_cast<size_t>(groups[0].data() - input.data()) + groups[0].size();
    pos = groups[0].empty() ? end + 1 : end;
  }
  if (matches.empty()) {
    return Value();
  }
  return Value::MakeArray(std::move(matches));
}

// indexof_regex(source, regex [, start [, length [, occurrence]]]): character index of the
// match; the window rules follow indexof.
Value IndexOfRegex(std::span<const Value> args, FunctionContext& ctx) {
  const TextArg text(args[0]);
  const TextArg pattern(args[1]);
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
  const re2::RE2* re = Compile("indexof_regex", pattern, ctx);
  if (re == nullptr || start < 0 || length < -1 || occurrence < 0) {
    return Value();
  }
  if (occurrence == 0) {
    return Value::Long(-1);
  }
  const std::vector<size_t> offsets = fn1::CharOffsets(text);
  const auto n = static_cast<int64_t>(offsets.size() - 1);
  const re2::StringPiece input(text.view().data(), text.size());
  for (int64_t found = 0;;) {
    if (start > n) {
      return Value::Long(-1);
    }
    const int64_t end = (length < 0 || length > n - start) ? n : start + length;
    re2::StringPiece match;
    if (!re->Match(input, offsets[static_cast<size_t>(start)], offsets[static_cast<size_t>(end)],
                   re2::RE2::UNANCHORED, &match, 1)) {
      return Value::Long(-1);
    }
    const auto byte_pos = static_cast<size_t>(match.data() - input.data());
    const auto char_pos = static_cast<int64_t>(
        std::lower_bound(offsets.begin(), offsets.end(), byte_pos) - offsets.begin());
    if (++found == occurrence) {
      return Value::Long(char_pos);
    }
    start = char_pos + 1;
  }
}

// JSONPath subset: $, .name, ['name'], ["name"], [index]. nullopt for syntax errors.
std::optional<Value> ApplyJsonPath(const Value& root, std::string_view path) {
  if (path.empty() || path[0] != '$') {
    return std::nullopt;
  }
  const Value* cur = &root;
  size_t pos = 1;
  while (pos < path.size()) {
    if (path[pos] == '.') {
      const size_t begin = ++pos;
      while (pos < path.size() && path[pos] != '.' && path[pos] != '[') {
        ++pos;
      }
      if (pos == begin) {
        return std::nullopt;
      }
      cur = cur->Find(path.substr(begin, pos - begin));
    } else if (path[pos] == '[') {
      const size_t close = path.find(']', pos);
      if (close == std::string_view::npos) {
        return std::nullopt;
      }
      std::string_view inner = path.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
          inner.back() == inner.front()) {
        cur = cur->Find(inner.substr(1, inner.size() - 2));
      } else {
        int64_t idx = 0;
        if (inner.empty() || inner.size() > 9) {
          return std::nullopt;
        }
        for (const char c : inner) {
          if (c < '0' || c > '9') {
            return std::nullopt;
          }
          idx = idx * 10 + (c - '0');
        }
        const Array& items = cur->AsArray();
        cur = (cur->is_array() && static_cast<size_t>(idx) < items.size())
                  ? &items[static_cast<size_t>(idx)]
                  : nullptr;
      }
    } else {
      return std::nullopt;
    }
    if (cur == nullptr) {
      return Value();
    }
  }
  return *cur;
}

Value ExtractJson(std::span<const Value> args, FunctionContext& ctx) {
  const TextArg path(args[0]);
  std::optional<Value> doc;
  if (args[1].is_array() || args[1].is_bag()) {
    doc = args[1];
  } else {
    doc = ParseJson(TextArg(args[1]).view());
  }
  if (!doc) {
    return Value::String("");
  }
  const std::optional<Value> found = ApplyJsonPath(*doc, path);
  if (!found) {
    ctx.Warn("extractjson(): unsupported JSONPath '" + path.str() + "'");
    return Value::String("");
  }
  return Value::String(found->ToText());
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Windows command-line splitting (CommandLineToArgvW / msvcrt rules): the program name ends at
// whitespace or its closing quote; later arguments honour 2n/2n+1 backslash-quote rules and
// "" inside quotes as a literal quote.
Array SplitWindowsCommandLine(std::string_view cmd) {
  Array args;
  size_t pos = 0;
  while (pos < cmd.size() && IsSpace(cmd[pos])) {
    ++pos;
  }
  if (pos >= cmd.size()) {
    return args;
  }
  std::string arg;
  if (cmd[pos] == '"') {
    const size_t close = cmd.find('"', pos + 1);
    const size_t end = close == std::string_view::npos ? cmd.size() : close;
    arg.assign(cmd.substr(pos + 1, end - pos - 1));
    pos = close == std::string_view::npos ? cmd.size() : close + 1;
  } else {
    const size_t begin = pos;
    while (pos < cmd.size() && !IsSpace(cmd[pos])) {
      ++pos;
    }
    arg.assign(cmd.substr(begin, pos - begin));
  }
  args.push_back(Value::String(std::move(arg)));
  while (true) {
    while (pos < cmd.size() && IsSpace(cmd[pos])) {
      ++pos;
    }
    if (pos >= cmd.size()) {
      break;
    }
    std::string cur;
    bool in_quotes = false;
    while (pos < cmd.size() && (in_quotes || !IsSpace(cmd[pos]))) {
      if (cmd[pos] == '\\') {
        size_t n = 0;
        while (pos < cmd.size() && cmd[pos] == '\\') {
          ++n;
          ++pos;
        }
        if (pos < cmd.size() && cmd[pos] == '"') {
          cur.append(n / 2, '\\');
          if (n % 2 == 1) {
            cur.push_back('"');
            ++pos;
          }
        } else {
          cur.append(n, '\\');
        }
        continue;
      }
      if (cmd[pos] == '"') {
        if (in_quotes && pos + 1 < cmd.size() && cmd[pos + 1] == '"') {
          cur.push_back('"');
          pos += 2;
          continue;
        }
        in_quotes = !in_quotes;
        ++pos;
        continue;
      }
      cur.push_back(cmd[pos++]);
    }
    args.push_back(Value::String(std::move(cur)));
  }
  return args;
}

}  // namespace

void RegisterRegexFunctions(Registry& r) {
  Add(r, "extract", 3, 3,
      Returns("extract", Type::kString, {Arg::kText, Arg::kInteger, Arg::kText}),
      [](std::span<const Value> args, FunctionContext& ctx) { return Extract(args, ctx); });
  Add(r, "extract_all", 2, 3, Returns("extract_all", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext& ctx) { return ExtractAll(args, ctx); });
  Add(r, "indexof_regex", 2, 5,
      Returns("indexof_regex", Type::kLong, {Arg::kText, Arg::kText, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext& ctx) { return IndexOfRegex(args, ctx); });
  for (const char* name : {"extractjson", "extract_json"}) {
    Add(r, name, 2, 2, Returns(name, Type::kString),
        [](std::span<const Value> args, FunctionContext& ctx) { return ExtractJson(args, ctx); });
  }
  Add(r, "parse_command_line", 2, 2, Returns("parse_command_line", Type::kDynamic),
      [](std::span<const Value> args, FunctionContext& ctx) -> Value {
        const TextArg parser(args[1]);
        if (parser.view() != "windows" && parser.view() != "Windows") {
          ctx.Warn("parse_command_line(): unsupported parser '" + parser.str() + "'");
          return Value();
        }
        return Value::MakeArray(SplitWindowsCommandLine(TextArg(args[0])));
      });
}

}  // namespace vigil::kql
