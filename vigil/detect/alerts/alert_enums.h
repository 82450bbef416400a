// Alert triage enums (status, classification, determination) and severity names, with parsers
// that accept every spelling Defender's portal, the MDE/M365D APIs and Graph use. Shared by the
// alert store, the pipeline and the API layer. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "vigil/base/status.h"
#include "vigil/detect/alert.h"

namespace vigil::detect::alerts {

// Defender's alert status (MDE `New`/`InProgress`/`Resolved`, Graph `new`/`inProgress`/...).
enum class AlertStatus : uint8_t { kNew, kInProgress, kResolved };
// Classification (API spelling); kUnknown = "not set".
enum class AlertClassification : uint8_t {
  kUnknown,
  kTruePositive,
  kInformationalExpectedActivity,
  kFalsePositive,
};
// Determination (M365D API spelling); kApt and kSecurityPersonnel are deprecated but accepted.
enum class AlertDetermination : uint8_t {
  kNotAvailable,
  kMultiStagedAttack,
  kMaliciousUserActivity,
  kCompromisedAccount,
  kMalware,
  kPhishing,
  kUnwantedSoftware,
  kSecurityTesting,
  kLineOfBusinessApplication,
  kConfirmedActivity,
  kClean,
  kInsufficientData,
  kApt,
  kSecurityPersonnel,
  kOther,
};

// Canonical names: "New", "InProgress", "Resolved"; "High", ...; "TruePositive", ...;
// "NotAvailable", "MultiStagedAttack", ...
std::string_view AlertStatusName(AlertStatus status);
std::string_view ClassificationName(AlertClassification classification);
std::string_view DeterminationName(AlertDetermination determination);

// Parsers accept Defender portal, MDE/M365D API and Graph spellings and the documented
// aliases, ignoring case, spaces, '_' , '-' and ',' ("In progress", "inProgress",
// "compromisedUser", "NotEnoughDataToValidate", "Informational, expected activity").
Result<AlertStatus> ParseAlertStatus(std::string_view text);
Result<Severity> ParseSeverity(std::string_view text);
Result<AlertClassification> ParseClassification(std::string_view text);
Result<AlertDetermination> ParseDetermination(std::string_view text);
// True when `determination` may go with `classification` (NotAvailable and Other go with any
// classification but a determination other than NotAvailable needs a classification).
bool DeterminationFits(AlertClassification classification, AlertDetermination determination);

}  // namespace vigil::detect::alerts
