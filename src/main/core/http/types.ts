import type { LookupFunction } from '../ports';

/** Per-server TLS settings. */
export interface TlsSettings {
  allowInsecureTls: boolean;
  /** PEM text of an extra trusted CA (added to the system roots), or null. */
  caCertificatePem: string | null;
}

/** Whom a request is for: used for TLS and in error messages (never a secret). */
export interface HttpTarget {
  serverName: string;
  tls: TlsSettings;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
  /** `latin1WhenPossible`: encode `user:password` in latin-1 when every character fits, as
   * Python's requests does (its clients' servers expect that), else UTF-8. Default UTF-8. */
  basicAuth?: { username: string; password: string; latin1WhenPossible?: boolean | undefined } | undefined;
  bearer?: string | undefined;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string> | undefined;
  /** A body already encoded by the caller (OAuth libraries), with its own Content-Type header. */
  rawBody?: string | undefined;
  /** Cancels the request (e.g. the person pressed Cancel). */
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  text: string;
}

export interface HttpClientOptions {
  /** Read on every request, so a settings change applies at once. Default 15 s. */
  timeoutMs: () => number;
  userAgent: string;
  lookup?: LookupFunction | undefined;
  /** Bodies larger than this fail with BAD_RESPONSE. Default 10 MiB. */
  maxBodyBytes?: number | undefined;
  /** Where the proxy variables are read from, once, when the client is created: HTTPS_PROXY,
   * HTTP_PROXY and NO_PROXY (lower-case forms win, as in curl). Default: `process.env`. Tests
   * pass their own, so a proxy set on the machine never changes what they test. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

export interface HttpClient {
  /** Sends a request. Resolves with any HTTP status; rejects only with a KeyportError for
   * transport failures (SERVER_UNREACHABLE, DNS_FAILURE, TIMEOUT, TLS_FAILURE,
   * CONNECTION_RESET, CANCELLED, BAD_RESPONSE for an oversized body). */
  send(target: HttpTarget, request: HttpRequest): Promise<HttpResponse>;
  /** Frees pooled connections. */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
