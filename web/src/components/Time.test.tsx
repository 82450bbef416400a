import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Time, formatAgo, formatUtc, parseTime } from './Time';

describe('Time', () => {
  it('reads the API times with seven fractional digits', () => {
    expect(parseTime('2026-11-24T07:46:47.6899000Z')?.toISOString()).toBe('2026-11-24T07:46:47.689Z');
    expect(parseTime('not a time')).toBeNull();
    expect(parseTime(null)).toBeNull();
  });

  it('shows UTC on hover and a machine-readable datetime', () => {
    render(<Time value="2026-11-24T07:46:47.6899000Z" />);
    const element = screen.getByTitle('2026-11-24 07:46:47 UTC');
    expect(element.tagName).toBe('TIME');
    expect(element).toHaveAttribute('dateTime', '2026-11-24T07:46:47.689Z');
  });

  it('says so when there is no time', () => {
    render(<Time value={null} />);
    expect(screen.getByText('—')).toBeInTheDocument();
  });

  it('formats relative ages', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(formatAgo('2026-11-24T11:59:30Z', now)).toBe('just now');
    expect(formatAgo('2026-11-24T11:15:00Z', now)).toBe('45 min ago');
    expect(formatAgo('2026-11-24T07:00:00Z', now)).toBe('5 h ago');
    expect(formatAgo('2026-11-21T12:00:00Z', now)).toBe('3 d ago');
    expect(formatUtc('2026-11-24T07:46:47Z')).toBe('2026-11-24 07:46:47 UTC');
  });
});
