#include "vigil/detect/alerts/alert_enums.h"

#include <array>
#include <initializer_list>
#include <optional>
#include <string>

namespace vigil::detect::alerts {
namespace {

// Lower-cases and drops the separators the various spellings differ by.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '_' || c == '-' || c == ',') {
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    out += c;
  }
  return out;
}

constexpr std::array<std::string_view, 3> kStatusNames = {"New", "InProgress", "Resolved"};
constexpr std::array<std::string_view, 4> kClassificationNames = {
    "Unknown", "TruePositive", "InformationalExpectedActivity", "FalsePositive"};
constexpr std::array<std::string_view, 15> kDeterminationNames = {"NotAvailable",
                                                                  "MultiStagedAttack",
                                                                  "MaliciousUserActivity",
                                                                  "CompromisedAccount",
                                                                  "Malware",
                                                                  "Phishing",
                                                                  "UnwantedSoftware",
                                                                  "SecurityTesting",
                                                                  "LineOfBusinessApplication",
                                                                  "ConfirmedActivity",
                                                                  "Clean",
                                                                  "InsufficientData",
                                                                  "Apt",
                                                                  "SecurityPersonnel",
                                                                  "Other"};

struct Alias {
  std::string_view folded;
  uint8_t value;
};

template <typename Enum, size_t N>
std::optional<Enum> Lookup(std::string_view text, const std::array<std::string_view, N>& names,
                           std::initializer_list<Alias> aliases) {
  const std::string folded = Fold(text);
  for (size_t i = 0; i < N; ++i) {
    if (Fold(names[i]) == folded) {
      return static_cast<Enum>(i);
    }
  }
  for (const Alias& alias : aliases) {
    if (alias.folded == folded) {
      return static_cast<Enum>(alias.value);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view AlertStatusName(AlertStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}
std::string_view ClassificationName(AlertClassification classification) {
  return kClassificationNames[static_cast<size_t>(classification)];
}
std::string_view DeterminationName(AlertDetermination determination) {
  return kDeterminationNames[static_cast<size_t>(determination)];
}

Result<AlertStatus> ParseAlertStatus(std::string_view text) {
  if (auto value = Lookup<AlertStatus>(text, kStatusNames, {})) {
    return *value;
  }
  return InvalidArgumentError("unknown alert status '{}' (expected New, InProgress or Resolved)",
                              text);
}

Result<Severity> ParseSeverity(std::string_view text) {
  if (auto value = ParseSeverityName(text)) {
    return *value;
  }
  return InvalidArgumentError(
      "unknown alert severity '{}' (expected Informational, Low, Medium or High)", text);
}

Result<AlertClassification> ParseClassification(std::string_view text) {
  using C = AlertClassification;
  if (auto value = Lookup<C>(
          text, kClassificationNames,
          {{"", static_cast<uint8_t>(C::kUnknown)},
           {"notset", static_cast<uint8_t>(C::kUnknown)},
           {"benignpositive", static_cast<uint8_t>(C::kInformationalExpectedActivity)}})) {
    return *value;
  }
  return InvalidArgumentError(
      "unknown alert classification '{}' (expected TruePositive, "
      "InformationalExpectedActivity, FalsePositive or Unknown)",
      text);
}

Result<AlertDetermination> ParseDetermination(std::string_view text) {
  using D = AlertDetermination;
  auto v = [](D d) { return static_cast<uint8_t>(d); };
  if (auto value = Lookup<D>(text, kDeterminationNames,
                             {{"", v(D::kNotAvailable)},
                              {"unknown", v(D::kNotAvailable)},
                              {"compromiseduser", v(D::kCompromisedAccount)},
                              {"notmalicious", v(D::kClean)},
                              {"noenoughdatatovalidate", v(D::kInsufficientData)},
                              {"notenoughdatatovalidate", v(D::kInsufficientData)},
                              {"confirmeduseractivity", v(D::kConfirmedActivity)}})) {
    return *value;
  }
  return InvalidArgumentError("unknown alert determination '{}'", text);
}

bool DeterminationFits(AlertClassification classification, AlertDetermination determination) {
  using C = AlertClassification;
  using D = AlertDetermination;
  if (determination == D::kNotAvailable) {
    return true;
  }
  switch (classification) {
    case C::kUnknown:
      return false;
    case C::kTruePositive:
      return determination == D::kMultiStagedAttack || determination == D::kMaliciousUserActivity ||
             determination == D::kCompromisedAccount || determination == D::kMalware ||
             determination == D::kPhishing || determination == D::kUnwantedSoftware ||
             determination == D::kApt || determination == D::kOther;
    case C::kInformationalExpectedActivity:
      return determination == D::kSecurityTesting ||
             determination == D::kLineOfBusinessApplication ||
             determination == D::kConfirmedActivity || determination == D::kSecurityPersonnel ||
             determination == D::kOther;
    case C::kFalsePositive:
      return determination == D::kClean || determination == D::kInsufficientData ||
             determination == D::kOther;
  }
  return false;
}

}  // namespace vigil::detect::alerts
