// Plumbing shared by the reference servers (EDS and Tapis): listening on 127.0.0.1 on an
// ephemeral port, optional self-signed HTTPS, body reading, JSON answers, the Authorization
// header, the request log and close. Each server keeps its own routes and error shapes.
// Like the servers, this file must run under plain `node --experimental-strip-types`
// (npm run servers): erasable TypeScript only, nothing imported from src/.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import type { FaultInjector } from './faults.ts';

export { JSON_TYPE, MAX_BODY_BYTES, readBody, send, sendJson } from './httpReply.ts';

export type AuthScheme = 'basic' | 'bearer' | 'none' | 'other';

export type Credentials =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; token: string }
  | { scheme: 'none' }
  | { scheme: 'other' };

/** `basicCharset`: how the server reads Basic `user:password` bytes; Python servers behind
 * requests-based clients (hatcher) see latin-1, which is what requests sends. */
export function parseAuthorization(header: string | undefined, basicCharset: 'utf8' | 'latin1' = 'utf8'): Credentials {
  if (header === undefined || header.trim() === '') return { scheme: 'none' };
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (scheme.toLowerCase() === 'bearer' && value !== '') return { scheme: 'bearer', token: value };
  if (scheme.toLowerCase() === 'basic' && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString(basicCharset);
    const colon = decoded.indexOf(':');
    if (colon < 0) return { scheme: 'other' };
    return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { scheme: 'other' };
}

// Hashing first gives equal-length buffers, so timingSafeEqual never throws and the
// comparison time does not reveal the secret's length.
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** The fields every request log entry has; each server adds its own. */
export interface LogEntryBase {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly auth: AuthScheme;
  status: number | null;
}

export interface RequestHandlerOptions<E extends LogEntryBase> {
  readonly requestLog: E[];
  readonly faults: FaultInjector;
  /** Builds the log entry from the common fields. */
  entry(base: LogEntryBase): E;
  route(req: IncomingMessage, res: ServerResponse, path: string, credentials: Credentials, entry: E): Promise<void>;
  /** Answers an error thrown by route. */
  fail(res: ServerResponse, error: unknown): void;
  /** How Basic credentials are decoded (parseAuthorization); default UTF-8. */
  readonly basicCharset?: 'utf8' | 'latin1';
}

/** Logs the request, applies the faults, then routes it; errors go to `fail`. */
export function requestHandler<E extends LogEntryBase>(options: RequestHandlerOptions<E>): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const credentials = parseAuthorization(req.headers.authorization, options.basicCharset);
    const entry = options.entry({
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.search.replace(/^\?/, ''),
      auth: credentials.scheme,
      status: null,
    });
    options.requestLog.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    try {
      if (await options.faults.apply(req, res, target.pathname)) return;
      await options.route(req, res, target.pathname, credentials, entry);
    } catch (error) {
      options.fail(res, error);
    }
  };
  return (req, res) => {
    void handle(req, res);
  };
}

export async function makeCertificate(): Promise<{ key: string; cert: string }> {
  // EC keys generate in milliseconds where RSA takes about a second; the SANs let clients
  // connect by IP (the URL we report) or by "localhost". cA:false keeps it a plain server
  // certificate, which both Node and Python's OpenSSL accept as a trust anchor.
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 7 * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export interface ListeningServer {
  /** http(s)://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  /** PEM of the self-signed certificate to trust; undefined for plain HTTP. */
  readonly caPem: string | undefined;
  /** Ends pending fault delays, then closes the server and every connection; idempotent. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on an ephemeral port, over HTTPS with a fresh self-signed certificate
 * when asked. */
export async function listen(
  options: { https?: boolean; faults: FaultInjector },
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ListeningServer> {
  let caPem: string | undefined;
  let server: Server;
  if (options.https === true) {
    const { key, cert } = await makeCertificate();
    caPem = cert;
    server = createHttpsServer({ key, cert }, listener);
  } else {
    server = createHttpServer(listener);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `${options.https === true ? 'https' : 'http'}://127.0.0.1:${port}`,
    caPem,
    close: async () => {
      if (closed) return;
      closed = true;
      options.faults.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
