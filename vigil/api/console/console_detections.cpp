#include "vigil/api/console/console_detections.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>

#include "vigil/api/ingest/ingest_service.h"
#include "vigil/base/time.h"
#include "vigil/detect/custom_detection_file.h"
#include "vigil/detect/sigma_alerts.h"
#include "vigil/kql/exec/engine.h"
#include "vigil/schema/catalog.h"

namespace vigil::api::console {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kConsoleIdPrefix = "vigil-cd-c";

std::string Quoted(std::string_view text) { return YamlQuoted(text); }

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ", ") + Quoted(items[i]);
  }
  return out + "]";
}

// The number of a console id ("vigil-cd-c0012" -> 12), 0 for other ids.
int64_t ConsoleNumber(std::string_view id) {
  if (id.substr(0, kConsoleIdPrefix.size()) != kConsoleIdPrefix) {
    return 0;
  }
  const std::string_view digits = id.substr(kConsoleIdPrefix.size());
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() && ptr == digits.data() + digits.size() ? n : 0;
}

}  // namespace

Status WriteFileAtomically(const fs::path& path, std::string_view text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      return IoError("cannot write '{}'", tmp.string());
    }
  }
  fs::rename(tmp, path, ec);  // atomic: a concurrent reader sees the old or the new file
  if (ec) {
    return IoError("cannot replace '{}': {}", path.string(), ec.message());
  }
  return Status::Ok();
}

std::string YamlQuoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string ConsoleDetections::RuleYaml(const detect::CustomDetectionRule& rule) {
  std::string out = "# Created in the Vigil console.\n";
  out +=
      fmt::format("id: {}\nname: {}\nfrequency: {}\nseverity: {}\ncategory: {}\n", Quoted(rule.id),
                  Quoted(rule.name), Quoted(detect::DetectionPeriodName(rule.period)),
                  Quoted(detect::SeverityName(rule.severity)), Quoted(rule.category));
  if (!rule.title.empty() && rule.title != rule.name) {
    out += fmt::format("title: {}\n", Quoted(rule.title));
  }
  out += fmt::format("techniques: {}\n", QuotedList(rule.techniques));
  if (!rule.impacted_columns.empty()) {
    out += fmt::format("impactedAssets: {}\n", QuotedList(rule.impacted_columns));
  }
  out += fmt::format("description: {}\n", Quoted(rule.description));
  if (!rule.recommended_actions.empty()) {
    out += fmt::format("recommendedActions: {}\n", Quoted(rule.recommended_actions));
  }
  out += fmt::format("createdBy: {}\nenabled: {}\nquery: {}\n", Quoted(rule.created_by),
                     rule.enabled ? "true" : "false", Quoted(rule.query));
  return out;
}

Result<std::unique_ptr<ConsoleDetections>> ConsoleDetections::Create(
    std::string data_dir, std::vector<detect::CustomDetectionRule> content, ConsoleStore& store,
    IngestService* ingest) {
  std::unique_ptr<ConsoleDetections> d(new ConsoleDetections(std::move(data_dir), store, ingest));
  for (auto& rule : content) {
    d->detections_.push_back(DetectionView{std::move(rule), "content", true});
  }
  const fs::path dir = fs::path(d->data_dir_) / "detections";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    detect::CustomDetectionLoad loaded = detect::LoadCustomDetections({dir.string()});
    if (!loaded.errors.empty()) {
      return InvalidArgumentError("{}", loaded.errors.front());
    }
    for (auto& rule : loaded.rules) {
      d->detections_.push_back(DetectionView{std::move(rule), "console", true});
    }
  }
  std::lock_guard lock(d->mu_);
  VIGIL_RETURN_IF_ERROR(d->ApplyDetectionsLocked());
  VIGIL_RETURN_IF_ERROR(d->ApplyRulesLocked());
  return d;
}

Status ConsoleDetections::ApplyDetectionsLocked() {
  VIGIL_ASSIGN_OR_RETURN(auto switches, store_.Switches(SwitchScope::kDetection));
  std::vector<detect::CustomDetectionRule> continuous;
  for (DetectionView& view : detections_) {
    auto it = switches.find(view.rule.id);
    view.enabled = it != switches.end() ? it->second : view.rule.enabled;
    if (view.enabled && view.rule.period == detect::DetectionPeriod::kContinuous) {
      continuous.push_back(view.rule);
    }
  }
  if (ingest_ == nullptr) {
    return Status::Ok();
  }
  return ingest_->SetContinuousDetections(std::move(continuous));
}

Status ConsoleDetections::ApplyRulesLocked() {
  if (ingest_ == nullptr || ingest_->loaded_rules() == nullptr) {
    return Status::Ok();
  }
  VIGIL_ASSIGN_OR_RETURN(auto switches, store_.Switches(SwitchScope::kRule));
  std::set<std::string> disabled;
  for (const auto& [id, enabled] : switches) {
    if (!enabled) {
      disabled.insert(id);
    }
  }
  return ingest_->SetDisabledRules(std::move(disabled));
}

std::vector<DetectionView> ConsoleDetections::ListDetections() {
  std::lock_guard lock(mu_);
  return detections_;
}

Result<DetectionView> ConsoleDetections::AddDetection(detect::CustomDetectionRule rule) {
  std::lock_guard lock(mu_);
  int64_t last = 0;
  for (const DetectionView& view : detections_) {
    last = std::max(last, ConsoleNumber(view.rule.id));
  }
  const fs::path dir = fs::path(data_dir_) / "detections";
  std::error_code ec;
  do {
    rule.id = fmt::format("{}{:04}", kConsoleIdPrefix, ++last);
  } while (fs::exists(dir / (rule.id + ".yml"), ec));
  rule.enabled = true;

  // The file must read back as the rule (what a restart and `vigil detections check` see).
  const std::string yaml = RuleYaml(rule);
  detect::CustomDetectionLoad parsed = detect::ParseCustomDetections(yaml, rule.id + ".yml");
  if (!parsed.errors.empty() || parsed.rules.size() != 1) {
    return InvalidArgumentError("{}", parsed.errors.empty() ? std::string("the rule does not parse")
                                                            : parsed.errors.front());
  }
  kql::Engine engine(nullptr, &schema::Catalog::Default());
  detect::CustomDetectionRunner runner(engine);
  VIGIL_RETURN_IF_ERROR(runner.Validate(parsed.rules.front()));

  VIGIL_RETURN_IF_ERROR(WriteFileAtomically(dir / (rule.id + ".yml"), yaml));
  detections_.push_back(DetectionView{std::move(parsed.rules.front()), "console", true});
  VIGIL_RETURN_IF_ERROR(ApplyDetectionsLocked());
  return detections_.back();
}

Result<DetectionView> ConsoleDetections::SetDetectionEnabled(std::string_view id, bool enabled,
                                                             std::string_view actor) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(detections_.begin(), detections_.end(),
                         [&](const DetectionView& view) { return view.rule.id == id; });
  if (it == detections_.end()) {
    return NotFoundError("custom detection '{}' was not found", id);
  }
  VIGIL_RETURN_IF_ERROR(
      store_.SetSwitch(SwitchScope::kDetection, id, enabled, actor, NowTicks() / 10));
  const size_t index = static_cast<size_t>(it - detections_.begin());
  VIGIL_RETURN_IF_ERROR(ApplyDetectionsLocked());
  return detections_[index];
}

std::vector<RuleView> ConsoleDetections::RulesLocked() {
  std::vector<RuleView> out;
  const detect::sigma::RuleSet* rules = ingest_ != nullptr ? ingest_->loaded_rules() : nullptr;
  if (rules == nullptr) {
    return out;
  }
  auto switches = store_.Switches(SwitchScope::kRule);
  const auto enabled = [&](const std::string& id) {
    if (!switches.has_value()) {
      return true;
    }
    auto it = switches->find(id);
    return it == switches->end() || it->second;
  };
  // `unnamed_id`: the id of a rule without one, as the alerts it raises name it.
  const auto add = [&](const auto& rule, const std::string& unnamed_id, std::string_view kind) {
    RuleView view;
    view.id = rule.id.empty() ? unnamed_id : rule.id;
    view.title = rule.title;
    view.level = std::string(detect::LevelName(rule.level));
    view.status = rule.status;
    view.author = rule.author;
    view.kind = std::string(kind);
    view.enabled = enabled(view.id);
    view.tags = rule.tags;
    out.push_back(std::move(view));
  };
  for (const auto& rule : rules->rules) {
    add(rule, rule.title, "sigma");  // as AlertDraft::rule_id
  }
  for (const auto& c : rules->correlations) {
    add(c, c.name, "correlation");  // as the correlation drafts' rule_id
  }
  return out;
}

std::vector<RuleView> ConsoleDetections::ListRules() {
  std::lock_guard lock(mu_);
  return RulesLocked();
}

Result<RuleView> ConsoleDetections::SetRuleEnabled(std::string_view id, bool enabled,
                                                   std::string_view actor) {
  std::lock_guard lock(mu_);
  std::vector<RuleView> rules = RulesLocked();
  auto it =
      std::find_if(rules.begin(), rules.end(), [&](const RuleView& view) { return view.id == id; });
  if (it == rules.end()) {
    return NotFoundError("rule '{}' was not found", id);
  }
  VIGIL_RETURN_IF_ERROR(store_.SetSwitch(SwitchScope::kRule, id, enabled, actor, NowTicks() / 10));
  VIGIL_RETURN_IF_ERROR(ApplyRulesLocked());
  it->enabled = enabled;
  return *it;
}

}  // namespace vigil::api::console
