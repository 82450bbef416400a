// The KQL syntax tree produced by the parser (vigil/kql/syntax/parser.h) and consumed by the
// binder and planner. Every node keeps its source position. Nodes are immutable after parsing
// and shared (shared_ptr<const ...>), so the binder can inline let-bound names and user
// functions without copying. Names are kept exactly as written (identifiers, ['quoted names']
// unquoted); keywords such as operator names are lower-cased.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vigil/kql/value.h"

namespace vigil::kql {

struct Pos {
  int line = 1;  // 1-based
  int col = 1;   // 1-based, in bytes
};

struct Expr;
struct Pipeline;
using ExprPtr = std::shared_ptr<const Expr>;
using PipelinePtr = std::shared_ptr<const Pipeline>;

enum class ExprKind : uint8_t {
  kLiteral,   // literal, literal_type (typed null: literal is null with its type)
  kName,      // name: identifier (column, let name, table name); `$left`/`$right` are names too
  kUnary,     // op "-" or "+"; args[0]  (`not(x)` is a kCall)
  kBinary,    // op and args[0], args[1]; see the operator list below
  kCall,      // name(args...); name kept as written
  kMember,    // args[0].name      (dynamic property or $left.Column)
  kIndex,     // args[0][args[1]]  (dynamic ["prop"] or [index])
  kList,      // (a, b, c) right side of in/!in/in~/has_any/has_all...; args = items
  kRange,     // args[0] .. args[1]  (right side of between / !between)
  kTabular,   // a tabular expression in scalar position: pipeline (e.g. `x in (T | project y)`,
              // toscalar(T | ...), materialize(T | ...), or a let value `let t = T | where ...`)
  kStar,      // `*` as a function argument: arg_max(Timestamp, *), distinct *
};

// Binary operator spellings, as `op` (lower-case): "or" "and" "==" "!=" "<" "<=" ">" ">="
// "=~" "!~" "+" "-" "*" "/" "%" and the string/set operators: "has" "!has" "has_cs" "!has_cs"
// "hasprefix" "!hasprefix" "hasprefix_cs" "!hasprefix_cs" "hassuffix" "!hassuffix"
// "hassuffix_cs" "!hassuffix_cs" "contains" "!contains" "contains_cs" "!contains_cs"
// "startswith" "!startswith" "startswith_cs" "!startswith_cs" "endswith" "!endswith"
// "endswith_cs" "!endswith_cs" "matches regex" "in" "!in" "in~" "!in~" "has_any" "has_all"
// "between" "!between". `notcontains`/`notcontainscs` are parsed as "!contains"/"!contains_cs".
// For in/!in/in~/!in~/has_any/has_all the right side is a kList (or kTabular / a name of a
// dynamic array); for between the right side is a kRange.

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Pos pos;
  std::string name;  // kName, kCall (function name), kMember (member name)
  std::string op;    // kUnary, kBinary
  Value literal;     // kLiteral
  Type literal_type = Type::kDynamic;
  std::vector<ExprPtr> args;
  PipelinePtr pipeline;  // kTabular
};

// `name = expr` in project/extend/summarize/...; name empty when not given. `(a, b) = f(...)`
// fills `names` (tuple assignment, e.g. arg_max in summarize or parse results).
struct NamedExpr {
  std::string name;
  std::vector<std::string> names;
  ExprPtr expr;
  Pos pos;
};

struct SortKey {
  ExprPtr expr;
  bool ascending = false;  // Kusto's default for sort/top is desc
  enum class Nulls : uint8_t { kDefault, kFirst, kLast } nulls = Nulls::kDefault;
};

// Operator kinds. A Pipeline's first operator may be a source (kTableRef, kUnion without input,
// kDatatable, kPrint, kRange, kExternalData, kSearch, kFind, kEvaluate at start is not valid).
enum class OpKind : uint8_t {
  // Sources
  kSource,        // source: an Expr naming/producing a table: kName (table, let name,
                  // wildcard like `Device*Events`), kCall (user function / materialize /
                  // table('X')), kTabular (parenthesised pipeline)
  kDatatable,     // columns: (name, type) in `schema`; exprs: literal values in row-major order
  kPrint,         // exprs: print a = 1, b = "x"
  kRange,         // names[0]: column; exprs[0] from, [1] to, [2] step
  kExternalData,  // schema; text: URL(s) joined by '\n'; params: with (format=...)
  // Operators after `|` (and union/search/find also as sources)
  kWhere,         // predicate (also `filter`)
  kProject,       // exprs
  kProjectAway,   // names (may contain wildcards)
  kProjectKeep,   // names (wildcards)
  kProjectRename, // exprs: name = old (expr is kName)
  kProjectReorder,// names (wildcards) with optional asc/desc in text (ignored)
  kExtend,        // exprs
  kSummarize,     // exprs: aggregates; by: group keys; params: hint.*
  kCount,         // names[0] optional: `count as N`
  kDistinct,      // exprs (kName or `*` as kStar)
  kSort,          // sort: keys (also `order by`)
  kTop,           // count (exprs[0]), sort: one key (top N by x [asc|desc])
  kTopNested,     // nested levels in `levels`
  kTake,          // exprs[0]: row count (also `limit`)
  kJoin,          // params (kind, hint.*); right: pipeline; on: exprs (kName for a common
                  // column, or kBinary "==" with $left.X / $right.Y sides; `and` chains split)
  kLookup,        // as join (params kind=leftouter|inner)
  kUnion,         // params (kind, withsource, isfuzzy); legs: pipelines (a leg that is a plain
                  // table name or wildcard is a pipeline with one kSource op)
  kMvExpand,      // exprs (column or name = expr, optional `to typeof(T)` in `types`);
                  // params: bagexpansion, with_itemindex; limit in count
  kMvApply,       // exprs as mv-expand, plus right: the subquery; params with_itemindex
  kParse,         // exprs[0]: source; text: raw pattern tokens (see `parse_items`);
                  // params: kind (simple|regex|relaxed), flags
  kParseWhere,    // as kParse
  kParseKv,       // exprs[0]: source; schema: `as (k:type, ...)`; params: pair_delimiter,
                  // kv_delimiter, quote, escape, greedy
  kMakeSeries,    // exprs: aggregates (with default in `defaults`), by, on in `on_expr`,
                  // from/to/step in `range_exprs`
  kSerialize,     // exprs (extend-like)
  kSearch,        // predicate: the search expression; a bare string literal term stays a
                  // kLiteral, `col:term` is kBinary ":"; params kind; legs: `in (T1, T2)`
  kFind,          // like search; projected columns in names
  kAs,            // names[0]
  kGetSchema,     //
  kSample,        // exprs[0]
  kEvaluate,      // exprs[0]: kCall plugin(args); params: hint.*
  kInvoke,        // exprs[0]: kCall function(args) applied to the input as first argument
  kRender,        // text: chart kind; params: with (title=..., xcolumn=...) as params
  kConsume,       // no effect
  kSampleDistinct,// exprs[0] count, exprs[1] column
  kFork,          // not supported: parsed for a clear error
  kFacet,         // not supported
  kPartition,     // params; right: subquery; by: key
  kScan,          // params: with_match_id; schema + defaults: declare; scan_steps
  kMakeGraph,     // names: source, target columns; text "-->" or "--"; legs/on: node tables
                  // and their key columns; params with_node_id; by + right: partitioned-by
  kGraphMatch,    // graph_patterns; params cycles; predicate: where; exprs: project
  kGraphShortestPaths,   // as kGraphMatch; params output=any|all
  kGraphMarkComponents,  // params kind=weak|strong, with_component_id
  kGraphToTable,  // names: "nodes"/"edges" (+ `as` names in `text`); params with_*_id
};

// One element of a graph-match pattern: `(n)` or an edge `-[e*1..3]->`.
struct GraphElement {
  bool is_edge = false;
  std::string name;  // empty: anonymous
  Pos pos;
  int direction = 1;  // edges: 1 `->`, -1 `<-`, 0 `-` (either way)
  bool variable = false;  // `*min..max`
  int64_t min_hops = 1;
  int64_t max_hops = 1;
};

struct ParseItem {  // one element of a `parse` pattern
  bool is_column = false;
  std::string text;  // literal text (string literal value) or column name
  Type type = Type::kString;  // `name:type`
  bool wildcard = false;      // `*`
};

// One `step Name [output=all|last|none]: Condition [=> Col = Expr, ...];` of the scan operator.
struct ScanStep {
  std::string name;
  std::string output = "all";
  ExprPtr condition;
  std::vector<NamedExpr> assignments;
  Pos pos;
};

struct Operator {
  OpKind kind = OpKind::kWhere;
  Pos pos;
  std::vector<std::pair<std::string, std::string>> params;  // key lower-case, value as written
  ExprPtr source;     // kSource
  ExprPtr predicate;  // kWhere, kSearch, kFind
  std::vector<NamedExpr> exprs;
  std::vector<NamedExpr> by;
  std::vector<SortKey> sort;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, Type>> schema;  // datatable, externaldata, parse-kv
  std::vector<PipelinePtr> legs;                     // union legs, search/find `in (...)`
  PipelinePtr right;                                 // join/lookup right side, mv-apply
  std::vector<ExprPtr> on;                           // join/lookup keys
  std::vector<ParseItem> parse_items;                // parse
  std::vector<Type> types;                           // mv-expand `to typeof()`, per exprs
  ExprPtr count;                                     // top N, mv-expand limit, sample N
  ExprPtr on_expr;                                   // make-series on
  std::vector<ExprPtr> range_exprs;                  // make-series from, to, step
  std::vector<ExprPtr> defaults;                     // make-series default= per aggregate
  std::string text;                                  // render kind, externaldata URLs
  struct Level {
    ExprPtr count;  // top-nested N (may be null: all)
    NamedExpr of;
    NamedExpr by;   // aggregate
    bool with_others = false;
    ExprPtr others;
    bool ascending = false;
  };
  std::vector<Level> levels;  // top-nested
  std::vector<std::vector<GraphElement>> graph_patterns;  // graph-match: comma-separated paths
  std::vector<ScanStep> scan_steps;  // scan
};

struct Pipeline {
  Pos pos;
  std::vector<Operator> ops;  // ops[0] is a source-kind operator
};

// let name = <scalar expr | tabular expr | function>; set/declare/alias are kept as kOther.
struct FunctionParam {
  std::string name;
  Type type = Type::kDynamic;
  bool tabular = false;  // (T:(*)) or (T:(a:string, ...)) tabular parameter
  std::vector<std::pair<std::string, Type>> tabular_schema;  // empty for (*)
  ExprPtr default_value;  // may be null
};

struct Statement;
using StatementPtr = std::shared_ptr<const Statement>;

struct Statement {
  enum class Kind : uint8_t {
    kLet,       // name, value (kTabular for tabular expressions; materialize() is a kCall)
    kLetFunction,  // name, params, body (statements) + value (the result expression)
    kQuery,     // value: the tabular expression (kTabular) or scalar expr (rare)
    kSet,       // set option=value; (ignored with a note)
    kDeclare,   // declare query_parameters(...); params in `params`
  };
  Kind kind = Kind::kQuery;
  Pos pos;
  std::string name;
  ExprPtr value;
  std::vector<FunctionParam> params;
  std::vector<StatementPtr> body;
};

struct Script {
  std::vector<StatementPtr> statements;
};

// Builders for the expressions the parser and planners synthesize (time-of-day literals,
// search, find, make-series, FileProfile, graph-match).
inline ExprPtr MakeNameExpr(const std::string& name, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kName;
  e->name = name;
  e->pos = pos;
  return e;
}
inline ExprPtr MakeLiteralExpr(Value v, Type t, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(v);
  e->literal_type = t;
  e->pos = pos;
  return e;
}
inline ExprPtr MakeCallExpr(const std::string& name, std::vector<ExprPtr> args, Pos pos) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCall;
  e->name = name;
  e->pos = pos;
  e->args = std::move(args);
  return e;
}
inline ExprPtr MakeBinaryExpr(const std::string& op, ExprPtr a, ExprPtr b) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBinary;
  e->op = op;
  e->pos = a->pos;
  e->args = {std::move(a), std::move(b)};
  return e;
}

}  // namespace vigil::kql
