import { KeyportError } from '../errors';
import { looksLikeHtml } from '../http/responses';
import type { HttpRequest, HttpResponse } from '../http/types';
import type { ServerContext } from './provider';

/** What a kind's server answers to a request without credentials (Provider.probeServer):
 * `statuses` a server of the kind sends and, when given, what its JSON object body holds. */
export interface ProbeExpectation {
  request: Omit<HttpRequest, 'url'> & { path: string };
  statuses: readonly number[];
  body?: ((answer: Record<string, unknown>) => boolean) | undefined;
  /** What the server should be, in words: 'an Enthought Deployment Server'. */
  expected: string;
}

/** Sends one unauthenticated request a real client of the kind would make, and says on the
 * address field when the answer is not what a server of the kind sends: a 404 (nothing there:
 * a wrong port or path, another kind of server), a web page (a portal, a proxy, a home page). */
export async function probeAddress(ctx: ServerContext, expectation: ProbeExpectation): Promise<void> {
  const { path, ...request } = expectation.request;
  const res = await ctx.http.send(ctx.target, { ...request, url: `${ctx.server.url}${path}` });
  const answer = expectation.body ? jsonObject(res) : null;
  if (expectation.statuses.includes(res.status) && (!expectation.body || (answer !== null && expectation.body(answer)))) return;
  throw new KeyportError('BAD_RESPONSE', `${ctx.server.name} did not answer as ${expectation.expected}.`, {
    hint: `Check the address and port: Keyport asked for ${path} and ${answered(res)}.`,
    field: 'url',
  });
}

function answered(res: HttpResponse): string {
  if (looksLikeHtml(res)) return `got a web page (HTTP ${res.status}), as a login portal, a proxy or another site sends`;
  if (res.status === 404) return 'nothing is there (HTTP 404): this may be another kind of server';
  return `got HTTP ${res.status}, not what such a server answers`;
}

function jsonObject(res: HttpResponse): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(res.text);
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
