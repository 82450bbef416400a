// Times in the user's zone, UTC on hover (the API sends UTC ISO-8601 with 7 fractional digits).
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  // Date cannot read more than 3 fractional digits in every engine: cut to milliseconds.
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function formatLocal(value: string | Date | null | undefined): string {
  const date = value instanceof Date ? value : parseTime(value);
  return date ? localFormat.format(date) : '';
}

export function formatUtc(value: string | Date | null | undefined): string {
  const date = value instanceof Date ? value : parseTime(value);
  return date ? `${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC` : '';
}

// "5 min ago", "3 h ago", "2 d ago"
export function formatAgo(value: string | Date | null | undefined, now: Date = new Date()): string {
  const date = value instanceof Date ? value : parseTime(value);
  if (!date) return '';
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

export function Time({ value, relative = false }: { value: string | null | undefined; relative?: boolean }) {
  const date = parseTime(value);
  if (!date) return <span className="muted">—</span>;
  return (
    <time dateTime={date.toISOString()} title={formatUtc(date)}>
      {relative ? formatAgo(date) : formatLocal(date)}
    </time>
  );
}
