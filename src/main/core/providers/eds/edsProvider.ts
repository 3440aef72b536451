import { STATUS_CODES } from 'node:http';
import type { UserInfo } from '../../../../shared/model';
import { ENVIRONMENT_COPY_FORMATS } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson, parseJsonList } from '../../http/responses';
import { serverErrorText } from '../../http/serverText';
import type { HttpRequest, HttpResponse } from '../../http/types';
import { ok, send } from '../serverHttp';
import type { Provider, ProviderToken, ServerContext, SignInResult } from '../provider';
import { probeAddress } from '../serverProbe';
import { EDS_EXPECTED, EDS_PATHS, createdTokenAnswer, sessionAnswer, tokenListAnswer, tokenListAnswerFast, userAnswer, type EdsTokenEntry } from './edsProtocol';

const TOKENS_ONLY_HOSTED =
  'API tokens are available only on Enthought-hosted EDS, not on on-site servers. Sign in with your user name and password instead.';

/** Keyport's error for the status, with the server's own words when it sent any (EDS errors are
 * `{"error": "…"}`, which hatcher prints as they are): "did not accept the name" or "unexpected
 * status (HTTP 422)" alone hides what the server said was wrong. A 401 keeps Keyport's text: it
 * means the session ended, and the session service acts on that; so do the statuses in
 * `exact`, whose message already says all the server can (a taken name, an unknown token). */
function failure(ctx: ServerContext, res: HttpResponse, overrides?: Parameters<typeof errorForStatus>[2], exact: readonly number[] = []): KeyportError {
  const base = errorForStatus(res, ctx.server.name, overrides);
  const said = res.status === 401 || exact.includes(res.status) ? null : serverErrorText(res);
  // "Too Many Requests" or "Internal Server Error" says nothing the status did not.
  if (said === null || said === STATUS_CODES[res.status]) return base;
  return new KeyportError(base.code, `${base.message.replace(/\.$/, '')}. ${ctx.server.name} says: “${said}”`, { hint: base.hint, field: base.field });
}

/** Exchanges credentials for a session token, as hatcher's BroodClientAuth does. */
async function openSession(ctx: ServerContext, auth: Pick<HttpRequest, 'basicAuth' | 'bearer'>, rejected: KeyportError): Promise<string> {
  const res = await send(ctx, { method: 'POST', path: EDS_PATHS.session, ...auth, form: {} });
  if (res.status === 401 || res.status === 403) throw rejected;
  if (!ok(res)) throw failure(ctx, res);
  return parseJson(res, sessionAnswer, ctx.server.name, EDS_EXPECTED).token;
}

/** Who the session belongs to. The path is assumed (hatcher never calls it), so it is
 * optional: whatever it answers (an error status, a strange body, no answer at all), the
 * session the server already granted stands, under the name typed at sign-in. */
async function whoAmI(ctx: ServerContext, session: string, fallback: UserInfo): Promise<UserInfo> {
  try {
    const res = await send(ctx, { method: 'GET', path: EDS_PATHS.currentUser, bearer: session });
    if (!ok(res)) return fallback;
    const user = parseJson(res, userAnswer, ctx.server.name, EDS_EXPECTED);
    return { name: user.name, email: user.email };
  } catch {
    return fallback;
  }
}

const badPassword = () =>
  new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.' });
const badToken = () =>
  new KeyportError('AUTH_FAILED', 'Authentication failed: the server did not accept this API token.', {
    hint: 'The token may have been revoked. Paste a current token, or sign in with your password.',
  });

export const edsProvider: Provider = {
  descriptor: {
    kind: 'eds',
    label: 'Enthought Deployment Server',
    description: 'EDS (formerly brood), as the hatcher command line uses it.',
    urlLabel: 'Server URL',
    urlPlaceholder: 'https://packages.enthought.com',
    signInMethods: ['password', 'token'],
    tokenNoun: 'API token',
    tokenColumns: { created: true, lastUsed: true, expires: false, scopes: false },
    copyFormats: ENVIRONMENT_COPY_FORMATS,
    defaultCopyFormat: 'shell',
    tokenCreationNote: TOKENS_ONLY_HOSTED,
    // hatcher/core/brood_url_handler.py keeps only the scheme and host for API calls; only the
    // sign-in (hatcher/core/auth.py) uses the path.
    urlPathWarning:
      'hatcher signs in at this address but calls the API at {root}/api/…, without {path}: with this URL hatcher fails with 404 (Keyport works). Use the server’s root address if it serves the API there.',
    serverFields: [],
    extraColumns: [],
    createFields: [],
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    refreshableSession: false,
    sessionCopyFormats: [],
  },

  /** hatcher's sign-in request without credentials: an EDS refuses it with 401. */
  async probeServer(ctx) {
    await probeAddress(ctx, { request: { method: 'POST', path: EDS_PATHS.session, form: {} }, statuses: [401, 403], expected: EDS_EXPECTED });
  },

  async signInWithPassword(ctx, username, password): Promise<SignInResult> {
    // latin-1 where it can be, as hatcher (requests) sends it, so one password works in both.
    const session = await openSession(ctx, { basicAuth: { username, password, latin1WhenPossible: true } }, badPassword());
    return { session, user: await whoAmI(ctx, session, { name: username }), credential: null, expiresAt: null };
  },

  async signInWithToken(ctx, token): Promise<SignInResult> {
    const session = await openSession(ctx, { bearer: token }, badToken());
    return { session, user: await whoAmI(ctx, session, { name: 'API token user' }), credential: token, expiresAt: null };
  },

  /** As hatcher uses an API token: a session opened with it (POST auth/tokens/auth, Bearer). */
  async checkToken(ctx, token) {
    await openSession(ctx, { bearer: token }, badToken());
  },

  async renewSession(ctx, credential) {
    return { session: await openSession(ctx, { bearer: credential }, badToken()), credential, expiresAt: null };
  },

  async listTokens(ctx, { session }): Promise<ProviderToken[]> {
    const res = await send(ctx, { method: 'GET', path: EDS_PATHS.apiTokens, bearer: session });
    if (res.status === 403 || res.status === 404) throw tokensUnavailable(ctx);
    if (!ok(res)) throw failure(ctx, res);
    const { tokens } = parseJsonList(res, tokenListAnswerFast, tokenListAnswer, ctx.server.name, EDS_EXPECTED);
    const listed: ProviderToken[] = new Array<ProviderToken>(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as EdsTokenEntry;
      listed[i] = { id: t.name, name: t.name, createdAt: t.created ?? null, lastUsedAt: t.last_used ?? null, expiresAt: null, scopes: null };
    }
    return listed;
  },

  async createToken(ctx, { session }, { name }) {
    const res = await send(ctx, { method: 'POST', path: EDS_PATHS.apiTokens, bearer: session, json: { name } });
    if (res.status === 403 || res.status === 404) throw tokensUnavailable(ctx);
    if (!ok(res)) {
      throw failure(ctx, res, {
        409: new KeyportError('CONFLICT', `A token named “${name}” already exists on ${ctx.server.name}.`, {
          hint: 'Choose another name, or revoke the existing token first.',
          field: 'name',
        }),
        400: new KeyportError('VALIDATION', `${ctx.server.name} did not accept the name “${name}”.`, {
          hint: 'Change the name as the server asks, then try again.',
          field: 'name',
        }),
      }, [409]);
    }
    const created = parseJson(res, createdTokenAnswer, ctx.server.name, EDS_EXPECTED);
    return {
      token: { id: created.name, name: created.name, createdAt: created.created, lastUsedAt: null, expiresAt: null, scopes: null },
      secret: created.token,
    };
  },

  async revokeToken(ctx, { session }, tokenId) {
    const res = await send(ctx, { method: 'DELETE', path: EDS_PATHS.apiToken(tokenId), query: { force: 'False' }, bearer: session });
    if (ok(res)) return;
    throw failure(ctx, res, {
      404: new KeyportError('NOT_FOUND', `${ctx.server.name} has no token named “${tokenId}”.`, {
        hint: 'It may have been revoked already. Reload the list.',
      }),
    }, [404]);
  },

  copyEnvironment(server, secret) {
    const env: Array<[string, string]> = [
      ['HATCHER_URL', server.url],
      ['HATCHER_TOKEN', secret],
    ];
    // hatcher has no CA option, so a server Keyport reaches only insecurely needs the same flag.
    if (server.allowInsecureTls) env.push(['HATCHER_INSECURE', '1']);
    // A server signed by the CA file Keyport trusts: hatcher verifies with requests, which reads
    // the bundle from REQUESTS_CA_BUNDLE. Not beside HATCHER_INSECURE: requests lets the bundle
    // override verify=False (requests#3829), so the two together fail on the API calls.
    else if (server.caCertificatePath !== null) env.push(['REQUESTS_CA_BUNDLE', server.caCertificatePath]);
    return env;
  },
};

function tokensUnavailable(ctx: ServerContext): KeyportError {
  return new KeyportError('TOKENS_UNAVAILABLE', `${ctx.server.name} does not offer API tokens to this account.`, {
    hint: TOKENS_ONLY_HOSTED,
  });
}
