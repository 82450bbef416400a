// Numbers distinct strings 0, 1, 2, ... in first-seen order. The texts live back to back in one
// buffer and the index is open addressing over 64-bit hashes, so interning costs one hash, one
// probe and one comparison, with no allocation per string (std::unordered_map<std::string, ...>
// allocates a node and usually a string per entry). Header-only; not thread-safe.
#pragma once

#include <xxhash.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class StringInterner {
 public:
  // The id of `text`, adding it when new.
  uint32_t Intern(std::string_view text) { return Intern(text, Hash(text)); }
  // The same with the text's Hash() already known.
  uint32_t Intern(std::string_view text, uint64_t hash) {
    if ((size() + 1) * 2 > slots_.size()) {
      Grow();
    }
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
      const uint32_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<uint32_t>(size());
        slots_[i] = id + 1;
        hashes_.push_back(hash);
        bytes_.append(text);
        offsets_.push_back(bytes_.size());
        return id;
      }
      if (hashes_[slot - 1] == hash && (*this)[slot - 1] == text) {
        return slot - 1;
      }
    }
  }
  static uint64_t Hash(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }
  size_t size() const { return hashes_.size(); }
  // Hash() of each string, by id.
  const std::vector<uint64_t>& hashes() const { return hashes_; }
  // Total length of the strings.
  size_t text_bytes() const { return bytes_.size(); }
  std::string_view operator[](uint32_t id) const {
    return std::string_view(bytes_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }

 private:
  void Grow() {
    slots_.assign(std::max<size_t>(slots_.size() * 2, 16), 0);
    const size_t mask = slots_.size() - 1;
    for (uint32_t id = 0; id < hashes_.size(); ++id) {
      size_t i = static_cast<size_t>(hashes_[id]) & mask;
      while (slots_[i] != 0) {
        i = (i + 1) & mask;
      }
      slots_[i] = id + 1;
    }
  }

  std::vector<uint32_t> slots_;  // id + 1; 0: free
  std::vector<uint64_t> hashes_;  // per id
  std::string bytes_;
  std::vector<size_t> offsets_{0};
};

}  // namespace vigil
