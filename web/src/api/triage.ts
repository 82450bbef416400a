// The triage vocabulary shared by the alert, incident, hunting and indicator pages: severities,
// categories, and the classification/determination pairs (a determination must fit its
// classification; NotAvailable fits any). Alerts and incidents spell the false-positive
// determinations differently on the server, hence two tables.

// Most severe first (queue filters); SEVERITIES_ASCENDING for forms that start low.
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export const SEVERITIES_ASCENDING = ['Informational', 'Low', 'Medium', 'High'] as const;

const SEVERITY_RANK: Record<string, number> = { high: 4, medium: 3, low: 2, informational: 1 };
export function severityRank(severity: string | null | undefined): number {
  return SEVERITY_RANK[(severity ?? '').toLowerCase()] ?? 0;
}

// MITRE ATT&CK tactics, in kill-chain order.
export const TACTICS = [
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'CommandAndControl',
  'Exfiltration',
  'Impact',
] as const;
// Alert categories: the tactics and the two non-tactic categories alerts carry.
export const ALERT_CATEGORIES = [...TACTICS, 'Malware', 'SuspiciousActivity'] as const;
// Categories a custom detection rule may raise its alerts under.
export const RULE_CATEGORIES = [...TACTICS, 'Malware', 'Ransomware', 'SuspiciousActivity', 'UnwantedSoftware'] as const;

export const CLASSIFICATIONS = ['Unknown', 'TruePositive', 'InformationalExpectedActivity', 'FalsePositive'] as const;

const TRUE_POSITIVE = [
  'NotAvailable',
  'MultiStagedAttack',
  'MaliciousUserActivity',
  'CompromisedAccount',
  'Malware',
  'Phishing',
  'UnwantedSoftware',
  'Apt',
  'Other',
];
const EXPECTED_ACTIVITY = [
  'NotAvailable',
  'SecurityTesting',
  'LineOfBusinessApplication',
  'ConfirmedActivity',
  'SecurityPersonnel',
  'Other',
];

// Determinations that fit each classification, for alerts.
export const ALERT_DETERMINATIONS: Record<string, string[]> = {
  Unknown: ['NotAvailable'],
  TruePositive: TRUE_POSITIVE,
  InformationalExpectedActivity: EXPECTED_ACTIVITY,
  FalsePositive: ['NotAvailable', 'Clean', 'InsufficientData', 'Other'],
};

// The same for incidents (Defender's pairs, as the server's incident rules know them).
export const INCIDENT_DETERMINATIONS: Record<string, string[]> = {
  Unknown: ['NotAvailable'],
  TruePositive: TRUE_POSITIVE,
  InformationalExpectedActivity: EXPECTED_ACTIVITY,
  FalsePositive: ['NotAvailable', 'NotMalicious', 'NotEnoughDataToValidate', 'Other'],
};
