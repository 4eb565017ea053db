import { describe, expect, it } from 'vitest';
import { visibleRange } from './calendar';
import {
  dayAfterLocalDate,
  describeTimeZone,
  formatDateTime,
  formatDuration,
  fromLocalInput,
  parseInstant,
  toLocalInput,
} from './time';

describe('time', () => {
  it('round-trips a local input value through UTC', () => {
    const iso = fromLocalInput('2026-05-01T09:30') ?? 'not parsed';
    expect(iso).toMatch(/Z$/);
    expect(toLocalInput(iso)).toBe('2026-05-01T09:30');
    expect(fromLocalInput('nonsense')).toBeNull();
  });

  it('reads a naive server timestamp as UTC', () => {
    expect(parseInstant('2026-05-01T09:00:00').toISOString()).toBe('2026-05-01T09:00:00.000Z');
    expect(parseInstant('2026-05-01T11:00:00+02:00').toISOString()).toBe('2026-05-01T09:00:00.000Z');
  });

  it('makes "to" dates exclusive at the next local midnight', () => {
    const to = new Date(dayAfterLocalDate('2026-05-01') ?? Number.NaN);
    expect(to.getDate()).toBe(2);
    expect(to.getHours()).toBe(0);
  });

  it('names the zone', () => {
    expect(describeTimeZone()).toContain(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(formatDateTime('2026-05-01T09:00:00+00:00')).toMatch(/2026/);
    expect(formatDateTime(null)).toBe('—');
  });

  it('formats durations', () => {
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(90)).toBe('1 h 30 min');
    expect(formatDuration(120)).toBe('2 h');
  });

  it('builds week and month ranges starting on Monday', () => {
    const week = visibleRange('week', new Date(2026, 4, 6));
    expect(week.days).toHaveLength(7);
    expect(week.days[0].getDay()).toBe(1);
    const month = visibleRange('month', new Date(2026, 4, 15));
    expect(month.days.length % 7).toBe(0);
    expect(month.days[0] <= new Date(2026, 4, 1)).toBe(true);
    expect(month.to > new Date(2026, 4, 31)).toBe(true);
  });
});
