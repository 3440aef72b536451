import { ExactTimeOnHover } from './TimeText';
import { useNow } from './useNow';

/** "in 3 h 59 min", "in 40 s", "ended 2 min ago". */
export function relativeTime(targetMs: number, nowMs: number): string {
  const seconds = Math.round((targetMs - nowMs) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 48 * 3600
          ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min`
          : `${Math.round(abs / 86400)} days`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/**
 * When something expires, updated every few seconds; by default a renewable access token.
 * With `subject` ("Keyport’s API key") it reads "<subject> expires in …" or "… expired … ago".
 */
export function ExpiryText({ expiresAt, subject }: { expiresAt: string; subject?: string }) {
  const now = useNow(5000);
  const target = Date.parse(expiresAt);
  if (Number.isNaN(target)) return null;
  if (subject) {
    return (
      <span>
        {subject} {target > now ? 'expires' : 'expired'} <ExactTimeOnHover at={expiresAt}>{relativeTime(target, now)}</ExactTimeOnHover>.
      </span>
    );
  }
  return target > now ? (
    <span>
      Access token expires <ExactTimeOnHover at={expiresAt}>{relativeTime(target, now)}</ExactTimeOnHover>; Keyport renews it before it is used.
    </span>
  ) : (
    <span>
      Access token expired <ExactTimeOnHover at={expiresAt}>{relativeTime(target, now)}</ExactTimeOnHover>; Keyport renews it on next use.
    </span>
  );
}
