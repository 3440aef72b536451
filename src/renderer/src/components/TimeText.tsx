import type { ReactNode } from 'react';
import { exactTime, relativeTime } from '../formatTime';

/** A time as "2 minutes ago", the exact time on hover and for assistive technology's
 * `dateTime`; `empty` when there is none. */
export function TimeText({ at, now, empty = '—' }: { at: string | null; now: number; empty?: string }) {
  const relative = at === null ? null : relativeTime(at, now);
  if (at === null || relative === null) return <>{exactTime(at, empty)}</>;
  return <ExactTimeOnHover at={at}>{relative}</ExactTimeOnHover>;
}

/** Words about a time ("expires in 5 days") with the exact time on hover, in the one format
 * every screen uses (formatTime.ts). */
export function ExactTimeOnHover({ at, children }: { at: string | number; children: ReactNode }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={exactTime(at)}>
      {children}
    </time>
  );
}
