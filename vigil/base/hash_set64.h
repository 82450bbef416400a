// A set of 64-bit hashes: open addressing with linear probing, at most half full, members kept
// in insertion order for iteration. Far cheaper per insert than std::unordered_set (no node per
// member). Used for distinct-term counting (store term filters) and dcount's exact phase.
// Header-only; not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil {

class HashSet64 {
 public:
  // False when `hash` was already present. Hashes should be well mixed (low bits index slots).
  bool Insert(uint64_t hash) {
    if (hash == 0) {  // 0 marks a free slot, so it is kept aside
      if (has_zero_) {
        return false;
      }
      has_zero_ = true;
      values_.push_back(0);
      return true;
    }
    if ((values_.size() + 1) * 2 > slots_.size()) {
      Grow();
    }
    if (!Place(hash)) {
      return false;
    }
    values_.push_back(hash);
    return true;
  }
  // Makes room for `n` members in all without growing again.
  void Reserve(size_t n) {
    if (n > values_.capacity()) {  // geometric: a Reserve per insert stays linear
      values_.reserve(std::max(n, values_.capacity() * 2));
    }
    if (n * 2 > slots_.size()) {
      size_t slots = std::max<size_t>(slots_.size(), 16);
      while (n * 2 > slots) {
        slots *= 2;
      }
      slots_.assign(slots, 0);
      for (const uint64_t hash : values_) {
        if (hash != 0) {
          Place(hash);
        }
      }
    }
  }
  // Empties the set and keeps the capacity.
  void Clear() {
    values_.clear();
    has_zero_ = false;
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  size_t size() const { return values_.size(); }
  const std::vector<uint64_t>& values() const { return values_; }
  std::vector<uint64_t>::const_iterator begin() const { return values_.begin(); }
  std::vector<uint64_t>::const_iterator end() const { return values_.end(); }

 private:
  bool Place(uint64_t hash) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == hash) {
        return false;
      }
      if (slots_[i] == 0) {
        slots_[i] = hash;
        return true;
      }
    }
  }
  void Grow() {
    slots_.assign(std::max<size_t>(slots_.size() * 2, 16), 0);
    for (const uint64_t hash : values_) {
      if (hash != 0) {
        Place(hash);
      }
    }
  }

  std::vector<uint64_t> slots_;  // 0: free
  std::vector<uint64_t> values_;
  bool has_zero_ = false;
};

}  // namespace vigil
