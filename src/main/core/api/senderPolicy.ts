/** Which renderer URLs may call the API. The Electron IPC adapter and the browser host both ask
 * this, so the rule is written once. A URL is trusted when its origin is one of the app's own
 * origins exactly (scheme + host + port); anything else (a navigated-away frame, a subframe from
 * elsewhere, `file:`) is refused. */
export function isTrustedSenderUrl(url: string | undefined | null, trustedOrigins: readonly string[]): boolean {
  if (!url) return false;
  let origin: string;
  try {
    const parsed = new URL(url);
    // `new URL('app://keyport/x').origin` is the string "null" for non-special schemes.
    origin = parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin;
  } catch {
    return false;
  }
  return trustedOrigins.includes(origin);
}
