// Registration hooks and shared helpers of the more_*.cpp function files (less common scalar
// functions registered by RegisterMoreFunctions). Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "vigil/kql/functions/registry.h"

namespace vigil::kql::internal {

void RegisterMoreEncodingFunctions(Registry& r);  // more_encoding.cpp (zlib, punycode, guid)
void RegisterMoreSeriesFunctions(Registry& r);    // more_series.cpp (series_*, arrays, bag_zip)
void RegisterUnitConversions(Registry& r);        // unit_conversions.cpp (convert_*)

// hash_combine's mixing step (exposed for tests).
int64_t CombineHashes(int64_t seed, int64_t h);

}  // namespace vigil::kql::internal
