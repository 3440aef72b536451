// The npm kind against the reference registry for registry.npmjs.org (test/servers/npmjs), whose
// behaviour the real npm CLI 11 pins in conformance/npmjsWithNpm.test.ts: web login, 2-hour
// sessions, granular tokens, authenticator and web-based one-time passwords, bad input.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NPMJS_OTP, startNpmjsServer, type NpmjsServer, type NpmjsServerOptions } from '../../../../../test/servers/npmjs/npmjsServer';
import type { KeyportError } from '../../errors';
import { createHttpClient } from '../../http/httpClient';
import type { HttpClient } from '../../http/types';
import { expectKeyportError, serverContext, serverRecord } from '../../../../../test/support/providerTesting';
import type { BrowserFlow, ServerContext, TokenAuth } from '../provider';
import { npmProvider as provider } from './npmProvider';

const signInWithBrowser = provider.signInWithBrowser!.bind(provider);
const signInWithToken = provider.signInWithToken!.bind(provider);

let http: HttpClient;
let registry: NpmjsServer;
let secrets: string[];
const started: NpmjsServer[] = [];

beforeAll(() => {
  http = createHttpClient({ timeoutMs: () => 5_000, userAgent: 'Keyport-Test/0', env: {} });
});
afterAll(async () => {
  await http.close();
});
beforeEach(async () => {
  registry = await start();
  secrets = registry.users.map((u) => u.password);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function start(options: NpmjsServerOptions = {}): Promise<NpmjsServer> {
  const s = await startNpmjsServer(options);
  started.push(s);
  return s;
}

const NOW = new Date('2026-12-06T10:00:00.000Z');
/** A context whose "system browser" is the test person, approving (or denying) what opens. */
function ctxFor(server: NpmjsServer, person: { approveAs?: string; deny?: boolean } | null = null, timeoutMs = 10_000): ServerContext {
  const base = serverContext(serverRecord({ name: 'npmjs', kind: 'npm', url: server.url }), http, () => NOW);
  return { ...base, browser: { open: async (url) => void (person ? await server.person(url, person) : undefined), timeoutMs } };
}
const keyportError = (promise: Promise<unknown>): Promise<KeyportError> => expectKeyportError(promise, secrets);

function flowFor(server: NpmjsServer, person: { approveAs?: string; deny?: boolean } | null, options: { timeoutMs?: number; signal?: AbortSignal; quick?: boolean } = {}): BrowserFlow & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    openBrowser: async (url) => {
      opened.push(url);
      if (person && options.quick) await server.person(url, person);
      // The person takes a moment: Keyport polls doneUrl while they read the page.
      else if (person) setTimeout(() => void server.person(url, person), 300);
    },
    signal: options.signal ?? new AbortController().signal,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

async function webSession(server: NpmjsServer, username: string): Promise<string> {
  const { session } = await signInWithBrowser(ctxFor(server), flowFor(server, { approveAs: username }, { quick: true }));
  secrets.push(session);
  return session;
}

const authOf = (session: string, password: string): TokenAuth => ({ session, username: '', password });
const alice = () => registry.users[0]!;
const carol = () => registry.users[1]!;
const posts = (server: NpmjsServer) => server.requestLog.filter((e) => e.method === 'POST' && e.path === '/-/npm/v1/tokens');

describe('npm web login (registry.npmjs.org)', () => {
  it('opens loginUrl, polls doneUrl through 202s, and keeps the session token with its two-hour expiry', async () => {
    const flow = flowFor(registry, { approveAs: 'alice' });
    const result = await signInWithBrowser(ctxFor(registry), flow);
    secrets.push(result.session);
    expect(flow.opened).toHaveLength(1);
    expect(flow.opened[0]).toMatch(new RegExp(`^${registry.url}/-/browser/`));
    expect(result).toMatchObject({ credential: null, user: { name: 'alice' }, expiresAt: '2026-12-06T12:00:00.000Z', attributes: { npmLogin: 'true' } });
    const polls = registry.requestLog.filter((e) => e.path === '/-/v1/done').map((e) => e.status);
    expect(polls.at(-1)).toBe(200);
    expect(polls.filter((s) => s === 202).length).toBeGreaterThan(0);
    // The doneUrl gets no credentials.
    expect(registry.requestLog.filter((e) => e.path === '/-/v1/done').every((e) => e.auth === 'none')).toBe(true);
  });

  it('a registry without web login (Verdaccio) is UNSUPPORTED, pointing to the password', async () => {
    const noWeb = await start({ webLogin: false });
    const error = await keyportError(signInWithBrowser(ctxFor(noWeb), flowFor(noWeb, null)));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.hint).toMatch(/user name and password/);
  });

  it('a login denied in the browser is AUTH_FAILED “denied”; one that expires at the registry is TIMEOUT', async () => {
    const denied = await keyportError(signInWithBrowser(ctxFor(registry), flowFor(registry, { deny: true })));
    expect(denied.toShape()).toMatchObject({ code: 'AUTH_FAILED', message: 'The sign-in was denied in the browser.' });
    const shortLived = await start({ pendingLifetimeMs: 200 });
    const expired = await keyportError(signInWithBrowser(ctxFor(shortLived), flowFor(shortLived, null)));
    expect(expired.toShape()).toMatchObject({ code: 'TIMEOUT', message: 'The sign-in request expired at npmjs.' });
  });

  it('a doneUrl that never completes stops at Keyport’s time limit; Cancel stops it at once', async () => {
    const startedAt = Date.now();
    const late = await keyportError(signInWithBrowser(ctxFor(registry), flowFor(registry, null, { timeoutMs: 1_500 })));
    expect(late.code).toBe('TIMEOUT');
    expect(late.message).toMatch(/did not complete within 2 seconds/);
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    const cancel = new AbortController();
    const running = signInWithBrowser(ctxFor(registry), flowFor(registry, null, { signal: cancel.signal }));
    setTimeout(() => cancel.abort(), 200);
    expect((await keyportError(running)).code).toBe('CANCELLED');
  });

  it('an HTML page instead of the login answer is BAD_RESPONSE', async () => {
    registry.faults.add({ kind: 'html', status: 200, match: /^\/-\/v1\/login$/ });
    const error = await keyportError(signInWithBrowser(ctxFor(registry), flowFor(registry, null)));
    expect(error.code).toBe('BAD_RESPONSE');
    expect(error.message).toMatch(/HTML page/);
  });
});

describe('npm password sign-in with two-factor (npm login --auth-type=legacy)', () => {
  const signInWithPassword = provider.signInWithPassword!.bind(provider);
  it('asks for the authenticator code, or confirms in the browser when the registry offers web OTP', async () => {
    const noBrowser = { ...ctxFor(registry), browser: undefined };
    const asked = await keyportError(signInWithPassword(noBrowser, 'carol', carol().password));
    expect(asked.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp', message: 'npmjs asks for a one-time password to sign in.' });
    const withCode = await signInWithPassword(noBrowser, 'carol', carol().password, undefined, { otp: NPMJS_OTP });
    secrets.push(withCode.session);
    expect(withCode.user.name).toBe('carol');
    registry.setOtpMode('web');
    const viaBrowser = await signInWithPassword(ctxFor(registry, {}), 'carol', carol().password);
    secrets.push(viaBrowser.session);
    expect(viaBrowser.user.name).toBe('carol');
    const puts = registry.requestLog.filter((e) => e.method === 'PUT').map((e) => [e.status, e.otp]);
    expect(puts.slice(-2)).toEqual([
      [401, false],
      [201, true],
    ]);
  });
});

describe('npm token sign-in (issue 15, item 5)', () => {
  it('asks /-/whoami once, as npm whoami does, and never fetches the token list', async () => {
    const [token] = registry.seedTokens('alice', 250);
    secrets.push(token!);
    const before = registry.requestLog.length;
    const result = await signInWithToken(ctxFor(registry), token!);
    expect(result.user.name).toBe('alice');
    expect(registry.requestLog.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual(['GET /-/whoami']);
  });
});

describe('granular tokens (registry.npmjs.org)', () => {
  it('the defaults make a read-only token for all packages that expires in 30 days; the list shows what it reaches', async () => {
    const session = await webSession(registry, 'alice');
    const created = await provider.createToken(ctxFor(registry), authOf(session, alice().password), { name: 'laptop', fields: {} });
    secrets.push(created.secret);
    expect(posts(registry).at(-1)?.body).toEqual({ name: 'laptop', password: '<password>', packages_all: true, packages_and_scopes_permission: 'read-only', expires: 30 });
    expect(created.token).toMatchObject({ name: 'laptop', extra: { access: 'Read-only', reach: 'All packages' } });
    expect(Date.parse(created.token.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    const [listed] = await provider.listTokens(ctxFor(registry), authOf(session, alice().password));
    expect(listed).toMatchObject({ id: created.token.id, name: 'laptop', expiresAt: created.token.expiresAt, lastUsedAt: null, extra: { access: 'Read-only', reach: 'All packages', cidr: 'Any address' } });
  });

  it('every choice becomes npm’s field, and the list shows description, packages, scopes, orgs, permissions and ranges', async () => {
    const session = await webSession(registry, 'alice');
    const fields = { access: 'publish', expires: '60', packages: 'alice-pkg, @alice/tools', scopes: 'alice', orgs: 'alice-org', orgsAccess: 'read-only', description: 'CI', cidr: '127.0.0.1/32', bypass2fa: 'bypass' };
    const created = await provider.createToken(ctxFor(registry), authOf(session, alice().password), { name: 'ci', fields });
    secrets.push(created.secret);
    expect(posts(registry).at(-1)?.body).toEqual({
      name: 'ci',
      password: '<password>',
      description: 'CI',
      packages: ['alice-pkg', '@alice/tools'],
      scopes: ['@alice'],
      orgs: ['alice-org'],
      packages_and_scopes_permission: 'read-write',
      orgs_permission: 'read-only',
      expires: 60,
      cidr_whitelist: ['127.0.0.1/32'],
      bypass_2fa: true,
    });
    const listed = await provider.listTokens(ctxFor(registry), authOf(session, alice().password));
    expect(listed.find((t) => t.id === created.token.id)?.extra).toMatchObject({
      access: 'Read and write; organizations: read-only',
      reach: 'alice-pkg, @alice/tools, @alice, organization alice-org',
      description: 'CI',
      cidr: '127.0.0.1/32',
      bypass2fa: 'Bypasses two-factor',
    });
  });

  it('lists every page through urls.next (1,000 tokens, 10 pages)', async () => {
    const paged = await start({ pageSize: 100 });
    const session = await webSession(paged, 'alice');
    paged.seedTokens('alice', 1_000);
    const listed = await provider.listTokens(ctxFor(paged), authOf(session, alice().password));
    expect(listed).toHaveLength(1_000);
    expect(new Set(listed.map((t) => t.id)).size).toBe(1_000);
    expect(paged.requestLog.filter((e) => e.path === '/-/npm/v1/tokens' && e.method === 'GET')).toHaveLength(10);
    expect(listed.every((t) => t.expiresAt !== null && t.extra?.description?.startsWith('Seeded token'))).toBe(true);
  });

  it('two-factor: create and revoke ask for a code (OTP_REQUIRED, the session kept), then send it in npm-otp', async () => {
    const session = await webSession(registry, 'carol');
    const ctx = { ...ctxFor(registry), browser: undefined };
    const auth = authOf(session, carol().password);
    const asked = await keyportError(provider.createToken(ctx, auth, { name: 'ci', fields: {} }));
    expect(asked.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp' });
    const wrong = await keyportError(provider.createToken(ctx, auth, { name: 'ci', fields: {}, otp: '000000' }));
    expect(wrong.toShape()).toMatchObject({ code: 'OTP_REQUIRED', field: 'otp', message: 'npmjs did not accept the one-time password.' });
    expect(registry.tokens('carol')).toHaveLength(0);
    const created = await provider.createToken(ctx, auth, { name: 'ci', fields: {}, otp: NPMJS_OTP });
    secrets.push(created.secret);
    const revokeAsked = await keyportError(provider.revokeToken(ctx, auth, created.token.id));
    expect(revokeAsked.code).toBe('OTP_REQUIRED');
    await provider.revokeToken(ctx, auth, created.token.id, { otp: NPMJS_OTP });
    expect(registry.tokens('carol')).toHaveLength(0);
    // The session still works: an OTP request never meant it had ended.
    expect(await provider.listTokens(ctx, auth)).toEqual([]);
  });

  it('web-based OTP: Keyport opens authUrl, polls doneUrl, and repeats the request with the code it got', async () => {
    const session = await webSession(registry, 'carol');
    registry.setOtpMode('web');
    const auth = authOf(session, carol().password);
    const created = await provider.createToken(ctxFor(registry, {}), auth, { name: 'web-otp', fields: {} });
    secrets.push(created.secret);
    expect(posts(registry).map((e) => [e.status, e.otp])).toEqual([
      [401, false],
      [200, true],
    ]);
    await provider.revokeToken(ctxFor(registry, {}), auth, created.token.id);
    expect(registry.tokens('carol')).toHaveLength(0);
    // Denied in the browser: AUTH_FAILED “denied”, nothing created.
    const denied = await keyportError(provider.createToken(ctxFor(registry, { deny: true }), auth, { name: 'denied', fields: {} }));
    expect(denied.message).toBe('The confirmation was denied in the browser.');
    // Never confirmed: Keyport's time limit.
    const late = await keyportError(provider.createToken(ctxFor(registry, null, 1_200), auth, { name: 'late', fields: {} }));
    expect(late.code).toBe('TIMEOUT');
    expect(registry.tokens('carol')).toHaveLength(0);
  });
});

describe('granular token bad input: a clear error on the field, nothing created, the session kept', () => {
  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    ['an expiry beyond the maximum for a publish token', { access: 'publish', expires: '91' }, 'expires', /at most 90 days/],
    ['an expiry beyond the maximum for a read-only token', { expires: '400' }, 'expires', /at most 365 days/],
    ['an expiry that is not a number of days', { expires: 'soon' }, 'expires', /number of days/],
    ['a package name npm cannot have', { packages: 'Not A Name' }, 'packages', /not an npm package name/],
    ['an unknown package (the registry refuses it)', { packages: 'someone-elses-pkg' }, 'packages', /Package not found/],
    ['an unknown scope (the registry refuses it)', { scopes: '@nobody' }, 'scopes', /Scope not found/],
    ['an unknown organization (the registry refuses it)', { access: 'no-access', orgs: 'no-org', orgsAccess: 'read-only' }, 'orgs', /Organization not found/],
    ['an empty permission set', { access: 'no-access' }, 'access', /no access to anything/],
    ['organizations named with no access', { orgs: 'alice-org' }, 'orgsAccess', /no access/],
    ['a CIDR range without a prefix', { cidr: '10.0.0.0' }, 'cidr', /not an IPv4 range/],
    ['an IPv6 range', { cidr: '2001:db8::/32' }, 'cidr', /only IPv4/],
  ];
  it.each(cases)('%s', async (_what, fields, field, message) => {
    const session = await webSession(registry, 'alice');
    const error = await keyportError(provider.createToken(ctxFor(registry), authOf(session, alice().password), { name: 'bad', fields }));
    expect(error.toShape()).toMatchObject({ code: 'VALIDATION', field });
    expect(error.message).toMatch(message);
    expect(registry.tokens('alice')).toHaveLength(0);
    // The session is kept: it still lists.
    expect(await provider.listTokens(ctxFor(registry), authOf(session, alice().password))).toEqual([]);
  });

  it('an HTML answer to the create is BAD_RESPONSE, not a sign-out', async () => {
    const session = await webSession(registry, 'alice');
    registry.faults.add({ kind: 'html', status: 502, match: /^\/-\/npm\/v1\/tokens$/, times: 2 });
    const error = await keyportError(provider.createToken(ctxFor(registry), authOf(session, alice().password), { name: 'x', fields: {} }));
    expect(error.code).not.toBe('AUTH_FAILED');
    expect(registry.tokens('alice')).toHaveLength(0);
  });
});
