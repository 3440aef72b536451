// The provider against a small fake of JupyterHub 6.1.1's token API, for what a real hub
// cannot be made to do on cue (a reused id between list and revoke, a service's token, a
// proxy's 404) and to count what Keyport sends. The real hub judges the same behaviour in
// conformance/keyportWithJupyterHub.test.ts and e2e/jupyterhub.spec.ts; the fake's answers are
// copied from that hub (docs/protocols/jupyterhub.md).
import { HOSTILE_PASTE_VALUES } from '../../../../../test/support/hostilePasteValues';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderCopyText } from '../../clipboard/copyFormats';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerContext, TokenAuth } from '../provider';
import { createProviderRegistry } from '../registry';
import { randomBytes } from 'node:crypto';
import { createTestCore, mapStore as testCoreStore, type TestCore } from '../../../../../test/support/testCore';
import { forgetRecordedSettings } from '../../../../../test/support/vaultTesting';
import { expiresInSeconds, hubBaseUrl, hubTokenId, keyportTokenId, parseScopes, requireWellFormed } from './jupyterhubProtocol';
import { jupyterhubProvider as provider } from './jupyterhubProvider';

interface FakeToken {
  id: number;
  user: string;
  secret: string;
  note: string;
  created: string;
  expires_at: string | null;
  scopes: string[];
}

const USERS: Record<string, { password: string; admin: boolean; kind?: string }> = {
  alice: { password: 'alice-secret-password', admin: true },
  bob: { password: 'bob-secret-password', admin: false },
  'announcer-service': { password: '', admin: false, kind: 'service' },
};
const scopesOf = (user: string) => (USERS[user]?.admin ? ['admin:users', 'tokens', 'read:tokens'] : [`tokens!user=${user}`, `read:tokens!user=${user}`, `read:users!user=${user}`]);

class FakeHub {
  tokens: FakeToken[] = [];
  requests: string[] = [];
  maxExpiresIn = 0;
  private clock = 0;
  private server: Server = createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  reset(): void {
    this.tokens = [];
    this.requests = [];
    this.maxExpiresIn = 0;
  }

  /** Like SQLite without AUTOINCREMENT: the next id is one more than the largest left. */
  issue(user: string, note: string, scopes: string[] = scopesOf(user), expiresIn: number | null = null): FakeToken {
    const id = Math.max(0, ...this.tokens.map((t) => t.id)) + 1;
    this.clock += 1;
    const created = new Date(Date.UTC(2026, 11, 6, 4, 0, this.clock)).toISOString().replace('Z', '123Z');
    const expires_at = expiresIn === null ? null : new Date(Date.parse(created) + expiresIn * 1000).toISOString();
    const token = { id, user, secret: `secret-${user}-${id}-${this.clock}`, note, created, expires_at, scopes };
    this.tokens.push(token);
    return token;
  }

  private model(t: FakeToken) {
    return { user: t.user, id: `a${t.id}`, kind: 'api_token', roles: [], scopes: t.scopes, created: t.created, last_activity: null, expires_at: t.expires_at, note: t.note, session_id: null, oauth_client: 'JupyterHub' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    this.requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    const error = (status: number, message: string | null) => send(status, { status, message });
    const match = /^token (\S+)$/i.exec(req.headers.authorization ?? '');
    const caller = this.tokens.find((t) => t.secret === match?.[1]);
    const path = req.url ?? '';
    if (path === '/hub/api/') return send(200, { version: '6.1.1' });
    if (path === '/hub/api/user' && req.method === 'GET') {
      if (!caller) return error(403, null);
      const kind = USERS[caller.user]?.kind ?? 'user';
      return send(200, { kind, name: caller.user, admin: USERS[caller.user]?.admin ?? false, token_id: `a${caller.id}`, scopes: caller.scopes });
    }
    const tokens = /^\/hub\/api\/users\/([^/]+)\/tokens(?:\/([^/]+))?$/.exec(path);
    if (!tokens) return error(404, 'Not Found');
    const user = decodeURIComponent(tokens[1] ?? '');
    const id = tokens[2];
    if (req.method === 'POST' && !id) {
      const body = JSON.parse(text || '{}') as { auth?: { username: string; password: string }; note?: string; expires_in?: number; scopes?: string[] };
      let requester = caller?.user;
      if (!caller) {
        const known = body.auth && USERS[body.auth.username];
        if (!known || known.password !== body.auth?.password || known.password === '') return error(403, null);
        requester = body.auth?.username;
      }
      const mayCreate = !caller || caller.scopes.some((s) => s === 'tokens' || s === `tokens!user=${user}`);
      if (requester !== user || !mayCreate) return error(403, `User ${user} not found or no permissions to generate tokens`);
      let expiresIn = body.expires_in ?? null;
      if (this.maxExpiresIn) {
        if (expiresIn === null) expiresIn = this.maxExpiresIn;
        else if (expiresIn > this.maxExpiresIn) return error(400, `token expires_in: ${expiresIn} must not exceed ${this.maxExpiresIn}`);
      }
      const unknown = body.scopes?.find((s) => !/^[a-z:_!=]+/.test(s) || s === 'nope');
      if (unknown) return error(400, `"Scope '${unknown}' for token does not exist"`);
      const excess = body.scopes?.filter((s) => !scopesOf(user).includes(s)) ?? [];
      if (excess.length > 0) return error(400, `Not assigning requested scopes ${excess.join(',')} not held by User ${user}`);
      const token = this.issue(user, body.note || 'Requested via api', body.scopes ?? scopesOf(user), expiresIn);
      return send(201, { ...this.model(token), token: token.secret });
    }
    if (!caller || caller.user !== user) return error(404, 'No access to resources or resources not found');
    const mayRead = caller.scopes.some((s) => s === 'read:tokens' || s === `read:tokens!user=${user}`);
    if (req.method === 'GET' && !mayRead) return error(403, 'Action is not authorized with current scopes; requires any of [read:tokens]');
    if (req.method === 'GET' && !id) return send(200, { api_tokens: this.tokens.filter((t) => t.user === user).map((t) => this.model(t)) });
    const target = this.tokens.find((t) => `a${t.id}` === id && t.user === user);
    if (!target) return error(404, `No such token ${id ?? ''} for user ${user}`);
    if (req.method === 'GET') return send(200, this.model(target));
    if (req.method === 'DELETE') {
      this.tokens = this.tokens.filter((t) => t !== target);
      res.writeHead(204, { 'Content-Type': 'text/plain' });
      return void res.end();
    }
    return error(405, null);
  }
}

const hub = new FakeHub();
let http: HttpClient;
let secrets: string[];

beforeAll(async () => {
  await hub.start();
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
  await hub.close();
});
beforeEach(() => {
  hub.reset();
  secrets = Object.values(USERS).map((u) => u.password).filter(Boolean);
});
afterEach(() => {
  // Every token the fake issued is a secret no error may show.
  secrets.push(...hub.tokens.map((t) => t.secret));
});

const ctx = (url = hub.url): ServerContext => serverContext(serverRecord({ name: 'Test hub', kind: 'jupyterhub', url }), http);
const keyportError = (promise: Promise<unknown>) => expectKeyportError(promise, [...secrets, ...hub.tokens.map((t) => t.secret)]);
const auth = (session: string): TokenAuth => ({ session, username: '', password: null });

async function signIn(user = 'alice') {
  return provider.signInWithPassword!(ctx(), user, USERS[user]!.password);
}

describe('jupyterhub descriptor and protocol helpers', () => {
  it('declares its capabilities and is in the registry', () => {
    expect(provider.descriptor).toMatchObject({ kind: 'jupyterhub', signInMethods: ['password', 'token'], tokensNeedPassword: false, refreshableSession: false, defaultCopyFormat: 'shell' });
    expect(provider.descriptor.copyFormats.map((f) => f.id)).toEqual(['raw', 'shell', 'powershell', 'cmd', 'dotenv', 'curl-header']);
    expect(provider.descriptor.createFields.map((f) => f.id)).toEqual(['expiresIn', 'scopes']);
    expect(provider.descriptor.createFields[1]?.choicesFromSessionScopes).toBe(true);
    expect(provider.descriptor.tokenSignInHint).toContain('/hub/token');
    expect(createProviderRegistry().get('jupyterhub')).toBe(provider);
  });

  it('keeps the hub’s base address when given the hub page or the API address', () => {
    expect(hubBaseUrl('https://hub.example.org')).toBe('https://hub.example.org');
    expect(hubBaseUrl('https://hub.example.org/hub/api/')).toBe('https://hub.example.org');
    expect(hubBaseUrl('https://example.org/jupyter/hub')).toBe('https://example.org/jupyter');
    expect(provider.checkServer!('https://hub.example.org/hub/api', {})).toEqual({ url: 'https://hub.example.org', options: {} });
  });

  it('reads expiry as whole days or hours and refuses anything else on the expiry field', () => {
    expect(expiresInSeconds('')).toBeNull();
    expect(expiresInSeconds(' 30 ')).toBe(30 * 86_400);
    expect(expiresInSeconds('7d')).toBe(7 * 86_400);
    expect(expiresInSeconds('12h')).toBe(12 * 3600);
    expect(expiresInSeconds('2 days')).toBe(2 * 86_400);
    for (const bad of ['0', '-1', '1.5', 'soon', '3w', '1e3']) {
      let field: string | undefined;
      try {
        expiresInSeconds(bad);
      } catch (error) {
        field = (error as { field?: string }).field;
      }
      expect(field, bad).toBe('expiresIn');
    }
  });

  it('splits scopes on spaces and commas, once each', () => {
    expect(parseScopes(' read:users!user=bob, tokens  tokens ')).toEqual(['read:users!user=bob', 'tokens']);
    expect(parseScopes('')).toEqual([]);
  });

  it('ties a token to its id and creation time, and sends only the id back', () => {
    const id = keyportTokenId({ id: 'a2', created: '2026-12-06T03:57:36.300602Z' });
    expect(id).toBe('a2@2026-12-06T03:57:36.300602Z');
    expect(hubTokenId(id)).toBe('a2');
    expect(hubTokenId('a7')).toBe('a7');
  });

  it('refuses lone surrogates and accepts paired ones', () => {
    expect(() => requireWellFormed('laptop 😀', 'token name', 'name')).not.toThrow();
    expect(() => requireWellFormed('bad \ud800 note', 'token name', 'name')).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'name' }));
    expect(() => requireWellFormed('\udc00', 'token name', 'name')).toThrow(expect.objectContaining({ field: 'name' }));
  });
});

describe('jupyterhub sign-in', () => {
  it('signs in with a password: a token noted “Keyport session”, the user, admin role and the token’s scopes', async () => {
    const result = await signIn('alice');
    const [made] = hub.tokens;
    expect(made).toMatchObject({ user: 'alice', note: 'Keyport session' });
    expect(result.session).toBe(made?.secret);
    expect(result.user).toEqual({ name: 'alice', role: 'hub administrator' });
    expect(result.attributes?.scope).toBe('admin:users tokens read:tokens');
    expect(result.dependsOnTokenId).toBe(`a1@${made?.created}`);
    expect(result.expiresAt).toBeNull();
    expect((await signIn('bob')).user).toEqual({ name: 'bob' });
  });

  it('says a wrong password on the password field and points hubs behind OAuth to /hub/token', async () => {
    const error = await keyportError(provider.signInWithPassword!(ctx(), 'alice', 'wrong'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', field: 'password' });
    expect(error.hint).toContain(`${hub.url}/hub/token`);
  });

  it('refuses a lone surrogate in the user name before sending anything', async () => {
    const error = await keyportError(provider.signInWithPassword!(ctx(), 'al\ud800ice', 'x'));
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'username' });
    expect(hub.requests).toEqual([]);
  });

  it('takes the session’s expiry from a hub with a maximum token life', async () => {
    hub.maxExpiresIn = 3600;
    const result = await signIn('bob');
    expect(result.expiresAt).toBe(new Date(Date.parse(hub.tokens[0]!.created) + 3_600_000).toISOString());
  });

  it('signs in with a pasted token and knows which listed token it is', async () => {
    const pasted = hub.issue('bob', 'from /hub/token');
    const result = await provider.signInWithToken!(ctx(), ` ${pasted.secret} `);
    expect(result).toMatchObject({ session: pasted.secret, user: { name: 'bob' }, dependsOnTokenId: `a${pasted.id}@${pasted.created}` });
    expect(result.attributes).toEqual({ scope: scopesOf('bob').join(' ') });
  });

  it('says a revoked pasted token on the token field', async () => {
    const error = await keyportError(provider.signInWithToken!(ctx(), 'not-a-token'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', field: 'token' });
  });

  it('refuses a service’s token: services have no token list of their own', async () => {
    const service = hub.issue('announcer-service', 'service');
    expect(await keyportError(provider.signInWithToken!(ctx(), service.secret))).toMatchObject({ code: 'UNSUPPORTED', field: 'token' });
  });

  it('says an address that is not a hub on the URL field', async () => {
    const error = await keyportError(provider.signInWithPassword!(ctx(`${hub.url}/elsewhere`), 'alice', 'x'));
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', field: 'url' });
    expect(await keyportError(provider.describeServer!(ctx(`${hub.url}/elsewhere`)))).toMatchObject({ field: 'url' });
    expect(await provider.describeServer!(ctx())).toEqual([
      { label: 'JupyterHub version', value: '6.1.1' },
      { label: 'API address', value: `${hub.url}/hub/api` },
    ]);
  });
});

describe('jupyterhub tokens', () => {
  it('lists the user’s tokens with note, times, scopes and the issuing client', async () => {
    const { session } = await signIn('bob');
    const other = hub.issue('bob', '');
    const tokens = await provider.listTokens(ctx(), auth(session));
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toEqual({
      id: `a${other.id}@${other.created}`,
      name: `Token a${other.id}`,
      createdAt: new Date(other.created).toISOString(),
      lastUsedAt: null,
      expiresAt: null,
      scopes: [...scopesOf('bob')].sort(),
      extra: { hubId: `a${other.id}`, issuedBy: 'JupyterHub' },
    });
  });

  it('creates a token with note, expiry and some of the user’s scopes', async () => {
    const { session } = await signIn('bob');
    const created = await provider.createToken(ctx(), auth(session), { name: 'laptop', fields: { expiresIn: '12h', scopes: 'read:users!user=bob' } });
    const stored = hub.tokens.at(-1)!;
    expect(created.secret).toBe(stored.secret);
    expect(stored).toMatchObject({ note: 'laptop', scopes: ['read:users!user=bob'] });
    expect(Date.parse(created.token.expiresAt!) - Date.parse(stored.created)).toBe(12 * 3_600_000);
  });

  it('says an expiry over the hub’s limit on the expiry field, naming the limit', async () => {
    hub.maxExpiresIn = 3600;
    const { session } = await signIn('bob');
    const error = await keyportError(provider.createToken(ctx(), auth(session), { name: 'long', fields: { expiresIn: '2h' } }));
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'expiresIn' });
    expect(error.message).toContain('at most 1 hour');
  });

  it('says scopes the user does not hold, or that do not exist, on the scopes field', async () => {
    const { session } = await signIn('bob');
    const beyond = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { scopes: 'admin:users' } }));
    expect(beyond).toMatchObject({ code: 'VALIDATION', field: 'scopes' });
    expect(beyond.message).toContain('admin:users');
    const unknown = await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { scopes: 'nope' } }));
    expect(unknown).toMatchObject({ code: 'VALIDATION', field: 'scopes' });
    expect(unknown.message).toContain('“nope”');
  });

  it('refuses a bad expiry or a lone surrogate before asking the hub', async () => {
    const { session } = await signIn('bob');
    const before = hub.requests.length;
    expect(await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { expiresIn: '0' } }))).toMatchObject({ field: 'expiresIn' });
    expect(await keyportError(provider.createToken(ctx(), auth(session), { name: 'bad \ud83d', fields: {} }))).toMatchObject({ field: 'name' });
    expect(await keyportError(provider.createToken(ctx(), auth(session), { name: 'x', fields: { scopes: 'read\udfff' } }))).toMatchObject({ field: 'scopes' });
    expect(hub.requests.length).toBe(before);
  });

  it('says a session token without the tokens or read:tokens scope may not create or list tokens', async () => {
    const narrow = hub.issue('bob', 'narrow', ['read:users!user=bob']);
    expect(await keyportError(provider.createToken(ctx(), auth(narrow.secret), { name: 'x', fields: {} }))).toMatchObject({ code: 'FORBIDDEN' });
    const list = await keyportError(provider.listTokens(ctx(), auth(narrow.secret)));
    expect(list).toMatchObject({ code: 'FORBIDDEN' });
    expect(list.hint).toContain('read:tokens');
    // Signing in with it works all the same: who-am-I needs no scope.
    expect((await provider.signInWithToken!(ctx(), narrow.secret)).user).toEqual({ name: 'bob' });
  });

  it('revokes by id and never deletes a newer token that got a revoked one’s id', async () => {
    const { session } = await signIn('bob');
    const old = hub.issue('bob', 'old');
    const [, listedOld] = await provider.listTokens(ctx(), auth(session));
    await provider.revokeToken(ctx(), auth(session), listedOld!.id);
    expect(hub.tokens.map((t) => t.note)).toEqual(['Keyport session']);
    const reused = hub.issue('bob', 'new with the same id');
    expect(reused.id).toBe(old.id);
    expect(await keyportError(provider.revokeToken(ctx(), auth(session), listedOld!.id))).toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.tokens.map((t) => t.note)).toEqual(['Keyport session', 'new with the same id']);
  });

  it('ends a password session by deleting its token, and leaves a pasted token alone', async () => {
    const login = await signIn('bob');
    await provider.endSession!(ctx(), login);
    expect(hub.tokens).toEqual([]);
    const pasted = hub.issue('bob', 'mine');
    const signedIn = await provider.signInWithToken!(ctx(), pasted.secret);
    await provider.endSession!(ctx(), signedIn);
    expect(hub.tokens.map((t) => t.note)).toEqual(['mine']);
    // A session whose token was revoked already: signing out still completes.
    await expect(provider.endSession!(ctx(), login)).resolves.toBeUndefined();
  });

  it('ends a session whose token was revoked with AUTH_FAILED', async () => {
    const { session } = await signIn('bob');
    hub.tokens = [];
    expect(await keyportError(provider.listTokens(ctx(), auth(session)))).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await keyportError(provider.checkSession!(ctx(), session))).toMatchObject({ code: 'AUTH_FAILED' });
  });
});

describe('jupyterhub settings read from the list (Rotate of a token Keyport did not make)', () => {
  it('gives the listed token’s scopes and its lifetime in days, or hours when not whole days', async () => {
    const { session } = await signIn('bob');
    const week = hub.issue('bob', 'pasted week', ['read:users!user=bob', 'read:tokens!user=bob'], 7 * 86_400);
    const hours = hub.issue('bob', 'pasted hours', ['read:users!user=bob'], 12 * 3_600);
    const forever = hub.issue('bob', 'pasted forever', ['read:users!user=bob']);
    const id = (t: FakeToken) => `a${t.id}@${t.created}`;
    expect(await provider.listedSettings!(ctx(), auth(session), id(week))).toEqual({ known: true, fields: { scopes: 'read:tokens!user=bob read:users!user=bob', expiresIn: '7d' } });
    expect(await provider.listedSettings!(ctx(), auth(session), id(hours))).toEqual({ known: true, fields: { scopes: 'read:users!user=bob', expiresIn: '12h' } });
    expect(await provider.listedSettings!(ctx(), auth(session), id(forever))).toEqual({ known: true, fields: { scopes: 'read:users!user=bob' } });
  });

  it('says the settings are not known when the hub lists no scopes for the token, and NOT_FOUND when it is gone', async () => {
    const { session } = await signIn('bob');
    const bare = hub.issue('bob', 'old hub token', []);
    const id = `a${bare.id}@${bare.created}`;
    expect(await provider.listedSettings!(ctx(), auth(session), id)).toEqual({ known: false, reason: 'the hub does not list its scopes' });
    hub.tokens = hub.tokens.filter((t) => t !== bare);
    expect((await keyportError(provider.listedSettings!(ctx(), auth(session), id))).code).toBe('NOT_FOUND');
  });
});

describe('jupyterhub Rotate of a saved token without recorded settings (the real core)', () => {
  /** Keyport with bob signed in to the fake hub, on `store` (restarted cores keep the vault). */
  async function keyportOn(store: ReturnType<typeof testCoreStore>, key: Buffer, signIn: boolean): Promise<{ keyport: TestCore; serverId: string }> {
    const keyport = createTestCore({ store, key });
    if (!signIn) return { keyport, serverId: (await keyport.call('servers.list'))[0]!.id };
    const server = await keyport.call('servers.add', { name: 'Fake hub', kind: 'jupyterhub', url: hub.url });
    await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'bob', password: USERS.bob!.password });
    return { keyport, serverId: server.id };
  }

  /** A token Keyport saved, then the vault as a Keyport that did not record settings left it. */
  async function savedWithoutSettings(fields: Record<string, string>): Promise<{ keyport: TestCore; secretId: string; old: FakeToken }> {
    const store = testCoreStore();
    const key = randomBytes(32);
    const first = await keyportOn(store, key, true);
    const created = await first.keyport.call('tokens.create', { serverId: first.serverId, name: 'laptop', save: true, fields });
    await first.keyport.core.dispose();
    expect(forgetRecordedSettings(store)).toBe(1);
    const { keyport } = await keyportOn(store, key, false);
    return { keyport, secretId: created.secretId, old: hub.tokens.find((t) => t.secret === created.secret)! };
  }

  it('makes the new token with the scopes and expiry the hub lists for the old one, not all of the session’s scopes, and says where they came from', async () => {
    const { keyport, secretId, old } = await savedWithoutSettings({ scopes: 'read:users!user=bob', expiresIn: '7d' });
    try {
      const rotated = await keyport.call('delivery.rotate', { secretId });
      expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
      expect(rotated.steps[0]).toMatchObject({ step: 'create', ok: true, message: expect.stringContaining('with the settings read from Fake hub’s list (scopes read:users!user=bob, expiresIn 7d)') as unknown });
      const fresh = hub.tokens.find((t) => t.note.startsWith('laptop-'));
      expect(fresh?.scopes).toEqual(['read:users!user=bob']);
      expect(Date.parse(fresh!.expires_at!) - Date.parse(fresh!.created)).toBe(7 * 86_400_000);
      expect(hub.tokens).not.toContain(old);
    } finally {
      await keyport.core.dispose();
    }
  });

  it('refuses before creating anything when the hub lists no scopes for the old token', async () => {
    const { keyport, secretId, old } = await savedWithoutSettings({ scopes: 'read:users!user=bob' });
    try {
      old.scopes = [];
      const before = hub.tokens.map((t) => t.id);
      const error = await keyport.fail('delivery.rotate', { secretId });
      expect(error).toMatchObject({ code: 'UNSUPPORTED', message: 'Keyport did not make laptop and cannot tell its settings: the hub does not list its scopes. Nothing was created.' });
      expect(error.hint).toContain('create the new one yourself');
      expect(hub.tokens.map((t) => t.id)).toEqual(before);
      expect(hub.requests.filter((r) => r.startsWith('POST') || r.startsWith('DELETE'))).toEqual([
        // bob's session and the token, made before the vault lost its record; nothing since.
        'POST /hub/api/users/bob/tokens',
        'POST /hub/api/users/bob/tokens',
      ]);
    } finally {
      await keyport.core.dispose();
    }
  });
});

describe('jupyterhub copy formats', () => {
  const server = serverRecord({ name: 'Hub', kind: 'jupyterhub', url: 'https://hub.example.org/jupyter' });
  const env = provider.copyEnvironment(server, 'abc123', {});

  it('gives both variables HubAuth reads, the API address ending in /hub/api', () => {
    expect(env).toEqual([
      ['JUPYTERHUB_API_TOKEN', 'abc123'],
      ['JUPYTERHUB_API_URL', 'https://hub.example.org/jupyter/hub/api'],
    ]);
    expect(renderCopyText('shell', 'abc123', env)).toBe('export JUPYTERHUB_API_TOKEN=abc123 JUPYTERHUB_API_URL=https://hub.example.org/jupyter/hub/api');
    expect(renderCopyText('dotenv', 'abc123', env)).toBe('JUPYTERHUB_API_TOKEN=abc123\nJUPYTERHUB_API_URL=https://hub.example.org/jupyter/hub/api');
    expect(renderCopyText('raw', 'abc123', env)).toBe('abc123');
  });

  it('writes the curl header as JupyterHub’s clients send it, and refuses control characters', () => {
    expect(provider.renderTokenCopy!('curl-header', 'abc123', {}, server)).toBe('Authorization: token abc123');
    expect(provider.renderTokenCopy!('shell', 'abc123', {}, server)).toBeNull();
    expect(() => provider.renderTokenCopy!('curl-header', 'abc\r\nX-Evil: 1', {}, server)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    for (const hostile of HOSTILE_PASTE_VALUES) {
      expect(() => provider.renderTokenCopy!('curl-header', hostile.value, {}, server), hostile.label).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'format' }));
    }
  });
});
