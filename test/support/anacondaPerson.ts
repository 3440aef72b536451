/** Test-only: "the person at the system browser" for the reference Anaconda server
 * (test/servers/anaconda) and the other identity providers of the tests (oidc-provider, Keycloak),
 * scripted with fetch instead of a real browser. It follows redirects by
 * hand, keeps the identity provider's cookies, fills its login form (or presses Cancel), and
 * submits oidc-provider's self-submitting and device-confirmation forms, until it lands on a page
 * that asks for nothing more: the loopback listener's answer, or the device flow's success page.
 * Imported only by *.test.ts files; nothing in the app loads it. */

import type { BrowserFlow, ServerContext, SignInResult } from '../../src/main/core/providers/provider';

export interface PersonOptions {
  username?: string;
  password?: string;
  /** 'login' (default): signs in. 'cancel': presses Cancel on the login form. 'deny': aborts on
   * the device confirmation page. */
  action?: 'login' | 'cancel' | 'deny';
}

export interface LandedPage {
  url: string;
  status: number;
  text: string;
  /** Every URL requested, in order. */
  visited: string[];
}

interface Form {
  action: string;
  method: string;
  hidden: Array<[string, string]>;
  fields: string[];
  buttons: Array<[string, string]>;
}

const unescapeHtml = (s: string): string =>
  s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCharCode(parseInt(n, 16)))
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const attribute = (attrs: string, name: string): string | null => {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(attrs);
  return match ? unescapeHtml(match[1] ?? '') : null;
};

function formsOf(html: string, base: string): Form[] {
  const forms: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = match[1] ?? '';
    const body = match[2] ?? '';
    const form: Form = {
      action: new URL(attribute(attrs, 'action') ?? base, base).href,
      method: (attribute(attrs, 'method') ?? 'get').toLowerCase(),
      hidden: [],
      fields: [],
      buttons: [],
    };
    for (const input of body.matchAll(/<input\b([^>]*)>/gi)) {
      const a = input[1] ?? '';
      const name = attribute(a, 'name');
      if (name === null) continue;
      if ((attribute(a, 'type') ?? 'text').toLowerCase() === 'hidden') form.hidden.push([name, attribute(a, 'value') ?? '']);
      else form.fields.push(name);
    }
    for (const button of body.matchAll(/<button\b([^>]*)>/gi)) {
      const name = attribute(button[1] ?? '', 'name');
      if (name !== null) form.buttons.push([name, attribute(button[1] ?? '', 'value') ?? '']);
    }
    forms.push(form);
  }
  return forms;
}

/** Opens `url` and acts as told until no page asks for anything more. */
export async function personAt(url: string, options: PersonOptions = {}): Promise<LandedPage> {
  const cookies = new Map<string, string>();
  const visited: string[] = [];
  let request: { url: string; method: 'GET' | 'POST'; body?: URLSearchParams } = { url, method: 'GET' };
  for (let step = 0; step < 25; step++) {
    visited.push(request.url);
    const headers: Record<string, string> = {};
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(request.url, { method: request.method, body: request.body, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      request = { url: new URL(location, request.url).href, method: 'GET' };
      continue;
    }
    const text = await res.text();
    const forms = formsOf(text, request.url).filter((f) => f.method === 'post');
    const login = forms.find((f) => f.fields.includes('username') && f.fields.includes('password'));
    if (login) {
      if (options.action === 'cancel') {
        const cancel = forms.find((f) => f.action.endsWith('/abort'));
        if (!cancel) throw new Error('the login page has no Cancel');
        request = { url: cancel.action, method: 'POST', body: new URLSearchParams(cancel.hidden) };
      } else {
        request = { url: login.action, method: 'POST', body: new URLSearchParams({ username: options.username ?? 'alice', password: options.password ?? 'wonderland-secret' }) };
      }
      continue;
    }
    // Keycloak's consent page (shown for a device sign-in): hidden `code`, buttons accept/cancel.
    const consent = forms.find((f) => f.buttons.some(([name]) => name === 'accept'));
    if (consent) {
      const body = new URLSearchParams(consent.hidden);
      body.set(options.action === 'deny' ? 'cancel' : 'accept', options.action === 'deny' ? 'No' : 'Yes');
      request = { url: consent.action, method: 'POST', body };
      continue;
    }
    // oidc-provider's self-submitting form_post page and its device confirmation page: only
    // hidden inputs (the xsrf token, the user code, confirm=yes).
    const auto = forms.find((f) => f.fields.length === 0 && f.hidden.some(([name]) => name === 'xsrf'));
    if (auto) {
      const body = new URLSearchParams(auto.hidden);
      if (options.action === 'deny' && body.has('confirm')) {
        body.delete('confirm');
        body.set('abort', 'yes');
      }
      request = { url: auto.action, method: 'POST', body };
      continue;
    }
    return { url: request.url, status: res.status, text, visited };
  }
  throw new Error(`the sign-in pages did not settle: ${visited.join(' → ')}`);
}

/** A provider's browser sign-in in which the scripted person (personAt) logs in as told; the
 * result and the URLs Keyport opened. The tests of every browser-sign-in kind share it. */
export async function browserSignInAsPerson(
  signInWithBrowser: (ctx: ServerContext, flow: BrowserFlow) => Promise<SignInResult>,
  context: ServerContext,
  person: PersonOptions = {},
  timeoutMs = 10_000,
): Promise<{ result: SignInResult; opened: string[] }> {
  const opened: string[] = [];
  const result = await signInWithBrowser(context, {
    openBrowser: async (url) => {
      opened.push(url);
      await personAt(url, person);
    },
    signal: new AbortController().signal,
    timeoutMs,
  });
  return { result, opened };
}
