// The Sigma rule model: what the loader (sigma/loader.h) produces from YAML and what the
// matcher (match/) and the correlation engine (correlate/) compile. Modifiers are already
// applied here: every value test is in its final form (literals decoded, wildcards reduced,
// windash/base64/utf16 variants expanded, placeholders resolved). Plain data; immutable after
// loading, so a RuleSet may be shared across threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vigil::detect::sigma {

enum class Level : uint8_t { kInformational, kLow, kMedium, kHigh, kCritical };

struct LogSource {
  std::string product;   // windows, linux, aws, ... (lower-case as written)
  std::string category;  // process_creation, ...
  std::string service;   // security, sysmon, ...
  std::string definition;
};

// How one value is compared with a field's value.
enum class MatchOp : uint8_t {
  kEquals,      // whole value equals the literal (numbers: numeric equality too, see Value)
  kContains,    // literal anywhere in the value
  kStartsWith,
  kEndsWith,
  kGlob,        // literal is a pattern with `*`/`?` wildcards that did not reduce to the above;
                // in `text`, `\*` `\?` `\\` are escapes; everything else is literal
  kRegex,       // RE2 pattern; the i/m/s sub-modifiers are folded in as (?i)(?m)(?s)
  kCidr,        // `text` is an IPv4 or IPv6 network (a.b.c.d/n, x::/n)
  kLt, kLte, kGt, kGte,  // numeric comparison with Value::number
  kExists,      // Value::number is 1 (exists: true) or 0 (exists: false)
  kNull,        // field is absent, null, or (Sigma `null`)
  kFieldRef,    // `text` names another field; equality (or contains/startswith/endswith
                // via FieldTest::fieldref_op) with that field's value
};

// Part of a timestamp, for the Sigma 2.1 time modifiers (field|hour: 3).
enum class TimePart : uint8_t { kNone, kMinute, kHour, kDay, kWeek, kMonth, kYear };

// One value of a field test. A value written once in the rule can stand for several byte
// strings (windash permutations, the three base64offset shifts, utf16 encodings): they are
// its `alternatives`, and the value matches when any alternative matches.
struct Value {
  std::vector<std::string> alternatives;  // at least one; may hold any bytes (base64 decoded)
  std::optional<double> number;           // set when the YAML scalar was a number (4624, 3.5)
};

// One `field|modifiers: values` item, or one keyword list (field empty: the value is searched
// in every field of the event).
struct FieldTest {
  std::string field;                    // Sigma field name as written (before mapping); "" = keyword
  std::vector<std::string> modifiers;   // as written, for display and explanations
  MatchOp op = MatchOp::kEquals;
  MatchOp fieldref_op = MatchOp::kEquals;  // for kFieldRef combined with contains/startswith/endswith
  TimePart time_part = TimePart::kNone;    // compare this part of the field's timestamp
  bool case_sensitive = false;          // |cased, or |re without |i
  bool negate = false;                  // |neq: true when the value does NOT match (for every value)
  bool match_all = false;               // |all: every value must match (else any value)
  std::vector<Value> values;            // empty only for kNull / kExists
};

// One search identifier (`selection`, `filter_main_*`): an OR of alternatives, each an AND of
// field tests. A YAML map is one alternative; a list of maps is several; a keyword list is one
// alternative holding one keyword FieldTest (OR of its values, AND with '|all').
struct Search {
  std::string name;
  std::vector<std::vector<FieldTest>> any_of;
};

// The condition after parsing, with `1 of x*` / `all of them` expanded into kOr/kAnd nodes
// over search indexes.
struct Condition {
  enum class Kind : uint8_t { kSearch, kAnd, kOr, kNot, kTrue, kFalse };
  Kind kind = Kind::kFalse;
  int search = -1;                  // kSearch: index into Rule::searches
  std::vector<Condition> children;  // kAnd/kOr: any number; kNot: one
};

struct Rule {
  std::string id;      // UUID as written
  std::string name;    // optional `name`, used by correlation references
  std::string title;
  std::string description;
  std::string author;  // kept verbatim: the Detection Rule License requires it in every alert
  std::string status;  // stable, test, experimental, deprecated, unsupported
  std::string date, modified;
  std::string license;
  std::vector<std::string> references, tags, falsepositives, fields;
  Level level = Level::kMedium;
  LogSource logsource;
  std::vector<Search> searches;
  Condition condition;
  std::string condition_text;  // as written (several conditions joined with " or ")
  std::string source_path;     // file it was loaded from (relative to the directory loaded)
  std::vector<std::string> filters_applied;  // ids of meta filters ANDed in as `and not (...)`
};

enum class CorrelationType : uint8_t {
  kEventCount, kValueCount, kTemporal, kTemporalOrdered, kValueSum, kValueAvg, kValuePercentile
};

// `condition:` of a correlation: every present bound must hold (ranges are two keys ANDed).
struct CorrelationCondition {
  std::optional<double> gt, gte, lt, lte, eq, neq;
  std::string field;                // value_count/value_sum/value_avg/value_percentile
  std::optional<double> percentile;  // value_percentile: which percentile (0-100)
};

struct Correlation {
  std::string id, name, title, description, author, status, date, modified;
  std::vector<std::string> references, tags, falsepositives;
  Level level = Level::kMedium;
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rules;        // ids or names of rules/correlations, as written
  std::vector<std::string> group_by;
  int64_t timespan_seconds = 0;
  CorrelationCondition condition;
  // aliases: alias field -> (rule id/name -> that rule's field), so group-by can join
  // differently named fields.
  std::map<std::string, std::map<std::string, std::string>> aliases;
  bool generate = false;                 // also alert on the referenced rules themselves
  std::string source_path;
};

// One rule, correlation or filter that could not be loaded, and why.
struct LoadError {
  std::string path;      // file (relative to the directory loaded)
  int document = 0;      // 0-based YAML document in the file
  int line = 0;          // 1-based, 0 when unknown
  std::string id;        // rule id when it could be read
  std::string title;
  std::string reason;    // lower-case, names the problem: "unknown modifier 'foo' on field 'Image'"
};

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<Correlation> correlations;
  std::vector<LoadError> errors;
  int files_read = 0;
  int filters_loaded = 0;
};

}  // namespace vigil::detect::sigma
