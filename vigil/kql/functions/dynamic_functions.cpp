// Array and property-bag functions over dynamic values: array_length, array_concat,
// array_slice, array_index_of, array_reverse, array_sort_asc/desc, array_sum, array_iff,
// array_shift_left/right, pack_array, pack/bag_pack/pack_dictionary, bag_keys, bag_merge,
// bag_remove_keys, bag_has_key, zip, range and repeat. Set functions are in dynamic_sets.cpp.
// Arguments that are not arrays (or bags) give null. Built arrays are capped at
// kMaxBuiltArray elements so a query cannot exhaust memory through range() or repeat().

#include <algorithm>
#include <cmath>
#include <cstdint>
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

constexpr int64_t kMaxBuiltArray = 1'048'576;  // Kusto's cap on range() / repeat()

ScalarImpl ArrayFn(Value (*f)(const Array&, std::span<const Value>)) {
  return [f](std::span<const Value> args, FunctionContext&) -> Value {
    if (!args[0].is_array()) {
      return Value();
    }
    return f(args[0].AsArray(), args);
  };
}

// Normalises a possibly negative index against `size` (negative counts from the end).
int64_t FromEnd(int64_t index, int64_t size) { return index < 0 ? index + size : index; }

Value ArraySlice(const Array& a, std::span<const Value> args) {
  const auto start = fn2::IntegerOf(args[1]);
  const auto end = fn2::IntegerOf(args[2]);
  if (!start || !end) {
    return Value();
  }
  const auto size = static_cast<int64_t>(a.size());
  const int64_t from = std::max<int64_t>(0, FromEnd(*start, size));
  const int64_t to = std::min<int64_t>(size - 1, FromEnd(*end, size));
  Array out;
  for (int64_t i = from; i <= to; ++i) {
    out.push_back(a[static_cast<size_t>(i)]);
  }
  return Value::MakeArray(std::move(out));
}

// array_index_of(array, lookup [, start [, length [, occurrence]]]): -1 when not found.
Value ArrayIndexOf(const Array& a, std::span<const Value> args) {
  const auto size = static_cast<int64_t>(a.size());
  int64_t start = 0;
  int64_t length = -1;
  int64_t occurrence = 1;
  if (args.size() > 2 && !args[2].is_null()) {
    const auto s = fn2::IntegerOf(args[2]);
    if (!s) {
      return Value();
    }
    start = FromEnd(*s, size);
    if (start < 0 || start > size) {
      return Value();
    }
  }
  if (args.size() > 3 && !args[3].is_null()) {
    const auto l = fn2::IntegerOf(args[3]);
    if (!l || *l < -1) {
      return Value();
    }
    length = *l;
  }
  if (args.size() > 4 && !args[4].is_null()) {
    const auto o = fn2::IntegerOf(args[4]);
    if (!o || *o <= 0) {
      return Value();
    }
    occurrence = *o;
  }
  const int64_t end = length < 0 ? size : std::min(size, start + length);
  for (int64_t i = start; i < end; ++i) {
    if (!args[1].is_null() && ValuesEqual(a[static_cast<size_t>(i)], args[1]) &&
        --occurrence == 0) {
      return Value::Long(i);
    }
  }
  return Value::Long(-1);
}

// array_sort_asc/desc(array1 [, ..., arrayN] [, nulls_last]). With one array: that array
// sorted. With several: the first is sorted and the others are reordered to match, returned
// as an array of N arrays (what `(a, b) = array_sort_asc(x, y)` unpacks and `[1]` indexes);
// an array whose length differs from the first becomes null.
Value ArraySort(const Array& a, std::span<const Value> args, bool ascending) {
  bool nulls_last = true;
  size_t arrays = args.size();
  if (args.size() > 1 && args.back().kind() == Kind::kBool) {
    nulls_last = args.back().AsBool();
    --arrays;
  }
  std::vector<size_t> order(a.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t xi, size_t yi) {
    const Value& x = a[xi];
    const Value& y = a[yi];
    if (x.is_null() != y.is_null()) {
      return x.is_null() != nulls_last;
    }
    const int c = CompareValues(x, y);
    return ascending ? c < 0 : c > 0;
  });
  auto reorder = [&order](const Array& src) {
    Array out;
    out.reserve(src.size());
    for (size_t i : order) {
      out.push_back(src[i]);
    }
    return Value::MakeArray(std::move(out));
  };
  if (arrays <= 1) {
    return reorder(a);
  }
  Array results;
  results.push_back(reorder(a));
  for (size_t k = 1; k < arrays; ++k) {
    const Value& other = args[k];
    results.push_back(other.is_array() && other.AsArray().size() == a.size()
                          ? reorder(other.AsArray())
                          : Value());
  }
  return Value::MakeArray(std::move(results));
}

Value ArraySum(const Array& a, std::span<const Value>) {
  double sum = 0;
  for (const Value& v : a) {
    const auto x = fn2::RealOf(v);
    if (!x) {
      return Value();
    }
    sum += *x;
  }
  return Value::Real(sum);
}

// Element i of an array_iff branch: the array's element, or the scalar itself.
Value BranchAt(const Value& branch, size_t i) {
  if (branch.is_array()) {
    const Array& a = branch.AsArray();
    return i < a.size() ? a[i] : Value();
  }
  return branch;
}

Value ArrayIff(const Array& cond, std::span<const Value> args) {
  Array out;
  out.reserve(cond.size());
  for (size_t i = 0; i < cond.size(); ++i) {
    const Value& c = cond[i];
    bool truth = false;
    if (c.kind() == Kind::kBool) {
      truth = c.AsBool();
    } else if (c.is_number()) {
      truth = c.AsReal() != 0;
    } else {
      out.emplace_back();  // not a boolean: null, as Kusto
      continue;
    }
    out.push_back(BranchAt(truth ? args[1] : args[2], i));
  }
  return Value::MakeArray(std::move(out));
}

// array_shift_left/right(array, n [, fill]): shifted elements fall off, `fill` (default null)
// fills the vacated positions.
Value ArrayShift(const Array& a, std::span<const Value> args, bool left) {
  const auto n = fn2::IntegerOf(args[1]);
  if (!n) {
    return Value();
  }
  const Value fill = args.size() > 2 ? args[2] : Value();
  const auto size = static_cast<int64_t>(a.size());
  int64_t shift = left ? *n : -*n;
  shift = std::clamp<int64_t>(shift, -size, size);
  Array out;
  out.reserve(a.size());
  for (int64_t i = 0; i < size; ++i) {
    const int64_t src = i + shift;
    out.push_back(src >= 0 && src < size ? a[static_cast<size_t>(src)] : fill);
  }
  return Value::MakeArray(std::move(out));
}

Value Pack(std::span<const Value> args) {
  if (args.size() % 2 != 0) {
    return Value();
  }
  Bag out;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (!args[i].is_string()) {
      return Value();
    }
    const std::string& key = args[i].AsString();
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != out.end()) {
      it->second = args[i + 1];
    } else {
      out.emplace_back(key, args[i + 1]);
    }
  }
  return Value::MakeBag(std::move(out));
}

// bag_merge: the first bag holding a key wins.
Value BagMerge(std::span<const Value> args) {
  Bag out;
  for (const Value& bag : args) {
    if (!bag.is_bag()) {
      return Value();
    }
    for (const auto& entry : bag.AsBag()) {
      const std::string& key = entry.first;
      const bool seen =
          std::any_of(out.begin(), out.end(), [&](const auto& kv) { return kv.first == key; });
      if (!seen) {
        out.emplace_back(key, entry.second);
      }
    }
  }
  return Value::MakeBag(std::move(out));
}

// The property names of a key: a top-level name, or a JSONPath such as "$.a.b" / "$['a']".
// nullopt for a malformed path.
std::optional<std::vector<std::string>> KeyPath(const std::string& key) {
  if (key.rfind("$", 0) != 0) {
    return std::vector<std::string>{key};
  }
  std::vector<std::string> names;
  size_t pos = 1;
  while (pos < key.size()) {
    if (key[pos] == '.') {
      const size_t end = key.find_first_of(".[", pos + 1);
      names.push_back(
          key.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1));
      pos = end == std::string::npos ? key.size() : end;
    } else if (key.compare(pos, 2, "['") == 0) {
      const size_t end = key.find("']", pos + 2);
      if (end == std::string::npos) {
        return std::nullopt;
      }
      names.push_back(key.substr(pos + 2, end - pos - 2));
      pos = end + 2;
    } else {
      return std::nullopt;
    }
  }
  return names;
}

// `bag` without the property at `path` (nested bags are rebuilt along the path).
Value RemovePath(const Value& bag, std::span<const std::string> path) {
  if (!bag.is_bag() || path.empty()) {
    return bag;
  }
  Bag out;
  for (const auto& [k, v] : bag.AsBag()) {
    if (k != path[0]) {
      out.emplace_back(k, v);
    } else if (path.size() > 1) {
      out.emplace_back(k, RemovePath(v, path.subspan(1)));
    }
  }
  return Value::MakeBag(std::move(out));
}

// bag_remove_keys(bag, keys): keys are top-level names or JSONPaths ("$.key2.prop1").
Value BagRemoveKeys(std::span<const Value> args) {
  if (!args[0].is_bag() || !args[1].is_array()) {
    return Value();
  }
  Value out = args[0];
  for (const Value& key : args[1].AsArray()) {
    if (!key.is_string()) {
      continue;
    }
    const auto path = KeyPath(key.AsString());
    if (path) {
      out = RemovePath(out, *path);
    }
  }
  return out;
}

// bag_has_key(bag, key): key is a top-level name or a JSONPath such as "$.a.b" / "$['a']".
Value BagHasKey(std::span<const Value> args) {
  if (!args[0].is_bag() || !args[1].is_string()) {
    return Value();
  }
  const auto path = KeyPath(args[1].AsString());
  if (!path) {
    return Value();
  }
  const Value* cur = &args[0];
  for (const std::string& name : *path) {
    cur = cur->Find(name);
    if (cur == nullptr) {
      return Value::Bool(false);
    }
  }
  return Value::Bool(true);
}

Value Zip(std::span<const Value> args) {
  size_t longest = 0;
  for (const Value& v : args) {
    if (!v.is_array()) {
      return Value();
    }
    longest = std::max(longest, v.AsArray().size());
  }
  Array out;
  out.reserve(longest);
  for (size_t i = 0; i < longest; ++i) {
    Array row;
    for (const Value& v : args) {
      row.push_back(i < v.AsArray().size() ? v.AsArray()[i] : Value());
    }
    out.push_back(Value::MakeArray(std::move(row)));
  }
  return Value::MakeArray(std::move(out));
}

// range(start, stop [, step]) for numbers, datetimes and timespans (timespan step).
Value Range(std::span<const Value> args) {
  const Value& start = args[0];
  const Value& stop = args[1];
  Array out;
  if (start.kind() == Kind::kDateTime || start.kind() == Kind::kTimeSpan) {
    // The documented default step for datetime and timespan ranges is one hour.
    const Value step = args.size() > 2 ? args[2] : Value::TimeSpan(kTicksPerDay / 24);
    if (stop.kind() != start.kind() || step.kind() != Kind::kTimeSpan || step.AsInt64() == 0) {
      return Value();
    }
    const __int128 span = static_cast<__int128>(stop.AsInt64()) - start.AsInt64();
    const __int128 count = span / step.AsInt64() + 1;
    if (count <= 0) {
      return Value::MakeArray({});
    }
    // Kusto truncates a longer range to its first kMaxBuiltArray elements.
    const int64_t kept = static_cast<int64_t>(std::min<__int128>(count, kMaxBuiltArray));
    for (int64_t i = 0; i < kept; ++i) {
      const int64_t t = start.AsInt64() + i * step.AsInt64();
      out.push_back(start.kind() == Kind::kDateTime ? Value::DateTime(t) : Value::TimeSpan(t));
    }
    return Value::MakeArray(std::move(out));
  }
  const Value step = args.size() > 2 ? args[2] : Value::Long(1);
  if (!start.is_number() || !stop.is_number() || !step.is_number() || step.AsReal() == 0 ||
      std::isnan(step.AsReal())) {
    return Value();
  }
  const bool integral =
      start.kind() != Kind::kReal && stop.kind() != Kind::kReal && step.kind() != Kind::kReal;
  const double count = std::floor((stop.AsReal() - start.AsReal()) / step.AsReal()) + 1;
  if (!(count > 0)) {
    return Value::MakeArray({});
  }
  const auto kept = static_cast<int64_t>(std::min(count, static_cast<double>(kMaxBuiltArray)));
  for (int64_t i = 0; i < kept; ++i) {
    if (integral) {
      const __int128 v =
          static_cast<__int128>(start.AsInt64()) + static_cast<__int128>(i) * step.AsInt64();
      if (v > INT64_MAX || v < INT64_MIN) {
        break;
      }
      out.push_back(Value::Long(static_cast<int64_t>(v)));
    } else {
      out.push_back(Value::Real(start.AsReal() + static_cast<double>(i) * step.AsReal()));
    }
  }
  return Value::MakeArray(std::move(out));
}

Value Repeat(std::span<const Value> args) {
  const auto count = fn2::IntegerOf(args[1]);
  if (!count || *count > kMaxBuiltArray) {
    return Value();
  }
  return Value::MakeArray(Array(static_cast<size_t>(std::max<int64_t>(0, *count)), args[0]));
}

Value Impl(Value (*f)(std::span<const Value>), std::span<const Value> args) { return f(args); }

}  // namespace

void RegisterDynamicFunctions(Registry& r) {
  const Type dyn = Type::kDynamic;
  Add(r, "array_length", 1, 1, Returns("array_length", Type::kLong),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        return args[0].is_array() ? Value::Long(static_cast<int64_t>(args[0].AsArray().size()))
                                  : Value();
      });
  Add(r, "array_concat", 1, -1, Returns("array_concat", dyn),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        Array out;
        for (const Value& v : args) {
          if (!v.is_array()) {
            return Value();
          }
          out.insert(out.end(), v.AsArray().begin(), v.AsArray().end());
        }
        return Value::MakeArray(std::move(out));
      });
  Add(r, "array_slice", 3, 3,
      Returns("array_slice", dyn, {Arg::kAny, Arg::kInteger, Arg::kInteger}), ArrayFn(ArraySlice));
  Add(r, "array_index_of", 2, 5,
      Returns("array_index_of", Type::kLong, {Arg::kAny, Arg::kAny, Arg::kInteger}),
      ArrayFn(ArrayIndexOf));
  Add(r, "array_reverse", 1, 1, Returns("array_reverse", dyn),
      ArrayFn([](const Array& a, std::span<const Value>) {
        return Value::MakeArray(Array(a.rbegin(), a.rend()));
      }));
  Add(r, "array_sort_asc", 1, 64, Returns("array_sort_asc", dyn),
      ArrayFn(
          [](const Array& a, std::span<const Value> args) { return ArraySort(a, args, true); }));
  Add(r, "array_sort_desc", 1, 64, Returns("array_sort_desc", dyn),
      ArrayFn(
          [](const Array& a, std::span<const Value> args) { return ArraySort(a, args, false); }));
  Add(r, "array_sum", 1, 1, Returns("array_sum", Type::kReal), ArrayFn(ArraySum));
  for (const char* name : {"array_iff", "array_iif"}) {
    Add(r, name, 3, 3, Returns(name, dyn), ArrayFn(ArrayIff));
  }
  Add(r, "array_shift_left", 2, 3, Returns("array_shift_left", dyn),
      ArrayFn(
          [](const Array& a, std::span<const Value> args) { return ArrayShift(a, args, true); }));
  Add(r, "array_shift_right", 2, 3, Returns("array_shift_right", dyn),
      ArrayFn(
          [](const Array& a, std::span<const Value> args) { return ArrayShift(a, args, false); }));
  Add(r, "pack_array", 1, -1, Returns("pack_array", dyn),
      [](std::span<const Value> args, FunctionContext&) {
        return Value::MakeArray(Array(args.begin(), args.end()));
      });
  for (const char* name : {"pack", "bag_pack", "pack_dictionary"}) {
    Add(r, name, 0, -1, Returns(name, dyn),
        [](std::span<const Value> args, FunctionContext&) { return Impl(Pack, args); });
  }
  Add(r, "bag_keys", 1, 1, Returns("bag_keys", dyn),
      [](std::span<const Value> args, FunctionContext&) -> Value {
        if (!args[0].is_bag()) {
          return Value();
        }
        Array keys;
        for (const auto& kv : args[0].AsBag()) {
          keys.push_back(Value::String(kv.first));
        }
        return Value::MakeArray(std::move(keys));
      });
  Add(r, "bag_merge", 2, 64, Returns("bag_merge", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Impl(BagMerge, args); });
  Add(r, "bag_remove_keys", 2, 2, Returns("bag_remove_keys", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Impl(BagRemoveKeys, args); });
  Add(r, "bag_has_key", 2, 2, Returns("bag_has_key", Type::kBool, {Arg::kAny, Arg::kString}),
      [](std::span<const Value> args, FunctionContext&) { return Impl(BagHasKey, args); });
  Add(r, "zip", 2, 16, Returns("zip", dyn),
      [](std::span<const Value> args, FunctionContext&) { return Impl(Zip, args); });
  Add(r, "range", 2, 3, Returns("range", dyn, {Arg::kScalarForBin}),
      [](std::span<const Value> args, FunctionContext&) { return Impl(Range, args); });
  Add(r, "repeat", 2, 2, Returns("repeat", dyn, {Arg::kAny, Arg::kInteger}),
      [](std::span<const Value> args, FunctionContext&) { return Impl(Repeat, args); });
  fn2::RegisterSetFunctions(r);
}

}  // namespace vigil::kql
