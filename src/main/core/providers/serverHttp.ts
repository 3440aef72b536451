import type { HttpRequest, HttpResponse } from '../http/types';
import type { ServerContext } from './provider';

/** A request to a path under the server's URL, through the server's own HTTP client (its CA,
 * TLS choice, proxy and limits). */
export async function send(ctx: ServerContext, request: Omit<HttpRequest, 'url'> & { path: string }): Promise<HttpResponse> {
  const { path, ...rest } = request;
  return ctx.http.send(ctx.target, { ...rest, url: `${ctx.server.url}${path}` });
}

/** A 2xx answer. */
export const ok = (res: HttpResponse): boolean => res.status >= 200 && res.status < 300;
