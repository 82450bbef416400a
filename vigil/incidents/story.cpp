#include "vigil/incidents/story.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "vigil/base/json_escape.h"
#include "vigil/base/time.h"
#include "vigil/detect/alerts/evidence.h"
#include "vigil/incidents/entities.h"

namespace vigil::incidents {
namespace {

using detect::Evidence;
using detect::alerts::AlertRecord;

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonQuoted(out, text);
  return out;
}

std::string Time(int64_t us) { return us == 0 ? "null" : Quoted(FormatDateTime(us * 10)); }

std::string QuotedList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) {
      out += ",";
    }
    AppendJsonQuoted(out, list[i]);
  }
  return out + "]";
}

std::string EntityLabel(const Evidence& e) {
  const std::string& t = e.entity_type;
  if (t == "Machine") {
    return !e.device_name.empty() ? e.device_name : e.device_id;
  }
  if (t == "User") {
    if (!e.account_name.empty() && !e.account_domain.empty()) {
      return e.account_domain + "\\" + e.account_name;
    }
    return !e.account_upn.empty()    ? e.account_upn
           : !e.account_name.empty() ? e.account_name
                                     : e.account_sid;
  }
  if (t == "Mailbox") {
    return !e.mailbox.empty() ? e.mailbox : e.account_upn;
  }
  if (t == "Process") {
    return !e.process_command_line.empty() ? e.process_command_line : e.file_name;
  }
  if (t == "File") {
    return !e.file_name.empty() ? e.file_name : e.sha256;
  }
  if (t == "Ip") {
    return e.remote_ip;
  }
  if (t == "Url") {
    return e.remote_url;
  }
  if (t == "CloudApplication") {
    return e.application;
  }
  if (t == "MailMessage") {
    return !e.email_subject.empty() ? e.email_subject : e.network_message_id;
  }
  if (t == "RegistryValue") {
    return e.registry_key + "\\" + e.registry_value_name;
  }
  return e.registry_key;
}

struct Graph {
  std::map<std::string, std::pair<std::string, std::string>> entities;  // id -> type, label
  std::set<std::tuple<std::string, std::string, std::string>> edges;    // from, to, relation
};

// Adds the entities of one alert and its edges; returns the node id of `e` ("" if unnamed).
std::string AddEntity(Graph& graph, const Evidence& e) {
  const std::string key = detect::alerts::EntityKey(e);
  if (key.empty()) {
    return "";
  }
  std::string id = "entity:" + key;
  graph.entities.try_emplace(id, e.entity_type, EntityLabel(e));
  return id;
}

void AddAlertGraph(Graph& graph, const std::string& alert_node,
                   const std::vector<Evidence>& evidence) {
  std::string device;
  std::vector<std::pair<std::string, const Evidence*>> nodes;
  for (const Evidence& e : evidence) {
    std::string id = AddEntity(graph, e);
    if (id.empty()) {
      continue;
    }
    graph.edges.emplace(alert_node, id, e.evidence_role);
    if (e.entity_type == "Machine" && device.empty()) {
      device = id;
    }
    nodes.emplace_back(std::move(id), &e);
  }
  for (const auto& [id, e] : nodes) {
    if ((e->entity_type == "Process" || e->entity_type == "File") && !device.empty()) {
      graph.edges.emplace(id, device, e->entity_type == "Process" ? "ran on" : "seen on");
    }
    if (e->entity_type == "Process" && (!e->sha256.empty() || !e->sha1.empty())) {
      Evidence image;
      image.entity_type = "File";
      image.file_name = e->file_name;
      image.folder_path = e->folder_path;
      image.sha1 = e->sha1;
      image.sha256 = e->sha256;
      std::string file = AddEntity(graph, image);
      if (!file.empty()) {
        graph.edges.emplace(id, file, "image file");
      }
    }
    if (e->entity_type == "Mailbox" && !e->account_upn.empty()) {
      for (const auto& [other_id, other] : nodes) {
        if (other->entity_type == "User" &&
            FoldCase(other->account_upn) == FoldCase(e->account_upn)) {
          graph.edges.emplace(id, other_id, "mailbox of");
        }
      }
    }
  }
}

}  // namespace

std::string IncidentJson(const Incident& inc) {
  std::string out = fmt::format("{{\"incidentId\":{},\"title\":", inc.id);
  AppendJsonQuoted(out, inc.title);
  out += fmt::format(
      ",\"severity\":\"{}\",\"status\":\"{}\",\"classification\":\"{}\",\"determination\":\"{}\""
      ",\"assignedTo\":",
      detect::SeverityName(inc.severity), IncidentStatusName(inc.status),
      detect::alerts::ClassificationName(inc.classification),
      detect::alerts::DeterminationName(inc.determination));
  out += inc.assigned_to.empty() ? "null" : Quoted(inc.assigned_to);
  out += ",\"customTags\":" + QuotedList(inc.custom_tags);
  out += ",\"systemTags\":" + QuotedList(inc.system_tags);
  out += ",\"redirectIncidentId\":" + (inc.redirect_incident_id == 0
                                           ? std::string("null")
                                           : std::to_string(inc.redirect_incident_id));
  out += ",\"createdTime\":" + Time(inc.created_us);
  out += ",\"lastUpdateTime\":" + Time(inc.last_update_us);
  out += ",\"firstActivity\":" + Time(inc.first_activity_us);
  out += ",\"lastActivity\":" + Time(inc.last_activity_us);
  out += ",\"serviceSources\":" + QuotedList(inc.facts.service_sources);
  out += ",\"detectionSources\":" + QuotedList(inc.facts.detection_sources);
  out += ",\"categories\":" + QuotedList(inc.facts.categories);
  out += ",\"devices\":" + QuotedList(inc.facts.devices);
  out += ",\"users\":" + QuotedList(inc.facts.users);
  out += ",\"alertIds\":" + QuotedList(inc.alert_ids);
  out += "}";
  return out;
}

Result<std::string> StoryJson(IncidentStore& incidents, detect::alerts::AlertStore& alerts,
                              int64_t incident_id) {
  VIGIL_ASSIGN_OR_RETURN(Incident inc, incidents.Get(incident_id));
  VIGIL_ASSIGN_OR_RETURN(std::vector<AlertLink> links, incidents.Links(incident_id));
  std::map<std::string, std::string> reasons;
  for (const auto& link : links) {
    reasons[link.alert_id] = link.reason;
  }
  std::vector<AlertRecord> records;
  for (const auto& alert_id : inc.alert_ids) {
    auto record = alerts.Get(alert_id);
    if (record.ok()) {
      records.push_back(std::move(*record));
    } else if (record.status().code() != StatusCode::kNotFound) {
      return record.status();
    }
  }
  std::sort(records.begin(), records.end(), [](const AlertRecord& a, const AlertRecord& b) {
    return std::tie(a.first_activity_us, a.id) < std::tie(b.first_activity_us, b.id);
  });
  Graph graph;
  std::string nodes;
  for (const AlertRecord& r : records) {
    const std::string node = "alert:" + r.id;
    if (!nodes.empty()) {
      nodes += ",";
    }
    nodes += "{\"id\":" + Quoted(node) + ",\"type\":\"Alert\",\"label\":" + Quoted(r.title) +
             ",\"severity\":\"" + std::string(detect::SeverityName(r.severity)) + "\"}";
    auto evidence = detect::alerts::EvidenceFromJson(r.evidence_json);
    if (evidence.ok()) {
      AddAlertGraph(graph, node, *evidence);
    }
  }
  for (const auto& [id, type_label] : graph.entities) {
    if (!nodes.empty()) {
      nodes += ",";
    }
    nodes += "{\"id\":" + Quoted(id) + ",\"type\":" + Quoted(type_label.first) +
             ",\"label\":" + Quoted(type_label.second) + "}";
  }
  std::string edges;
  for (const auto& [from, to, relation] : graph.edges) {
    if (!edges.empty()) {
      edges += ",";
    }
    edges += "{\"from\":" + Quoted(from) + ",\"to\":" + Quoted(to) +
             ",\"relation\":" + Quoted(relation) + "}";
  }
  std::string timeline;
  for (const AlertRecord& r : records) {
    if (!timeline.empty()) {
      timeline += ",";
    }
    timeline += "{\"time\":" + Time(r.first_activity_us) + ",\"alertId\":" + Quoted(r.id) +
                ",\"title\":" + Quoted(r.title) + ",\"severity\":\"" +
                std::string(detect::SeverityName(r.severity)) +
                "\",\"category\":" + Quoted(r.category) +
                ",\"source\":" + Quoted(r.service_source) +
                ",\"detectionSource\":" + Quoted(r.detection_source) +
                ",\"reason\":" + Quoted(reasons[r.id]) + "}";
  }
  return "{\"incident\":" + IncidentJson(inc) + ",\"nodes\":[" + nodes + "],\"edges\":[" + edges +
         "],\"timeline\":[" + timeline + "]}";
}

}  // namespace vigil::incidents
