// Severity, status and verdict labels with colour and text (never colour alone).
export function SeverityBadge({ severity }: { severity: string | null | undefined }) {
  const value = severity ?? 'UnSpecified';
  return <span className={`badge sev sev-${value.toLowerCase()}`}>{value}</span>;
}

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? 'Unknown';
  return <span className={`badge status status-${value.toLowerCase()}`}>{value}</span>;
}

export function VerdictBadge({ verdict }: { verdict: string }) {
  return <span className={`badge verdict verdict-${verdict.toLowerCase()}`}>{verdict}</span>;
}

// The domain (workload) of an alert source: Endpoint, Identity, Email, CloudApps.
export function DomainBadge({ domain }: { domain: string }) {
  return <span className={`badge domain domain-${domain.toLowerCase()}`}>{domain}</span>;
}
