// Helpers shared by the binder and planner: constants and column references, type rules,
// Kusto's default column names, "did you mean" suggestions, argument mapping for user functions.
#include <algorithm>

#include "vigil/kql/exec/compiler_internal.h"

namespace vigil::kql {

KResult<std::vector<const Expr*>> MapArguments(const Statement& fn, const Expr& call) {
  std::vector<const Expr*> given(fn.params.size(), nullptr);
  size_t next = 0;
  for (const auto& arg : call.args) {
    if (arg->kind == ExprKind::kBinary && arg->op == "=" && arg->args[0]->kind == ExprKind::kName) {
      size_t k = 0;
      while (k < fn.params.size() && fn.params[k].name != arg->args[0]->name) {
        ++k;
      }
      if (k == fn.params.size()) {
        return KErr("KQL0104",
                    call.name + "() has no parameter '" + arg->args[0]->name + "'", arg->pos);
      }
      given[k] = arg->args[1].get();
      continue;
    }
    while (next < fn.params.size() && given[next] != nullptr) {
      ++next;  // positional arguments fill the slots named arguments left open
    }
    if (next >= fn.params.size()) {
      return KErr("KQL0104",
                  call.name + "() expects at most " + std::to_string(fn.params.size()) +
                      " argument(s)",
                  call.pos);
    }
    given[next++] = arg.get();
  }
  return given;
}

const Expr* TrivialPipelineScalar(const Expr& e, const ScopePtr& scope) {
  if (!scope) {
    return nullptr;
  }
  if (e.kind != ExprKind::kTabular || !e.pipeline || e.pipeline->ops.size() != 1 ||
      e.pipeline->ops[0].kind != OpKind::kSource || !e.pipeline->ops[0].source) {
    return nullptr;
  }
  const Expr& src = *e.pipeline->ops[0].source;
  if (src.kind == ExprKind::kCall) {
    const LetValue* let = scope->Find(src.name);
    if (let == nullptr && Registry::Default().FindScalar(src.name) != nullptr) {
      return &src;
    }
    if (let != nullptr && let->kind == LetValue::Kind::kFunction && let->function->value &&
        TrivialPipelineScalar(*let->function->value, let->defining_scope()) != nullptr) {
      return &src;
    }
    return nullptr;
  }
  if (src.kind == ExprKind::kLiteral) {
    return &src;
  }
  if (src.kind == ExprKind::kName) {
    const LetValue* let = scope->Find(src.name);
    if (let != nullptr && let->kind == LetValue::Kind::kScalar) {
      return &src;
    }
  }
  return nullptr;
}

BExprPtr MakeConst(Value v, Type type, std::string text) {
  auto e = std::make_shared<BExpr>();
  e->kind = BKind::kConst;
  e->constant = std::move(v);
  e->type = type;
  e->text = text.empty() ? e->constant.ToText() : std::move(text);
  return e;
}

BExprPtr MakeColumn(int index, Type type, std::string name) {
  auto e = std::make_shared<BExpr>();
  e->kind = BKind::kColumn;
  e->column = index;
  e->type = type;
  e->text = std::move(name);
  return e;
}

Type TypeOfValue(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return Type::kBool;
    case Kind::kInt:
      return Type::kInt;
    case Kind::kLong:
      return Type::kLong;
    case Kind::kReal:
      return Type::kReal;
    case Kind::kString:
      return Type::kString;
    case Kind::kDateTime:
      return Type::kDateTime;
    case Kind::kTimeSpan:
      return Type::kTimeSpan;
    case Kind::kGuid:
      return Type::kGuid;
    default:
      return Type::kDynamic;
  }
}

Type ArithType(const std::string& op, Type a, Type b) {
  if (a == Type::kDynamic || b == Type::kDynamic) {
    if (a == Type::kDateTime || b == Type::kDateTime) {
      return op == "-" && a == b ? Type::kTimeSpan : Type::kDateTime;
    }
    return Type::kDynamic;
  }
  if (a == Type::kDateTime && b == Type::kDateTime) {
    return Type::kTimeSpan;
  }
  if (a == Type::kDateTime || b == Type::kDateTime) {
    return Type::kDateTime;
  }
  if (a == Type::kTimeSpan && b == Type::kTimeSpan) {
    return op == "/" ? Type::kReal : Type::kTimeSpan;
  }
  if (a == Type::kTimeSpan || b == Type::kTimeSpan) {
    return Type::kTimeSpan;
  }
  if (a == Type::kReal || b == Type::kReal || a == Type::kDecimal || b == Type::kDecimal) {
    return Type::kReal;
  }
  if (a == Type::kInt && b == Type::kInt) {
    return Type::kInt;
  }
  return Type::kLong;
}

std::string Suggest(const std::string& name, const std::vector<std::string>& candidates) {
  // Levenshtein distance, case-insensitive; suggest the closest within a third of the length.
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1);
    std::vector<size_t> cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
      prev[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                          std::tolower(static_cast<unsigned char>(b[j - 1]));
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = name.size() / 3 + 2;
  for (const auto& c : candidates) {
    const size_t d = distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::string ExprText(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      if (e.literal.is_string()) {
        return "\"" + e.literal.AsString() + "\"";
      }
      if (e.literal.is_null()) {
        return std::string(TypeName(e.literal_type)) + "(null)";
      }
      if (e.literal_type == Type::kDateTime) {
        return "datetime(" + e.literal.ToText() + ")";
      }
      if (e.literal_type == Type::kTimeSpan) {
        return "timespan(" + e.literal.ToText() + ")";
      }
      if (e.literal_type == Type::kDynamic) {
        return "dynamic(" + e.literal.ToJson() + ")";
      }
      return e.literal.ToText();
    case ExprKind::kName:
      return e.name;
    case ExprKind::kUnary:
      return e.op + ExprText(*e.args[0]);
    case ExprKind::kBinary:
      return ExprText(*e.args[0]) + " " + e.op + " " + ExprText(*e.args[1]);
    case ExprKind::kCall: {
      std::string out = e.name + "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        out += (i ? ", " : "") + ExprText(*e.args[i]);
      }
      return out + ")";
    }
    case ExprKind::kMember:
      return ExprText(*e.args[0]) + "." + e.name;
    case ExprKind::kIndex:
      return ExprText(*e.args[0]) + "[" + ExprText(*e.args[1]) + "]";
    case ExprKind::kList: {
      std::string out = "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        out += (i ? ", " : "") + ExprText(*e.args[i]);
      }
      return out + ")";
    }
    case ExprKind::kRange:
      return "(" + ExprText(*e.args[0]) + " .. " + ExprText(*e.args[1]) + ")";
    case ExprKind::kTabular:
      return "(subquery)";
    case ExprKind::kStar:
      return "*";
  }
  return "?";
}

std::string DefaultColumnName(const Expr& e, size_t position) {
  if (e.kind == ExprKind::kName) {
    return e.name;
  }
  if (e.kind == ExprKind::kBinary && e.op == "=" && e.args[0]->kind == ExprKind::kName) {
    return e.args[0]->name;
  }
  if (e.kind == ExprKind::kCall && !e.args.empty() && e.args[0]->kind == ExprKind::kBinary &&
      e.args[0]->op == "=" && e.args[0]->args[0]->kind == ExprKind::kName) {
    return e.args[0]->args[0]->name;  // tostring(Name = expr) names the column Name
  }
  if (e.kind == ExprKind::kMember) {
    // Kusto names `a.b.c` as `a_b_c`
    std::string base = DefaultColumnName(*e.args[0], position);
    return base + "_" + e.name;
  }
  if (e.kind == ExprKind::kCall && !e.args.empty() &&
      (e.args[0]->kind == ExprKind::kName || e.args[0]->kind == ExprKind::kMember ||
       e.args[0]->kind == ExprKind::kIndex || e.args[0]->kind == ExprKind::kCall)) {
    // Kusto infers `tostring(x)` -> x, `todynamic(a.b)` -> a_b
    std::string inner = DefaultColumnName(*e.args[0], position);
    if (inner.rfind("Column", 0) != 0) {
      return inner;
    }
  }
  if (e.kind == ExprKind::kIndex && e.args[1]->kind == ExprKind::kLiteral &&
      e.args[1]->literal.is_string()) {
    return DefaultColumnName(*e.args[0], position) + "_" + e.args[1]->literal.AsString();
  }
  return "Column" + std::to_string(position);
}

bool ContainsAggregate(const Expr& e) {
  if (e.kind == ExprKind::kCall && Registry::Default().FindAggregate(e.name) != nullptr) {
    return true;
  }
  for (const auto& a : e.args) {
    if (ContainsAggregate(*a)) {
      return true;
    }
  }
  return false;
}

std::string UniqueName(const Schema& schema, const std::string& name) {
  if (FindColumn(schema, name) < 0) {
    return name;
  }
  for (int i = 1;; ++i) {
    std::string candidate = name + std::to_string(i);
    if (FindColumn(schema, candidate) < 0) {
      return candidate;
    }
  }
}

}  // namespace vigil::kql
