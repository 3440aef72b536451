import { describe, expect, it, vi } from 'vitest';
import { START, useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import { ReminderService } from '../reminders/reminderService';

const { harness } = useCoreHarness();

// ---------------------------------------------------------------------------------------------

const PASSWORD = 'wonderland-secret'; // the reference server's password for alice
const CREATE = /\/auth\/tokens\/api$/;

async function signedIn(options: { cipher?: 'aes' | 'unavailable' } = {}): Promise<{ h: Harness; serverId: string }> {
  const h = await harness(options);
  const view = await h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
  await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: PASSWORD });
  return { h, serverId: view.id };
}

describe('tokens.create', () => {
  it('checks the expiry reminders after a token is saved, not after one created and only shown', async () => {
    const { h, serverId } = await signedIn();
    const check = vi.spyOn(ReminderService.prototype, 'check');
    await h.call('tokens.create', { serverId, name: 'shown-once', save: false });
    expect(check).not.toHaveBeenCalled();
    await h.call('tokens.create', { serverId, name: 'kept', save: true });
    expect(check).toHaveBeenCalled();
    check.mockRestore();
  });

  it('with save: the token is in the vault (encrypted), in secrets.list, and marked in tokens.list', async () => {
    const { h, serverId } = await signedIn();
    h.eds.createApiToken('alice', 'other');
    const created = await h.call('tokens.create', { serverId, name: 'ci', save: true });

    expect(created.saved).toBe(true);
    expect(created.secretId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.token).toMatchObject({ id: 'ci', name: 'ci', savedSecretId: created.secretId });
    expect(h.eds.isApiTokenValid(created.secret)).toBe(true);

    expect(await h.call('secrets.list')).toEqual([
      { id: created.secretId, serverId, name: 'ci', savedAt: new Date(START).toISOString(), expiresAt: null, pinned: false, goneFromServer: false },
    ]);
    const listed = await h.call('tokens.list', { serverId });
    expect(listed.map((t) => [t.name, t.savedSecretId])).toEqual([
      ['other', null],
      ['ci', created.secretId],
    ]);
    expect(h.vaultText()).not.toContain(created.secret);

    // Copyable by that id.
    await h.call('clipboard.copy', { secretId: created.secretId, format: 'raw' });
    expect(h.clipboard.text).toBe(created.secret);
  });

  it('without save: copyable by a short-lived id for 10 minutes, never persisted', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call('tokens.create', { serverId, name: 'once', save: false });
    expect(created.saved).toBe(false);
    expect(created.secretId).toMatch(/^once-/);
    expect(created.token.savedSecretId).toBeNull();
    expect(await h.call('secrets.list')).toEqual([]);
    expect(h.vaultText()).not.toContain(created.secret);
    expect(h.vaultText()).not.toContain(created.secretId);

    const copied = await h.call('clipboard.copy', { secretId: created.secretId, format: 'shell' });
    expect(h.clipboard.text).toBe(`export HATCHER_URL=${h.eds.url} HATCHER_TOKEN=${created.secret}`);
    expect(copied).toEqual({ clearsAt: START + 30_000, seconds: 30 });
    expect(JSON.stringify(copied)).not.toContain(created.secret);

    await h.timers.advance(10 * 60 * 1000 - 1);
    await h.call('clipboard.copy', { secretId: created.secretId, format: 'raw' });
    expect(h.clipboard.text).toBe(created.secret);
    await h.timers.advance(1);
    const error = await h.fail('clipboard.copy', { secretId: created.secretId, format: 'raw' });
    expect(error.code).toBe('NOT_FOUND');
    expect(error.hint).toMatch(/10 minutes/);
    // Still listed on the server: only Keyport's copy expired.
    expect((await h.call('tokens.list', { serverId })).map((t) => t.name)).toEqual(['once']);
  });

  it('save with an unavailable cipher: STORAGE_UNAVAILABLE, and NO token is created on the server', async () => {
    const { h, serverId } = await signedIn({ cipher: 'unavailable' });
    h.eds.requestLog.length = 0;
    const error = await h.fail('tokens.create', { serverId, name: 'ci', save: true });
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.hint).toEqual(expect.stringMatching(/\w+ \w+/));
    expect(h.eds.tokenNames('alice')).toEqual([]);
    expect(h.eds.requestLog.filter((e) => e.method === 'POST' && CREATE.test(e.path))).toEqual([]);
    expect(h.eds.requestLog).toEqual([]);

    // Without save it works, and stays in memory.
    const created = await h.call('tokens.create', { serverId, name: 'ci', save: false });
    expect(h.eds.tokenNames('alice')).toEqual(['ci']);
    expect(h.vaultText()).not.toContain(created.secret);
  });

  it('a taken name is CONFLICT on the name field, and nothing is saved', async () => {
    const { h, serverId } = await signedIn();
    h.eds.createApiToken('alice', 'ci');
    const error = await h.fail('tokens.create', { serverId, name: 'ci', save: true });
    expect(error).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(await h.call('secrets.list')).toEqual([]);
  });

  it('needs a sign-in', async () => {
    const h = await harness();
    const view = await h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
    expect((await h.fail('tokens.create', { serverId: view.id, name: 'ci', save: false })).code).toBe('NOT_SIGNED_IN');
    expect(h.eds.tokenNames('alice')).toEqual([]);
  });
});

describe('tokens.revoke', () => {
  it('revokes on the server and removes the saved copy', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call('tokens.create', { serverId, name: 'ci', save: true });
    await h.call('tokens.revoke', { serverId, tokenId: 'ci' });
    expect(h.eds.tokenNames('alice')).toEqual([]);
    expect(await h.call('secrets.list')).toEqual([]);
    expect(h.store.get('secrets')).not.toHaveProperty(created.secretId);
    expect((await h.fail('clipboard.copy', { secretId: created.secretId, format: 'raw' })).code).toBe('NOT_FOUND');
  });

  it('leaves the saved copies of other tokens alone', async () => {
    const { h, serverId } = await signedIn();
    const keep = await h.call('tokens.create', { serverId, name: 'keep', save: true });
    await h.call('tokens.create', { serverId, name: 'drop', save: true });
    await h.call('tokens.revoke', { serverId, tokenId: 'drop' });
    expect((await h.call('secrets.list')).map((s) => s.id)).toEqual([keep.secretId]);
  });

  it('a token that is not there is NOT_FOUND', async () => {
    const { h, serverId } = await signedIn();
    expect((await h.fail('tokens.revoke', { serverId, tokenId: 'ghost' })).code).toBe('NOT_FOUND');
  });
});

describe('saved copies are tied to the token they were created as', () => {
  it('a token deleted elsewhere and made again with the same name does not get the old copy; the copy shows as gone, to forget', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call('tokens.create', { serverId, name: 'dup', save: true });
    expect((await h.call('tokens.list', { serverId })).map((t) => t.savedSecretId)).toEqual([created.secretId]);

    // Elsewhere (hatcher, the web UI): deleted, then a new token with the same name.
    h.eds.revokeApiToken('alice', 'dup');
    await new Promise((resolve) => setTimeout(resolve, 5)); // another creation time
    const newer = h.eds.createApiToken('alice', 'dup');
    const listed = await h.call('tokens.list', { serverId });
    expect(listed.map((t) => [t.name, t.savedSecretId])).toEqual([['dup', null]]);
    const saved = await h.call('secrets.list');
    expect(saved).toEqual([expect.objectContaining({ id: created.secretId, name: 'dup', goneFromServer: true })]);
    // The old copy is still the old secret (it would not work), never the new one.
    await h.call('clipboard.copy', { secretId: created.secretId, format: 'raw' });
    expect(h.clipboard.text).toBe(created.secret);
    expect(h.clipboard.text).not.toBe(newer);
    // Revoking the new token from Keyport does not take the old copy with it by name…
    await h.call('tokens.revoke', { serverId, tokenId: 'dup' });
    expect(await h.call('secrets.list')).toHaveLength(1);
    // …Forget does.
    await h.call('secrets.forget', { secretId: created.secretId });
    expect(await h.call('secrets.list')).toEqual([]);
  });

  it('a token deleted elsewhere: its copy shows as gone after the next list; a token still there keeps its copy', async () => {
    const { h, serverId } = await signedIn();
    const kept = await h.call('tokens.create', { serverId, name: 'kept', save: true });
    const lost = await h.call('tokens.create', { serverId, name: 'lost', save: true });
    h.eds.revokeApiToken('alice', 'lost');
    const events = h.events.length;
    const listed = await h.call('tokens.list', { serverId });
    expect(listed.map((t) => [t.name, t.savedSecretId])).toEqual([['kept', kept.secretId]]);
    const saved = await h.call('secrets.list');
    expect(saved.map((s) => [s.id, s.goneFromServer])).toEqual([
      [kept.secretId, false],
      [lost.secretId, true],
    ]);
    // Other windows hear of it.
    expect(h.events.slice(events).map(([name]) => name)).toContain('secrets.changed');
  });

  it('marks many copies gone in one vault write, not one write per copy', async () => {
    const { h, serverId } = await signedIn();
    const names = Array.from({ length: 30 }, (_, i) => `copy-${i}`);
    for (const name of names) await h.call('tokens.create', { serverId, name, save: true });
    for (const name of names.slice(0, 20)) h.eds.revokeApiToken('alice', name);
    // One write, of the changed copies alone (setEntries), or of all secrets on a store without it.
    const whole = vi.spyOn(h.store, 'setMany');
    const entries = h.store.setEntries ? vi.spyOn(h.store as Required<typeof h.store>, 'setEntries') : null;
    const writes = { calls: () => whole.mock.calls.length + (entries?.mock.calls.length ?? 0) };
    const listed = await h.call('tokens.list', { serverId });
    expect(listed.map((t) => t.name)).toEqual(names.slice(20));
    expect(writes.calls()).toBe(1);
    expect(entries?.mock.calls[0]?.[1]).toSatisfy((put: Record<string, unknown>) => Object.keys(put).length === 20);
    const saved = await h.call('secrets.list');
    expect(saved.filter((s) => s.goneFromServer).map((s) => s.name).sort()).toEqual(names.slice(0, 20).sort());
    // Nothing changed since: the next list writes nothing.
    await h.call('tokens.list', { serverId });
    expect(writes.calls()).toBe(1);
  });
});

describe('a session signed in with a pasted API token', () => {
  async function pasted(h: Harness, token: string): Promise<string> {
    const view = await h.call('servers.add', { name: 'Pasted EDS', kind: 'eds', url: h.eds.url });
    await h.call('auth.signInWithToken', { serverId: view.id, token });
    return view.id;
  }
  const sessionOf = async (h: Harness, serverId: string) => (await h.call('servers.list')).find((s) => s.id === serverId)?.session;

  it('revoking the token it signed in with (one Keyport cannot name) signs it out cleanly, saying why', async () => {
    const h = await harness();
    const token = h.eds.createApiToken('alice', 'from-elsewhere');
    h.eds.createApiToken('alice', 'other');
    const serverId = await pasted(h, token);
    expect((await h.call('tokens.list', { serverId })).map((t) => t.usedBySession)).toEqual([false, false]);

    // Another token: the session stays.
    expect(await h.call('tokens.revoke', { serverId, tokenId: 'other' })).toEqual({ signedOut: false });
    expect(await sessionOf(h, serverId)).toMatchObject({ state: 'signed-in', method: 'token' });
    expect(await h.call('tokens.list', { serverId })).toHaveLength(1);

    // Its own: signed out at once, not left to fail later with SESSION_EXPIRED.
    expect(await h.call('tokens.revoke', { serverId, tokenId: 'from-elsewhere' })).toEqual({ signedOut: true });
    expect(await sessionOf(h, serverId)).toEqual({ state: 'signed-out', notice: 'Signed out: the API token this session signed in with was revoked.' });
    expect(h.events.some(([name, payload]) => name === 'servers.changed' && (payload as { serverId?: string }).serverId === serverId)).toBe(true);
  });

  it('a pasted token Keyport saved is marked as the session\'s, and revoking it signs out', async () => {
    const { h, serverId: first } = await signedIn();
    const created = await h.call('tokens.create', { serverId: first, name: 'saved-one', save: true });
    await h.call('auth.signInWithToken', { serverId: first, token: created.secret });
    expect(await sessionOf(h, first)).toMatchObject({ state: 'signed-in', method: 'token', dependsOn: 'saved-one' });
    expect((await h.call('tokens.list', { serverId: first })).find((t) => t.name === 'saved-one')?.usedBySession).toBe(true);
    expect(await h.call('tokens.revoke', { serverId: first, tokenId: 'saved-one' })).toEqual({ signedOut: true });
  });
});

describe('secrets.forget', () => {
  it('forgets a saved token without revoking it, and refuses other ids', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call('tokens.create', { serverId, name: 'ci', save: true });
    await h.call('secrets.forget', { secretId: created.secretId });
    expect(await h.call('secrets.list')).toEqual([]);
    expect(h.eds.tokenNames('alice')).toEqual(['ci']);
    expect((await h.fail('secrets.forget', { secretId: created.secretId })).code).toBe('NOT_FOUND');

    // The session is not a "saved token", even by its id.
    const sessionId = Object.keys((h.store.get('secrets') ?? {}) as object)[0];
    expect(sessionId).toBeDefined();
    expect((await h.fail('secrets.forget', { secretId: sessionId })).code).toBe('NOT_FOUND');
    expect((await h.fail('clipboard.copy', { secretId: sessionId, format: 'raw' })).code).toBe('NOT_FOUND');
    expect(await h.call('tokens.list', { serverId })).toHaveLength(1);
  });
});

describe('secrets.pin', () => {
  it('pins a saved token for the tray and unpins it, without touching its value; every window hears of it', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call('tokens.create', { serverId, name: 'deploy', save: true });
    const ciphertextBefore = JSON.stringify((h.store.get('secrets') as Record<string, { ciphertext: string }>)[created.secretId]?.ciphertext);
    h.events.length = 0;

    await h.call('secrets.pin', { secretId: created.secretId, pinned: true });
    expect((await h.call('secrets.list')).map((s) => [s.name, s.pinned])).toEqual([['deploy', true]]);
    expect(h.events).toEqual([['secrets.changed', {}]]);
    expect(JSON.stringify((h.store.get('secrets') as Record<string, { ciphertext: string }>)[created.secretId]?.ciphertext)).toBe(ciphertextBefore);
    await h.call('clipboard.copy', { secretId: created.secretId, format: 'raw' });
    expect(h.clipboard.text).toBe(created.secret);

    await h.call('secrets.pin', { secretId: created.secretId, pinned: false });
    expect((await h.call('secrets.list'))[0]?.pinned).toBe(false);
  });

  it('refuses what is not a saved token (a session, something gone) with NOT_FOUND', async () => {
    const { h } = await signedIn();
    expect((await h.fail('secrets.pin', { secretId: 'missing', pinned: true })).code).toBe('NOT_FOUND');
    const sessionId = Object.keys(h.store.get('secrets') as object)[0] ?? '';
    expect((await h.fail('secrets.pin', { secretId: sessionId, pinned: true })).code).toBe('NOT_FOUND');
  });
});
