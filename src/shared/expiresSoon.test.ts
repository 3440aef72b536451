import { describe, expect, it } from 'vitest';
import { expiresSoon, soonWindowMs } from './expiresSoon';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('expiresSoon', () => {
  it('is a month without reminder days, and up to the edge of it', () => {
    expect(soonWindowMs([])).toBe(30 * DAY);
    expect(expiresSoon(NOW + 30 * DAY, NOW, [])).toBe(true);
    expect(expiresSoon(NOW + 30 * DAY + 1, NOW, [])).toBe(false);
  });

  it('grows with a reminder set further out than a month, never shrinks below one', () => {
    expect(expiresSoon(NOW + 45 * DAY, NOW, [60, 7])).toBe(true);
    expect(expiresSoon(NOW + 61 * DAY, NOW, [60, 7])).toBe(false);
    expect(expiresSoon(NOW + 20 * DAY, NOW, [7])).toBe(true);
  });

  it('counts an expired key as soon, and an unknown date never', () => {
    expect(expiresSoon(NOW - DAY, NOW, [])).toBe(true);
    expect(expiresSoon(Number.NaN, NOW, [])).toBe(false);
  });
});
