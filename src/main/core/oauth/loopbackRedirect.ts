import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyportError } from '../errors';

/** How long a browser sign-in may take before Keyport gives up and closes the listener. */
export const DEFAULT_BROWSER_SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

export interface LoopbackRedirect {
  /** http://127.0.0.1:<ephemeral port><path>: what the authorization request names. */
  readonly redirectUri: string;
  /** The full callback URL once the browser comes back with the expected state. */
  readonly callback: Promise<URL>;
  /** True once the listener no longer accepts connections. */
  readonly closed: boolean;
  close(): void;
}

export interface LoopbackOptions {
  path: string;
  expectedState: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** RFC 8252 §7.3: a one-shot HTTP listener on 127.0.0.1 with an ephemeral port (so "port in
 * use" never happens), for the redirect of a browser sign-in. It answers the browser with a small
 * page, checks the Host and `state` (a mismatch is refused with 400 and the listener keeps
 * waiting), answers 400 to anything it cannot read, and closes after the first answer with the
 * right state, on timeout or on cancel. Nothing but the path is served. */
export async function listenForRedirect(options: LoopbackOptions): Promise<LoopbackRedirect> {
  let settle: { resolve(url: URL): void; reject(error: KeyportError): void } | null = null;
  const callback = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be awaiting yet when it fails; the caller's await sees the rejection anyway.
  callback.catch(() => undefined);
  let closed = false;
  // `handle` is defined below; requests arrive only after listen(). Whatever a request holds,
  // the handler answers it: nothing a local program or a web page sends may throw in main.
  const server: Server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (req, res) => {
    try {
      handle(req, res);
    } catch {
      refuse(res);
    }
  });
  // Requests Node's parser cannot read (bad request lines, header bytes) never reach `handle`:
  // answer 400 where the socket still takes it, and close it.
  server.on('clientError', (_error, socket) => {
    if (socket.writable && !socket.writableEnded) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
  let port = 0;

  const finish = (outcome: URL | KeyportError) => {
    if (!settle) return;
    const s = settle;
    settle = null;
    shutdown();
    if (outcome instanceof URL) s.resolve(outcome);
    else s.reject(outcome);
  };
  const shutdown = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    server.close();
    server.closeAllConnections();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // Only the address Keyport gave the browser: another Host is a page that reached this port
    // by a name (DNS rebinding) or a program guessing. Refused without ending the sign-in.
    if (req.headers.host !== `127.0.0.1:${port}`) {
      refuse(res);
      return;
    }
    const url = requestUrl(req.url, port);
    if (url === null) {
      refuse(res);
      return;
    }
    if (req.method !== 'GET' || url.pathname !== options.path || settle === null) {
      res.writeHead(404, PAGE_HEADERS).end(page('Not found', 'Keyport is not waiting for this address.'));
      return;
    }
    const error = url.searchParams.get('error');
    // A wrong state is refused but does not end the sign-in: any page in the browser can send
    // requests here, and must not be able to cancel (or finish) the person's sign-in.
    if (url.searchParams.get('state') !== options.expectedState) {
      res
        .writeHead(400, PAGE_HEADERS)
        .end(page('Sign-in not accepted', 'This answer does not belong to the sign-in Keyport started. Keyport keeps waiting for the right one; you can also cancel the sign-in in Keyport and start again.'));
      return;
    }
    if (error !== null) {
      const denied = error === 'access_denied';
      res.writeHead(200, PAGE_HEADERS).end(page(denied ? 'Sign-in cancelled' : 'Sign-in failed', 'You can close this tab and return to Keyport.'));
      finish(
        denied
          ? new KeyportError('CANCELLED', 'The sign-in was cancelled in the browser.', { hint: 'Sign in again when you are ready.' })
          : new KeyportError('AUTH_FAILED', `The sign-in server refused the sign-in (${safeCode(error)}).`, { hint: 'Try again; if it repeats, check the server’s client id.' }),
      );
      return;
    }
    if (!url.searchParams.get('code')) {
      res.writeHead(400, PAGE_HEADERS).end(page('Sign-in failed', 'The sign-in server sent no login code. Go back to Keyport and try again.'));
      finish(new KeyportError('AUTH_FAILED', 'The sign-in server came back without a login code.', { hint: 'Start the sign-in again.' }));
      return;
    }
    res.writeHead(200, PAGE_HEADERS).end(page('Signed in', 'You can close this tab and return to Keyport.'));
    finish(url);
  };

  const onAbort = () => finish(new KeyportError('CANCELLED', 'The sign-in was cancelled.'));
  const timer = setTimeout(() => {
    finish(
      new KeyportError('TIMEOUT', `The browser sign-in was not finished within ${Math.round(options.timeoutMs / 60000) || 1} minute(s).`, {
        hint: 'Start it again and finish the login in the browser window that opens.',
      }),
    );
  }, options.timeoutMs);
  timer.unref?.();
  if (options.signal?.aborted) {
    clearTimeout(timer);
    throw new KeyportError('CANCELLED', 'The sign-in was cancelled.');
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  ({ port } = server.address() as AddressInfo);
  return {
    redirectUri: `http://127.0.0.1:${port}${options.path}`,
    callback,
    get closed() {
      return closed;
    },
    close: () => finish(new KeyportError('CANCELLED', 'The sign-in was cancelled.')),
  };
}

/** The request target as a URL on the listener's origin, or null when it is not an
 * origin-form path (RFC 9112 §3.2.1): `//host`, `*`, absolute URLs and anything unparsable. */
function requestUrl(target: string | undefined, port: number): URL | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null;
  const origin = `http://127.0.0.1:${port}`;
  const url = URL.parse(`${origin}${target}`);
  return url !== null && url.origin === origin ? url : null;
}

const refuse = (res: ServerResponse): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(400, PAGE_HEADERS).end(page('Not accepted', 'Keyport could not read this request.'));
};

/** An OAuth error code is a short ASCII token (RFC 6749 §4.1.2.1); anything else is not echoed. */
const safeCode = (code: string): string => (/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(code) ? code : 'an unknown error');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const page = (title: string, text: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} — Keyport</title>` +
  `<style>body{font:16px system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;color:#1b1f27;background:#f6f7f9}` +
  `main{background:#fff;border:1px solid #d5dae3;border-radius:8px;padding:24px 32px;max-width:28em}` +
  `@media (prefers-color-scheme:dark){body{background:#14171c;color:#e8ebf0}main{background:#1c2027;border-color:#343a45}}</style>` +
  `</head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
