// Helpers shared by the aggregate files (aggregates*.cpp): argument checks for output types,
// null/truthiness tests on Values, and the per-file registration hooks that
// RegisterAggregates calls. Header-only; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::internal {

using OutputTypes = std::optional<std::vector<Type>>;
using OutputTypesFn = std::function<OutputTypes(std::span<const Type>, std::string*)>;

void RegisterDistinctAggregates(Registry& r);  // aggregates_distinct.cpp
void RegisterCollectAggregates(Registry& r);   // aggregates_collect.cpp

// Kusto predicate truthiness: only bool true counts.
inline bool IsTrueValue(const Value& v) { return v.kind() == Kind::kBool && v.AsBool(); }

// Null, or the empty string (Kusto strings have no null: empty plays that role).
inline bool IsNullOrEmpty(const Value& v) {
  return v.is_null() || (v.is_string() && v.AsString().empty());
}

inline bool IsNumericOrDynamic(Type t) { return IsNumeric(t) || t == Type::kDynamic; }
inline bool IsBoolOrDynamic(Type t) { return t == Type::kBool || t == Type::kDynamic; }
inline bool IsIntegerOrDynamic(Type t) {
  return t == Type::kInt || t == Type::kLong || t == Type::kDynamic;
}

inline OutputTypes ArgError(std::string* error, std::string_view fn, size_t index,
                            std::string_view what) {
  if (error != nullptr) {
    *error = std::string(fn) + "(): argument " + std::to_string(index + 1) + " must be " +
             std::string(what);
  }
  return std::nullopt;
}

// The predicate argument of an *if aggregate, at `index`, must be bool.
inline bool CheckPredicate(std::span<const Type> types, size_t index, std::string_view fn,
                           std::string* error) {
  if (index < types.size() && !IsBoolOrDynamic(types[index])) {
    ArgError(error, fn, index, "bool");
    return false;
  }
  return true;
}

// Optional constant integer argument at `index` (a size limit or an accuracy level).
inline bool CheckOptionalInteger(std::span<const Type> types, size_t index, std::string_view fn,
                                 std::string* error) {
  if (index < types.size() && !IsIntegerOrDynamic(types[index]) && types[index] != Type::kReal) {
    ArgError(error, fn, index, "an integer");
    return false;
  }
  return true;
}

// Integer value of a constant argument, or `fallback` when absent or not a number.
inline int64_t ConstantInt(std::span<const Value> args, size_t index, int64_t fallback) {
  if (index >= args.size()) {
    return fallback;
  }
  const Value& v = args[index];
  if (v.kind() == Kind::kInt || v.kind() == Kind::kLong) {
    return v.AsInt64();
  }
  if (v.kind() == Kind::kReal && v.AsReal() >= -9.2e18 && v.AsReal() <= 9.2e18) {
    return static_cast<int64_t>(v.AsReal());
  }
  return fallback;
}

// Registers `fn` under `name` and every alias.
inline void AddAggregateWithAliases(Registry& r, AggregateFunction fn,
                                    std::initializer_list<const char*> aliases) {
  for (const char* alias : aliases) {
    AggregateFunction copy = fn;
    copy.name = alias;
    r.AddAggregate(std::move(copy));
  }
  r.AddAggregate(std::move(fn));
}

// Builds an AggregateFunction whose states are `State` constructed from `ctor_args`.
template <typename State, typename... CtorArgs>
AggregateFunction MakeAggregate(std::string name, int min_args, int max_args,
                                OutputTypesFn output_types, CtorArgs... ctor_args) {
  AggregateFunction fn;
  fn.name = std::move(name);
  fn.min_args = min_args;
  fn.max_args = max_args;
  fn.output_types = std::move(output_types);
  fn.create = [ctor_args...]() -> std::unique_ptr<AggregateState> {
    return std::make_unique<State>(ctor_args...);
  };
  return fn;
}

}  // namespace vigil::kql::internal
