#include "tests/kql_conformance/conformance_suites.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/kql_conformance/conformance_compare.h"
#include "vigil/base/time.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/syntax/parser.h"
#include "vigil/schema/catalog.h"

namespace vigil::kql::testing {
namespace {

bool BoolField(const Value& row, std::string_view key) {
  const Value* v = row.Find(key);
  return v != nullptr && v->kind() == Kind::kBool && v->AsBool();
}

std::string StringField(const Value& row, std::string_view key) {
  const Value* v = row.Find(key);
  return v != nullptr && v->is_string() ? v->AsString() : std::string();
}

QueryOptions FixedOptions() {
  QueryOptions options;
  options.now_ticks = *ParseDateTime("2026-01-01T00:00:00Z");
  options.limits.timeout = std::chrono::seconds(20);
  options.limits.memory_budget_bytes = size_t{1} << 30;
  return options;
}

// The word (operator or function name) at a 1-based line:col of the query.
std::string WordAt(const std::string& query, Pos pos) {
  size_t offset = 0;
  for (int line = 1; line < pos.line && offset != std::string::npos; ++line) {
    offset = query.find('\n', offset);
    if (offset != std::string::npos) {
      ++offset;
    }
  }
  if (offset == std::string::npos) {
    return "?";
  }
  offset += static_cast<size_t>(std::max(pos.col - 1, 0));
  while (offset < query.size() &&
         (query[offset] == '|' || std::isspace(static_cast<unsigned char>(query[offset])))) {
    ++offset;
  }
  std::string word;
  while (offset < query.size() && (std::isalnum(static_cast<unsigned char>(query[offset])) ||
                                   query[offset] == '-' || query[offset] == '_')) {
    word += query[offset++];
  }
  return word.empty() ? "?" : word;
}

// Message with quoted names replaced by … (so similar errors group), unless the message names
// a missing feature (unknown function/table/operator), where the name is the point.
std::string MessageKey(const std::string& message) {
  const bool keep_name = message.starts_with("unknown ") || message.starts_with("unsupported ") ||
                         message.find("not supported") != std::string::npos;
  if (keep_name) {
    const size_t open = message.find('\'');
    const size_t close = open == std::string::npos ? open : message.find('\'', open + 1);
    if (close != std::string::npos) {
      std::string key = message.substr(0, close + 1);
      if (message.starts_with("unknown column") || message.starts_with("unknown name")) {
        key = "unknown column or name";  // per query; the examples list the names
      }
      return key;
    }
  }
  std::string out;
  bool in_quote = false;
  for (char c : message) {
    if (c == '\'') {
      if (!in_quote) {
        out += "'…'";
      }
      in_quote = !in_quote;
      continue;
    }
    if (in_quote) {
      continue;
    }
    out += c;
  }
  if (const size_t colon = out.find(": ");
      colon != std::string::npos && colon > 10 && out.compare(colon - 2, 2, "()") != 0) {
    out = out.substr(0, colon);
  }
  if (out.size() > 90) {
    out = out.substr(0, 90) + "…";
  }
  return out;
}

// The first called name in `expr` that is not a scalar function: the aggregate summarize did
// not recognise.
std::string UnknownAggregate(const std::string& expr) {
  const Registry& reg = Registry::Default();
  std::string word;
  for (char c : expr) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    if (c == '(' && !word.empty() && reg.FindScalar(word) == nullptr) {
      return word;
    }
    word.clear();
  }
  return "?";
}

std::string CauseKey(const KqlError& err, const std::string& query) {
  if (err.code == "KQL0106") {
    return err.code + " operator '" + WordAt(query, err.pos) + "' not supported";
  }
  if (err.message.starts_with("summarize expects aggregate functions")) {
    const size_t open = err.message.find('\'');
    const size_t close = err.message.rfind('\'');
    if (open != std::string::npos && close > open) {
      return err.code + " unknown aggregate '" +
             UnknownAggregate(err.message.substr(open + 1, close - open - 1)) + "'";
    }
  }
  return err.code + " " + MessageKey(err.message);
}


std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", v);
  return buf;
}

double Rate(size_t ok, size_t total) {
  return total == 0 ? 100.0 : 100.0 * static_cast<double>(ok) / static_cast<double>(total);
}

std::vector<std::pair<std::string, std::vector<const Failure*>>> GroupByCause(
    const std::vector<Failure>& failures) {
  std::map<std::string, std::vector<const Failure*>> groups;
  for (const auto& f : failures) {
    groups[f.cause].push_back(&f);
  }
  std::vector<std::pair<std::string, std::vector<const Failure*>>> out(groups.begin(),
                                                                       groups.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  return out;
}

// Coarse family of a cause, so the long tail adds up (geo_*, series_*, plugins...).
std::string Family(const std::string& cause) {
  const size_t open = cause.find('\'');
  const std::string name = open == std::string::npos
                               ? ""
                               : cause.substr(open + 1, cause.find('\'', open + 1) - open - 1);
  if (cause.starts_with("parse: ")) {
    return "parse error";
  }
  if (cause.starts_with("wrong result")) {
    return "wrong result";
  }
  if (cause.find("unknown function") != std::string::npos) {
    if (name.ends_with("_fl")) {
      return "functions-library *_fl (defined on its page, not built in)";
    }
    for (std::string_view prefix : {"geo_", "series_", "array_", "convert_", "ipv"}) {
      if (name.starts_with(prefix)) {
        return "unknown function " + std::string(prefix) + "*";
      }
    }
    return "unknown function (other)";
  }
  if (cause.find("unknown aggregate") != std::string::npos) {
    return "unknown aggregate";
  }
  if (cause.find("not supported") != std::string::npos) {
    return name.find('-') != std::string::npos || name == "parse" || name == "scan" ||
                   name == "find" || name == "search" || name == "partition"
               ? "operator not supported"
               : "evaluate plugin / operator not supported";
  }
  if (cause.starts_with("runtime: ")) {
    return "runtime error";
  }
  return "other bind error (" + cause.substr(0, 7) + ")";
}

std::vector<std::pair<std::string, size_t>> ByFamily(const std::vector<Failure>& failures) {
  std::map<std::string, size_t> counts;
  for (const auto& f : failures) {
    ++counts[Family(f.cause)];
  }
  std::vector<std::pair<std::string, size_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace

std::string OneLine(std::string s, size_t max_chars) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  if (s.size() > max_chars) {
    s = s.substr(0, max_chars) + "…";
  }
  return s;
}

std::string Escape(std::string s) {
  std::string out;
  for (char c : OneLine(std::move(s), 300)) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '`') {
      out += '\'';
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<CorpusEntry> ReadCorpus(const std::filesystem::path& file) {
  std::vector<CorpusEntry> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto row = ParseJson(line);
    if (!row || !row->is_bag()) {
      continue;
    }
    CorpusEntry e;
    e.where = StringField(*row, "path");
    if (e.where.empty()) {
      e.where = StringField(*row, "page");
    } else if (const std::string repo = StringField(*row, "repo"); !repo.empty()) {
      e.where = repo + ": " + e.where;
    }
    e.query = StringField(*row, "query");
    e.expected_table = StringField(*row, "expected_markdown_table");
    e.parser_accepts = BoolField(*row, "reference_parser_accepts");
    e.binds = BoolField(*row, "reference_binds");
    e.deterministic = BoolField(*row, "deterministic");
    e.partial_output = BoolField(*row, "partial_output");
    e.order_sensitive = BoolField(*row, "order_sensitive");
    out.push_back(std::move(e));
  }
  return out;
}

BindReport RunBindSuite(const std::filesystem::path& corpus) {
  BindReport report;
  Engine engine(nullptr, &schema::Catalog::Default());
  const QueryOptions options = FixedOptions();
  for (const CorpusEntry& q : ReadCorpus(corpus)) {
    auto parsed = ParseScript(q.query);
    std::optional<KqlError> error;
    bool parse_error = false;
    if (!parsed) {
      error = parsed.error();
      parse_error = true;
    } else if (auto checked = engine.Check(q.query, options); !checked) {
      error = checked.error();
    }
    if (!q.parser_accepts) {
      ++report.rejected;
      if (error) {
        ++report.rejected_agree;
        report.rejected_parse_agree += parse_error ? 1 : 0;
      } else {
        report.rejected_accepted.push_back({q.where, "accepted here", OneLine(q.query, 160)});
      }
      continue;
    }
    ++report.accepted;
    report.reference_binds += q.binds ? 1 : 0;
    if (!error) {
      ++report.accepted_ok;
      report.reference_binds_ok += q.binds ? 1 : 0;
      report.unexpected_binds += q.binds ? 0 : 1;
      continue;
    }
    report.parse_failures += parse_error ? 1 : 0;
    ++report.by_code[error->code];
    Failure f{q.where, (parse_error ? "parse: " : "") + CauseKey(*error, q.query),
              error->code + " " + error->ToString()};
    // The reference binder also reports unknown names here: Sentinel tables, watchlists,
    // workspace-saved functions. Not ours to implement.
    (q.binds ? report.failures : report.expected_failures).push_back(std::move(f));
  }
  return report;
}

DocReport RunDocSuite(const std::filesystem::path& corpus) {
  DocReport report;
  const QueryOptions options = FixedOptions();
  for (const CorpusEntry& q : ReadCorpus(corpus)) {
    ++report.total;
    if (!q.deterministic || q.partial_output || !q.parser_accepts) {
      continue;
    }
    const auto expected = ParseMarkdownTable(q.expected_table);
    if (!expected) {
      ++report.unreadable_tables;
      continue;
    }
    ++report.eligible;
    report.reference_binds += q.binds ? 1 : 0;
    auto fail = [&](std::string cause, std::string detail) {
      report.failures.push_back({q.where, std::move(cause), OneLine(std::move(detail), 300)});
    };
    auto parsed = ParseScript(q.query);
    if (!parsed) {
      fail("parse: " + CauseKey(parsed.error(), q.query),
           parsed.error().code + " " + parsed.error().ToString());
      continue;
    }
    Engine engine(nullptr, &schema::Catalog::Default());
    auto result = engine.Run(q.query, options);
    if (!result) {
      const KqlError& err = result.error();
      const std::string stage = err.code.starts_with("KQL09") ? "runtime: " : "";
      fail(stage + CauseKey(err, q.query), err.code + " " + err.ToString());
      continue;
    }
    const TableComparison cmp = CompareTables(*expected, *result->table, q.order_sensitive);
    if (!cmp.name_mismatches.empty()) {
      ++report.name_mismatches;
      std::string names;
      for (const auto& m : cmp.name_mismatches) {
        names += (names.empty() ? "" : "; ") + m;
      }
      report.name_mismatch_list.push_back({q.where, "column names", OneLine(names)});
    }
    if (cmp.ok) {
      ++report.passed;
      report.reference_binds_passed += q.binds ? 1 : 0;
      continue;
    }
    std::string kind = cmp.reason.substr(0, cmp.reason.find(':'));
    if (kind.starts_with("row ") && kind != "row count") {
      kind = "values";
    } else if (kind.starts_with("expected row")) {
      kind = "values";
    }
    fail("wrong result (" + kind + ")", cmp.reason);
  }
  return report;
}

double BindRate(const BindReport& r) { return Rate(r.accepted_ok, r.accepted); }
double DocRate(const DocReport& r) { return Rate(r.passed, r.eligible); }

std::string Summary(const BindReport& r) {
  std::ostringstream out;
  out << "bind conformance: " << r.accepted_ok << "/" << r.accepted << " accepted queries bind ("
      << Percent(BindRate(r)) << "); with reference_binds: " << r.reference_binds_ok << "/"
      << r.reference_binds << " (" << Percent(Rate(r.reference_binds_ok, r.reference_binds))
      << "); rejected agreement " << r.rejected_agree << "/" << r.rejected << "\n";
  size_t shown = 0;
  for (const auto& [cause, list] : GroupByCause(r.failures)) {
    if (shown++ == 25) {
      break;
    }
    out << "  " << list.size() << "  " << cause << "\n";
  }
  return out.str();
}

std::string Summary(const DocReport& r) {
  std::ostringstream out;
  out << "doc examples: " << r.passed << "/" << r.eligible << " pass (" << Percent(DocRate(r))
      << "); with reference_binds: " << r.reference_binds_passed << "/" << r.reference_binds
      << "\n by family:\n";
  for (const auto& [family, n] : ByFamily(r.failures)) {
    out << "  " << n << "  " << family << "\n";
  }
  out << " by cause:\n";
  size_t shown = 0;
  for (const auto& [cause, list] : GroupByCause(r.failures)) {
    if (shown++ == 25) {
      break;
    }
    out << "  " << list.size() << "  " << cause << "\n";
  }
  return out.str();
}

std::string RenderReport(const BindReport& bind, const DocReport& doc, double bind_floor,
                         double doc_floor) {
  std::ostringstream md;
  md << "# KQL conformance\n\n"
     << "Generated by `tests/kql_conformance` (issue #3) from `../shared/corpus/kql`; do not edit "
        "by hand. Regenerate with\n"
     << "`VIGIL_CONFORMANCE_REPORT=docs/KQL_CONFORMANCE.md "
        "<build>/tests/kql_conformance/kql_conformance_test --gtest_filter='*Report*'`.\n\n"
     << "## Summary\n\n"
     << "| suite | measured | passed | rate | floor in the test |\n|---|---|---|---|---|\n"
     << "| bind: hunting queries the reference parser accepts parse and bind | " << bind.accepted
     << " | " << bind.accepted_ok << " | " << Percent(BindRate(bind)) << " | "
     << Percent(bind_floor) << " |\n"
     << "| bind: ... of which the reference binder binds too | " << bind.reference_binds << " | "
     << bind.reference_binds_ok << " | "
     << Percent(Rate(bind.reference_binds_ok, bind.reference_binds)) << " | |\n"
     << "| bind: queries the reference parser rejects that we reject too | " << bind.rejected
     << " | " << bind.rejected_agree << " | " << Percent(Rate(bind.rejected_agree, bind.rejected))
     << " | |\n"
     << "| semantics: deterministic complete doc examples give the documented table | "
     << doc.eligible << " | " << doc.passed << " | " << Percent(DocRate(doc)) << " | "
     << Percent(doc_floor) << " |\n"
     << "| semantics: ... of which the reference binder binds | " << doc.reference_binds << " | "
     << doc.reference_binds_passed << " | "
     << Percent(Rate(doc.reference_binds_passed, doc.reference_binds)) << " | |\n\n"
     << "The goal of issue #3 is 95% on the documentation examples.\n\n";

  md << "## Bind conformance: hunting queries\n\n"
     << "Every query in `hunting_queries.jsonl` that Microsoft's parser accepts is parsed and "
        "bound (`Engine::Check`) over the empty hunting schema.\n\n"
     << "- accepted by the reference parser: " << bind.accepted
     << "; parse here: " << bind.accepted - bind.parse_failures
     << "; parse and bind: " << bind.accepted_ok << "\n"
     << "- failures on queries the reference binds: " << bind.failures.size() << "\n"
     << "- expected failures (the reference binder also reports unknown names: Sentinel tables, "
        "watchlists, workspace functions): "
     << bind.expected_failures.size() << "\n"
     << "- queries the reference binder rejects but we bind (names we accept too freely, or "
        "tables we know): "
     << bind.unexpected_binds << "\n"
     << "- rejected by the reference parser: " << bind.rejected
     << "; rejected here too: " << bind.rejected_agree
     << " (by our parser: " << bind.rejected_parse_agree << ")\n\n";
  md << "### Failures by error code (all failing accepted queries)\n\n| code | count "
        "|\n|---|---|\n";
  for (const auto& [code, n] : bind.by_code) {
    md << "| " << code << " | " << n << " |\n";
  }
  md << "\n### Failures by cause (queries the reference binds)\n\n| cause | count | example |\n"
        "|---|---|---|\n";
  for (const auto& [cause, list] : GroupByCause(bind.failures)) {
    md << "| " << Escape(cause) << " | " << list.size() << " | " << Escape(list[0]->where)
       << " |\n";
  }
  md << "\n### Examples (up to 40: the first few of each cause)\n\n";
  size_t shown = 0;
  for (const auto& [cause, list] : GroupByCause(bind.failures)) {
    const size_t per_cause = cause.find("unknown column or name") != std::string::npos ? 12 : 3;
    std::string previous;
    for (size_t i = 0, taken = 0; i < list.size() && taken < per_cause && shown < 40; ++i) {
      std::string line = Escape(list[i]->where) + ": " + Escape(list[i]->detail);
      if (line == previous) {
        continue;  // several queries of one file failing the same way
      }
      md << "- " << line << "\n";
      previous = std::move(line);
      ++taken;
      ++shown;
    }
  }
  md << "\n### Expected failures by cause (the reference binder fails too)\n\n"
        "| cause | count |\n|---|---|\n";
  for (const auto& [cause, list] : GroupByCause(bind.expected_failures)) {
    md << "| " << Escape(cause) << " | " << list.size() << " |\n";
  }
  if (!bind.rejected_accepted.empty()) {
    md << "\n### Rejected by the reference parser, accepted here\n\n";
    for (const auto& f : bind.rejected_accepted) {
      md << "- " << Escape(f.where) << ": `" << Escape(f.detail) << "`\n";
    }
  }

  md << "\n## Semantic conformance: documentation examples\n\n"
     << "Examples of `doc_examples.jsonl` marked deterministic, complete (not partial output) and "
        "accepted by the reference parser run with `now()` fixed at 2026-01-01; the result is "
        "compared with the documented table: same column count (names reported apart), rows "
        "order-insensitive unless the example is order-sensitive, numbers to a relative 1e-6, "
        "datetimes and timespans by value, dynamic values as JSON, booleans case-insensitively, "
        "an empty cell equal to null or the empty string.\n\n"
     << "- examples: " << doc.total << "; eligible: " << doc.eligible
     << "; expected table unreadable (skipped): " << doc.unreadable_tables << "\n"
     << "- passed: " << doc.passed << " (" << Percent(DocRate(doc)) << ")\n"
     << "- examples whose column names differ from the documentation (not a failure): "
     << doc.name_mismatches << "\n\n";
  md << "### Failures by family\n\n| family | count |\n|---|---|\n";
  for (const auto& [family, n] : ByFamily(doc.failures)) {
    md << "| " << Escape(family) << " | " << n << " |\n";
  }
  md << "\n### Failures by cause\n\n| cause | count |\n|---|---|\n";
  const auto groups = GroupByCause(doc.failures);
  for (const auto& [cause, list] : groups) {
    md << "| " << Escape(cause) << " | " << list.size() << " |\n";
  }
  for (const auto& [cause, list] : groups) {
    md << "\n#### " << Escape(cause) << " (" << list.size() << ")\n\n";
    for (const Failure* f : list) {
      md << "- " << Escape(f->where) << ": " << Escape(f->detail) << "\n";
    }
  }
  if (!doc.name_mismatch_list.empty()) {
    md << "\n### Column name differences (not counted as failures)\n\n";
    for (const auto& f : doc.name_mismatch_list) {
      md << "- " << Escape(f.where) << ": " << Escape(f.detail) << "\n";
    }
  }
  return md.str();
}

}  // namespace vigil::kql::testing
