import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { startEdsServer, type EdsServer } from '../../../../e2e/servers/eds/edsServer';
import type { EventName, EventPayloads } from '../../../shared/contract';
import type { KeyportErrorShape } from '../../../shared/errors';
import type { Core } from '../core';
import { createCore } from '../createCore';
import type { Cipher, Clipboard, KeyValueStore, Timers } from '../ports';
import { createAesCipher, createUnavailableCipher } from '../vault/aesCipher';
import type { CreatedToken, SavedSecretView, ServerView, TokenView } from '../../../shared/model';

const START = Date.UTC(2025, 0, 1, 12);

/** Timers under the test's control: nothing scheduled runs until `advance`. */
class FakeTimers implements Timers {
  current = START;
  private queue: { at: number; fn: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number) {
    const entry = { at: this.current + ms, fn, cancelled: false };
    this.queue.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.queue.filter((e) => !e.cancelled && e.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.queue = this.queue.filter((e) => e !== due);
      this.current = due.at;
      due.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = target;
  }
}

class MemoryClipboard implements Clipboard {
  text = '';
  async readText() {
    return this.text;
  }
  async writeText(text: string) {
    this.text = text;
  }
}

type Emitted = { [E in EventName]: [E, EventPayloads[E]] }[EventName];

interface Harness {
  core: Core;
  eds: EdsServer;
  timers: FakeTimers;
  clipboard: MemoryClipboard;
  events: Emitted[];
  logs: string[];
  store: KeyValueStore;
  /** The vault file's text, as on disk. */
  vaultText(): string;
  /** Calls a procedure and returns its value; fails the test on an error answer. */
  call<T = unknown>(procedure: string, input?: unknown): Promise<T>;
  /** Calls a procedure that must fail, and returns its error. */
  fail(procedure: string, input?: unknown): Promise<KeyportErrorShape>;
  /** Requests to the server whose path matches, since the log was last cleared. */
  hits(pattern: RegExp): number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(options: { cipher?: 'aes' | 'unavailable'; eds?: EdsServer } = {}): Promise<Harness> {
  const eds = options.eds ?? (await startEdsServer());
  if (!options.eds) cleanups.push(() => eds.close());
  const dir = mkdtempSync(join(tmpdir(), 'keyport-core-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const conf = new Conf<Record<string, unknown>>({ cwd: dir, projectName: 'keyport-test', accessPropertiesByDotNotation: false });
  const store: KeyValueStore = { get: (k) => conf.get(k), set: (k, v) => conf.set(k, v), delete: (k) => conf.delete(k), setMany: (values) => conf.set(values) };
  const cipher: Cipher =
    options.cipher === 'unavailable'
      ? createUnavailableCipher('basic_text', 'No keyring on this system, so secrets cannot be encrypted.')
      : createAesCipher(randomBytes(32), 'aes-256-gcm (test key)');
  const timers = new FakeTimers();
  const clipboard = new MemoryClipboard();
  const logs: string[] = [];
  const core = createCore({
    store,
    cipher,
    clipboard,
    filePicker: { pickCertificate: async () => null },
    logger: { warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) },
    appVersion: '0.0.0-test',
    timers,
  });
  cleanups.push(() => core.dispose());
  const events: Emitted[] = [];
  core.onEvent((event, payload) => events.push([event, payload] as Emitted));
  return {
    core,
    eds,
    timers,
    clipboard,
    events,
    logs,
    store,
    vaultText: () => {
      try {
        return readFileSync(conf.path, 'utf8');
      } catch {
        return '';
      }
    },
    async call<T>(procedure: string, input?: unknown) {
      const result = await core.handle(procedure, input);
      if (!result.ok) throw new Error(`${procedure} failed: ${result.error.code} ${result.error.message}`);
      return result.value as T;
    },
    async fail(procedure: string, input?: unknown) {
      const result = await core.handle(procedure, input);
      if (result.ok) throw new Error(`${procedure} succeeded, but should have failed`);
      return result.error;
    },
    hits: (pattern) => eds.requestLog.filter((e) => pattern.test(e.path)).length,
  };
}

// ---------------------------------------------------------------------------------------------

const PASSWORD = 'wonderland-secret'; // the reference server's password for alice
const CREATE = /\/auth\/tokens\/api$/;

async function signedIn(options: { cipher?: 'aes' | 'unavailable' } = {}): Promise<{ h: Harness; serverId: string }> {
  const h = await harness(options);
  const view = await h.call<ServerView>('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
  await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: PASSWORD });
  return { h, serverId: view.id };
}

describe('tokens.create', () => {
  it('with save: the token is in the vault (encrypted), in secrets.list, and marked in tokens.list', async () => {
    const { h, serverId } = await signedIn();
    h.eds.createApiToken('alice', 'other');
    const created = await h.call<CreatedToken>('tokens.create', { serverId, name: 'ci', save: true });

    expect(created.saved).toBe(true);
    expect(created.secretId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.token).toMatchObject({ id: 'ci', name: 'ci', savedSecretId: created.secretId });
    expect(h.eds.isApiTokenValid(created.secret)).toBe(true);

    expect(await h.call<SavedSecretView[]>('secrets.list')).toEqual([
      { id: created.secretId, serverId, name: 'ci', savedAt: new Date(START).toISOString() },
    ]);
    const listed = await h.call<TokenView[]>('tokens.list', { serverId });
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
    const created = await h.call<CreatedToken>('tokens.create', { serverId, name: 'once', save: false });
    expect(created.saved).toBe(false);
    expect(created.secretId).toMatch(/^once-/);
    expect(created.token.savedSecretId).toBeNull();
    expect(await h.call('secrets.list')).toEqual([]);
    expect(h.vaultText()).not.toContain(created.secret);
    expect(h.vaultText()).not.toContain(created.secretId);

    const copied = await h.call<{ clearsAt: number; seconds: number }>('clipboard.copy', { secretId: created.secretId, format: 'shell' });
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
    expect((await h.call<TokenView[]>('tokens.list', { serverId })).map((t) => t.name)).toEqual(['once']);
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
    const created = await h.call<CreatedToken>('tokens.create', { serverId, name: 'ci', save: false });
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
    const view = await h.call<ServerView>('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
    expect((await h.fail('tokens.create', { serverId: view.id, name: 'ci', save: false })).code).toBe('NOT_SIGNED_IN');
    expect(h.eds.tokenNames('alice')).toEqual([]);
  });
});

describe('tokens.revoke', () => {
  it('revokes on the server and removes the saved copy', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call<CreatedToken>('tokens.create', { serverId, name: 'ci', save: true });
    await h.call('tokens.revoke', { serverId, tokenId: 'ci' });
    expect(h.eds.tokenNames('alice')).toEqual([]);
    expect(await h.call('secrets.list')).toEqual([]);
    expect(h.store.get('secrets')).not.toHaveProperty(created.secretId);
    expect((await h.fail('clipboard.copy', { secretId: created.secretId, format: 'raw' })).code).toBe('NOT_FOUND');
  });

  it('leaves the saved copies of other tokens alone', async () => {
    const { h, serverId } = await signedIn();
    const keep = await h.call<CreatedToken>('tokens.create', { serverId, name: 'keep', save: true });
    await h.call<CreatedToken>('tokens.create', { serverId, name: 'drop', save: true });
    await h.call('tokens.revoke', { serverId, tokenId: 'drop' });
    expect((await h.call<SavedSecretView[]>('secrets.list')).map((s) => s.id)).toEqual([keep.secretId]);
  });

  it('a token that is not there is NOT_FOUND', async () => {
    const { h, serverId } = await signedIn();
    expect((await h.fail('tokens.revoke', { serverId, tokenId: 'ghost' })).code).toBe('NOT_FOUND');
  });
});

describe('secrets.forget', () => {
  it('forgets a saved token without revoking it, and refuses other ids', async () => {
    const { h, serverId } = await signedIn();
    const created = await h.call<CreatedToken>('tokens.create', { serverId, name: 'ci', save: true });
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
