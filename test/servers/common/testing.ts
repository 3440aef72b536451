// Helpers shared by the reference servers' own tests (edsServer.test.ts, tapisServer.test.ts).
import { afterEach } from 'vitest';

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  contentType: string | null;
  text: string;
  json: unknown;
}

/** One request with fetch; `json` is undefined when the body is not JSON. */
export async function call(server: { readonly url: string }, method: string, path: string, init: { auth?: string; body?: string; contentType?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.auth !== undefined) headers.Authorization = init.auth;
  if (init.contentType !== undefined) headers['Content-Type'] = init.contentType;
  const response = await fetch(`${server.url}${path}`, { method, headers, body: init.body });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Left undefined: some answers are deliberately not JSON.
  }
  return { status: response.status, headers: response.headers, contentType: response.headers.get('content-type'), text, json };
}

/** Returns a start function whose servers all close after each test of the enclosing describe. */
export function useServers<O, S extends { close(): Promise<void> }>(startServer: (options?: O) => Promise<S>): (options?: O) => Promise<S> {
  const started: S[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const s = await startServer(options);
    started.push(s);
    return s;
  };
}
