import { describe, expect, it } from 'vitest';
import { exactTime, relativeTime } from './formatTime';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe('relativeTime', () => {
  it('reads recent and coming times in words', () => {
    expect(relativeTime(at(-10_000), NOW)).toBe('just now');
    expect(relativeTime(at(-2 * 60_000), NOW)).toBe('2 minutes ago');
    expect(relativeTime(at(-3 * 3600_000), NOW)).toBe('3 hours ago');
    expect(relativeTime(at(-24 * 3600_000), NOW)).toBe('yesterday');
    expect(relativeTime(at(3 * 24 * 3600_000), NOW)).toBe('in 3 days');
    expect(relativeTime(at(60 * 24 * 3600_000), NOW)).toBe('in 2 months');
    expect(relativeTime(at(-800 * 24 * 3600_000), NOW)).toBe('2 years ago');
  });
  it('gives up on an unreadable time instead of printing NaN', () => {
    expect(relativeTime('not a date', NOW)).toBeNull();
  });
});

describe('exactTime', () => {
  it('formats a time with date and minutes, and says so when there is none', () => {
    expect(exactTime('2026-12-06T12:34:00Z')).toMatch(/2026/);
    expect(exactTime(null, 'Never')).toBe('Never');
    expect(exactTime('garbage')).toBe('garbage');
  });
});
