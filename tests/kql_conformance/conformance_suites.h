// The two conformance suites of issue #3 over ../shared/corpus/kql: bind conformance of real
// hunting queries (parse + bind over the empty hunting schema) and semantic conformance of the
// Kusto documentation examples (run, compare with the documented table). Each returns counts
// and grouped failures; RenderReport writes docs/KQL_CONFORMANCE.md. Single-threaded use.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vigil::kql::testing {

// One line of a corpus file (hunting_queries.jsonl or doc_examples.jsonl).
struct CorpusEntry {
  std::string where;  // "repo: path" of a hunting query, or the documentation page
  std::string query;
  std::string expected_table;
  bool parser_accepts = false;
  bool binds = false;
  bool deterministic = false;
  bool partial_output = false;
  bool order_sensitive = false;
};

// `s` on one line (newlines and tabs as spaces), cut to `max_chars` with an ellipsis.
std::string OneLine(std::string s, size_t max_chars = 200);
// A markdown table cell: one line of at most 300 characters, `|` escaped, backticks as quotes.
std::string Escape(std::string s);

// Reads a corpus file; lines that are not JSON objects are skipped.
std::vector<CorpusEntry> ReadCorpus(const std::filesystem::path& file);

struct Failure {
  std::string where;   // repository path or documentation page
  std::string cause;   // grouping key, e.g. "KQL0103 unknown function 'series_fir'"
  std::string detail;  // full message or first differing row
};

struct BindReport {
  size_t accepted = 0;         // reference_parser_accepts true
  size_t accepted_ok = 0;      // ... that parse and bind here
  size_t reference_binds = 0;  // accepted and reference_binds true
  size_t reference_binds_ok = 0;
  size_t parse_failures = 0;
  size_t rejected = 0;                     // reference_parser_accepts false
  size_t rejected_agree = 0;               // ... that we also reject (parse or bind)
  size_t rejected_parse_agree = 0;         // ... that our parser rejects
  size_t unexpected_binds = 0;             // reference_binds false but bound here
  std::vector<Failure> failures;           // accepted, failing, not explained
  std::vector<Failure> expected_failures;  // failing on names outside the hunting schema
  std::vector<Failure> rejected_accepted;  // rejected by the reference, bound here
  std::map<std::string, size_t> by_code;   // over failures + expected_failures
};

struct DocReport {
  size_t total = 0;     // examples in the corpus
  size_t eligible = 0;  // deterministic, complete, accepted by the reference parser
  size_t passed = 0;
  size_t reference_binds = 0;  // eligible and reference_binds true
  size_t reference_binds_passed = 0;
  size_t unreadable_tables = 0;  // expected table not parseable (excluded from eligible)
  size_t name_mismatches = 0;    // passing or failing examples whose column names differ
  std::vector<Failure> failures;
  std::vector<Failure> name_mismatch_list;
};

BindReport RunBindSuite(const std::filesystem::path& corpus);
DocReport RunDocSuite(const std::filesystem::path& corpus);

// Pass rates in percent.
double BindRate(const BindReport& r);
double DocRate(const DocReport& r);

std::string RenderReport(const BindReport& bind, const DocReport& doc, double bind_floor,
                         double doc_floor);
// Console summary of one suite (top causes and examples), for the test log.
std::string Summary(const BindReport& bind);
std::string Summary(const DocReport& doc);

}  // namespace vigil::kql::testing
