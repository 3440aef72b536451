import { KeyportError } from '../errors';

// The limits of sign-ins that wait for the person (RFC 8628 device codes, browser sign-ins),
// shared by oidcClient.ts and the kinds with their own device grant (tapis3), apart from
// oidcClient.ts so that those kinds do not load openid-client.

/** RFC 8628 §3.2: 5 s when the server names no interval. Keyport never polls more often than
 * that, whatever the server says (0.001 s would be hundreds of requests a second), nor waits
 * longer than a minute between polls (a server asking for an hour would never see the approval). */
export const DEVICE_POLL_DEFAULT_SECONDS = 5;
export const DEVICE_POLL_MAX_SECONDS = 60;
/** RFC 8628 §3.5: each `slow_down` adds 5 s to the interval (still at most the maximum). */
export const DEVICE_SLOW_DOWN_SECONDS = 5;

/** The interval Keyport polls at, in seconds, from the server's `interval`. */
export function devicePollSeconds(interval: unknown): number {
  if (typeof interval !== 'number' || !Number.isFinite(interval)) return DEVICE_POLL_DEFAULT_SECONDS;
  return Math.min(DEVICE_POLL_MAX_SECONDS, Math.max(DEVICE_POLL_DEFAULT_SECONDS, interval));
}

/** Waits `ms`, rejecting with the signal's reason when it aborts. */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

/** Keyport's own time limit on a sign-in that waits for the person (not the server's code expiry). */
export const signInTimedOut = (): KeyportError =>
  new KeyportError('TIMEOUT', 'The sign-in took too long and was stopped.', { hint: 'Start it again when you are ready to finish it.' });
