import { KeyportError } from '../../errors';
import { errorForStatus, parseJson, parseJsonList } from '../../http/responses';
import type {  HttpResponse } from '../../http/types';
import { ok, send } from '../serverHttp';
import type { CreatedProviderToken, Provider, ProviderToken, ServerContext, SignInResult, TokenAuth } from '../provider';
import { NPMRC_FORMAT, NPM_COPY_FORMATS, NPM_SERVER_FIELDS, checkNpmServer, renderNpmCopy } from './npmCopy';
import {
  NPM_EXPECTED,
  NPM_PATHS,
  OTP_HEADER,
  asksForOtp,
  createdTokenAnswer,
  isLegacyTokenApi,
  loginAnswer,
  refusesAddress,
  tokenListAnswer,
  tokenListAnswerExact,
  userDocumentAnswer,
  webLoginAnswer,
  whoamiAnswer,
  type NpmTokenList,
  type NpmTokenObject,
} from './npmProtocol';
import { NPM_CREATE_FIELDS, granularBody, legacyBody, settingsOfNpmToken, settingsRefused, tokenFrom } from './npmTokenFields';
import { probeAddress } from '../serverProbe';
import { otpError, waitForDone, withOtp } from './npmWebAuth';

/** How long a session token from npm's web login lives (registry.npmjs.org since 2025: two
 * hours; npm `login` says so). The registry does not put it in its answer: assumed. */
const WEB_SESSION_MS = 2 * 60 * 60 * 1000;
/** Kept with a session Keyport got by logging in (not a pasted token): only such a session is
 * ended at the registry at sign-out, as `npm logout` ends the token `npm login` made. */
const LOGIN_ATTRIBUTE = 'npmLogin';
/** Pages of the token list Keyport follows before it stops (a registry that loops). */
const MAX_PAGES = 50;

const otpHeaders = (otp: string | undefined): Record<string, string> | undefined => (otp ? { [OTP_HEADER]: otp } : undefined);

const badPassword = () =>
  new KeyportError('AUTH_FAILED', 'Authentication failed.', { hint: 'Check your user name and password.', field: 'password' });

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
  let res = await withOtp(ctx, otp, 'sign in', (headers) => send(ctx, { method: 'PUT', path: NPM_PATHS.login(username), basicAuth, json: document, headers }));
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
    // The browser first: registry.npmjs.org signs in there (npm login's default); registries
    // without web login (Verdaccio) say so and the person uses the password.
    signInMethods: ['browser', 'password', 'token'],
    tokenNoun: 'Access token',
    tokenColumns: { created: true, lastUsed: true, expires: true, scopes: false },
    copyFormats: NPM_COPY_FORMATS,
    defaultCopyFormat: NPMRC_FORMAT,
    serverFields: NPM_SERVER_FIELDS,
    extraColumns: [
      { id: 'token', label: 'Token' },
      { id: 'access', label: 'Access' },
      { id: 'reach', label: 'Reaches' },
      { id: 'description', label: 'Description' },
      { id: 'cidr', label: 'Allowed addresses' },
    ],
    createFields: NPM_CREATE_FIELDS,
    createNote: {
      text: 'Publishing from CI? Trusted publishing (OpenID Connect from GitHub Actions or GitLab CI/CD) needs no long-lived token: npm checks the workflow instead.',
      linkLabel: 'Trusted publishing in npm’s docs',
      url: 'https://docs.npmjs.com/trusted-publishers',
    },
    unnamedTokens: true,
    tokenNameNote: 'registry.npmjs.org keeps the name; registries with legacy tokens only (Verdaccio) do not, and list the token by its masked value (Keyport’s saved copy keeps the name).',
    revokeVerb: 'Revoke',
    tokensNeedPassword: false,
    tokenCreationNeedsPassword: true,
    refreshableSession: false,
    sessionCopyFormats: [],
  },

  checkServer: checkNpmServer,

  /** `npm ping`: a registry answers /-/ping with a JSON object, without credentials. */
  async probeServer(ctx) {
    await probeAddress(ctx, { request: { method: 'GET', path: NPM_PATHS.ping }, statuses: [200], body: () => true, expected: NPM_EXPECTED });
  },

  /** npm's web login (npm-profile webAuth): POST /-/v1/login → loginUrl + doneUrl; the person
   * signs in at loginUrl in the system browser while Keyport polls doneUrl. A registry that
   * answers the POST with 4xx or 500 has no web login (npm-profile's WebLoginNotSupported). */
  async signInWithBrowser(ctx, flow): Promise<SignInResult> {
    const res = await send(ctx, { method: 'POST', path: NPM_PATHS.webLogin, json: {}, signal: flow.signal });
    if ((res.status >= 400 && res.status <= 499) || res.status === 500) {
      throw new KeyportError('UNSUPPORTED', `${ctx.server.name} does not offer sign-in with the browser.`, {
        hint: 'Sign in with your user name and password instead (registries such as Verdaccio), or paste an access token.',
      });
    }
    if (!ok(res)) throw errorForStatus(res, ctx.server.name);
    const { loginUrl, doneUrl } = parseJson(res, webLoginAnswer, ctx.server.name, NPM_EXPECTED);
    await flow.openBrowser(loginUrl);
    const session = await waitForDone(ctx, doneUrl, { signal: flow.signal, timeoutMs: flow.timeoutMs, what: 'sign-in' });
    const name = await whoAmI(ctx, session, () => new KeyportError('AUTH_FAILED', `${ctx.server.name} gave a session it does not accept.`, { hint: 'Sign in again.' }));
    // The session token lives two hours; Keyport shows it and asks to sign in again after.
    const expiresAt = new Date(ctx.now().getTime() + WEB_SESSION_MS).toISOString();
    return { session, credential: null, expiresAt, user: { name }, attributes: { [LOGIN_ATTRIBUTE]: 'true' } };
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
    // Like `npm whoami`, one request: the token's key is found in the list Keyport reads anyway
    // (listTokens marks it), not with a second list here.
    return { session: token, credential: null, expiresAt: null, user: { name } };
  },

  async checkToken(ctx, token) {
    await whoAmI(ctx, token, () => new KeyportError('AUTH_FAILED', `${ctx.server.name} does not accept the token (npm whoami fails with it).`));
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
    await eachTokenPage(ctx, session, (answer) => {
      for (const t of answer.objects) {
        const token = tokenFrom(t);
        if (t.token && masks(t.token, session)) token.isSession = true;
        tokens.push(token);
      }
      return true;
    });
    return tokens;
  },

  async listedSettings(ctx, { session }, tokenId) {
    let found: NpmTokenObject | undefined;
    await eachTokenPage(ctx, session, (answer) => {
      found = answer.objects.find((t) => t.key === tokenId);
      return found === undefined;
    });
    if (!found) throw new KeyportError('NOT_FOUND', `${ctx.server.name} has no token with this key.`, { hint: 'It may have been revoked already. Reload the list.' });
    return settingsOfNpmToken(found);
  },

  /** The body is npm 11's for the same choices on a registry with granular tokens; on one with
   * the legacy token API only (told by its list answer, see isLegacyTokenApi) it is Verdaccio's
   * `readonly` + `cidr_whitelist`, so a read-only choice is never silently a publish token. */
  async createToken(ctx, auth, request): Promise<CreatedProviderToken> {
    const password = requirePassword(ctx, auth);
    const legacy = await usesLegacyTokenApi(ctx, auth.session);
    // Choices are checked before the POST: a refused one creates nothing.
    const body = legacy ? legacyBody(request.name, password, request.fields) : granularBody(request.name, password, request.fields);
    const res = await withOtp(ctx, request.otp, 'create a token', (headers) => send(ctx, { method: 'POST', path: NPM_PATHS.tokens, bearer: auth.session, json: body, headers }));
    if (!ok(res)) {
      throw tokenCallError(ctx, res, {
        // The token API answers 401 for a wrong password (Verdaccio api/v1/token.ts).
        401: new KeyportError('PASSWORD_REQUIRED', `${ctx.server.name} did not accept your password.`, {
          hint: 'npm’s token API needs your account password to create a token. Check it and try again.',
          field: 'password',
        }),
        403: new KeyportError('FORBIDDEN', `${ctx.server.name} refused to create a token with this session.`, {
          hint: 'A read-only token cannot create tokens (on registry.npmjs.org no token can). Sign in with the browser or your password.',
        }),
        400: settingsRefused(ctx.server.name, errorText(res)),
        409: settingsRefused(ctx.server.name, errorText(res) || 'a token with this name exists'),
        422: settingsRefused(ctx.server.name, errorText(res) || 'check the access and IP ranges'),
      });
    }
    const answer = parseJson(res, createdTokenAnswer, ctx.server.name, NPM_EXPECTED);
    const token = tokenFrom({ ...answer, token: maskLikeVerdaccio(answer.token) });
    return { token: { ...token, name: answer.name?.trim() || request.name }, secret: answer.token };
  },

  async revokeToken(ctx, { session }, tokenId, options) {
    const res = await withOtp(ctx, options?.otp, 'revoke a token', (headers) => send(ctx, { method: 'DELETE', path: NPM_PATHS.token(tokenId), bearer: session, headers }));
    if (ok(res)) return;
    throw tokenCallError(ctx, res, {
      403: new KeyportError('FORBIDDEN', `${ctx.server.name} refused to revoke the token with this session.`, {
        hint: 'A read-only token cannot revoke tokens. Sign in with the browser or your password.',
      }),
      404: new KeyportError('NOT_FOUND', `${ctx.server.name} has no token with this key.`, { hint: 'It may have been revoked already. Reload the list.' }),
    });
  },

  copyEnvironment(_server, secret) {
    // NPM_TOKEN is the name npm's documentation uses with `//host/:_authToken=${NPM_TOKEN}`.
    return [['NPM_TOKEN', secret]];
  },

  renderTokenCopy: renderNpmCopy,
};

/** The registry's error sentence (`{error}` or `{message}`), for the field it is about. */
function errorText(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.text) as { error?: unknown; message?: unknown };
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
    return text.replace(/\p{Cc}/gu, ' ').trim();
  } catch {
    return '';
  }
}

/** Reads the token list page by page (`urls.next`, same origin only, at most MAX_PAGES);
 * `onPage` returns false to stop early. */
async function eachTokenPage(ctx: ServerContext, session: string, onPage: (answer: NpmTokenList) => boolean): Promise<void> {
  let url: string | null = `${ctx.server.url}${NPM_PATHS.tokens}`;
  for (let page = 0; url !== null && page < MAX_PAGES; page += 1) {
    const res: HttpResponse = await ctx.http.send(ctx.target, { method: 'GET', url, bearer: session });
    if (!ok(res)) throw tokenCallError(ctx, res);
    const answer = parseJsonList(res, tokenListAnswer, tokenListAnswerExact, ctx.server.name, NPM_EXPECTED);
    if (!onPage(answer)) return;
    url = nextPage(ctx, answer.urls?.next ?? null);
  }
}

/** Which token API the registry has, from the first page of its list (one request). */
async function usesLegacyTokenApi(ctx: ServerContext, session: string): Promise<boolean> {
  let legacy = false;
  await eachTokenPage(ctx, session, (answer) => {
    legacy = isLegacyTokenApi(answer);
    return false;
  });
  return legacy;
}

/** Whether a listed (masked) token value is this secret's: Verdaccio shows the first and last
 * five characters around "...", registry.npmjs.org a prefix (assumed). */
function masks(masked: string, secret: string): boolean {
  const dots = masked.indexOf('...');
  if (dots >= 0) return masked === maskLikeVerdaccio(secret);
  return masked.length >= 8 && secret.startsWith(masked);
}

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

/** The list shows tokens masked; the created one is shown whole once, and listed masked. */
function maskLikeVerdaccio(token: string): string {
  return token.length > 10 ? `${token.slice(0, 5)}...${token.slice(-5)}` : '';
}
