// Conformance: Keyport against a real JupyterHub 6.1.1 (from PyPI, its own venv). The tokens
// Keyport creates must work for JupyterHub's own client, `HubAuth().user_for_token`, with the
// variables as Keyport copies them, and for curl with the header as Keyport copies it; revoked,
// they must get 403. Tokens made with the hub's own API must show in Keyport's list, and every
// bad input must be a clear error on the field at fault. Keyport here is the real core with
// test adapters (test/support/testCore.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyportErrorShape } from '../src/shared/errors';
import { randomBytes } from 'node:crypto';
import { createTestCore, mapStore, type TestCore } from '../test/support/testCore';
import { forgetRecordedSettings } from '../test/support/vaultTesting';
import { ensureHubEnv, HUB_VENV, startJupyterHub, type HubServer } from '../test/servers/jupyterhub/jupyterhubServer.ts';
import { runCleanBash, venvLayout, type CommandResult } from './pythonEnv.ts';

let hub: HubServer;
/** A second hub whose tokens may live an hour at most. */
let limited: HubServer;
let keyport: TestCore;
/** Servers in Keyport: the same hub for alice (its admin) and bob (not an admin), and the
 * limited hub for bob. */
const ids = { alice: '', bob: '', limitedBob: '' };

const password = (h: HubServer, name: string) => h.users.find((u) => u.username === name)!.password;

/** A call that must fail: its error, with the field the form shows it on. */
async function failure(procedure: string, input: unknown): Promise<KeyportErrorShape> {
  const result = await keyport.core.handle(procedure, input);
  if (result.ok) throw new Error(`${procedure} succeeded`);
  return result.error;
}

async function addAndSignIn(h: HubServer, name: string, user: string): Promise<string> {
  const server = await keyport.call('servers.add', { name, kind: 'jupyterhub', url: `${h.url}/hub/` });
  await keyport.call('auth.signInWithPassword', { serverId: server.id, username: user, password: password(h, user) });
  return server.id;
}

const create = (serverId: string, name: string, fields: Record<string, string> = {}) => keyport.call('tokens.create', { serverId, name, save: true, fields });

async function copyAs(secretId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copy', { secretId, format });
  return keyport.clipboard.text;
}

/** bash in an empty environment with the hub's venv and curl on PATH. */
function cleanBash(script: string, env: Record<string, string> = {}): Promise<CommandResult> {
  return runCleanBash(script, { PATH: `${venvLayout(HUB_VENV).bin}:/usr/bin:/bin`, HOME: '/nonexistent', LANG: 'C.UTF-8', ...env });
}

/** JupyterHub's client library, as a service or script uses it: HubAuth() reads
 * JUPYTERHUB_API_TOKEN and JUPYTERHUB_API_URL. Prints the user's name and admin flag, or null. */
const HUB_AUTH = `python -c '
import json, os
from jupyterhub.services.auth import HubAuth
model = HubAuth().user_for_token(os.environ["JUPYTERHUB_API_TOKEN"], use_cache=False)
print(json.dumps(model and {"name": model["name"], "admin": model["admin"]}))
'`;

async function hubAuthWith(exported: string): Promise<unknown> {
  const run = await cleanBash(`${exported}\n${HUB_AUTH}`);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '');
}

/** curl with the header as Keyport copies it; prints the status, then the body. */
async function curlWith(header: string): Promise<{ status: number; body: string }> {
  const run = await cleanBash(`curl -sS --max-time 20 -w '\\n%{http_code}' -H "$HEADER" '${hub.apiUrl}/user'`, { HEADER: header });
  expect(run.code, run.stderr).toBe(0);
  const lines = run.stdout.trim().split('\n');
  return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join('\n') };
}

/** The hub's own API, as a person's script would call it. */
async function hubApi(h: HubServer, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(`${h.apiUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: token ? { Authorization: `token ${token}` } : {}, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

beforeAll(async () => {
  await ensureHubEnv();
  [hub, limited] = await Promise.all([startJupyterHub({ admins: ['alice'] }), startJupyterHub({ tokenExpiresInMaxSeconds: 3600 })]);
  keyport = createTestCore();
  ids.alice = await addAndSignIn(hub, 'Hub (alice)', 'alice');
  ids.bob = await addAndSignIn(hub, 'Hub (bob)', 'bob');
  ids.limitedBob = await addAndSignIn(limited, 'Limited hub', 'bob');
});

afterAll(async () => {
  await keyport?.core.dispose();
  await Promise.all([hub?.close(), limited?.close()]);
});

describe('Keyport and JupyterHub’s own clients on a real JupyterHub 6.1.1', () => {
  it('keeps the hub’s base address and signs in as an admin and as a non-admin, with the token’s scopes', async () => {
    const servers = await keyport.call('servers.list');
    const alice = servers.find((s) => s.id === ids.alice)!;
    const bob = servers.find((s) => s.id === ids.bob)!;
    expect(alice.url).toBe(hub.url);
    expect(alice.session).toMatchObject({ state: 'signed-in', user: { name: 'alice', role: 'hub administrator' }, method: 'password' });
    expect(bob.session).toMatchObject({ state: 'signed-in', user: { name: 'bob' } });
    if (bob.session.state !== 'signed-in' || alice.session.state !== 'signed-in') throw new Error('not signed in');
    expect(bob.session.user.role).toBeUndefined();
    expect(bob.session.scopes).toContain('tokens!user=bob');
    expect(alice.session.scopes).toContain('admin:users');
    const description = await keyport.call('servers.describe', { id: ids.bob });
    expect(description.facts).toContainEqual({ label: 'JupyterHub version', value: '6.1.1' });
  });

  it('tokens Keyport creates work for HubAuth().user_for_token, copied as the shell export, and for curl; revoked, they get 403', async () => {
    for (const [serverId, user, admin] of [[ids.bob, 'bob', false], [ids.alice, 'alice', true]] as const) {
      const created = await create(serverId, `conformance ${user}`);
      const exported = await copyAs(created.secretId, 'shell');
      expect(exported).toBe(`export JUPYTERHUB_API_TOKEN=${created.secret} JUPYTERHUB_API_URL=${hub.apiUrl}`);
      expect(await hubAuthWith(exported)).toEqual({ name: user, admin });
      const header = await copyAs(created.secretId, 'curl-header');
      expect(header).toBe(`Authorization: token ${created.secret}`);
      const before = await curlWith(header);
      expect(before.status).toBe(200);
      expect(JSON.parse(before.body)).toMatchObject({ name: user, token_id: created.token.id.split('@')[0] });

      await keyport.call('tokens.revoke', { serverId, tokenId: created.token.id });
      expect(await hubAuthWith(exported)).toBeNull();
      expect((await curlWith(header)).status).toBe(403);
    }
  });

  it('the .env format as python-dotenv-style KEY=value lines works for HubAuth too', async () => {
    const created = await create(ids.bob, 'conformance dotenv');
    const dotenv = await copyAs(created.secretId, 'dotenv');
    expect(dotenv.split('\n')).toEqual([`JUPYTERHUB_API_TOKEN=${created.secret}`, `JUPYTERHUB_API_URL=${hub.apiUrl}`]);
    expect(await hubAuthWith(`set -a\n${dotenv}\nset +a`)).toEqual({ name: 'bob', admin: false });
  });

  it('a token made with the hub’s own API shows in Keyport’s list with its note, expiry and scopes; Keyport revokes it', async () => {
    const made = await hubApi(hub, 'POST', '/users/bob/tokens', { auth: { username: 'bob', password: password(hub, 'bob') }, note: 'made by a script', expires_in: 86_400, scopes: ['read:users!user=bob'] });
    expect(made.status).toBe(201);
    const listed = await keyport.call('tokens.list', { serverId: ids.bob });
    const token = listed.find((t) => t.extra.hubId === made.json?.id);
    expect(token).toMatchObject({ name: 'made by a script', scopes: expect.arrayContaining(['read:users!user=bob']) as unknown, extra: { issuedBy: 'JupyterHub' } });
    expect(Date.parse(token!.expiresAt!) - Date.parse(token!.createdAt!)).toBeGreaterThan(86_390_000);
    await keyport.call('tokens.revoke', { serverId: ids.bob, tokenId: token!.id });
    expect((await hubApi(hub, 'GET', '/user', undefined, String(made.json?.token))).status).toBe(403);
  });

  it('creates with note, expiry and some of the user’s scopes, as the hub stores them', async () => {
    const created = await create(ids.bob, 'read-only laptop', { expiresIn: '7d', scopes: 'read:users!user=bob' });
    const seen = await hubApi(hub, 'GET', '/user', undefined, created.secret);
    expect(seen.json).toMatchObject({ name: 'bob', scopes: expect.arrayContaining(['read:users!user=bob']) as unknown });
    expect(seen.json?.scopes).not.toContain('tokens!user=bob');
    const listed = (await keyport.call('tokens.list', { serverId: ids.bob })).find((t) => t.id === created.token.id);
    expect(listed).toMatchObject({ name: 'read-only laptop', savedSecretId: created.secretId });
    expect(Date.parse(listed!.expiresAt!) - Date.parse(listed!.createdAt!)).toBeGreaterThan(7 * 86_400_000 - 10_000);
    // The expiry feeds the reminders: the saved copy carries it, and a week left is due now.
    const saved = (await keyport.call('secrets.list')).find((x) => x.id === created.secretId);
    expect(saved?.expiresAt).toBe(listed!.expiresAt);
    expect(keyport.notifications.map((n) => n.title)).toContain('The API token “read-only laptop” expires in 7 days');
    await keyport.call('tokens.revoke', { serverId: ids.bob, tokenId: created.token.id });
  });

  it('Rotate makes the successor with the same scopes and expiry duration, tries it against the hub (GET /hub/api/user) before revoking the old one', async () => {
    const created = await create(ids.bob, 'rotating laptop', { expiresIn: '7d', scopes: 'read:users!user=bob' });
    const rotated = await keyport.call('delivery.rotate', { secretId: created.secretId });
    expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
    expect(rotated.steps.find((s) => s.step === 'check')).toMatchObject({ ok: true, message: expect.stringContaining('accepts rotating laptop-') });
    const fresh = await keyport.call('tokens.list', { serverId: ids.bob });
    const successor = fresh.find((t) => t.savedSecretId === rotated.newSecretId);
    expect(successor?.name).toMatch(/^rotating laptop-\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(successor!.expiresAt!) - Date.parse(successor!.createdAt!)).toBeGreaterThan(7 * 86_400_000 - 10_000);
    expect(Date.parse(successor!.expiresAt!) - Date.parse(successor!.createdAt!)).toBeLessThan(7 * 86_400_000 + 10_000);
    // The hub's own view of the new token: the same narrowed scopes.
    await keyport.call('clipboard.copy', { secretId: rotated.newSecretId!, format: 'raw' });
    const seen = await hubApi(hub, 'GET', '/user', undefined, keyport.clipboard.text);
    expect(seen.json).toMatchObject({ name: 'bob', scopes: expect.arrayContaining(['read:users!user=bob']) as unknown });
    expect(seen.json?.scopes).not.toContain('tokens!user=bob');
    expect((await hubApi(hub, 'GET', '/user', undefined, created.secret)).status).toBe(403);
    await keyport.call('tokens.revoke', { serverId: ids.bob, tokenId: successor!.id });
  });

  it('Rotate of a token saved without its settings (an older Keyport) reads the scopes and expiry from the hub’s list: the successor reaches no more than the old one', async () => {
    // Its own Keyport on a vault that is kept across a restart; the record of the settings goes
    // in between, as in a vault from before Keyport recorded them.
    const store = mapStore();
    const key = randomBytes(32);
    const first = createTestCore({ store, key });
    const server = await first.call('servers.add', { name: 'Hub (bob, older vault)', kind: 'jupyterhub', url: hub.url });
    await first.call('auth.signInWithPassword', { serverId: server.id, username: 'bob', password: password(hub, 'bob') });
    const created = await first.call('tokens.create', { serverId: server.id, name: 'older laptop', save: true, fields: { expiresIn: '5d', scopes: 'read:users!user=bob' } });
    await first.core.dispose();
    expect(forgetRecordedSettings(store)).toBe(1);
    const later = createTestCore({ store, key });
    try {
      const oldScopes = (await later.call('tokens.list', { serverId: server.id })).find((t) => t.savedSecretId === created.secretId)?.scopes;
      // The hub lists read:users expanded into its parts; asking for them again is the same rights.
      expect(oldScopes).toEqual(['read:users!user=bob', 'read:users:activity!user=bob', 'read:users:groups!user=bob', 'read:users:name!user=bob']);
      const rotated = await later.call('delivery.rotate', { secretId: created.secretId });
      expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
      expect(rotated.steps[0]?.message).toContain(`with the settings read from Hub (bob, older vault)’s list (scopes ${oldScopes!.join(' ')}, expiresIn 5d)`);
      const successor = (await later.call('tokens.list', { serverId: server.id })).find((t) => t.savedSecretId === rotated.newSecretId);
      expect(successor?.scopes).toEqual(oldScopes);
      expect(Math.abs(Date.parse(successor!.expiresAt!) - Date.parse(successor!.createdAt!) - 5 * 86_400_000)).toBeLessThan(10_000);
      await later.call('clipboard.copy', { secretId: rotated.newSecretId!, format: 'raw' });
      const seen = await hubApi(hub, 'GET', '/user', undefined, later.clipboard.text);
      expect(seen.json?.scopes).not.toContain('tokens!user=bob');
      expect((await hubApi(hub, 'GET', '/user', undefined, created.secret)).status).toBe(403);
      await later.call('tokens.revoke', { serverId: server.id, tokenId: successor!.id });
    } finally {
      await later.core.dispose();
    }
  });

  it('a pasted token signs in; revoking the session’s own token signs Keyport out cleanly', async () => {
    const made = await hubApi(hub, 'POST', '/users/bob/tokens', { auth: { username: 'bob', password: password(hub, 'bob') }, note: 'from /hub/token' });
    const server = await keyport.call('servers.add', { name: 'Pasted', kind: 'jupyterhub', url: hub.url });
    const signedIn = await keyport.call('auth.signInWithToken', { serverId: server.id, token: String(made.json?.token) });
    expect(signedIn.session).toMatchObject({ state: 'signed-in', method: 'token', user: { name: 'bob' } });
    const own = (await keyport.call('tokens.list', { serverId: server.id })).find((t) => t.usedBySession);
    expect(own?.extra.hubId).toBe(made.json?.id);
    expect(await keyport.call('tokens.revoke', { serverId: server.id, tokenId: own!.id })).toEqual({ signedOut: true });
    const after = (await keyport.call('servers.list')).find((s) => s.id === server.id);
    expect(after?.session.state).toBe('signed-out');
    expect((await hubApi(hub, 'GET', '/user', undefined, String(made.json?.token))).status).toBe(403);
  });

  it('signing out of a password session deletes Keyport’s session token at the hub', async () => {
    const server = await keyport.call('servers.add', { name: 'Sign-out', kind: 'jupyterhub', url: hub.url });
    await keyport.call('auth.signInWithPassword', { serverId: server.id, username: 'bob', password: password(hub, 'bob') });
    const session = (await keyport.call('tokens.list', { serverId: server.id })).find((t) => t.usedBySession)!;
    expect(session.name).toBe('Keyport session');
    await keyport.call('auth.signOut', { serverId: server.id });
    const remaining = await keyport.call('tokens.list', { serverId: ids.bob });
    expect(remaining.map((t) => t.id)).not.toContain(session.id);
  });
});

describe('bad inputs against a real hub, each a clear error on its field', () => {
  it('a wrong password is an error on the password field that points to /hub/token', async () => {
    const error = await failure('auth.signInWithPassword', { serverId: ids.bob, username: 'bob', password: 'not-the-password' });
    expect(error).toMatchObject({ code: 'AUTH_FAILED', field: 'password' });
    expect(error.hint).toContain('/hub/token');
  });

  it('scopes beyond the user’s own are an error on the scopes field (a non-admin asking for admin:users)', async () => {
    const error = await failure('tokens.create', { serverId: ids.bob, name: 'too much', save: false, fields: { scopes: 'admin:users' } });
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'scopes' });
    expect(error.message).toContain('admin:users');
    const unknown = await failure('tokens.create', { serverId: ids.bob, name: 'unknown', save: false, fields: { scopes: 'no-such-scope' } });
    expect(unknown).toMatchObject({ code: 'VALIDATION', field: 'scopes' });
  });

  it('an expiry over the hub’s limit is an error on the expiry field naming the limit; within it, the token lasts as asked', async () => {
    const error = await failure('tokens.create', { serverId: ids.limitedBob, name: 'long', save: false, fields: { expiresIn: '2h' } });
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'expiresIn' });
    expect(error.message).toContain('at most 1 hour');
    const ok = await create(ids.limitedBob, 'short', { expiresIn: '1h' });
    expect(Date.parse(ok.token.expiresAt!) - Date.parse(ok.token.createdAt!)).toBeGreaterThan(3_590_000);
    // The session itself got the hub's longest life, and it is a key to be reminded about.
    const server = (await keyport.call('servers.list')).find((s) => s.id === ids.limitedBob)!;
    expect(server.session.state === 'signed-in' && server.session.expiresAt).toBeTruthy();
  });

  it('a bad expiry is an error on the expiry field before the hub sees it', async () => {
    for (const expiresIn of ['0', '-5', 'tomorrow', '1.5']) {
      const error = await failure('tokens.create', { serverId: ids.bob, name: 'bad expiry', save: false, fields: { expiresIn } });
      expect(error, expiresIn).toMatchObject({ code: 'VALIDATION', field: 'expiresIn' });
    }
    const listed = await keyport.call('tokens.list', { serverId: ids.bob });
    expect(listed.map((t) => t.name)).not.toContain('bad expiry');
  });

  it('a lone surrogate in the name is refused on the name field, and the hub keeps working', async () => {
    const error = await failure('tokens.create', { serverId: ids.bob, name: 'broken \ud800 note', save: false, fields: {} });
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'name' });
    const listed = await keyport.call('tokens.list', { serverId: ids.bob });
    expect(listed.length).toBeGreaterThan(0);
    const fine = await create(ids.bob, 'paired 😀 emoji');
    expect(fine.token.name).toBe('paired 😀 emoji');
  });
});
