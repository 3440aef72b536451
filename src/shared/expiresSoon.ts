/** When a key "expires soon" (the badge in the token table, the server list and the overview):
 * within the longest of the reminder days, and never less than a month (the reminder window of
 * the anaconda tools' keys), so the badge still shows with no reminders set. One rule for every
 * place that says it. */
const DAY_MS = 24 * 60 * 60 * 1000;
export const SOON_AT_LEAST_DAYS = 30;

export const soonWindowMs = (reminderDays: readonly number[]): number => Math.max(SOON_AT_LEAST_DAYS, ...reminderDays) * DAY_MS;

/** `expiresAt` in ms since the epoch (NaN: unknown, never soon). Expired counts as soon. */
export const expiresSoon = (expiresAt: number, nowMs: number, reminderDays: readonly number[]): boolean =>
  Number.isFinite(expiresAt) && expiresAt - nowMs <= soonWindowMs(reminderDays);
