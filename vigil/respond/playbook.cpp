#include "vigil/respond/playbook.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace vigil::respond {
namespace {

constexpr size_t kMaxPlaybookBytes = size_t{1} << 20;
constexpr size_t kMaxItems = 1000;  // entities, queries, rules per list
constexpr size_t kMaxQueryBytes = 64 * 1024;

constexpr std::array<std::string_view, 19> kPlaceholders = {"sha256",
                                                            "sha1",
                                                            "md5",
                                                            "file_name",
                                                            "folder_path",
                                                            "device_id",
                                                            "device_name",
                                                            "account_name",
                                                            "account_domain",
                                                            "account_sid",
                                                            "account_upn",
                                                            "account_object_id",
                                                            "mailbox",
                                                            "network_message_id",
                                                            "sender",
                                                            "url",
                                                            "ip",
                                                            "application",
                                                            "process_command_line"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

int Line(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

class Reader {
 public:
  explicit Reader(std::string_view file) : file_(file) {}

  Status Error(const YAML::Node& node, std::string_view field, std::string_view what) const {
    return InvalidArgumentError("{}:{}: {}: {}", file_, Line(node), field, what);
  }

  Result<std::string> Text(const YAML::Node& node, std::string_view field) const {
    if (!node.IsScalar()) {
      return Error(node, field, "expected text");
    }
    return node.Scalar();
  }

  Result<std::string> RequiredText(const YAML::Node& map, std::string_view key,
                                   std::string_view field) const {
    const YAML::Node node = map[std::string(key)];
    if (!node.IsDefined() || node.IsNull()) {
      return Error(map, field, fmt::format("missing '{}'", key));
    }
    VIGIL_ASSIGN_OR_RETURN(std::string text, Text(node, field));
    if (text.empty()) {
      return Error(node, field, fmt::format("'{}' is empty", key));
    }
    return text;
  }

  Status Keys(const YAML::Node& map, std::string_view field,
              std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) {
      return Error(map, field, "expected a map");
    }
    for (const auto& item : map) {
      const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
      bool known = false;
      for (std::string_view a : allowed) {
        known = known || key == a;
      }
      if (!known) {
        return Error(item.first, field, fmt::format("unknown field '{}'", key));
      }
    }
    return Status::Ok();
  }

  Status List(const YAML::Node& node, std::string_view field) const {
    if (!node.IsSequence()) {
      return Error(node, field, "expected a list");
    }
    if (node.size() > kMaxItems) {
      return Error(node, field, fmt::format("more than {} items", kMaxItems));
    }
    return Status::Ok();
  }

 private:
  std::string file_;
};

Status CheckTemplate(const Reader& r, const YAML::Node& node, std::string_view field,
                     std::string_view kql) {
  auto filled = FillTemplate(kql, {});
  if (!filled.ok() && filled.status().code() != StatusCode::kNotFound) {
    return r.Error(node, field, filled.status().message());
  }
  return Status::Ok();
}

Result<PlaybookQuery> ReadQuery(const Reader& r, const YAML::Node& node, std::string_view field,
                                const std::set<std::string>& names) {
  VIGIL_RETURN_IF_ERROR(r.Keys(node, field, {"name", "kql", "capture"}));
  PlaybookQuery q;
  q.line = Line(node);
  VIGIL_ASSIGN_OR_RETURN(q.name, r.RequiredText(node, "name", fmt::format("{}.name", field)));
  if (names.count(q.name) != 0) {
    return r.Error(node["name"], fmt::format("{}.name", field),
                   fmt::format("duplicate query name '{}'", q.name));
  }
  VIGIL_ASSIGN_OR_RETURN(q.kql, r.RequiredText(node, "kql", fmt::format("{}.kql", field)));
  if (q.kql.size() > kMaxQueryBytes) {
    return r.Error(node["kql"], fmt::format("{}.kql", field), "query is too long");
  }
  VIGIL_RETURN_IF_ERROR(CheckTemplate(r, node["kql"], fmt::format("{}.kql", field), q.kql));
  const YAML::Node capture = node["capture"];
  if (capture.IsDefined() && !capture.IsNull()) {
    if (!capture.IsMap()) {
      return r.Error(capture, fmt::format("{}.capture", field),
                     "expected a map of placeholder: column");
    }
    for (const auto& item : capture) {
      const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
      if (!IsKnownPlaceholder(key)) {
        return r.Error(item.first, fmt::format("{}.capture", field),
                       fmt::format("unknown placeholder '{}'", key));
      }
      VIGIL_ASSIGN_OR_RETURN(q.capture[key],
                             r.Text(item.second, fmt::format("{}.capture.{}", field, key)));
    }
  }
  return q;
}

Result<CompareOp> ParseOp(std::string_view op) {
  static const std::map<std::string, CompareOp, std::less<>> kOps = {
      {"==", CompareOp::kEq},
      {"!=", CompareOp::kNe},
      {"<", CompareOp::kLt},
      {"<=", CompareOp::kLe},
      {">", CompareOp::kGt},
      {">=", CompareOp::kGe},
      {"contains", CompareOp::kContains}};
  const auto it = kOps.find(op);
  if (it == kOps.end()) {
    return InvalidArgumentError("unknown operator '{}' (==, !=, <, <=, >, >=, contains)", op);
  }
  return it->second;
}

Result<ScoreRule> ReadRule(const Reader& r, const YAML::Node& node, std::string_view field,
                           const std::set<std::string>& queries) {
  VIGIL_RETURN_IF_ERROR(r.Keys(node, field, {"when", "verdict", "reason"}));
  ScoreRule rule;
  rule.line = Line(node);
  VIGIL_ASSIGN_OR_RETURN(const std::string verdict,
                         r.RequiredText(node, "verdict", fmt::format("{}.verdict", field)));
  const auto parsed = ParseVerdict(verdict);
  if (!parsed) {
    return r.Error(node["verdict"], fmt::format("{}.verdict", field),
                   fmt::format("unknown verdict '{}' (Malicious, Suspicious, NoThreatsFound, "
                               "Unknown)",
                               verdict));
  }
  rule.verdict = *parsed;
  VIGIL_ASSIGN_OR_RETURN(rule.reason,
                         r.RequiredText(node, "reason", fmt::format("{}.reason", field)));
  const YAML::Node when = node["when"];
  const std::string when_field = fmt::format("{}.when", field);
  if (!when.IsDefined()) {
    return r.Error(node, when_field, "missing 'when'");
  }
  VIGIL_RETURN_IF_ERROR(r.Keys(when, when_field,
                               {"query", "column", "op", "value", "min_alert_severity",
                                "alert_category", "min_alerts", "role"}));
  if (when.size() == 0) {
    return r.Error(when, when_field, "no condition");
  }
  ScoreCondition& c = rule.when;
  if (when["query"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(c.query, r.Text(when["query"], when_field + ".query"));
    if (queries.count(c.query) == 0) {
      return r.Error(when["query"], when_field + ".query",
                     fmt::format("no query named '{}' for this entity", c.query));
    }
    VIGIL_ASSIGN_OR_RETURN(c.column, r.RequiredText(when, "column", when_field + ".column"));
    VIGIL_ASSIGN_OR_RETURN(c.value, r.RequiredText(when, "value", when_field + ".value"));
    if (when["op"].IsDefined()) {
      VIGIL_ASSIGN_OR_RETURN(const std::string op, r.Text(when["op"], when_field + ".op"));
      auto parsed_op = ParseOp(op);
      if (!parsed_op.ok()) {
        return r.Error(when["op"], when_field + ".op", parsed_op.status().message());
      }
      c.op = *parsed_op;
    }
  } else if (when["column"].IsDefined() || when["value"].IsDefined() || when["op"].IsDefined()) {
    return r.Error(when, when_field, "column, op and value need a query");
  }
  if (when["min_alert_severity"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(const std::string sev,
                           r.Text(when["min_alert_severity"], when_field + ".min_alert_severity"));
    c.min_alert_severity = detect::ParseSeverityName(sev);
    if (!c.min_alert_severity) {
      return r.Error(when["min_alert_severity"], when_field + ".min_alert_severity",
                     fmt::format("unknown severity '{}'", sev));
    }
  }
  if (when["alert_category"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(c.alert_category,
                           r.Text(when["alert_category"], when_field + ".alert_category"));
  }
  if (when["role"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(c.role, r.Text(when["role"], when_field + ".role"));
  }
  if (when["min_alerts"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(const std::string n,
                           r.Text(when["min_alerts"], when_field + ".min_alerts"));
    try {
      size_t used = 0;
      c.min_alerts = std::stoll(n, &used);
      if (used != n.size() || c.min_alerts < 0) {
        throw std::invalid_argument(n);
      }
    } catch (const std::exception&) {
      return r.Error(when["min_alerts"], when_field + ".min_alerts",
                     fmt::format("expected a count, got '{}'", n));
    }
  }
  return rule;
}

Result<EntityPlaybook> ReadEntity(const Reader& r, const YAML::Node& node, std::string_view field) {
  VIGIL_RETURN_IF_ERROR(
      r.Keys(node, field, {"type", "default_verdict", "queries", "scoring", "remediations"}));
  EntityPlaybook e;
  VIGIL_ASSIGN_OR_RETURN(const std::string type,
                         r.RequiredText(node, "type", fmt::format("{}.type", field)));
  const auto canonical = CanonicalEntityType(type);
  if (!canonical) {
    return r.Error(node["type"], fmt::format("{}.type", field),
                   fmt::format("unknown entity type '{}' (File, Process, Machine, User, Mailbox, "
                               "MailMessage, Url, Ip, CloudApplication)",
                               type));
  }
  e.entity_type = *canonical;
  if (node["default_verdict"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(const std::string v, r.Text(node["default_verdict"],
                                                       fmt::format("{}.default_verdict", field)));
    const auto verdict = ParseVerdict(v);
    if (!verdict) {
      return r.Error(node["default_verdict"], fmt::format("{}.default_verdict", field),
                     fmt::format("unknown verdict '{}'", v));
    }
    e.default_verdict = *verdict;
  }
  std::set<std::string> names;
  if (const YAML::Node queries = node["queries"]; queries.IsDefined() && !queries.IsNull()) {
    VIGIL_RETURN_IF_ERROR(r.List(queries, fmt::format("{}.queries", field)));
    for (size_t i = 0; i < queries.size(); ++i) {
      VIGIL_ASSIGN_OR_RETURN(
          auto q, ReadQuery(r, queries[i], fmt::format("{}.queries[{}]", field, i), names));
      names.insert(q.name);
      e.queries.push_back(std::move(q));
    }
  }
  if (const YAML::Node scoring = node["scoring"]; scoring.IsDefined() && !scoring.IsNull()) {
    VIGIL_RETURN_IF_ERROR(r.List(scoring, fmt::format("{}.scoring", field)));
    for (size_t i = 0; i < scoring.size(); ++i) {
      VIGIL_ASSIGN_OR_RETURN(
          auto rule, ReadRule(r, scoring[i], fmt::format("{}.scoring[{}]", field, i), names));
      e.rules.push_back(std::move(rule));
    }
  }
  if (const YAML::Node rem = node["remediations"]; rem.IsDefined() && !rem.IsNull()) {
    const std::string rem_field = fmt::format("{}.remediations", field);
    if (!rem.IsMap()) {
      return r.Error(rem, rem_field, "expected a map of verdict: [action types]");
    }
    for (const auto& item : rem) {
      const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
      const auto verdict = ParseVerdict(key);
      if (!verdict) {
        return r.Error(item.first, rem_field, fmt::format("unknown verdict '{}'", key));
      }
      VIGIL_RETURN_IF_ERROR(r.List(item.second, rem_field + "." + key));
      auto& types = e.remediations[*verdict];
      for (const auto& action : item.second) {
        VIGIL_ASSIGN_OR_RETURN(const std::string name, r.Text(action, rem_field + "." + key));
        const auto type = ParseActionType(name);
        if (!type) {
          return r.Error(action, rem_field + "." + key,
                         fmt::format("unknown action type '{}'", name));
        }
        types.push_back(*type);
      }
    }
  }
  return e;
}

Result<Playbook> ReadPlaybook(const Reader& r, const YAML::Node& root) {
  if (!root.IsMap()) {
    return r.Error(root, "document", "expected a map with name and entities");
  }
  VIGIL_RETURN_IF_ERROR(
      r.Keys(root, "document", {"name", "description", "lookback_days", "entities"}));
  Playbook playbook;
  VIGIL_ASSIGN_OR_RETURN(playbook.name, r.RequiredText(root, "name", "name"));
  if (root["lookback_days"].IsDefined()) {
    VIGIL_ASSIGN_OR_RETURN(const std::string days, r.Text(root["lookback_days"], "lookback_days"));
    int64_t value = -1;
    try {
      size_t used = 0;
      value = std::stoll(days, &used);
      value = used == days.size() ? value : -1;
    } catch (const std::exception&) {
      value = -1;
    }
    if (value < 1 || value > 180) {
      return r.Error(root["lookback_days"], "lookback_days",
                     fmt::format("expected 1 to 180 days, got '{}'", days));
    }
    playbook.lookback_days = value;
  }
  const YAML::Node entities = root["entities"];
  if (!entities.IsDefined()) {
    return r.Error(root, "entities", "missing 'entities'");
  }
  VIGIL_RETURN_IF_ERROR(r.List(entities, "entities"));
  std::set<std::string> seen;
  for (size_t i = 0; i < entities.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(auto entity, ReadEntity(r, entities[i], fmt::format("entities[{}]", i)));
    if (!seen.insert(entity.entity_type).second) {
      return r.Error(entities[i], fmt::format("entities[{}].type", i),
                     fmt::format("entity type '{}' appears twice", entity.entity_type));
    }
    playbook.entities.push_back(std::move(entity));
  }
  return playbook;
}

}  // namespace

std::optional<std::string> CanonicalEntityType(std::string_view text) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {"file", "File"},
      {"process", "Process"},
      {"machine", "Machine"},
      {"device", "Machine"},
      {"user", "User"},
      {"account", "User"},
      {"mailbox", "Mailbox"},
      {"mailmessage", "MailMessage"},
      {"mail", "MailMessage"},
      {"email", "MailMessage"},
      {"url", "Url"},
      {"ip", "Ip"},
      {"cloudapplication", "CloudApplication"},
      {"cloudapp", "CloudApplication"}};
  const auto it = kTypes.find(Lower(text));
  if (it == kTypes.end()) {
    return std::nullopt;
  }
  return it->second;
}

const EntityPlaybook* Playbook::For(std::string_view entity_type) const {
  for (const auto& e : entities) {
    if (e.entity_type == entity_type) {
      return &e;
    }
  }
  return nullptr;
}

bool IsKnownPlaceholder(std::string_view name) {
  for (std::string_view p : kPlaceholders) {
    if (p == name) {
      return true;
    }
  }
  return false;
}

std::string KqlStringLiteral(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

Result<std::string> FillTemplate(std::string_view kql,
                                 const std::map<std::string, std::string>& values) {
  std::string out;
  std::string missing;
  size_t pos = 0;
  while (pos < kql.size()) {
    const size_t open = kql.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(kql.substr(pos));
      break;
    }
    out.append(kql.substr(pos, open - pos));
    const size_t close = kql.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("unclosed placeholder at offset {}", open);
    }
    std::string name(kql.substr(open + 2, close - open - 2));
    while (!name.empty() && name.front() == ' ') {
      name.erase(name.begin());
    }
    while (!name.empty() && name.back() == ' ') {
      name.pop_back();
    }
    if (!IsKnownPlaceholder(name)) {
      return InvalidArgumentError("unknown placeholder '{{{{{}}}}}'", name);
    }
    const auto it = values.find(name);
    if (it == values.end() || it->second.empty()) {
      if (missing.empty()) {
        missing = name;
      }
    } else {
      out += KqlStringLiteral(it->second);
    }
    pos = close + 2;
  }
  if (!missing.empty()) {
    return NotFoundError("placeholder '{}' has no value", missing);
  }
  return out;
}

Result<Playbook> ParsePlaybook(std::string_view yaml, std::string_view file_name) {
  const Reader reader(file_name);
  if (yaml.size() > kMaxPlaybookBytes) {
    return InvalidArgumentError("{}: playbook is larger than {} bytes", file_name,
                                kMaxPlaybookBytes);
  }
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return ReadPlaybook(reader, root);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("{}:{}: invalid yaml: {}", file_name, e.mark.line + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError("{}: cannot read playbook: {}", file_name, e.what());
  }
}

Result<Playbook> LoadPlaybookFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return IoError("cannot open playbook '{}'", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePlaybook(text.str(), path);
}

}  // namespace vigil::respond
