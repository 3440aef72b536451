import { echoInput } from '../../../../shared/echoInput';
import { ENVIRONMENT_COPY_FORMATS, refuseUnsafeForPaste } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import { errorForStatus, parseJson } from '../../http/responses';
import type { HttpRequest, HttpResponse } from '../../http/types';
import type { CreatedProviderToken, Provider, ProviderToken, ServerContext, SignInResult, TokenAuth } from '../provider';
import {
  NPM_EXPECTED,
  NPM_PATHS,
  OTP_HEADER,
  asksForOtp,
  createdTokenAnswer,
  loginAnswer,
  nerfDart,
  parseCidrList,
  refusesAddress,
  tokenListAnswer,
  userDocumentAnswer,
  whoamiAnswer,
  type NpmTokenObject,
} from './npmProtocol';

/** The copy format id of the `.npmrc` line. */
const NPMRC_FORMAT = 'npmrc';
/** Values of the "access" create field. */
const READ_ONLY = 'read-only';
const PUBLISH = 'publish';
/** Kept with a session Keyport got by logging in (not a pasted token): only such a session is
 * ended at the registry at sign-out, as `npm logout` ends the token `npm login` made. */
const LOGIN_ATTRIBUTE = 'npmLogin';
/** Pages of the token list Keyport follows before it stops (a registry that loops). */
const MAX_PAGES = 50;

async function send(ctx: ServerContext, request: Omit<HttpRequest, 'url'> & { path: string }): Promise<HttpResponse> {
  const { path, ...rest } = request;
  return ctx.http.send(ctx.target, { ...rest, url: `${ctx.server.url}${path}` });
}

const ok = (res: HttpResponse) => res.status >= 200 && res.status < 300;

const otpHeaders = (otp: string | undefined): Record<string, string> | undefined => (otp ? { [OTP_HEADER]: otp } : undefined);

const badPassword = () =>
  new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.', field: 'password' });

function otpError(ctx: ServerContext, given: string | undefined, what: string): KeyportError {
  return given
    ? new KeyportError('OTP_REQUIRED', `${ctx.server.name} did not accept the one-time password.`, {
        hint: `Enter the current code from your authenticator app to ${what}; codes change every 30 seconds.`,
        field: 'otp',
      })
    : new KeyportError('OTP_REQUIRED', `${ctx.server.name} asks for a one-time password to ${what}.`, {
        hint: 'Your account has two-factor authentication: enter the code from your authenticator app.',
        field: 'otp',
      });
}

/** Who the token belongs to, by `GET /-/whoami`. A registry that does not know the token
 * answers 401 or 403 (registry.npmjs.org, Verdaccio for revoked tokens) or 200 without a name
 * (Verdaccio for tokens it cannot read). */
async function whoAmI(ctx: ServerContext, token: string, rejected: () => KeyportError): Promise<string> {
  const res = await send(ctx, { method: 'GET', path: NPM_PATHS.whoami, bearer: token });
  if (res.status === 401 || res.status === 403) throw rejected();
  if (!ok(res)) throw errorForStatus(res, ctx.server.name, { 404: notARegistry(ctx) });
  const { username } = parseJson(res, whoamiAnswer, ctx.server.name, NPM_EXPECTED);
  if (username === undefined) throw rejected();
  return username;
}

const notARegistry = (ctx: ServerContext) =>
  new KeyportError('BAD_RESPONSE', `${ctx.server.name} does not look like an npm registry (HTTP 404).`, {
    hint: `Check that the URL points to ${NPM_EXPECTED}.`,
    field: 'url',
  });

/** npm-profile's login: PUT the user document with the password, with HTTP Basic of the same
 * (Verdaccio logs in only with Basic; without it, it tries to register the user). A 409 means
 * the registry wants npm-profile's second step: read the document's revision, PUT again. */
async function login(ctx: ServerContext, username: string, password: string, otp: string | undefined): Promise<string> {
  const document = { _id: `org.couchdb.user:${username}`, name: username, password, type: 'user', roles: [], date: ctx.now().toISOString() };
  const basicAuth = { username, password };
  let res = await send(ctx, { method: 'PUT', path: NPM_PATHS.login(username), basicAuth, json: document, headers: otpHeaders(otp) });
  if (res.status === 409) {
    // Verdaccio answers 409 ("user registration disabled") when Basic failed; a CouchDB-style
    // registry, when the user exists and wants the revision. The read tells them apart.
    const read = await send(ctx, { method: 'GET', path: NPM_PATHS.login(username), query: { write: 'true' }, basicAuth, headers: otpHeaders(otp) });
    if (asksForOtp(read)) throw otpError(ctx, otp, 'sign in');
    if (!ok(read)) throw badPassword();
    const { _rev } = parseJson(read, userDocumentAnswer, ctx.server.name, NPM_EXPECTED);
    if (_rev === undefined) throw badPassword();
    res = await send(ctx, { method: 'PUT', path: NPM_PATHS.loginRevision(username, _rev), basicAuth, json: { ...document, _rev }, headers: otpHeaders(otp) });
  }
  if (asksForOtp(res)) throw otpError(ctx, otp, 'sign in');
  if (refusesAddress(res)) throw addressRefused(ctx);
  // 400: npm-profile reads it as "no such user"; Verdaccio sends it for a password too short to
  // register with, i.e. again a name and password it did not accept.
  if (res.status === 400 || res.status === 401 || res.status === 403 || res.status === 409) throw badPassword();
  if (!ok(res)) throw errorForStatus(res, ctx.server.name, { 404: notARegistry(ctx) });
  return parseJson(res, loginAnswer, ctx.server.name, NPM_EXPECTED).token;
}

const addressRefused = (ctx: ServerContext) =>
  new KeyportError('FORBIDDEN', `${ctx.server.name} does not accept requests from this computer’s address.`, {
    hint: 'The account or token is limited to some IP ranges; use it from an allowed network.',
  });

/** A token call with the session failed: what to tell. 401/403 mean the session no longer works
 * (AUTH_FAILED signs out); a read-only token as the session gets 403 for changes, which is said
 * as such by the caller's overrides. */
function tokenCallError(ctx: ServerContext, res: HttpResponse, overrides: Partial<Record<number, KeyportError>> = {}): KeyportError {
  if (refusesAddress(res)) return addressRefused(ctx);
  return errorForStatus(res, ctx.server.name, {
    401: new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts Keyport’s session.`, { hint: 'Sign in again.' }),
    403: new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts Keyport’s session.`, { hint: 'Sign in again.' }),
    404: new KeyportError('TOKENS_UNAVAILABLE', `${ctx.server.name} has no token API.`, {
      hint: 'Verdaccio offers it only with `flags: { token: true }` in its configuration.',
    }),
    ...overrides,
  });
}

function tokenFrom(t: NpmTokenObject): ProviderToken {
  const cidr = t.cidr ?? t.cidr_whitelist ?? [];
  const created = t.created === null || t.created === undefined ? null : new Date(t.created);
  const masked = t.token && t.token.length <= 40 ? t.token : null;
  return {
    id: t.key,
    // npm tokens have no name on Verdaccio and classic npmjs tokens: the masked value, which is
    // what `npm token list` shows, names them.
    name: t.name?.trim() || masked || `${t.key.slice(0, 8)}…`,
    createdAt: created && !Number.isNaN(created.getTime()) ? created.toISOString() : null,
    lastUsedAt: null,
    expiresAt: null,
    scopes: null,
    extra: {
      token: masked ?? '',
      access: t.readonly ? 'Read-only' : 'Publish',
      cidr: cidr.length > 0 ? cidr.join(', ') : 'Any address',
      key: t.key,
    },
  };
}

function createFieldsFrom(fields: Record<string, string>): { readonly: boolean; cidr: string[] } {
  const access = (fields.access ?? READ_ONLY).trim();
  if (access !== READ_ONLY && access !== PUBLISH) {
    throw new KeyportError('VALIDATION', 'Choose read-only or publish access.', { field: 'access' });
  }
  const cidr = parseCidrList(fields.cidr ?? '');
  if (!cidr.ok) {
    throw new KeyportError('VALIDATION', cidr.ipv6 ? `npm tokens accept only IPv4 ranges, not “${echoInput(cidr.bad)}”.` : `“${echoInput(cidr.bad)}” is not an IPv4 range in CIDR form.`, {
      hint: 'Write ranges such as 192.168.1.0/24 or 203.0.113.7/32, separated by commas; leave it empty to allow any address.',
      field: 'cidr',
    });
  }
  return { readonly: access === READ_ONLY, cidr: cidr.list };
}

function requirePassword(ctx: ServerContext, auth: TokenAuth): string {
  if (auth.password === null) {
    throw new KeyportError('PASSWORD_REQUIRED', `${ctx.server.name} needs your password to create a token.`, { field: 'password' });
  }
  return auth.password;
}

export const npmProvider: Provider = {
  descriptor: {
    kind: 'npm',
    label: 'npm registry',
    description: 'npm registries (registry.npmjs.org, Verdaccio), as the npm command line uses them.',
    urlLabel: 'Registry URL',
    urlPlaceholder: 'https://registry.npmjs.org',
    signInMethods: ['password', 'token'],
    tokenNoun: 'Access token',
    tokenColumns: { created: true, lastUsed: false, expires: false, scopes: false },
    copyFormats: [...ENVIRONMENT_COPY_FORMATS, { id: NPMRC_FORMAT, label: '.npmrc line' }],
    defaultCopyFormat: NPMRC_FORMAT,
    serverFields: [],
    extraColumns: [
      { id: 'token', label: 'Token' },
      { id: 'access', label: 'Access' },
      { id: 'cidr', label: 'Allowed addresses' },
    ],
    createFields: [
      {
        id: 'access',
        label: 'Access',
        choices: [
          { value: READ_ONLY, label: 'Read-only: install packages' },
          { value: PUBLISH, label: 'Publish: install and publish packages' },
        ],
        hint: 'A read-only token cannot publish or change anything.',
      },
      {
        id: 'cidr',
        label: 'Allowed IP ranges (optional)',
        placeholder: '192.168.1.0/24, 203.0.113.7/32',
        hint: 'IPv4 ranges, separated by commas. Empty: any address.',
      },
    ],
    unnamedTokens: true,
    tokenNameNote: 'npm registries do not keep token names: Keyport uses the name for its saved copy, and the registry lists the token by its masked value.',
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    tokenCreationNeedsPassword: true,
    refreshableSession: false,
    sessionCopyFormats: [],
  },

  async signInWithPassword(ctx, username, password, _client, challenge): Promise<SignInResult> {
    const session = await login(ctx, username, password, challenge?.otp);
    const name = await whoAmI(ctx, session, badPassword);
    return { session, credential: null, expiresAt: null, user: { name }, attributes: { [LOGIN_ATTRIBUTE]: 'true' } };
  },

  async signInWithToken(ctx, token): Promise<SignInResult> {
    const name = await whoAmI(
      ctx,
      token,
      () =>
        new KeyportError('AUTH_FAILED', `${ctx.server.name} did not accept this token.`, {
          hint: 'It may have been revoked, or be limited to other IP ranges. Paste a current token, or sign in with your password.',
          field: 'token',
        }),
    );
    const own = await ownTokenKey(ctx, token);
    return { session: token, credential: null, expiresAt: null, user: { name }, ...(own === null ? {} : { dependsOnTokenId: own }) };
  },

  async checkSession(ctx, session) {
    await whoAmI(ctx, session, () => new KeyportError('AUTH_FAILED', `${ctx.server.name} no longer accepts Keyport’s session.`, { hint: 'Sign in again.' }));
  },

  /** Ends the login token at the registry, as `npm logout` does. A pasted token is the person's
   * own and stays valid: Keyport only forgets it. */
  async endSession(ctx, { session, attributes }) {
    if (attributes?.[LOGIN_ATTRIBUTE] !== 'true') return;
    const res = await send(ctx, { method: 'DELETE', path: NPM_PATHS.logout(session), bearer: session });
    // 401/403: the registry no longer knows the token, which is what signing out wants.
    if (ok(res) || res.status === 401 || res.status === 403) return;
    throw errorForStatus(res, ctx.server.name);
  },

  async listTokens(ctx, { session }): Promise<ProviderToken[]> {
    const tokens: ProviderToken[] = [];
    let url: string | null = `${ctx.server.url}${NPM_PATHS.tokens}`;
    for (let page = 0; url !== null && page < MAX_PAGES; page += 1) {
      const res: HttpResponse = await ctx.http.send(ctx.target, { method: 'GET', url, bearer: session });
      if (!ok(res)) throw tokenCallError(ctx, res);
      const answer = parseJson(res, tokenListAnswer, ctx.server.name, NPM_EXPECTED);
      tokens.push(...answer.objects.map(tokenFrom));
      url = nextPage(ctx, answer.urls?.next ?? null);
    }
    return tokens;
  },

  async createToken(ctx, auth, request): Promise<CreatedProviderToken> {
    const { readonly, cidr } = createFieldsFrom(request.fields);
    const password = requirePassword(ctx, auth);
    // `name` as npm 11's `token create` sends it; registries without names ignore it.
    const body: Record<string, unknown> = { name: request.name, password, readonly, cidr_whitelist: cidr };
    const res = await send(ctx, { method: 'POST', path: NPM_PATHS.tokens, bearer: auth.session, json: body, headers: otpHeaders(request.otp) });
    if (asksForOtp(res)) throw otpError(ctx, request.otp, 'create a token');
    if (!ok(res)) {
      throw tokenCallError(ctx, res, {
        // The token API answers 401 for a wrong password (Verdaccio api/v1/token.ts).
        401: new KeyportError('PASSWORD_REQUIRED', `${ctx.server.name} did not accept your password.`, {
          hint: 'npm’s token API needs your account password to create a token. Check it and try again.',
          field: 'password',
        }),
        403: new KeyportError('FORBIDDEN', `${ctx.server.name} refused to create a token with this session.`, {
          hint: 'A read-only token cannot create tokens. Sign in with your password, or with a publish token.',
        }),
        422: new KeyportError('VALIDATION', `${ctx.server.name} did not accept the token settings.`, { hint: 'Check the access and IP ranges.', field: 'cidr' }),
      });
    }
    const answer = parseJson(res, createdTokenAnswer, ctx.server.name, NPM_EXPECTED);
    const token = tokenFrom({ ...answer, token: maskLikeVerdaccio(answer.token) });
    return { token: { ...token, name: answer.name?.trim() || request.name }, secret: answer.token };
  },

  async revokeToken(ctx, { session }, tokenId) {
    const res = await send(ctx, { method: 'DELETE', path: NPM_PATHS.token(tokenId), bearer: session });
    if (ok(res)) return;
    throw tokenCallError(ctx, res, {
      403: new KeyportError('FORBIDDEN', `${ctx.server.name} refused to revoke the token with this session.`, {
        hint: 'A read-only token cannot revoke tokens. Sign in with your password, or with a publish token.',
      }),
      404: new KeyportError('NOT_FOUND', `${ctx.server.name} has no token with this key.`, { hint: 'It may have been revoked already. Reload the list.' }),
    });
  },

  copyEnvironment(_server, secret) {
    // NPM_TOKEN is the name npm's documentation uses with `//host/:_authToken=${NPM_TOKEN}`.
    return [['NPM_TOKEN', secret]];
  },

  renderTokenCopy(format, secret, _attributes, server) {
    if (format !== NPMRC_FORMAT) return null;
    refuseUnsafeForPaste(secret, 'an .npmrc line');
    if (!server) throw new KeyportError('INTERNAL', 'The registry of this token is unknown.');
    return `${nerfDart(server.url)}:_authToken=${secret}`;
  },
};

/** The next page of the token list, only on the same registry (a page elsewhere would get the
 * session token). */
function nextPage(ctx: ServerContext, next: string | null): string | null {
  if (!next) return null;
  let url: URL;
  try {
    url = new URL(next, `${ctx.server.url}/`);
  } catch {
    return null;
  }
  return url.origin === new URL(ctx.server.url).origin ? url.toString() : null;
}

/** The key of a pasted token in the account's list, so that revoking it from Keyport says that
 * Keyport's session ends with it. The list only has masked values: the key is known when exactly
 * one listed token masks like this one (Verdaccio's mask). Best effort: no token API, another
 * mask, or any failure, and the session simply depends on no listed token. */
async function ownTokenKey(ctx: ServerContext, token: string): Promise<string | null> {
  try {
    const res = await send(ctx, { method: 'GET', path: NPM_PATHS.tokens, bearer: token });
    if (!ok(res)) return null;
    const mask = maskLikeVerdaccio(token);
    const matches = parseJson(res, tokenListAnswer, ctx.server.name, NPM_EXPECTED).objects.filter((t) => mask !== '' && t.token === mask);
    return matches.length === 1 && matches[0] ? matches[0].key : null;
  } catch {
    return null;
  }
}

/** The list shows tokens masked; the created one is shown whole once, and listed masked. */
function maskLikeVerdaccio(token: string): string {
  return token.length > 10 ? `${token.slice(0, 5)}...${token.slice(-5)}` : '';
}
