// TEMPORARY (lead): weak stand-ins until the string/regex/parse/encoding/IP groups land.
#include "vigil/kql/functions/registry.h"
namespace vigil::kql {
__attribute__((weak)) void RegisterStringFunctions(Registry&) {}
__attribute__((weak)) void RegisterRegexFunctions(Registry&) {}
__attribute__((weak)) void RegisterParseFunctions(Registry&) {}
__attribute__((weak)) void RegisterEncodingFunctions(Registry&) {}
__attribute__((weak)) void RegisterIpFunctions(Registry&) {}
}  // namespace vigil::kql
