#include "vigil/api/resources/shapes.h"

#include <fmt/format.h>

#include <utility>

#include "vigil/api/resources/resource_util.h"
#include "vigil/detect/alerts/evidence.h"

namespace vigil::api::resources {
namespace {

using detect::Evidence;
using detect::alerts::AlertClassification;
using detect::alerts::AlertDetermination;
using detect::alerts::AlertRecord;
using detect::alerts::AlertStatus;
using odata::JsonValue;

std::vector<Evidence> EvidenceOf(const AlertRecord& alert) {
  auto evidence = detect::alerts::EvidenceFromJson(alert.evidence_json);
  return evidence.has_value() ? std::move(*evidence) : std::vector<Evidence>{};
}

JsonValue IncidentIdValue(const AlertRecord& alert) {
  if (!alert.incident_id || alert.incident_id->empty()) {
    return JsonValue();
  }
  try {
    return JsonValue::Int(std::stoll(*alert.incident_id));
  } catch (...) {  // std::stoll on a foreign id
    return JsonValue::String(*alert.incident_id);
  }
}

int64_t ResolvedUs(const AlertRecord& alert) {
  return alert.status == AlertStatus::kResolved ? alert.last_update_time_us : 0;
}

JsonValue ProcessId(const Evidence& e) {
  return e.process_id >= 0 ? JsonValue::Int(e.process_id) : JsonValue();
}

// MDE evidence / M365D entity.
JsonValue DefenderEvidence(const Evidence& e, int64_t created_us) {
  JsonValue v = JsonValue::Object();
  v.Set("entityType", JsonValue::String(e.entity_type))
      .Set("evidenceCreationTime", TimeValue(created_us))
      .Set("sha1", JsonValue::StringOrNull(e.sha1))
      .Set("sha256", JsonValue::StringOrNull(e.sha256))
      .Set("fileName", JsonValue::StringOrNull(e.file_name))
      .Set("filePath", JsonValue::StringOrNull(e.folder_path))
      .Set("processId", ProcessId(e))
      .Set("processCommandLine", JsonValue::StringOrNull(e.process_command_line))
      .Set("ipAddress", JsonValue::StringOrNull(e.remote_ip))
      .Set("url", JsonValue::StringOrNull(e.remote_url))
      .Set("registryKey", JsonValue::StringOrNull(e.registry_key))
      .Set("registryValueName", JsonValue::StringOrNull(e.registry_value_name))
      .Set("registryValue", JsonValue::StringOrNull(e.registry_value_data))
      .Set("accountName", JsonValue::StringOrNull(e.account_name))
      .Set("domainName", JsonValue::StringOrNull(e.account_domain))
      .Set("userSid", JsonValue::StringOrNull(e.account_sid))
      .Set("aadUserId", JsonValue::StringOrNull(e.account_object_id))
      .Set("userPrincipalName", JsonValue::StringOrNull(e.account_upn))
      .Set("deviceId", JsonValue::StringOrNull(e.device_id))
      .Set("detectionStatus", JsonValue());
  return v;
}

std::string GraphEvidenceKind(std::string_view entity_type) {
  if (entity_type == "Machine" || entity_type == "Device") {
    return "device";
  }
  if (entity_type == "MailMessage") {
    return "analyzedMessage";
  }
  if (entity_type == "Ip") {
    return "ip";
  }
  if (entity_type == "CloudApplication") {
    return "cloudApplication";
  }
  return GraphEnum(entity_type);
}

JsonValue GraphEvidence(const Evidence& e, int64_t created_us) {
  const std::string kind = GraphEvidenceKind(e.entity_type);
  JsonValue v = JsonValue::Object();
  v.Set("@odata.type", JsonValue::String(fmt::format("#microsoft.graph.security.{}Evidence", kind)))
      .Set("createdDateTime", TimeValue(created_us))
      .Set("verdict", JsonValue::String("unknown"))
      .Set("remediationStatus", JsonValue::String("none"))
      .Set("roles",
           JsonValue::StringArray(e.evidence_role.empty()
                                      ? std::vector<std::string>{}
                                      : std::vector<std::string>{GraphEnum(e.evidence_role)}))
      .Set("tags", JsonValue::Array());
  if (!e.device_id.empty() || kind == "device") {
    v.Set("mdeDeviceId", JsonValue::StringOrNull(e.device_id));
  }
  if (kind == "device") {
    v.Set("deviceDnsName", JsonValue::StringOrNull(e.device_name));
  }
  if (!e.file_name.empty() || !e.sha256.empty() || !e.sha1.empty()) {
    JsonValue file = JsonValue::Object();
    file.Set("sha1", JsonValue::StringOrNull(e.sha1))
        .Set("sha256", JsonValue::StringOrNull(e.sha256))
        .Set("fileName", JsonValue::StringOrNull(e.file_name))
        .Set("filePath", JsonValue::StringOrNull(e.folder_path));
    v.Set(kind == "process" ? "imageFile" : "fileDetails", std::move(file));
  }
  if (kind == "process") {
    v.Set("processId", ProcessId(e))
        .Set("processCommandLine", JsonValue::StringOrNull(e.process_command_line));
  }
  if (!e.account_name.empty() || !e.account_sid.empty() || !e.account_upn.empty()) {
    JsonValue account = JsonValue::Object();
    account.Set("accountName", JsonValue::StringOrNull(e.account_name))
        .Set("domainName", JsonValue::StringOrNull(e.account_domain))
        .Set("userSid", JsonValue::StringOrNull(e.account_sid))
        .Set("azureAdUserId", JsonValue::StringOrNull(e.account_object_id))
        .Set("userPrincipalName", JsonValue::StringOrNull(e.account_upn));
    v.Set("userAccount", std::move(account));
  }
  if (!e.remote_ip.empty()) {
    v.Set("ipAddress", JsonValue::String(e.remote_ip));
  }
  if (!e.remote_url.empty()) {
    v.Set("url", JsonValue::String(e.remote_url));
  }
  if (!e.registry_key.empty()) {
    v.Set("registryKey", JsonValue::String(e.registry_key));
  }
  return v;
}

JsonValue ClassificationOrNull(AlertClassification classification) {
  if (classification == AlertClassification::kUnknown) {
    return JsonValue();
  }
  return JsonValue::String(std::string(detect::alerts::ClassificationName(classification)));
}

JsonValue DeterminationOrNull(AlertDetermination determination) {
  if (determination == AlertDetermination::kNotAvailable) {
    return JsonValue();
  }
  return JsonValue::String(std::string(detect::alerts::DeterminationName(determination)));
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

JsonValue DefenderAlertJson(const AlertRecord& alert, bool with_evidence) {
  const std::vector<Evidence> evidence = EvidenceOf(alert);
  std::string machine_id, machine_name;
  JsonValue related_user;
  for (const Evidence& e : evidence) {
    if (machine_id.empty() && !e.device_id.empty()) {
      machine_id = e.device_id;
      machine_name = e.device_name;
    }
    if (related_user.is_null() && !e.account_name.empty()) {
      related_user = JsonValue::Object();
      related_user.Set("userName", JsonValue::String(e.account_name))
          .Set("domainName", JsonValue::StringOrNull(e.account_domain));
    }
  }
  JsonValue v = JsonValue::Object();
  v.Set("id", JsonValue::String(alert.id))
      .Set("incidentId", IncidentIdValue(alert))
      .Set("investigationId", JsonValue())
      .Set("assignedTo", JsonValue::StringOrNull(alert.assigned_to))
      .Set("severity", JsonValue::String(std::string(detect::SeverityName(alert.severity))))
      .Set("status", JsonValue::String(std::string(detect::alerts::AlertStatusName(alert.status))))
      .Set("classification", ClassificationOrNull(alert.classification))
      .Set("determination", DeterminationOrNull(alert.determination))
      .Set("investigationState", JsonValue::String("UnsupportedAlertType"))
      .Set("detectionSource", JsonValue::String(alert.detection_source))
      .Set("detectorId", JsonValue::StringOrNull(alert.rule_id))
      .Set("category", JsonValue::String(alert.category))
      .Set("threatFamilyName", JsonValue())
      .Set("title", JsonValue::String(alert.title))
      .Set("description", JsonValue::String(alert.description))
      .Set("alertCreationTime", TimeValue(alert.created_time_us))
      .Set("firstEventTime", TimeValue(alert.first_activity_us))
      .Set("lastEventTime", TimeValue(alert.last_activity_us))
      .Set("lastUpdateTime", TimeValue(alert.last_update_time_us))
      .Set("resolvedTime", TimeValue(ResolvedUs(alert)))
      .Set("machineId", JsonValue::StringOrNull(machine_id))
      .Set("computerDnsName", JsonValue::StringOrNull(machine_name))
      .Set("rbacGroupName", JsonValue())
      .Set("aadTenantId", JsonValue())
      .Set("mitreTechniques", JsonValue::StringArray(alert.attack_techniques))
      .Set("relatedUser", std::move(related_user));
  JsonValue comments = JsonValue::Array();
  for (const auto& comment : alert.comments) {
    JsonValue c = JsonValue::Object();
    c.Set("comment", JsonValue::String(comment.comment))
        .Set("createdBy", JsonValue::String(comment.created_by))
        .Set("createdTime", TimeValue(comment.created_time_us));
    comments.Push(std::move(c));
  }
  v.Set("comments", std::move(comments));
  if (with_evidence) {
    JsonValue items = JsonValue::Array();
    for (const Evidence& e : evidence) {
      items.Push(DefenderEvidence(e, alert.created_time_us));
    }
    v.Set("evidence", std::move(items));
  }
  return v;
}

JsonValue IncidentAlertJson(const AlertRecord& alert) {
  const std::vector<Evidence> evidence = EvidenceOf(alert);
  JsonValue devices = JsonValue::Array();
  JsonValue entities = JsonValue::Array();
  for (const Evidence& e : evidence) {
    if (e.entity_type == "Machine" || e.entity_type == "Device") {
      JsonValue device = JsonValue::Object();
      device.Set("mdatpDeviceId", JsonValue::StringOrNull(e.device_id))
          .Set("deviceDnsName", JsonValue::StringOrNull(e.device_name))
          .Set("osPlatform", JsonValue())
          .Set("healthStatus", JsonValue::String("Active"))
          .Set("riskScore", JsonValue::String("None"));
      devices.Push(std::move(device));
      continue;
    }
    entities.Push(DefenderEvidence(e, alert.created_time_us));
  }
  JsonValue v = JsonValue::Object();
  v.Set("alertId", JsonValue::String(alert.id))
      .Set("incidentId", IncidentIdValue(alert))
      .Set("serviceSource", JsonValue::String(alert.service_source))
      .Set("creationTime", TimeValue(alert.created_time_us))
      .Set("lastUpdatedTime", TimeValue(alert.last_update_time_us))
      .Set("resolvedTime", TimeValue(ResolvedUs(alert)))
      .Set("firstActivity", TimeValue(alert.first_activity_us))
      .Set("lastActivity", TimeValue(alert.last_activity_us))
      .Set("title", JsonValue::String(alert.title))
      .Set("description", JsonValue::String(alert.description))
      .Set("category", JsonValue::String(alert.category))
      .Set("status", JsonValue::String(std::string(detect::alerts::AlertStatusName(alert.status))))
      .Set("severity", JsonValue::String(std::string(detect::SeverityName(alert.severity))))
      .Set("investigationId", JsonValue())
      .Set("investigationState", JsonValue::String("UnsupportedAlertType"))
      .Set("classification", ClassificationOrNull(alert.classification))
      .Set("determination", DeterminationOrNull(alert.determination))
      .Set("detectionSource", JsonValue::String(alert.detection_source))
      .Set("detectorId", JsonValue::StringOrNull(alert.rule_id))
      .Set("assignedTo", JsonValue::StringOrNull(alert.assigned_to))
      .Set("actorName", JsonValue())
      .Set("threatFamilyName", JsonValue())
      .Set("mitreTechniques", JsonValue::StringArray(alert.attack_techniques))
      .Set("devices", std::move(devices))
      .Set("entities", std::move(entities));
  return v;
}

JsonValue GraphAlertJson(const AlertRecord& alert, std::string_view base_url) {
  JsonValue v = JsonValue::Object();
  const std::string incident = alert.incident_id.value_or("");
  v.Set("@odata.type", JsonValue::String("#microsoft.graph.security.alert"))
      .Set("id", JsonValue::String(alert.id))
      .Set("providerAlertId", JsonValue::String(alert.id))
      .Set("incidentId", JsonValue::StringOrNull(incident))
      .Set("status", JsonValue::String(GraphEnum(detect::alerts::AlertStatusName(alert.status))))
      .Set("severity", JsonValue::String(Lower(detect::SeverityName(alert.severity))))
      .Set("classification",
           JsonValue::String(GraphEnum(detect::alerts::ClassificationName(alert.classification))))
      .Set("determination",
           JsonValue::String(GraphEnum(detect::alerts::DeterminationName(alert.determination))))
      .Set("serviceSource", JsonValue::String(GraphEnum(alert.service_source)))
      .Set("detectionSource", JsonValue::String(GraphEnum(alert.detection_source)))
      .Set("detectorId", JsonValue::StringOrNull(alert.rule_id))
      .Set("tenantId", JsonValue())
      .Set("title", JsonValue::String(alert.title))
      .Set("description", JsonValue::String(alert.description))
      .Set("recommendedActions", JsonValue())
      .Set("category", JsonValue::String(alert.category))
      .Set("assignedTo", JsonValue::StringOrNull(alert.assigned_to))
      .Set("alertWebUrl", JsonValue::String(fmt::format("{}/alerts/{}", base_url, alert.id)))
      .Set("incidentWebUrl",
           incident.empty() ? JsonValue()
                            : JsonValue::String(fmt::format("{}/incidents/{}", base_url, incident)))
      .Set("actorDisplayName", JsonValue())
      .Set("threatDisplayName", JsonValue())
      .Set("threatFamilyName", JsonValue())
      .Set("mitreTechniques", JsonValue::StringArray(alert.attack_techniques))
      .Set("createdDateTime", TimeValue(alert.created_time_us))
      .Set("lastUpdateDateTime", TimeValue(alert.last_update_time_us))
      .Set("resolvedDateTime", TimeValue(ResolvedUs(alert)))
      .Set("firstActivityDateTime", TimeValue(alert.first_activity_us))
      .Set("lastActivityDateTime", TimeValue(alert.last_activity_us));
  JsonValue comments = JsonValue::Array();
  for (const auto& comment : alert.comments) {
    JsonValue c = JsonValue::Object();
    c.Set("comment", JsonValue::String(comment.comment))
        .Set("createdByDisplayName", JsonValue::String(comment.created_by))
        .Set("createdDateTime", TimeValue(comment.created_time_us));
    comments.Push(std::move(c));
  }
  v.Set("comments", std::move(comments)).Set("systemTags", JsonValue::Array());
  JsonValue evidence = JsonValue::Array();
  for (const Evidence& e : EvidenceOf(alert)) {
    evidence.Push(GraphEvidence(e, alert.created_time_us));
  }
  v.Set("evidence", std::move(evidence));
  return v;
}

JsonValue DefenderIncidentJson(const incidents::Incident& incident,
                               const std::vector<incidents::IncidentComment>& comments,
                               const std::vector<AlertRecord>* alerts) {
  JsonValue v = JsonValue::Object();
  v.Set("incidentId", JsonValue::Int(incident.id))
      .Set("redirectIncidentId", incident.redirect_incident_id != 0
                                     ? JsonValue::Int(incident.redirect_incident_id)
                                     : JsonValue())
      .Set("incidentName", JsonValue::String(incident.title))
      .Set("createdTime", TimeValue(incident.created_us))
      .Set("lastUpdateTime", TimeValue(incident.last_update_us))
      .Set("assignedTo", JsonValue::StringOrNull(incident.assigned_to))
      .Set("classification", JsonValue::String(std::string(
                                 detect::alerts::ClassificationName(incident.classification))))
      .Set(
          "determination",
          JsonValue::String(std::string(detect::alerts::DeterminationName(incident.determination))))
      .Set("status", JsonValue::String(std::string(incidents::IncidentStatusName(incident.status))))
      .Set("severity", JsonValue::String(std::string(detect::SeverityName(incident.severity))))
      .Set("tags", JsonValue::StringArray(incident.custom_tags))
      .Set("systemTags", JsonValue::StringArray(incident.system_tags));
  JsonValue list = JsonValue::Array();
  for (const auto& comment : comments) {
    JsonValue c = JsonValue::Object();
    c.Set("comment", JsonValue::String(comment.comment))
        .Set("createdBy", JsonValue::String(comment.created_by))
        .Set("createdTime", TimeValue(comment.created_time_us));
    list.Push(std::move(c));
  }
  v.Set("comments", std::move(list));
  if (alerts != nullptr) {
    JsonValue items = JsonValue::Array();
    for (const AlertRecord& alert : *alerts) {
      items.Push(IncidentAlertJson(alert));
    }
    v.Set("alerts", std::move(items));
  }
  return v;
}

JsonValue GraphIncidentJson(const incidents::Incident& incident,
                            const std::vector<incidents::IncidentComment>& comments,
                            std::string_view base_url) {
  const std::string id = std::to_string(incident.id);
  JsonValue v = JsonValue::Object();
  v.Set("@odata.type", JsonValue::String("#microsoft.graph.security.incident"))
      .Set("id", JsonValue::String(id))
      .Set("incidentWebUrl", JsonValue::String(fmt::format("{}/incidents/{}", base_url, id)))
      .Set("redirectIncidentId",
           incident.redirect_incident_id != 0
               ? JsonValue::String(std::to_string(incident.redirect_incident_id))
               : JsonValue())
      .Set("tenantId", JsonValue())
      .Set("displayName", JsonValue::String(incident.title))
      .Set("createdDateTime", TimeValue(incident.created_us))
      .Set("lastUpdateDateTime", TimeValue(incident.last_update_us))
      .Set("assignedTo", JsonValue::StringOrNull(incident.assigned_to))
      .Set(
          "classification",
          JsonValue::String(GraphEnum(detect::alerts::ClassificationName(incident.classification))))
      .Set("determination",
           JsonValue::String(GraphEnum(detect::alerts::DeterminationName(incident.determination))))
      .Set("status", JsonValue::String(GraphEnum(incidents::IncidentStatusName(incident.status))))
      .Set("severity", JsonValue::String(Lower(detect::SeverityName(incident.severity))))
      .Set("customTags", JsonValue::StringArray(incident.custom_tags))
      .Set("systemTags", JsonValue::StringArray(incident.system_tags))
      .Set("description", JsonValue());
  JsonValue list = JsonValue::Array();
  for (const auto& comment : comments) {
    JsonValue c = JsonValue::Object();
    c.Set("comment", JsonValue::String(comment.comment))
        .Set("createdByDisplayName", JsonValue::String(comment.created_by))
        .Set("createdDateTime", TimeValue(comment.created_time_us));
    list.Push(std::move(c));
  }
  v.Set("comments", std::move(list));
  return v;
}

std::vector<std::string> FieldsOf(const JsonValue& sample) { return sample.keys(); }

std::map<std::string, detect::Severity> DeviceRisk(const std::vector<AlertRecord>& alerts) {
  std::map<std::string, detect::Severity> risk;
  for (const AlertRecord& alert : alerts) {
    if (alert.status == AlertStatus::kResolved) {
      continue;
    }
    for (const Evidence& e : EvidenceOf(alert)) {
      if (e.device_id.empty()) {
        continue;
      }
      auto [it, inserted] = risk.emplace(e.device_id, alert.severity);
      if (!inserted && alert.severity > it->second) {
        it->second = alert.severity;
      }
    }
  }
  return risk;
}

}  // namespace vigil::api::resources
