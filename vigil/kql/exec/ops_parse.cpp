// Planning of parse / parse-where (a pattern compiled to one RE2 regex with named groups) and
// parse-kv (delimiter mode, regex mode), both streamed through RowExtendOp.
#include <re2/re2.h>

#include <algorithm>

#include "vigil/kql/exec/operators2.h"

namespace vigil::kql {

namespace {

std::string GetParam(const Operator& op, const std::string& key, const std::string& def = {}) {
  for (const auto& [k, v] : op.params) {
    if (k == key) {
      return v;
    }
  }
  return def;
}

// Output columns for `names`: replaces same-named input columns, appends the others.
void AddOutputColumns(const std::vector<std::pair<std::string, Type>>& cols, Schema& schema,
                      std::vector<int>& targets) {
  for (const auto& [name, type] : cols) {
    const int idx = FindColumn(schema, name);
    if (idx >= 0) {
      schema[static_cast<size_t>(idx)].type = type;
      targets.push_back(idx);
    } else {
      targets.push_back(static_cast<int>(schema.size()));
      schema.push_back({name, type});
    }
  }
}

Value EmptyOf(Type t) { return t == Type::kString ? Value::String("") : Value(); }

// The capture body of a column. In simple mode a text column stops at the first place where
// the rest of the pattern matches (non-greedy); in regex mode it is greedy, as Kusto's regex
// mode is (flags=U makes it non-greedy, the way RE2's U flag swaps every quantifier).
std::string TypedGroup(Type t, bool last, bool regex) {
  switch (t) {
    case Type::kInt:
    case Type::kLong:
      return R"(\-?\d+)";
    case Type::kReal:
    case Type::kDecimal:
      return R"(\-?\d+(?:\.\d*)?(?:[eE][\-+]?\d+)?)";
    default:
      return last || regex ? ".*" : ".*?";
  }
}

}  // namespace

KResult<PhysOpPtr> PlanParse(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (op.exprs.empty() || op.parse_items.empty()) {
    return KErr("KQL0110", "parse expects: parse Expr with Pattern", op.pos);
  }
  const Schema in = input->schema();
  auto src = c.BindExpr(*op.exprs[0].expr, in, scope);
  if (!src) {
    return tl::unexpected(src.error());
  }
  const std::string kind = GetParam(op, "kind", "simple");
  if (kind != "simple" && kind != "regex" && kind != "relaxed") {
    return KErr("KQL0110", "parse: unknown kind '" + kind + "' (simple, regex or relaxed)",
                op.pos);
  }
  const bool relaxed = kind == "relaxed";
  std::string pattern;
  const std::string flags = GetParam(op, "flags");
  if (!flags.empty()) {
    if (kind != "regex") {
      return KErr("KQL0110", "parse: flags need kind=regex", op.pos);
    }
    for (char f : flags) {
      if (f != 'U' && f != 'm' && f != 's' && f != 'i') {
        return KErr("KQL0110", std::string("parse: unsupported regex flag '") + f + "'", op.pos);
      }
    }
    pattern += "(?" + flags + ")";
  }
  std::vector<std::pair<std::string, Type>> cols;
  for (size_t i = 0; i < op.parse_items.size(); ++i) {
    const ParseItem& item = op.parse_items[i];
    const bool last = i + 1 == op.parse_items.size();
    if (item.wildcard) {
      pattern += last ? ".*" : ".*?";
    } else if (!item.is_column) {
      pattern += kind == "regex" ? "(?:" + item.text + ")" : RE2::QuoteMeta(item.text);
    } else {
      for (const auto& [n, t] : cols) {
        if (n == item.text) {
          return KErr("KQL0110", "parse: column '" + n + "' appears twice in the pattern",
                      op.pos);
        }
      }
      // Relaxed: a typed column prefers text of its type but accepts anything (then null), so
      // one bad value does not fail the row.
      const std::string typed = TypedGroup(item.type, last, kind == "regex");
      const std::string any = last ? ".*" : ".*?";
      const std::string body =
          !relaxed ? typed : (typed == any ? any : "(?:" + typed + "|" + any + ")");
      pattern += "(?P<c" + std::to_string(cols.size()) + ">" + body + ")";
      cols.emplace_back(item.text, item.type);
    }
  }
  RE2::Options options;
  options.set_log_errors(false);
  // In regex mode `.` matches a newline only with flags=s, as in RE2; the other kinds match
  // across lines.
  options.set_dot_nl(kind != "regex");
  auto re = std::make_shared<RE2>(pattern, options);
  if (!re->ok()) {
    return KErr("KQL0110", "parse: invalid pattern: " + re->error(), op.pos);
  }
  std::vector<int> group_of;  // capture group index per output column
  const auto& named = re->NamedCapturingGroups();
  for (size_t k = 0; k < cols.size(); ++k) {
    group_of.push_back(named.at("c" + std::to_string(k)));
  }
  Schema schema = in;
  std::vector<int> targets;
  AddOutputColumns(cols, schema, targets);
  const bool filter = op.kind == OpKind::kParseWhere;
  ExecContext* ctx = c.ctx();
  BExprPtr source = *src;
  const int ngroups = re->NumberOfCapturingGroups() + 1;
  auto fn = [ctx, source, re, cols, group_of, relaxed, filter,
             ngroups](const Chunk& chunk, size_t row, std::vector<Value>& extra) {
    const Value v = Eval(*source, chunk, row, ctx->eval);
    const std::string text = v.ToText();
    std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups));
    const bool matched = re->Match(text, 0, text.size(), RE2::ANCHOR_START, groups.data(),
                                   ngroups);
    bool ok = matched;
    if (matched) {
      for (size_t k = 0; k < cols.size(); ++k) {
        const auto& g = groups[static_cast<size_t>(group_of[k])];
        const std::string piece = g.data() == nullptr ? std::string() : std::string(g);
        Value x = ConvertText(piece, cols[k].second, ctx->eval.fn);
        if (x.is_null() && cols[k].second != Type::kString && !relaxed) {
          ok = false;
        }
        extra[k] = x.is_null() ? EmptyOf(cols[k].second) : std::move(x);
      }
    }
    if (!ok) {
      if (filter) {
        return false;
      }
      for (size_t k = 0; k < cols.size(); ++k) {
        extra[k] = EmptyOf(cols[k].second);
      }
    }
    return true;
  };
  std::string label = std::string(filter ? "ParseWhere" : "Parse") + " kind=" + kind + " " +
                      source->text + " /" + pattern + "/";
  return PhysOpPtr(std::make_unique<RowExtendOp>(std::move(input), schema, targets, fn, label,
                                                 ctx));
}

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) {
    ++b;
  }
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

std::string Unquote(const std::string& s, const std::string& quotes) {
  if (s.size() >= 2 && quotes.find(s.front()) != std::string::npos && s.back() == s.front()) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// Splits `text` at `delim` outside quotes (quote characters in `quotes`, `escape` escapes).
std::vector<std::string> SplitOutsideQuotes(const std::string& text, const std::string& delim,
                                            const std::string& quotes, char escape,
                                            size_t max_parts) {
  std::vector<std::string> parts;
  std::string cur;
  char open = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    if (escape != 0 && ch == escape && i + 1 < text.size()) {
      cur += text[i + 1];
      i += 2;
      continue;
    }
    if (open != 0) {
      cur += ch;
      open = ch == open ? 0 : open;
      ++i;
      continue;
    }
    if (quotes.find(ch) != std::string::npos) {
      open = ch;
      cur += ch;
      ++i;
      continue;
    }
    if (!delim.empty() && parts.size() + 1 < max_parts &&
        text.compare(i, delim.size(), delim) == 0) {
      parts.push_back(std::move(cur));
      cur.clear();
      i += delim.size();
      continue;
    }
    cur += ch;
    ++i;
  }
  parts.push_back(std::move(cur));
  return parts;
}

}  // namespace

KResult<PhysOpPtr> PlanParseKv(Compiler& c, const Operator& op, PhysOpPtr input, ScopePtr scope) {
  if (op.exprs.empty() || op.schema.empty()) {
    return KErr("KQL0110", "parse-kv expects: parse-kv Expr as (Key:type, ...) with (...)",
                op.pos);
  }
  const Schema in = input->schema();
  auto src = c.BindExpr(*op.exprs[0].expr, in, scope);
  if (!src) {
    return tl::unexpected(src.error());
  }
  const std::string pair_delim = GetParam(op, "pair_delimiter");
  const std::string kv_delim = GetParam(op, "kv_delimiter");
  const std::string quotes = GetParam(op, "quote");
  const std::string escape_text = GetParam(op, "escape");
  const char escape = escape_text.empty() ? 0 : escape_text[0];
  std::string regex_text = GetParam(op, "regex");
  if (regex_text.empty() && kv_delim.empty()) {
    // No delimiters given: a key is a run of word characters, followed by a run of
    // non-alphanumeric delimiters, then a (possibly quoted) value.
    regex_text = R"re(([\w.\-]+)\s*[:=]\s*("[^"]*"|'[^']*'|[^\s,;|&]*))re";
  }
  std::shared_ptr<RE2> re;
  if (!regex_text.empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    re = std::make_shared<RE2>(regex_text, options);
    if (!re->ok()) {
      return KErr("KQL0110", "parse-kv: invalid regex: " + re->error(), op.pos);
    }
    if (re->NumberOfCapturingGroups() < 2) {
      return KErr("KQL0110", "parse-kv: the regex needs two capture groups (key and value)",
                  op.pos);
    }
  }
  Schema schema = in;
  std::vector<int> targets;
  AddOutputColumns(op.schema, schema, targets);
  ExecContext* ctx = c.ctx();
  BExprPtr source = *src;
  const auto keys = op.schema;
  const std::string all_quotes = quotes.empty() && re ? "\"'" : quotes;
  auto fn = [ctx, source, re, keys, pair_delim, kv_delim, all_quotes, escape](
                const Chunk& chunk, size_t row, std::vector<Value>& extra) {
    const std::string text = Eval(*source, chunk, row, ctx->eval).ToText();
    std::vector<bool> set(keys.size(), false);
    auto assign = [&](const std::string& key, const std::string& value) {
      for (size_t k = 0; k < keys.size(); ++k) {
        if (!set[k] && keys[k].first == key) {
          set[k] = true;
          extra[k] = ConvertText(value, keys[k].second, ctx->eval.fn);
        }
      }
    };
    if (re) {
      re2::StringPiece rest(text);
      std::string key;
      std::string value;
      size_t guard = 0;
      while (guard++ < 100000 && !rest.empty() &&
             RE2::FindAndConsume(&rest, *re, &key, &value)) {
        assign(Trim(key), Unquote(Trim(value), all_quotes));
      }
    } else {
      for (const auto& pair : SplitOutsideQuotes(text, pair_delim, all_quotes, escape, SIZE_MAX)) {
        auto kv = SplitOutsideQuotes(pair, kv_delim, all_quotes, escape, 2);
        if (kv.size() != 2) {
          continue;
        }
        assign(Unquote(Trim(kv[0]), all_quotes), Unquote(Trim(kv[1]), all_quotes));
      }
    }
    for (size_t k = 0; k < keys.size(); ++k) {
      if (extra[k].is_null() && keys[k].second == Type::kString) {
        extra[k] = Value::String("");
      }
    }
    return true;
  };
  return PhysOpPtr(std::make_unique<RowExtendOp>(std::move(input), schema, targets, fn,
                                                 "ParseKv " + source->text, ctx));
}

}  // namespace vigil::kql
