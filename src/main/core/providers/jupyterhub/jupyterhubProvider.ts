import type { UserInfo } from '../../../../shared/model';
import { ENVIRONMENT_COPY_FORMATS, refuseUnsafeForPaste } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson } from '../../http/responses';
import type { HttpResponse } from '../../http/types';
import { ok, send } from '../serverHttp';
import type { CreatedProviderToken, Provider, ProviderToken, ServerContext, SignInResult } from '../provider';
import {
  HUB_EXPECTED,
  HUB_PATHS,
  SESSION_NOTE,
  apiUrl,
  authorization,
  createdTokenAnswer,
  errorAnswer,
  expiresInSeconds,
  hubBaseUrl,
  hubTokenId,
  isoTime,
  keyportTokenId,
  parseScopes,
  requireWellFormed,
  settingsOfHubToken,
  tokenListAnswer,
  tokenModel,
  userAnswer,
  versionAnswer,
  type HubToken,
  type HubUser,
} from './jupyterhubProtocol';

/** The copy format id of the HTTP header curl sends (`curl -H "…"`). */
const CURL_HEADER_FORMAT = 'curl-header';
/** Kept with a session Keyport got with the password: only the token Keyport made is deleted at
 * sign-out; a pasted token is the person's own and stays valid. */
const LOGIN_ATTRIBUTE = 'hubLogin';
/** The hub's `a<n>` id and user name of the session's token, for deleting it at sign-out. */
const TOKEN_ID_ATTRIBUTE = 'hubTokenId';
const USER_ATTRIBUTE = 'hubUser';

/** The hub's error message (`{"status", "message"}`), or null when it gives none. */
function hubMessage(res: HttpResponse): string | null {
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(res.text));
    return parsed.success ? (parsed.data.message ?? null) : null;
  } catch {
    return null;
  }
}

const notAHub = (ctx: ServerContext, status: number) =>
  new KeyportError('BAD_RESPONSE', `${ctx.server.name} does not look like a JupyterHub (HTTP ${status} for its API).`, {
    hint: `Check that the URL is the hub’s base address, such as https://hub.example.org: Keyport adds /hub/api.`,
    field: 'url',
  });

const sessionEnded = (ctx: ServerContext) => () => new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts Keyport’s token.`, { hint: 'It may have expired or been revoked. Sign in again.' });

/** Who the token belongs to, with the token's own scopes: `GET /hub/api/user`. An unknown,
 * revoked or expired token gets 403. */
async function whoAmI(ctx: ServerContext, token: string, rejected: () => KeyportError): Promise<HubUser> {
  const res = await send(ctx, { method: 'GET', path: HUB_PATHS.user, headers: authorization(token) });
  if (res.status === 401 || res.status === 403) throw rejected();
  if (res.status === 404) throw notAHub(ctx, 404);
  if (!ok(res)) throw errorForStatus(res, ctx.server.name);
  const user = parseJson(res, userAnswer, ctx.server.name, HUB_EXPECTED);
  if (user.kind !== undefined && user.kind !== 'user') {
    throw new KeyportError('UNSUPPORTED', `This token belongs to the ${user.kind} “${user.name}”, not to a person.`, {
      hint: 'Keyport manages a person’s own tokens: paste a token from your hub’s token page (/hub/token).',
      field: 'token',
    });
  }
  return user;
}

function userInfo(user: HubUser): UserInfo {
  return user.admin === true ? { name: user.name, role: 'hub administrator' } : { name: user.name };
}

function tokenFrom(t: HubToken): ProviderToken {
  return {
    id: keyportTokenId(t),
    // The hub names a token by its note; one made without gets "Requested via api".
    name: t.note?.trim() || `Token ${t.id}`,
    createdAt: isoTime(t.created),
    lastUsedAt: isoTime(t.last_activity),
    expiresAt: isoTime(t.expires_at),
    // Sorted: the hub lists them in no useful order.
    scopes: t.scopes ? [...t.scopes].sort() : null,
    extra: { hubId: t.id, issuedBy: t.oauth_client ?? '' },
  };
}

async function listed(ctx: ServerContext, session: string, user: string): Promise<HubToken[]> {
  const res = await send(ctx, { method: 'GET', path: HUB_PATHS.tokens(user), headers: authorization(session) });
  if (res.status === 403 || res.status === 404) {
    throw new KeyportError('FORBIDDEN', `Keyport’s token may not list your tokens on ${ctx.server.name}.`, {
      hint: 'It lacks the read:tokens scope. Sign in with your password, or paste a token that has it.',
    });
  }
  if (!ok(res)) throw errorForStatus(res, ctx.server.name);
  return parseJson(res, tokenListAnswer, ctx.server.name, HUB_EXPECTED).api_tokens;
}

const badPassword = (ctx: ServerContext) =>
  new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept this user name and password.`, {
    hint: `Check them. A hub that signs you in through GitHub, CILogon or another service takes no password here: request a token on ${ctx.server.url}/hub/token and paste it.`,
    field: 'password',
  });

/** The hub's 400 for a token request, said on the field at fault. */
function createRefused(ctx: ServerContext, res: HttpResponse): KeyportError {
  const message = hubMessage(res) ?? '';
  const limit = /must not exceed (\d+)/.exec(message);
  if (limit) {
    return new KeyportError('VALIDATION', `${ctx.server.name} allows tokens to last at most ${duration(Number(limit[1]))}.`, {
      hint: 'Choose a shorter time, or leave it empty for the longest allowed.',
      field: 'expiresIn',
    });
  }
  const excess = /requested scopes (.+) not held by/.exec(message);
  if (excess) {
    return new KeyportError('VALIDATION', `You do not hold these scopes on ${ctx.server.name}: ${excess[1]?.split(',').join(' ')}.`, {
      hint: 'Choose among the scopes of your session (shown above), or leave the field empty for all of yours.',
      field: 'scopes',
    });
  }
  const unknown = /Scope '(.+)' .*does not exist/.exec(message);
  if (unknown) {
    return new KeyportError('VALIDATION', `${ctx.server.name} has no scope “${unknown[1] ?? ''}”.`, {
      hint: 'Choose among the scopes of your session (shown above), or leave the field empty for all of yours.',
      field: 'scopes',
    });
  }
  return new KeyportError('VALIDATION', `${ctx.server.name} did not accept the token settings${message ? `: ${message.slice(0, 200)}` : ''}.`, { field: 'name' });
}

/** Seconds as people say them, for the hub's limit. */
function duration(seconds: number): string {
  const [count, unit] = seconds % 86_400 === 0 ? [seconds / 86_400, 'day'] : seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** The session's own token in the list, for its creation time and expiry (the id alone is not
 * enough, see keyportTokenId). Best effort: a token without read:tokens cannot list. */
async function ownToken(ctx: ServerContext, token: string, user: HubUser): Promise<HubToken | null> {
  if (!user.token_id) return null;
  try {
    return (await listed(ctx, token, user.name)).find((t) => t.id === user.token_id) ?? null;
  } catch {
    return null;
  }
}

export const jupyterhubProvider: Provider = {
  descriptor: {
    kind: 'jupyterhub',
    label: 'JupyterHub',
    description: 'A JupyterHub’s API tokens, as JUPYTERHUB_API_TOKEN and its REST API use them.',
    urlLabel: 'Hub URL',
    urlPlaceholder: 'https://hub.example.org',
    signInMethods: ['password', 'token'],
    tokenNoun: 'API token',
    tokenColumns: { created: true, lastUsed: true, expires: true, scopes: true },
    copyFormats: [...ENVIRONMENT_COPY_FORMATS, { id: CURL_HEADER_FORMAT, label: 'curl header' }],
    defaultCopyFormat: 'shell',
    serverFields: [],
    extraColumns: [
      { id: 'hubId', label: 'Id' },
      { id: 'issuedBy', label: 'Issued by' },
    ],
    createFields: [
      { id: 'expiresIn', label: 'Expires in (optional)', placeholder: '30d', hint: 'Days (30 or 30d) or hours (12h). Empty: the hub’s default (never, or its longest allowed).' },
      {
        id: 'scopes',
        label: 'Scopes (optional)',
        placeholder: 'read:users!user=alice',
        hint: 'Pick some of your session’s scopes. None picked: all of yours.',
        choicesFromSessionScopes: true,
      },
    ],
    tokenSignInHint: 'Hubs that sign you in through GitHub, CILogon or another service have no password here: request a token on the hub’s token page (/hub/token) and paste it.',
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    refreshableSession: false,
    sessionCopyFormats: [],
    serverDescription: { title: 'JupyterHub' },
  },

  checkServer(url) {
    return { url: hubBaseUrl(url), options: {} };
  },

  async describeServer(ctx) {
    const res = await send(ctx, { method: 'GET', path: HUB_PATHS.root });
    if (!ok(res)) throw notAHub(ctx, res.status);
    let version: string;
    try {
      version = parseJson(res, versionAnswer, ctx.server.name, HUB_EXPECTED).version;
    } catch (error) {
      throw error instanceof KeyportError ? new KeyportError(error.code, error.message, { hint: error.hint, field: 'url' }) : error;
    }
    return [
      { label: 'JupyterHub version', value: version },
      { label: 'API address', value: apiUrl(ctx.server.url) },
    ];
  },

  async signInWithPassword(ctx, username, password): Promise<SignInResult> {
    requireWellFormed(username, 'user name', 'username');
    requireWellFormed(password, 'password', 'password');
    if (username.trim() === '') throw new KeyportError('VALIDATION', 'Enter your user name on the hub.', { field: 'username' });
    const res = await send(ctx, { method: 'POST', path: HUB_PATHS.tokens(username), json: { auth: { username, password }, note: SESSION_NOTE } });
    if (res.status === 401 || res.status === 403) throw badPassword(ctx);
    if (res.status === 404) throw notAHub(ctx, 404);
    if (!ok(res)) throw errorForStatus(res, ctx.server.name);
    const created = parseJson(res, createdTokenAnswer, ctx.server.name, HUB_EXPECTED);
    const user = await whoAmI(ctx, created.token, sessionEnded(ctx));
    return {
      session: created.token,
      credential: null,
      expiresAt: isoTime(created.expires_at),
      user: userInfo(user),
      attributes: { scope: (user.scopes ?? []).join(' '), [LOGIN_ATTRIBUTE]: 'true', [TOKEN_ID_ATTRIBUTE]: created.id, [USER_ATTRIBUTE]: user.name },
      dependsOnTokenId: keyportTokenId(created),
    };
  },

  async signInWithToken(ctx, token): Promise<SignInResult> {
    requireWellFormed(token, 'token', 'token');
    const user = await whoAmI(
      ctx,
      token.trim(),
      () =>
        new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept this token.`, {
          hint: 'It may have expired or been revoked. Request a new one on the hub’s token page (/hub/token), or sign in with your password.',
          field: 'token',
        }),
    );
    const own = await ownToken(ctx, token.trim(), user);
    return {
      session: token.trim(),
      credential: null,
      expiresAt: isoTime(own?.expires_at),
      user: userInfo(user),
      attributes: { scope: (user.scopes ?? []).join(' ') },
      ...(own ? { dependsOnTokenId: keyportTokenId(own) } : {}),
    };
  },

  async checkToken(ctx, token) {
    await whoAmI(ctx, token, () => new KeyportError('AUTH_FAILED', `${ctx.server.name} does not accept the token (GET /hub/api/user fails with it).`));
  },

  async checkSession(ctx, session) {
    await whoAmI(ctx, session, sessionEnded(ctx));
  },

  /** Deletes the token Keyport made with the password, as the person would expect of signing
   * out. A token deleted already (revoked from the list, expired) is what signing out wants. */
  async endSession(ctx, { session, attributes }) {
    const id = attributes?.[TOKEN_ID_ATTRIBUTE];
    const user = attributes?.[USER_ATTRIBUTE];
    if (attributes?.[LOGIN_ATTRIBUTE] !== 'true' || !id || !user) return;
    const res = await send(ctx, { method: 'DELETE', path: HUB_PATHS.token(user, id), headers: authorization(session) });
    if (ok(res) || res.status === 403 || res.status === 404) return;
    throw errorForStatus(res, ctx.server.name);
  },

  async listTokens(ctx, { session }): Promise<ProviderToken[]> {
    const user = await whoAmI(ctx, session, sessionEnded(ctx));
    return (await listed(ctx, session, user.name)).map(tokenFrom);
  },

  async listedSettings(ctx, { session }, tokenId) {
    const user = await whoAmI(ctx, session, sessionEnded(ctx));
    const token = (await listed(ctx, session, user.name)).find((t) => keyportTokenId(t) === tokenId);
    if (!token) throw new KeyportError('NOT_FOUND', `${ctx.server.name} no longer has this token.`, { hint: 'It was revoked or expired already. Reload the list.' });
    return settingsOfHubToken(token);
  },

  async createToken(ctx, { session }, request): Promise<CreatedProviderToken> {
    requireWellFormed(request.name, 'token name', 'name');
    for (const [field, value] of Object.entries(request.fields)) requireWellFormed(value, 'text', field);
    const expiresIn = expiresInSeconds(request.fields.expiresIn ?? '');
    const scopes = parseScopes(request.fields.scopes ?? '');
    const user = await whoAmI(ctx, session, sessionEnded(ctx));
    const body: Record<string, unknown> = { note: request.name.trim() };
    if (expiresIn !== null) body.expires_in = expiresIn;
    if (scopes.length > 0) body.scopes = scopes;
    const res = await send(ctx, { method: 'POST', path: HUB_PATHS.tokens(user.name), json: body, headers: authorization(session) });
    if (res.status === 400) throw createRefused(ctx, res);
    if (res.status === 403) {
      throw new KeyportError('FORBIDDEN', `Keyport’s token may not create tokens on ${ctx.server.name}.`, {
        hint: 'It lacks the tokens scope. Sign in with your password, or paste a token that has it.',
      });
    }
    if (!ok(res)) throw errorForStatus(res, ctx.server.name);
    const created = parseJson(res, createdTokenAnswer, ctx.server.name, HUB_EXPECTED);
    return { token: tokenFrom(created), secret: created.token };
  },

  async revokeToken(ctx, { session }, tokenId) {
    const user = await whoAmI(ctx, session, sessionEnded(ctx));
    const id = hubTokenId(tokenId);
    const gone = () => new KeyportError('NOT_FOUND', `${ctx.server.name} no longer has this token.`, { hint: 'It was revoked or expired already. Reload the list.' });
    // The hub reuses ids: check that `a<n>` is still the token that was listed before deleting.
    if (id !== tokenId) {
      const res = await send(ctx, { method: 'GET', path: HUB_PATHS.token(user.name, id), headers: authorization(session) });
      if (res.status === 404) throw gone();
      if (ok(res) && keyportTokenId(parseJson(res, tokenModel, ctx.server.name, HUB_EXPECTED)) !== tokenId) throw gone();
    }
    const res = await send(ctx, { method: 'DELETE', path: HUB_PATHS.token(user.name, id), headers: authorization(session) });
    if (ok(res)) return;
    if (res.status === 404) throw gone();
    if (res.status === 403) {
      throw new KeyportError('FORBIDDEN', `Keyport’s token may not revoke tokens on ${ctx.server.name}.`, {
        hint: 'It lacks the tokens scope. Sign in with your password, or paste a token that has it.',
      });
    }
    throw errorForStatus(res, ctx.server.name);
  },

  copyEnvironment(server, secret) {
    // What HubAuth and JupyterHub's services read (jupyterhub/services/auth.py).
    return [
      ['JUPYTERHUB_API_TOKEN', secret],
      ['JUPYTERHUB_API_URL', apiUrl(server.url)],
    ];
  },

  renderTokenCopy(format, secret) {
    if (format !== CURL_HEADER_FORMAT) return null;
    refuseUnsafeForPaste(secret, 'an Authorization header');
    return `Authorization: token ${secret}`;
  },
};
