/** One date format everywhere: exact times as "6 Dec 2026, 04:37" (the user's locale, medium
 * date, short time), recent and coming ones as "2 minutes ago" / "in 3 days" with the exact
 * time beside them on hover. */

const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'long' });

/** A time as it should be read; an unreadable one as given; no time as `empty`. */
export function exactTime(at: string | number | null, empty = '—'): string {
  if (at === null) return empty;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : exactFormat.format(date);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Each unit is used up to the point where the next reads better. */
const UNITS: readonly [limit: number, size: number, unit: Intl.RelativeTimeFormatUnit][] = [
  [45 * MINUTE, MINUTE, 'minute'],
  [22 * HOUR, HOUR, 'hour'],
  [26 * DAY, DAY, 'day'],
  [320 * DAY, 30 * DAY, 'month'],
  [Number.POSITIVE_INFINITY, 365 * DAY, 'year'],
];

/** "just now", "2 minutes ago", "yesterday", "in 3 days"; `null` for an unreadable time. */
export function relativeTime(at: string | number, now: number): string | null {
  const time = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(time)) return null;
  const diff = time - now;
  if (Math.abs(diff) < 45_000) return 'just now';
  const [, size, unit] = UNITS.find(([limit]) => Math.abs(diff) < limit) ?? UNITS[UNITS.length - 1]!;
  return relativeFormat.format(Math.round(diff / size), unit);
}
