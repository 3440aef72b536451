import * as nodeTls from 'node:tls';
import type { Readable } from 'node:stream';
import type { LookupFunction as NodeLookupFunction } from 'node:net';
import { Agent, EnvHttpProxyAgent, request as undiciRequest, type Dispatcher } from 'undici';
import { KeyportError, isKeyportError } from '../errors';
import type { LookupFunction } from '../ports';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type HttpTarget,
  type TlsSettings,
} from './types';

export const TLS_HINT =
  "Add the server's CA certificate in the server's settings, or allow an insecure connection if you trust this network.";

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const proxies = readProxySettings(options.env ?? process.env);
  const agents = new Map<string, Dispatcher>();

  /** One dispatcher per target scheme and TLS settings. With a proxy for the scheme, undici's
   * EnvHttpProxyAgent given that proxy and NO_PROXY explicitly (so it never reads process.env
   * itself): https targets go through a CONNECT tunnel and the per-server TLS settings apply to
   * the server inside it; http targets are forwarded; NO_PROXY hosts connect directly. */
  function agentFor(scheme: 'http' | 'https', tls: TlsSettings): Dispatcher {
    const proxy = proxies[scheme];
    if (proxy.problem !== null) throw proxy.problem;
    const key = `${scheme}\n${tls.allowInsecureTls ? 'insecure' : 'verify'}\n${tls.caCertificatePem ?? ''}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      const lookup = options.lookup === undefined ? {} : { lookup: adaptLookup(options.lookup) };
      const targetTls = {
        rejectUnauthorized: !tls.allowInsecureTls,
        // Node replaces its default roots when `ca` is given, so keep them: a private CA is
        // an addition for one server, not a reason to stop trusting public ones.
        ...(tls.caCertificatePem === null ? {} : { ca: [...defaultRoots(), tls.caCertificatePem] }),
        // The per-request AbortSignal bounds connect, headers and body; undici's own timers
        // would cut a request short of the timeout the person chose in Settings.
        timeout: 0,
      };
      const direct = { connect: { ...targetTls, ...lookup }, headersTimeout: 0, bodyTimeout: 0 };
      agent =
        proxy.uri === null
          ? new Agent(direct)
          : new EnvHttpProxyAgent({
              ...direct,
              httpProxy: proxy.uri,
              httpsProxy: proxy.uri,
              noProxy: proxies.noProxy,
              // The proxy's own name goes through the same resolver as a server's would.
              proxyTls: { ...lookup, timeout: 0 },
              requestTls: targetTls,
            });
      agents.set(key, agent);
    }
    return agent;
  }

  async function send(target: HttpTarget, req: HttpRequest): Promise<HttpResponse> {
    const { serverName } = target;
    if (isAborted(req.signal)) throw cancelled(serverName);

    const url = buildUrl(serverName, req);
    const { headers, body } = buildHeadersAndBody(serverName, req, options.userAgent);

    const timeoutMs = options.timeoutMs();
    const effectiveTimeout = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
    // One controller and one plain timer per request, both released when it ends: cheaper than
    // AbortSignal.timeout (a timer that lives until it fires) joined with AbortSignal.any, which
    // showed in the profile of a 10-page list.
    const controller = new AbortController();
    let timedOutNow = false;
    const timer = setTimeout(() => {
      timedOutNow = true;
      controller.abort();
    }, effectiveTimeout);
    const forwardCancel = () => controller.abort();
    req.signal?.addEventListener('abort', forwardCancel, { once: true });

    try {
      const res = await undiciRequest(url, {
        dispatcher: agentFor(url.protocol === 'https:' ? 'https' : 'http', target.tls),
        method: req.method,
        headers,
        body,
        signal: controller.signal,
      });

      const declaredLength = Number(headerValue(res.headers['content-length']));
      if (Number.isFinite(declaredLength) && declaredLength > maxBodyBytes) {
        discard(res.body);
        throw tooLarge(serverName, maxBodyBytes);
      }

      const bytes = await readBody(res.body, maxBodyBytes, () => tooLarge(serverName, maxBodyBytes));

      const responseHeaders: Record<string, string> = {};
      for (const name in res.headers) {
        const value = res.headers[name];
        if (value !== undefined) responseHeaders[name.toLowerCase()] = headerValue(value);
      }
      return { status: res.statusCode, headers: responseHeaders, text: utf8Text(bytes) };
    } catch (error) {
      if (isKeyportError(error)) throw error;
      // Which signal fired decides the code, whatever undici wrapped the abort in.
      if (isAborted(req.signal)) throw cancelled(serverName, error);
      if (timedOutNow) throw timedOut(serverName, effectiveTimeout, error);
      throw mapTransportError(serverName, effectiveTimeout, error, proxies[url.protocol === 'https:' ? 'https' : 'http'].variable);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', forwardCancel);
    }
  }

  async function close(): Promise<void> {
    const all = [...agents.values()];
    agents.clear();
    await Promise.all(all.map((agent) => agent.close()));
  }

  return { send, close };
}

interface SchemeProxy {
  /** The proxy's URL, or null to connect directly. */
  uri: string | null;
  /** The variable it came from (for messages: never its value, which may hold a password). */
  variable: string | null;
  /** Set when the variable holds something that is not a proxy URL: requests then fail with it
   * rather than silently bypass a proxy the person meant to use. */
  problem: KeyportError | null;
}

export interface ProxySettings {
  http: SchemeProxy;
  https: SchemeProxy;
  noProxy: string;
}

/** Reads the proxy variables as curl, Python requests (hatcher) and Go do: HTTPS_PROXY for https
 * targets, HTTP_PROXY for http targets (no fallback from one to the other), the lower-case form
 * first, NO_PROXY as a comma list of hosts, domain suffixes, `host:port` or `*`. A value without
 * a scheme means http://, as in curl. */
export function readProxySettings(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  const first = (...names: string[]): { name: string; value: string } | null => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return { name, value };
    }
    return null;
  };
  const scheme = (lower: string, upper: string): SchemeProxy => {
    const found = first(lower, upper);
    if (found === null) return { uri: null, variable: null, problem: null };
    const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
    let url: URL | null;
    try {
      url = new URL(text);
    } catch {
      url = null;
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      return {
        uri: null,
        variable: found.name,
        problem: new KeyportError('SERVER_UNREACHABLE', `The proxy set in ${found.name} is not an http:// or https:// URL.`, {
          hint: `Fix or remove ${found.name} in your environment and restart Keyport.`,
        }),
      };
    }
    return { uri: url.href, variable: found.name, problem: null };
  };
  return {
    http: scheme('http_proxy', 'HTTP_PROXY'),
    https: scheme('https_proxy', 'HTTPS_PROXY'),
    noProxy: first('no_proxy', 'NO_PROXY')?.value ?? '',
  };
}

function buildUrl(serverName: string, req: HttpRequest): URL {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    // No cause: the TypeError's message repeats the URL, query string included.
    throw new KeyportError('VALIDATION', `The address of ${serverName} is not a valid URL.`, {
      hint: 'Check the URL in the server\u2019s settings; it should look like https://host/path.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KeyportError('VALIDATION', `The address of ${serverName} must start with https:// or http://.`, {
      hint: 'Check the URL in the server\u2019s settings.',
    });
  }
  for (const [name, value] of Object.entries(req.query ?? {})) url.searchParams.append(name, value);
  return url;
}

function buildHeadersAndBody(
  serverName: string,
  req: HttpRequest,
  userAgent: string,
): { headers: Record<string, string>; body: string | undefined } {
  // Keyed by lower-case name so a caller's `accept` replaces ours instead of doubling it.
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string): void => {
    headers.set(name.toLowerCase(), [name, value]);
  };
  set('Accept', 'application/json');
  for (const [name, value] of Object.entries(req.headers ?? {})) set(name, value);
  set('User-Agent', userAgent);

  if (req.basicAuth !== undefined && req.bearer !== undefined) {
    throw new KeyportError('INTERNAL', `The request to ${serverName} has two kinds of credentials.`);
  }
  if (req.basicAuth !== undefined) {
    const pair = `${req.basicAuth.username}:${req.basicAuth.password}`;
    const latin1 = req.basicAuth.latin1WhenPossible === true && [...pair].every((c) => c.charCodeAt(0) <= 0xff);
    const encoded = Buffer.from(pair, latin1 ? 'latin1' : 'utf8').toString('base64');
    set('Authorization', `Basic ${encoded}`);
  }
  if (req.bearer !== undefined) set('Authorization', `Bearer ${req.bearer}`);

  if ([req.json, req.form, req.rawBody].filter((b) => b !== undefined).length > 1) {
    throw new KeyportError('INTERNAL', `The request to ${serverName} has two bodies.`);
  }
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    set('Content-Type', 'application/json');
  } else if (req.form !== undefined) {
    body = new URLSearchParams(req.form).toString();
    set('Content-Type', 'application/x-www-form-urlencoded');
  } else if (req.rawBody !== undefined) {
    body = req.rawBody;
  }

  const out: Record<string, string> = {};
  for (const [name, value] of headers.values()) out[name] = value;
  return { headers: out, body };
}

/** What Node trusts when no `ca` is given: the bundled roots plus NODE_EXTRA_CA_CERTS (and the
 * OS store under --use-system-ca). getCACertificates needs Node 22.15; older runtimes get the
 * bundled roots only. */
function defaultRoots(): string[] {
  const tlsModule: { getCACertificates?: (type: 'default') => string[] } = nodeTls;
  return typeof tlsModule.getCACertificates === 'function' ? tlsModule.getCACertificates('default') : [...nodeTls.rootCertificates];
}

/** A function, not an inline check, because TypeScript would keep the narrowing from before the
 * await and call the later check impossible. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The whole body, refused (with `tooLarge()`) as soon as it passes `maxBytes`. Read with
 * 'data' events rather than an async iterator: one promise per body, not one per chunk. */
function readBody(body: Readable, maxBytes: number, tooLarge: () => KeyportError): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        body.off('data', onData);
        discard(body);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received)));
    body.once('error', reject);
  });
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** The body as text, as TextDecoder('utf-8') reads it (a leading byte-order mark dropped,
 * malformed sequences as U+FFFD) without copying the bytes into a new decoder each time. */
function utf8Text(bytes: Buffer): string {
  const bom = bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
  return bytes.toString('utf8', bom ? 3 : 0);
}

/** Destroying an unread body makes undici emit an abort error; nobody else listens for it. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function headerValue(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Node's lookup options allow 'IPv4'/'IPv6' families; the port speaks numbers only. */
function adaptLookup(lookup: LookupFunction): NodeLookupFunction {
  return (hostname, lookupOptions, callback) => {
    const { family, all } = lookupOptions;
    const numericFamily = family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : family;
    lookup(hostname, { family: numericFamily, all }, callback);
  };
}

function cancelled(serverName: string, cause?: unknown): KeyportError {
  return new KeyportError('CANCELLED', `The request to ${serverName} was cancelled.`, { cause });
}

function timedOut(serverName: string, timeoutMs: number, cause?: unknown): KeyportError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new KeyportError('TIMEOUT', `${serverName} did not answer within ${seconds} second${seconds === 1 ? '' : 's'}.`, {
    hint: 'Check that the server is running and reachable, or raise the network timeout in Settings.',
    cause,
  });
}

function tooLarge(serverName: string, maxBodyBytes: number): KeyportError {
  const mb = Math.round((maxBodyBytes / (1024 * 1024)) * 10) / 10;
  return new KeyportError('BAD_RESPONSE', `${serverName} sent an answer larger than ${mb} MB.`, {
    hint: 'Check that the URL points to the server\u2019s API and not to a file download.',
  });
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const SELF_SIGNED_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNKNOWN_ISSUER_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const VALIDITY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const NAME_MISMATCH_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH']);
const OTHER_CERT_CODES = new Set([
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

interface ErrorFacts {
  codes: Set<string>;
  /** A handshake failure reported by OpenSSL rather than by certificate verification. */
  tlsProtocol: boolean;
  /** The proxy refused the tunnel (a non-200 answer to CONNECT) or could not be reached. */
  proxy: boolean;
}

/** undici nests the socket's error under TypeError('fetch failed'), UND_ERR_* wrappers and,
 * with happy eyeballs, an AggregateError per address tried: gather the facts from all of them. */
function collectFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { codes: new Set(), tlsProtocol: false, proxy: false };
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 32) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const record = current as { code?: unknown; library?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string') {
      facts.codes.add(record.code);
      if (record.code.startsWith('ERR_SSL_')) facts.tlsProtocol = true;
      if (record.code === 'EPROTO' && typeof record.message === 'string' && /ssl|tls/i.test(record.message)) facts.tlsProtocol = true;
    }
    if (typeof record.library === 'string' && /ssl/i.test(record.library)) facts.tlsProtocol = true;
    if (record.code === 'UND_ERR_PRX_CONN' || record.code === 'UND_ERR_PRX_TLS') facts.proxy = true;
    if (typeof record.message === 'string' && /^Proxy (response \(\d+\)|Authentication Required)/.test(record.message)) facts.proxy = true;
    if (record.cause !== undefined) queue.push(record.cause);
    if (Array.isArray(record.errors)) queue.push(...(record.errors as unknown[]));
  }
  return facts;
}

function hasAny(codes: Set<string>, wanted: Set<string>): boolean {
  for (const code of codes) if (wanted.has(code)) return true;
  return false;
}

/** Messages are built from fixed text and the server's name only: undici's messages can carry
 * addresses and the request's path, so they stay in `cause` (for debugging) and never reach people. */
function mapTransportError(serverName: string, timeoutMs: number, error: unknown, proxyVariable: string | null): KeyportError {
  const { codes, tlsProtocol, proxy } = collectFacts(error);
  const tls = (message: string, hint = TLS_HINT): KeyportError => new KeyportError('TLS_FAILURE', message, { hint, cause: error });
  const proxyHint = proxyVariable === null ? '' : ` Keyport connects through the proxy in ${proxyVariable}: check that it is running, or list the server in NO_PROXY.`;

  if (proxy) {
    return new KeyportError('SERVER_UNREACHABLE', `The proxy did not let Keyport through to ${serverName}.`, {
      hint: `Check the proxy in ${proxyVariable ?? 'HTTPS_PROXY / HTTP_PROXY'} (its address, and whether it needs a user name and password), or list the server in NO_PROXY.`,
      cause: error,
    });
  }

  if (hasAny(codes, SELF_SIGNED_CODES)) return tls(`${serverName} presented a self-signed certificate, which is not trusted.`);
  if (hasAny(codes, UNKNOWN_ISSUER_CODES)) {
    return tls(`The certificate of ${serverName} was issued by an authority that is not trusted.`);
  }
  if (codes.has('CERT_HAS_EXPIRED')) return tls(`The certificate of ${serverName} has expired.`);
  if (hasAny(codes, VALIDITY_CODES)) return tls(`The certificate of ${serverName} is not valid yet.`);
  if (hasAny(codes, NAME_MISMATCH_CODES)) return tls(`The certificate of ${serverName} is not valid for its address.`);
  if (hasAny(codes, OTHER_CERT_CODES)) return tls(`The certificate of ${serverName} could not be verified.`);
  if (tlsProtocol || [...codes].some((code) => code.startsWith('ERR_TLS_'))) {
    return tls(
      `Could not set up a secure connection to ${serverName}.`,
      `Check that the URL starts with https:// only if the server speaks HTTPS. ${TLS_HINT}`,
    );
  }
  if (hasAny(codes, DNS_CODES)) {
    return new KeyportError('DNS_FAILURE', `The host name of ${serverName} could not be found.`, {
      hint: 'Check the spelling of the URL and your network connection.',
      cause: error,
    });
  }
  if (hasAny(codes, UNREACHABLE_CODES)) {
    return new KeyportError('SERVER_UNREACHABLE', `Could not connect to ${serverName}.`, {
      hint: `Check the URL and that the server is running.${proxyHint}`,
      cause: error,
    });
  }
  if (hasAny(codes, RESET_CODES)) {
    return new KeyportError('CONNECTION_RESET', `${serverName} closed the connection unexpectedly.`, {
      hint: 'Try again; if it keeps happening, a proxy or firewall may be interrupting the connection.',
      cause: error,
    });
  }
  if (hasAny(codes, TIMEOUT_CODES)) return timedOut(serverName, timeoutMs, error);
  if (codes.has('UND_ERR_INVALID_ARG')) {
    return new KeyportError('VALIDATION', `The request to ${serverName} could not be built.`, {
      hint: 'A credential or header contains characters that cannot be sent; check for pasted line breaks.',
      cause: error,
    });
  }
  return new KeyportError('SERVER_UNREACHABLE', `Could not communicate with ${serverName}.`, {
    hint: 'Check the URL and that the server is running.',
    cause: error,
  });
}
