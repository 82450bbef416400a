// The per-block term filter of string, guid and dynamic columns: which terms it covers (all of
// the block's terms, or only the word-like subset when the block has too many distinct terms),
// how a writer builds it and how a scan asks it. Layout in docs/STORE_FORMAT.md.
// TermFilterBuilder keeps scratch buffers and is not thread-safe; the free functions are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/hash_set64.h"
#include "vigil/schema/column_type.h"
#include "vigil/store/internal/encoding.h"

namespace vigil::store::internal {

// A filter holds at most this many distinct terms (8 bits each: TermBloom::kMaxBits, 64 KiB).
inline constexpr size_t kMaxFilterTerms = 65536;
// Partial filters leave out terms longer than this (base64 blobs, random letter runs).
inline constexpr size_t kMaxPartialTermLength = 64;

// True when a partial filter covers `lower_term`: 1..kMaxPartialTermLength bytes and no ASCII
// digit. Identifiers that vary per event (GUID parts, hex, numbers, PIDs, IPs, temp names,
// most base64) contain a digit; the words hunters search for (tool, verb, flag names) do not.
bool IsPartialFilterTerm(std::string_view lower_term);

// What a block's stored filter says about `lower_term`; false only when the term is certainly
// absent. A partial filter answers "maybe" for every term outside its subset.
bool FilterMayContainTerm(const TermBloom& bloom, bool partial, std::string_view lower_term);

// The filter of one block: empty bytes = no filter.
struct BuiltTermFilter {
  std::string bytes;
  bool partial = false;  // covers only IsPartialFilterTerm() terms
};

// Builds block term filters. Keeps its hash sets across blocks, so a segment write allocates
// almost nothing per block. Not thread-safe.
class TermFilterBuilder {
 public:
  // `dict`: the block's distinct values (dynamic: binary encoding); `hex` 1 means every value
  // is lower-case hex (one term each), `plain` that the values are distinct. The full filter
  // when the distinct terms fit in kMaxFilterTerms, else the partial one when its subset fits,
  // else none.
  void Build(schema::ColumnType type, const std::vector<std::string_view>& dict, uint8_t hex,
             bool plain, BuiltTermFilter& out);

 private:
  static void Fill(const std::vector<uint64_t>& hashes, std::string& bytes);

  std::vector<uint64_t> hashes_;  // hex terms, or the word-like terms while all terms fit
  HashSet64 all_terms_;
  HashSet64 partial_terms_;
  std::string json_;
};

}  // namespace vigil::store::internal
