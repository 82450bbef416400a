#include "vigil/store/internal/term_filter.h"

#include <algorithm>

#include "vigil/store/dynamic_value.h"

namespace vigil::store::internal {

bool IsPartialFilterTerm(std::string_view lower_term) {
  if (lower_term.empty() || lower_term.size() > kMaxPartialTermLength) {
    return false;
  }
  return std::none_of(lower_term.begin(), lower_term.end(),
                      [](char c) { return c >= '0' && c <= '9'; });
}

bool FilterMayContainTerm(const TermBloom& bloom, bool partial, std::string_view lower_term) {
  if (partial && !IsPartialFilterTerm(lower_term)) {
    return true;
  }
  return bloom.MayContainTerm(lower_term);
}

// Distinct terms are counted by hash; a 64-bit collision only costs one filter bit.
void TermFilterBuilder::Build(schema::ColumnType type, const std::vector<std::string_view>& dict,
                              uint8_t hex, bool plain, BuiltTermFilter& out) {
  out.bytes.clear();
  out.partial = false;
  if (hex == 1) {
    // Each non-empty value is exactly one term, already lower-case; distinct values of a plain
    // block are distinct terms. Hex values nearly always hold a digit: no partial filter.
    hashes_.clear();
    for (std::string_view value : dict) {
      if (!value.empty()) {
        hashes_.push_back(TermBloom::TermHash(value));
      }
    }
    if (!plain) {
      std::sort(hashes_.begin(), hashes_.end());
      hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
    }
    if (hashes_.size() <= kMaxFilterTerms) {
      Fill(hashes_, out.bytes);
    }
    return;
  }
  // One pass. While the full set fits, the subset is only noted (hashes of new word-like
  // terms); once it overflows, the subset takes over as a set of its own.
  all_terms_.Clear();
  hashes_.clear();
  bool all_fit = true;
  for (std::string_view value : dict) {
    std::string_view text = value;
    if (type == schema::ColumnType::kDynamic) {
      json_.clear();
      DynamicView(value).AppendJson(json_);
      text = json_;
    }
    ForEachTerm(text, [&](std::string_view term) {
      const uint64_t hash = TermBloom::TermHash(term);
      if (all_fit) {
        if (all_terms_.Insert(hash) && IsPartialFilterTerm(term)) {
          hashes_.push_back(hash);
        }
      } else if (IsPartialFilterTerm(term)) {
        partial_terms_.Insert(hash);
      }
    });
    if (all_fit && all_terms_.size() > kMaxFilterTerms) {
      all_fit = false;
      partial_terms_.Clear();
      for (uint64_t hash : hashes_) {
        partial_terms_.Insert(hash);
      }
    }
    if (!all_fit && partial_terms_.size() > kMaxFilterTerms) {
      return;
    }
  }
  if (all_fit) {
    Fill(all_terms_.values(), out.bytes);
    return;
  }
  Fill(partial_terms_.values(), out.bytes);
  out.partial = !out.bytes.empty();
}

void TermFilterBuilder::Fill(const std::vector<uint64_t>& hashes, std::string& bytes) {
  // No terms (all null or empty): no filter; scans skip all-null blocks by null_count.
  if (hashes.empty()) {
    return;
  }
  TermBloom bloom(hashes.size());
  for (uint64_t hash : hashes) {
    bloom.AddHash(hash);
  }
  bytes = bloom.bytes();
}

}  // namespace vigil::store::internal
