import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { App, HandlerDetails, Session, WebContents } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  developmentContentSecurityPolicy,
  guardAllWebContents,
  installNavigationGuards,
  installSessionGuards,
} from './security';

// The real module would try to locate the Electron binary, which is not installed here.
vi.mock('electron', () => ({}));

const TRUSTED = ['app://keyport'];

type HeadersListener = (details: { responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void;
type RequestHandler = (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;
type CheckHandler = (webContents: unknown, permission: string, origin: string, details: unknown) => boolean;

function fakeSession() {
  const captured: { headers?: HeadersListener; request?: RequestHandler; check?: CheckHandler } = {};
  const session = {
    webRequest: { onHeadersReceived: vi.fn((listener: HeadersListener) => (captured.headers = listener)) },
    setPermissionRequestHandler: vi.fn((handler: RequestHandler) => (captured.request = handler)),
    setPermissionCheckHandler: vi.fn((handler: CheckHandler) => (captured.check = handler)),
  };
  // Only the three members installSessionGuards touches exist on this fake.
  return { session: session as unknown as Session, captured };
}

function runHeaders(listener: HeadersListener | undefined, responseHeaders?: Record<string, string[]>) {
  const callback = vi.fn();
  listener?.({ responseHeaders }, callback);
  expect(callback).toHaveBeenCalledTimes(1);
  return callback.mock.calls[0]?.[0] as { responseHeaders: Record<string, string[]> };
}

class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: HandlerDetails) => { action: string }) | undefined;
  setWindowOpenHandler = vi.fn((handler: (details: HandlerDetails) => { action: string }) => {
    this.windowOpenHandler = handler;
  });
}

function guarded() {
  const contents = new FakeWebContents();
  // The fake has the members the guards use (on, setWindowOpenHandler) and nothing else.
  installNavigationGuards(contents as unknown as WebContents, TRUSTED);
  return { contents };
}

function navigation(url: string) {
  return { url, preventDefault: vi.fn() };
}

function openWindow(contents: FakeWebContents, url: string) {
  // HandlerDetails has more fields; the handler reads only `url`.
  return contents.windowOpenHandler?.({ url } as HandlerDetails);
}

describe('CONTENT_SECURITY_POLICY', () => {
  it('allows only the app itself and never inline or eval’d script', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:|\*/);
  });

  it('is the policy of index.html’s meta tag too, less frame-ancestors (a meta tag cannot set it)', () => {
    // The meta tag stays a literal because electronegativity reads the CSP from the page; this
    // keeps the copy from drifting.
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    const withoutFrameAncestors = CONTENT_SECURITY_POLICY.split('; ')
      .filter((directive) => !directive.startsWith('frame-ancestors'))
      .join('; ');
    expect(meta).toBe(withoutFrameAncestors);
  });

  it('is relaxed only by the explicit development policy', () => {
    const dev = developmentContentSecurityPolicy('http://localhost:5173');
    expect(dev).toContain("'unsafe-inline'");
    expect(dev).toContain('ws://localhost:5173');
    expect(dev).not.toContain('unsafe-eval');
  });
});

describe('installSessionGuards', () => {
  it('adds the CSP header to every response', () => {
    const { session, captured } = fakeSession();
    installSessionGuards(session);
    const { responseHeaders } = runHeaders(captured.headers, { 'Content-Type': ['text/html'] });
    expect(responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(responseHeaders['Content-Type']).toEqual(['text/html']);
    expect(runHeaders(captured.headers, undefined).responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('keeps a policy the response already has, so ours can only add restrictions', () => {
    const { session, captured } = fakeSession();
    installSessionGuards(session);
    const { responseHeaders } = runHeaders(captured.headers, { 'content-security-policy': ["img-src 'none'"] });
    expect(responseHeaders['content-security-policy']).toEqual(["img-src 'none'", CONTENT_SECURITY_POLICY]);
    expect(Object.keys(responseHeaders).filter((k) => k.toLowerCase() === 'content-security-policy')).toHaveLength(1);
  });

  it('denies every permission request and check', () => {
    const { session, captured } = fakeSession();
    installSessionGuards(session);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const callback = vi.fn();
      captured.request?.({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(captured.check?.({}, permission, 'app://keyport', {})).toBe(false);
    }
  });
});

describe('installNavigationGuards', () => {
  it('prevents navigation to another origin, web or not', () => {
    const { contents } = guarded();
    for (const url of ['https://evil.example/phish', 'file:///etc/passwd', 'smb://host/share', 'app://keyport.evil/x', 'javascript:alert(1)']) {
      const event = navigation(url);
      contents.emit('will-navigate', event);
      expect(event.preventDefault).toHaveBeenCalled();
    }
  });

  it('allows navigation within the trusted origin', () => {
    const { contents } = guarded();
    const event = navigation('app://keyport/index.html#/servers');
    contents.emit('will-navigate', event);
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('prevents redirects to another origin', () => {
    const { contents } = guarded();
    const away = navigation('https://evil.example/');
    const home = navigation('app://keyport/index.html');
    contents.emit('will-redirect', away);
    contents.emit('will-redirect', home);
    expect(away.preventDefault).toHaveBeenCalled();
    expect(home.preventDefault).not.toHaveBeenCalled();
  });

  it('denies every window.open, even to the app itself, and opens nothing outside', () => {
    const { contents } = guarded();
    expect(openWindow(contents, 'https://docs.example/help')).toEqual({ action: 'deny' });
    expect(openWindow(contents, 'app://keyport/index.html')).toEqual({ action: 'deny' });
    expect(openWindow(contents, 'file:///etc/passwd')).toEqual({ action: 'deny' });
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = guarded();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, { src: 'https://evil.example' });
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('is installed on every WebContents the app creates', () => {
    const app = new EventEmitter();
    // Only `on` is used.
    guardAllWebContents(app as unknown as App, TRUSTED);
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    const event = navigation('https://evil.example/');
    contents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(openWindow(contents, 'https://evil.example/')).toEqual({ action: 'deny' });
  });
});
