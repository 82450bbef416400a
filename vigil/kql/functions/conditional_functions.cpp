// Conditional functions: iff/iif, case, coalesce and not. A null or non-bool condition counts
// as false (as Kusto). Result types are the common type of the branches; the executor
// coerces each result to that declared type.

#include <optional>
#include <string>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql {
namespace {

using fn2::Add;
using fn2::Arg;
using fn2::Returns;

bool IsTrue(const Value& v) { return v.kind() == Kind::kBool && v.AsBool(); }

std::optional<Type> BranchesType(const std::string& name, std::span<const Type> types,
                                 const std::vector<size_t>& branch_indexes, std::string* error) {
  std::optional<Type> out;
  for (const size_t i : branch_indexes) {
    if (i >= types.size()) {
      continue;
    }
    out = out ? fn2::CommonType(*out, types[i]) : types[i];
    if (!out) {
      if (error != nullptr) {
        *error = name + "(): all result arguments must be of the same type";
      }
      return std::nullopt;
    }
  }
  return out ? out : std::optional<Type>(Type::kDynamic);
}

bool CheckConditions(const std::string& name, std::span<const Type> types,
                     const std::vector<size_t>& condition_indexes, std::string* error) {
  for (const size_t i : condition_indexes) {
    if (i < types.size() && types[i] != Type::kBool && types[i] != Type::kDynamic) {
      if (error != nullptr) {
        *error = name + "(): argument " + std::to_string(i + 1) + " must be bool";
      }
      return false;
    }
  }
  return true;
}

ReturnTypeFn IffType(std::string name) {
  return [name = std::move(name)](std::span<const Type> types,
                                  std::string* error) -> std::optional<Type> {
    if (!CheckConditions(name, types, {0}, error)) {
      return std::nullopt;
    }
    return BranchesType(name, types, {1, 2}, error);
  };
}

std::optional<Type> CaseType(std::span<const Type> types, std::string* error) {
  if (types.size() % 2 == 0) {
    if (error != nullptr) {
      *error = "case(): expects predicate/value pairs followed by an else value";
    }
    return std::nullopt;
  }
  std::vector<size_t> conditions;
  std::vector<size_t> branches;
  for (size_t i = 0; i + 1 < types.size(); i += 2) {
    conditions.push_back(i);
    branches.push_back(i + 1);
  }
  branches.push_back(types.size() - 1);
  if (!CheckConditions("case", types, conditions, error)) {
    return std::nullopt;
  }
  return BranchesType("case", types, branches, error);
}

std::optional<Type> CoalesceType(std::span<const Type> types, std::string* error) {
  std::vector<size_t> all;
  for (size_t i = 0; i < types.size(); ++i) {
    all.push_back(i);
  }
  return BranchesType("coalesce", types, all, error);
}

// Null, and the empty string, count as missing for coalesce.
bool IsMissing(const Value& v) { return v.is_null() || (v.is_string() && v.AsString().empty()); }

}  // namespace

void RegisterConditionalFunctions(Registry& r) {
  for (const char* name : {"iff", "iif"}) {
    Add(r, name, 3, 3, IffType(name), [](std::span<const Value> args, FunctionContext&) {
      return IsTrue(args[0]) ? args[1] : args[2];
    });
  }
  Add(r, "case", 3, -1, CaseType, [](std::span<const Value> args, FunctionContext&) -> Value {
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (IsTrue(args[i])) {
        return args[i + 1];
      }
    }
    return args.back();
  });
  Add(r, "coalesce", 1, 64, CoalesceType,
      [](std::span<const Value> args, FunctionContext&) -> Value {
        for (const Value& v : args) {
          if (!IsMissing(v)) {
            return v;
          }
        }
        return args.back();
      });
  Add(r, "not", 1, 1, Returns("not", Type::kBool, {Arg::kBool}),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (args[0].kind() != Kind::kBool) {
          return Value();
        }
        return Value::Bool(!args[0].AsBool());
      });
}

}  // namespace vigil::kql
