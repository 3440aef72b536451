import type { App, Session, WebContents } from 'electron';
import { isTrustedSenderUrl } from '../core/api/senderPolicy';

/** The renderer's Content-Security-Policy: only its own bundled files, no inline or eval'd
 * script, no remote origin, no frames, no plugins. Sent as a response header so it holds even
 * if the page's own <meta> tag is ever lost. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** For `electron-vite dev` only: Vite's dev server injects an inline React Refresh preamble
 * and inline <style> tags, and talks to itself over a WebSocket. Never used in a packaged app. */
export function developmentContentSecurityPolicy(devServerOrigin: string): string {
  const socket = devServerOrigin.replace(/^http/, 'ws');
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'self'", `connect-src 'self' ${socket}`);
}

type GuardedSession = Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** Adds the CSP to every response of the session and refuses every permission (camera,
 * notifications, clipboard-read, geolocation…): Keyport's page needs none of them. */
export function installSessionGuards(session: GuardedSession, contentSecurityPolicy: string = CONTENT_SECURITY_POLICY): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withPolicy(details.responseHeaders ?? {}, contentSecurityPolicy) });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Appends our policy to any the response already has: several policies are all enforced, so
 * adding ours can only make the page stricter. */
function withPolicy(headers: Record<string, string[]>, policy: string): Record<string, string[]> {
  const existing = Object.keys(headers).find((name) => name.toLowerCase() === 'content-security-policy');
  const name = existing ?? 'Content-Security-Policy';
  return { ...headers, [name]: [...(existing ? (headers[existing] ?? []) : []), policy] };
}

/** Only web links go to the system browser: `file:`, `smb:` or custom-scheme URLs could start
 * local programs. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

type GuardedWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** The page can never leave the app's own origin, open a window, embed a <webview>, or hand a
 * URL to the system browser: the only URLs Keyport opens outside are the sign-in pages the core
 * builds from a configured server's discovery document (src/main/electron/externalBrowser.ts). */
export function installNavigationGuards(contents: GuardedWebContents, trustedOrigins: readonly string[]): void {
  contents.on('will-navigate', (event) => {
    if (!isTrustedSenderUrl(event.url, trustedOrigins)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isTrustedSenderUrl(event.url, trustedOrigins)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The same guards on every WebContents the app ever creates (the main window's included), so
 * a window opened some other way is never left unguarded. */
export function guardAllWebContents(app: Pick<App, 'on'>, trustedOrigins: readonly string[]): void {
  app.on('web-contents-created', (_event, contents) => installNavigationGuards(contents, trustedOrigins));
}
