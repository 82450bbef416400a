// Set functions over dynamic arrays: set_has_element, set_union, set_intersect,
// set_difference and jaccard_index. Elements compare with ValuesEqual (numbers across
// int/long/real); results keep first-seen order and hold each distinct value once.

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "vigil/kql/functions/function_util2.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/kql/value.h"

namespace vigil::kql::fn2 {
namespace {

using ValueSet = std::unordered_set<Value, ValueHash, ValueEq>;

bool AllArrays(std::span<const Value> args) {
  for (const Value& v : args) {
    if (!v.is_array()) {
      return false;
    }
  }
  return true;
}

ValueSet ToSet(const Value& array) {
  return ValueSet(array.AsArray().begin(), array.AsArray().end());
}

Value SetUnion(std::span<const Value> args) {
  ValueSet seen;
  Array out;
  for (const Value& a : args) {
    for (const Value& v : a.AsArray()) {
      if (seen.insert(v).second) {
        out.push_back(v);
      }
    }
  }
  return Value::MakeArray(std::move(out));
}

Value SetIntersect(std::span<const Value> args) {
  std::vector<ValueSet> others;
  for (size_t i = 1; i < args.size(); ++i) {
    others.push_back(ToSet(args[i]));
  }
  ValueSet seen;
  Array out;
  for (const Value& v : args[0].AsArray()) {
    bool in_all = true;
    for (const ValueSet& s : others) {
      in_all = in_all && s.count(v) > 0;
    }
    if (in_all && seen.insert(v).second) {
      out.push_back(v);
    }
  }
  return Value::MakeArray(std::move(out));
}

Value SetDifference(std::span<const Value> args) {
  ValueSet excluded;
  for (size_t i = 1; i < args.size(); ++i) {
    excluded.insert(args[i].AsArray().begin(), args[i].AsArray().end());
  }
  ValueSet seen;
  Array out;
  for (const Value& v : args[0].AsArray()) {
    if (excluded.count(v) == 0 && seen.insert(v).second) {
      out.push_back(v);
    }
  }
  return Value::MakeArray(std::move(out));
}

ScalarImpl OverArrays(Value (*f)(std::span<const Value>)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    return AllArrays(args) ? f(args) : Value();
  };
}

}  // namespace

void RegisterSetFunctions(Registry& r) {
  Add(r, "set_has_element", 2, 2, Returns("set_has_element", Type::kBool),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_array()) {
          return Value();
        }
        for (const Value& v : args[0].AsArray()) {
          if (ValuesEqual(v, args[1])) {
            return Value::Bool(true);
          }
        }
        return Value::Bool(false);
      });
  Add(r, "set_union", 2, 64, Returns("set_union", Type::kDynamic), OverArrays(SetUnion));
  Add(r, "set_intersect", 2, 64, Returns("set_intersect", Type::kDynamic),
      OverArrays(SetIntersect));
  Add(r, "set_difference", 2, 64, Returns("set_difference", Type::kDynamic),
      OverArrays(SetDifference));
  Add(r, "jaccard_index", 2, 2, Returns("jaccard_index", Type::kReal),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!AllArrays(args)) {
          return Value();
        }
        const ValueSet a = ToSet(args[0]);
        const ValueSet b = ToSet(args[1]);
        size_t common = 0;
        for (const Value& v : a) {
          common += b.count(v);
        }
        const size_t all = a.size() + b.size() - common;
        if (all == 0) {
          return Value::Real(0.0);  // two empty sets: 0 rather than NaN
        }
        return Value::Real(static_cast<double>(common) / static_cast<double>(all));
      });
}

}  // namespace vigil::kql::fn2
