// The scan operator after `|`: `scan [with_match_id=Id] [declare (c:type[=default], ...)]
// with (step Name [output=all|last|none]: Condition [=> c = Expr, ...]; ...)`. Fills
// Operator::params (with_match_id), schema + defaults (declare) and scan_steps. Dispatched from
// Parser::ParseOperator (parser_ops.cpp); executed by vigil/kql/exec/ops_scan.cpp. Also the
// `project a[:type], ..., pack_all()` clause of find (ParseSearch in parser_ops2.cpp).
#include <utility>

#include "vigil/kql/syntax/parser_impl.h"

namespace vigil::kql::internal {

bool Parser::ParseScan(Operator& op) {
  if (AtWord("with_match_id") && Peek().IsPunct("=")) {
    Advance();
    Advance();
    std::string id;
    if (!ParseNameToken(id)) {
      return false;
    }
    op.params.emplace_back("with_match_id", std::move(id));
  }
  if (AcceptWord("declare")) {
    if (!ExpectPunct("(")) {
      return false;
    }
    while (!Failed() && !AtPunct(")")) {
      std::string name;
      Type type = Type::kDynamic;
      if (!ParseNameToken(name) || !ExpectPunct(":") || !ParseTypeName(type)) {
        return false;
      }
      ExprPtr def;
      if (AcceptPunct("=")) {
        def = ParseExpr();
        if (!def) {
          return false;
        }
      }
      op.schema.emplace_back(std::move(name), type);
      op.defaults.push_back(std::move(def));
      if (!AcceptPunct(",")) {
        break;
      }
    }
    if (!ExpectPunct(")")) {
      return false;
    }
  }
  if (!ExpectWord("with") || !ExpectPunct("(")) {
    return false;
  }
  while (!Failed() && !AtPunct(")")) {
    ScanStep step;
    step.pos = PosOf(cur_);
    if (!ExpectWord("step") || !ParseNameToken(step.name)) {
      return false;
    }
    if (AtWord("output") && Peek().IsPunct("=")) {
      Advance();
      Advance();
      const Token mode = cur_;
      if (!ParseNameToken(step.output)) {
        return false;
      }
      step.output = ToLower(step.output);
      if (step.output != "all" && step.output != "last" && step.output != "none") {
        Fail("KQL0004", "expected all, last or none after 'output='", mode);
        return false;
      }
    }
    if (!ExpectPunct(":")) {
      return false;
    }
    step.condition = ParseExpr();
    if (!step.condition) {
      return false;
    }
    if (AcceptPunct("=>")) {
      while (!Failed()) {
        NamedExpr assign;
        const Token at = cur_;
        if (!ParseNamedExpr(assign)) {
          return false;
        }
        if (assign.name.empty()) {
          Fail("KQL0004", "expected 'Column = Expression' in a scan step", at);
          return false;
        }
        step.assignments.push_back(std::move(assign));
        if (!AcceptPunct(",")) {
          break;
        }
      }
    }
    op.scan_steps.push_back(std::move(step));
    if (!AcceptPunct(";") && !AtPunct(")")) {
      FailExpected("';' after a scan step");
      return false;
    }
  }
  if (!Failed() && op.scan_steps.empty()) {
    Fail("KQL0004", "scan needs at least one step", cur_);
    return false;
  }
  return ExpectPunct(")");
}

bool Parser::ParseFindProject(Operator& op) {
  while (!Failed()) {
    if (AtWord("pack_all") && Peek().IsPunct("(")) {
      Advance();
      Advance();
      if (!ExpectPunct(")")) {
        return false;
      }
      op.params.emplace_back("pack_all", "true");
    } else {
      std::string name;
      if (!ParseNameToken(name)) {
        return false;
      }
      if (AcceptPunct(":")) {
        Type type = Type::kDynamic;
        if (!ParseTypeName(type)) {
          return false;
        }
        op.schema.emplace_back(name, type);
      }
      op.names.push_back(std::move(name));
    }
    if (!AcceptPunct(",")) {
      break;
    }
  }
  if (!Failed()) {
    op.params.emplace_back("find_project", "true");
  }
  return !Failed();
}

}  // namespace vigil::kql::internal
