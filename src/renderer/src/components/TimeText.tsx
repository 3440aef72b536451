import { exactTime, relativeTime } from '../formatTime';

/** A time as "2 minutes ago", the exact time on hover and for assistive technology's
 * `dateTime`; `empty` when there is none. */
export function TimeText({ at, now, empty = '—' }: { at: string | null; now: number; empty?: string }) {
  const relative = at === null ? null : relativeTime(at, now);
  if (at === null || relative === null) return <>{exactTime(at, empty)}</>;
  return (
    <time dateTime={new Date(at).toISOString()} title={exactTime(at)}>
      {relative}
    </time>
  );
}
