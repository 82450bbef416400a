#include "vigil/detect/ioc/hit_draft.h"

#include <string>
#include <string_view>

#include "vigil/detect/ioc/internal/scan_columns.h"
#include "vigil/schema/row_json.h"

namespace vigil::detect::ioc {
namespace {

using internal::ScanKind;

std::string CellText(const schema::TableBatch& batch, size_t row, std::string_view name) {
  const int column = batch.schema().FindColumn(name);
  if (column < 0) {
    return "";
  }
  const schema::ColumnData& data = batch.column(static_cast<size_t>(column));
  if (data.IsNull(row)) {
    return "";
  }
  if (schema::IsBytesBacked(data.type)) {
    return std::string(data.GetBytes(row));
  }
  if (schema::IsIntegerBacked(data.type)) {
    return std::to_string(data.ints[row]);
  }
  return "";
}

// "InitiatingProcessSHA256" -> "InitiatingProcess"; "SHA1" -> "".
std::string_view HashPrefix(std::string_view name) {
  for (const std::string_view suffix : {"SHA256", "SHA1", "MD5"}) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return name;
}

}  // namespace

AlertDraft DraftForHit(const Indicator& indicator, const schema::TableBatch& batch, uint32_t row,
                       int column) {
  AlertDraft draft;
  draft.title = indicator.title;
  draft.description = indicator.description;
  if (!indicator.recommended_actions.empty()) {
    draft.description.append(draft.description.empty() ? "" : "\n\nRecommended actions: ")
        .append(indicator.recommended_actions);
  }
  draft.category = indicator.category.empty() ? "SuspiciousActivity" : indicator.category;
  draft.attack_techniques = indicator.mitre_techniques;
  draft.severity = indicator.severity;
  draft.detection_source = "customTi";
  draft.rule_id = indicator.id;
  draft.rule_title = indicator.title;
  draft.rule_author = indicator.created_by;
  draft.source_table = batch.schema().name();
  if (row >= batch.rows() || column < 0 ||
      static_cast<size_t>(column) >= batch.schema().column_count()) {
    return draft;
  }
  const int time_column = batch.schema().timestamp_column();
  if (time_column >= 0 && !batch.column(static_cast<size_t>(time_column)).IsNull(row)) {
    draft.timestamp_us = batch.column(static_cast<size_t>(time_column)).ints[row] / 10;
  }
  draft.source_report_id = CellText(batch, row, "ReportId");
  draft.source_row_json = schema::RowToJson(batch, row);

  const std::string_view name = batch.schema().column(static_cast<size_t>(column)).name;
  const std::string value = CellText(batch, row, name);
  const auto kind = internal::ScanKindOfColumn(name);
  if (!kind || value.empty()) {
    return draft;
  }
  Evidence evidence;
  switch (*kind) {
    case ScanKind::kSha1:
    case ScanKind::kSha256:
    case ScanKind::kMd5: {
      const std::string prefix(HashPrefix(name));
      evidence.entity_type = "File";
      evidence.sha1 = CellText(batch, row, prefix + "SHA1");
      evidence.sha256 = CellText(batch, row, prefix + "SHA256");
      evidence.md5 = CellText(batch, row, prefix + "MD5");
      evidence.file_name = CellText(batch, row, prefix + "FileName");
      evidence.folder_path = CellText(batch, row, prefix + "FolderPath");
      break;
    }
    case ScanKind::kThumbprint:
      // No certificate entity in AlertEvidence: report the signed file when the row has it.
      evidence.entity_type = "File";
      evidence.sha1 = CellText(batch, row, "SHA1");
      if (evidence.sha1.empty()) {
        return draft;
      }
      break;
    case ScanKind::kIp:
      evidence.entity_type = "Ip";
      evidence.remote_ip = value;
      break;
    case ScanKind::kUrl:
    case ScanKind::kDomain:
    case ScanKind::kSenderDomain:
      evidence.entity_type = "Url";
      evidence.remote_url = value;
      break;
  }
  draft.evidence.push_back(std::move(evidence));
  return draft;
}

}  // namespace vigil::detect::ioc
