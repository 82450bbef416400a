// Indicator import: the Defender portal's CSV template (header-based) and the API's JSON forms
// (one indicator object, an array, {"Indicators":[...]} as /api/indicators/import takes,
// {"value":[...]} as GET /api/indicators returns, or JSON lines). Used by the API and the CLI
// before IndicatorStore::Upsert. Bad records are reported and skipped; good ones are kept.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/base/status.h"
#include "vigil/detect/ioc/indicator.h"

namespace vigil::detect::ioc {

struct ImportOptions {
  int64_t now_us = 0;  // creationTime of the records; expiry must be later (0: no check)
  bool allow_internal_ips = false;
  std::string created_by;  // createdBy for records that lack one
  size_t max_records = 100000;
  size_t max_input_bytes = size_t{64} << 20;
};

struct ImportError {
  size_t line = 0;    // 1-based line where the record starts; 0 when unknown (JSON arrays)
  size_t record = 0;  // 1-based record number (data rows for CSV, array items / lines for JSON)
  std::string message;
};

struct ImportResult {
  std::vector<Indicator> indicators;  // validated and normalized, in input order
  std::vector<ImportError> errors;
  size_t records = 0;  // records read, good and bad

  size_t imported() const { return indicators.size(); }
  size_t failed() const { return errors.size(); }
};

// CSV columns (any order, case-insensitive names): IndicatorType, IndicatorValue, Action
// (required) and ExpirationTime, Severity, Title, Description, RecommendedActions, RbacGroups,
// Category, MitreTechniques, GenerateAlert, Application, EducateUrl (optional). Lists are
// separated by ',' or ';'. Unknown columns are ignored. Fails as a whole only when the input is
// too large or the header is unusable.
Result<ImportResult> ImportCsv(std::string_view text, const ImportOptions& options = {});

// JSON field names are matched case-insensitively (API camelCase or PascalCase).
Result<ImportResult> ImportJson(std::string_view text, const ImportOptions& options = {});

// JSON when the text starts with '{' or '[' (after blanks and a BOM), else CSV.
Result<ImportResult> ImportIndicators(std::string_view text, const ImportOptions& options = {});

}  // namespace vigil::detect::ioc
