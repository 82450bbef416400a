// Hashing and equality of rows of Values (group keys, join keys, distinct rows).
#pragma once

#include <vector>

#include "vigil/kql/value.h"

namespace vigil::kql {

struct RowKeyHash {
  size_t operator()(const std::vector<Value>& key) const {
    size_t h = 0x84222325;
    for (const auto& v : key) {
      h = (h ^ HashValue(v)) * 0x100000001b3ULL;
    }
    return h;
  }
};

// Equal when every value is equal by ValuesEqual; with `kStrict`, values must also have the
// same kind (numbers aside), so a guid and a string with the same text stay apart.
template <bool kStrict>
struct RowKeyEq {
  bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const {
    for (size_t i = 0; i < a.size(); ++i) {
      if (kStrict && a[i].kind() != b[i].kind() && !(a[i].is_number() && b[i].is_number())) {
        return false;
      }
      if (!ValuesEqual(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace vigil::kql
