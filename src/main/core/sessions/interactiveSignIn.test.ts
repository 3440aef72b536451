import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, loopbackOnlyLookup, mapStore, MemoryClipboard, type TestCore, type TestCoreOptions } from '../../../../test/support/testCore';
import { startAnacondaServer, type AnacondaServer } from '../../../../test/servers/anaconda/anacondaServer';
import { writeAnacondaKeyring } from '../../../../test/servers/anaconda/keyringFile';
import type { KeyportErrorShape, WireResult } from '../../../shared/errors';
import type { ServerView, SessionView } from '../../../shared/model';
import type { Core } from '../core';
import { createCore } from '../createCore';
import { personAt, type PersonOptions } from '../../../../test/support/anacondaPerson';
import { createAesCipher } from '../vault/aesCipher';

/** The interactive sign-ins (browser and device) through the real core (createTestCore: the
 * app's composition root with test adapters) against the reference Anaconda server, with "the
 * system browser" scripted by personAt. */

let anaconda: AnacondaServer;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  anaconda = await startAnacondaServer();
});
afterAll(async () => {
  await anaconda.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Person = 'ignore' | PersonOptions;

interface Setup {
  test: TestCore;
  home: string;
  /** What "the person" does with the next URLs the core opens, in order; the last repeats. */
  people: Person[];
  serverId: string;
  result<T = unknown>(procedure: string, input?: unknown): Promise<WireResult<T>>;
  fail(procedure: string, input?: unknown): Promise<KeyportErrorShape>;
  session(): Promise<SessionView | undefined>;
}

/** A core with a home folder of its own and the reference server added as an Anaconda site. */
async function setUp(options: Omit<TestCoreOptions, 'openBrowser' | 'homeDir'> & { addServer?: boolean } = {}): Promise<Setup> {
  const home = mkdtempSync(join(tmpdir(), 'keyport-home-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const people: Person[] = [{}];
  let opens = 0;
  const test = createTestCore({
    ...options,
    homeDir: home,
    openBrowser: async (url) => {
      const person = people[Math.min(opens++, people.length - 1)] ?? 'ignore';
      if (person !== 'ignore') await personAt(url, person);
    },
  });
  cleanups.push(() => test.core.dispose());
  const serverId = options.addServer === false ? '' : (await test.call('servers.add', { name: 'Anaconda test', kind: 'anaconda', url: anaconda.url })).id;
  const result = <T,>(procedure: string, input?: unknown) => test.core.handle(procedure, input) as Promise<WireResult<T>>;
  return {
    test,
    home,
    people,
    serverId,
    result,
    async fail(procedure, input) {
      const r = await result(procedure, input);
      if (r.ok) throw new Error(`${procedure} succeeded, but should have failed`);
      return r.error;
    },
    async session() {
      return (await test.call('servers.list')).find((s) => s.id === serverId)?.session;
    },
  };
}

/** The loopback redirect URI named in a sign-in URL the core opened. */
const redirectUriOf = (url: string | undefined): string => new URL(url ?? '').searchParams.get('redirect_uri') ?? '';

/** Whether something still answers on the redirect URI's port. */
async function listening(redirectUri: string): Promise<boolean> {
  try {
    await fetch(new URL('/', redirectUri), { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/** Writes ~/.anaconda/keyring holding `apiKey` for the reference server's host:port. */
const writeKeyring = (home: string, apiKey: string) => writeAnacondaKeyring(home, anaconda.url, apiKey);

describe('browser sign-in through the core', () => {
  it('opens the sign-in page, and signs in with the minted key once the person logged in', async () => {
    const s = await setUp();
    const keys = anaconda.apiKeys('alice').length;
    const view = await s.test.call('auth.signInWithBrowser', { serverId: s.serverId });
    expect(view.session).toMatchObject({ state: 'signed-in', method: 'browser', user: { name: 'alice', email: 'alice@example.com' } });
    expect(s.test.opened).toHaveLength(1);
    expect(new URL(s.test.opened[0] ?? '').origin).toBe(anaconda.url);
    expect(anaconda.apiKeys('alice')).toHaveLength(keys + 1);
    expect(await listening(redirectUriOf(s.test.opened[0]))).toBe(false);
  });

  it('with a valid session and no force, returns at once without opening a browser; force signs in again', async () => {
    const s = await setUp({ addServer: false });
    writeKeyring(s.home, anaconda.mintApiKey('alice').apiKey);
    const imported = await s.test.call('sessionFiles.import', { kind: 'anaconda' });
    expect(imported).toMatchObject({ kind: 'anaconda', url: anaconda.url, session: { state: 'signed-in', method: 'file' } });
    const keys = anaconda.apiKeys('alice').length;

    const again = await s.test.call('auth.signInWithBrowser', { serverId: imported.id });
    expect(again.session).toMatchObject({ state: 'signed-in', method: 'file' });
    expect(await s.test.call('auth.startDeviceSignIn', { serverId: imported.id })).toBeNull();
    expect(s.test.opened).toEqual([]);
    expect(anaconda.apiKeys('alice')).toHaveLength(keys);

    const forced = await s.test.call('auth.signInWithBrowser', { serverId: imported.id, force: true });
    expect(forced.session).toMatchObject({ state: 'signed-in', method: 'browser' });
    expect(s.test.opened).toHaveLength(1);
    expect(anaconda.apiKeys('alice')).toHaveLength(keys + 1);
  });

  it('an expired session does not count: the browser opens without force', async () => {
    const s = await setUp({ addServer: false });
    writeKeyring(s.home, anaconda.mintApiKey('alice', { lifetimeSeconds: -60 }).apiKey);
    const imported = await s.test.call('sessionFiles.import', { kind: 'anaconda' });
    const view = await s.test.call('auth.signInWithBrowser', { serverId: imported.id });
    expect(view.session).toMatchObject({ state: 'signed-in', method: 'browser' });
    expect(s.test.opened).toHaveLength(1);
  });

  it('Cancel aborts a running sign-in (CANCELLED), closes its loopback listener and changes nothing', async () => {
    const s = await setUp();
    s.people.splice(0, s.people.length, 'ignore');
    const running = s.result('auth.signInWithBrowser', { serverId: s.serverId });
    await expect.poll(() => s.test.opened.length).toBe(1);
    const redirectUri = redirectUriOf(s.test.opened[0]);
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/oidc$/);
    expect(await listening(redirectUri)).toBe(true);

    expect(await s.result('auth.cancelSignIn', { serverId: s.serverId })).toEqual({ ok: true, value: undefined });
    const outcome = await running;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    expect(await listening(redirectUri)).toBe(false);
    expect(await s.session()).toEqual({ state: 'signed-out' });
    // Nothing left to cancel, and a cancel of nothing is harmless.
    expect((await s.result('auth.cancelSignIn', { serverId: s.serverId })).ok).toBe(true);
  });

  it('a second start cancels the first: its listener closes and only the second signs in', async () => {
    const s = await setUp();
    s.people.splice(0, s.people.length, 'ignore', {});
    const first = s.result('auth.signInWithBrowser', { serverId: s.serverId });
    await expect.poll(() => s.test.opened.length).toBe(1);
    const firstRedirect = redirectUriOf(s.test.opened[0]);
    const second = await s.test.call('auth.signInWithBrowser', { serverId: s.serverId, force: true });
    const outcome = await first;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    expect(await listening(firstRedirect)).toBe(false);
    expect(second.session).toMatchObject({ state: 'signed-in', method: 'browser' });
    expect(redirectUriOf(s.test.opened[1])).not.toBe(firstRedirect);
  });

  it('a Cancel on the login page is CANCELLED and leaves the server signed out', async () => {
    const s = await setUp();
    s.people.splice(0, s.people.length, { action: 'cancel' });
    const error = await s.fail('auth.signInWithBrowser', { serverId: s.serverId });
    expect(error.code).toBe('CANCELLED');
    expect(await s.session()).toEqual({ state: 'signed-out' });
  });

  it('gives up after the sign-in time limit (TIMEOUT) and closes the listener', async () => {
    const s = await setUp({ signInTimeoutMs: 300 });
    s.people.splice(0, s.people.length, 'ignore');
    const error = await s.fail('auth.signInWithBrowser', { serverId: s.serverId });
    expect(error.code).toBe('TIMEOUT');
    expect(await listening(redirectUriOf(s.test.opened[0]))).toBe(false);
  });

  it('a Cancel while the API key is being minted revokes that key: nothing is left on the account', { timeout: 20_000 }, async () => {
    const s = await setUp();
    const before = anaconda.apiKeys('alice').length;
    const logins = anaconda.stats.logins;
    anaconda.faults.add({ kind: 'delay', ms: 2000, match: /^\/api\/(auth|iam)\/api-keys$/, times: 1 });
    cleanups.push(() => anaconda.faults.clear());
    const running = s.result('auth.signInWithBrowser', { serverId: s.serverId });
    // The person has logged in; the code exchange takes milliseconds, the minting 2 s.
    await expect.poll(() => anaconda.stats.logins, { timeout: 10_000 }).toBe(logins + 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await s.test.call('auth.cancelSignIn', { serverId: s.serverId });
    const outcome = await running;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    const minted = anaconda.apiKeys('alice').slice(before);
    expect(minted).toHaveLength(1);
    expect(minted[0]?.revoked).toBe(true);
    expect(await s.session()).toEqual({ state: 'signed-out' });
  });

  it('locking Keyport cancels a running sign-in', async () => {
    const s = await setUp();
    s.people.splice(0, s.people.length, 'ignore');
    const running = s.result('auth.signInWithBrowser', { serverId: s.serverId });
    await expect.poll(() => s.test.opened.length).toBe(1);
    await s.test.call('app.lock');
    const outcome = await running;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    expect(await listening(redirectUriOf(s.test.opened[0]))).toBe(false);
  });
});

describe('device sign-in through the core', () => {
  it('finishing or opening the verification page without a started sign-in is NOT_FOUND', async () => {
    const s = await setUp();
    expect((await s.fail('auth.finishDeviceSignIn', { serverId: s.serverId })).code).toBe('NOT_FOUND');
    expect((await s.fail('auth.openDeviceVerification', { serverId: s.serverId })).code).toBe('NOT_FOUND');
    // A browser sign-in running is not a device sign-in.
    s.people.splice(0, s.people.length, 'ignore');
    const running = s.result('auth.signInWithBrowser', { serverId: s.serverId });
    await expect.poll(() => s.test.opened.length).toBe(1);
    expect((await s.fail('auth.finishDeviceSignIn', { serverId: s.serverId })).code).toBe('NOT_FOUND');
    expect((await s.fail('auth.openDeviceVerification', { serverId: s.serverId })).code).toBe('NOT_FOUND');
    await s.test.call('auth.cancelSignIn', { serverId: s.serverId });
    await running;
    expect(s.test.opened).toHaveLength(1);
  });

  it('opens only the verification page the server gave, and signs in once the person approves', { timeout: 30_000 }, async () => {
    const s = await setUp();
    const code = (await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId }))!;
    expect(s.test.opened, 'starting opens nothing').toEqual([]);
    expect(code.verificationUriComplete).not.toBeNull();
    await s.test.call('auth.openDeviceVerification', { serverId: s.serverId });
    expect(s.test.opened).toEqual([code.verificationUriComplete]);
    expect(new URL(s.test.opened[0] ?? '').origin).toBe(anaconda.url);
    const view = await s.test.call('auth.finishDeviceSignIn', { serverId: s.serverId });
    expect(view.session).toMatchObject({ state: 'signed-in', method: 'device', user: { name: 'alice' } });
    // The flow is over.
    expect((await s.fail('auth.finishDeviceSignIn', { serverId: s.serverId })).code).toBe('NOT_FOUND');
  });

  it('Cancel while waiting for the person is CANCELLED, and the flow is gone', { timeout: 30_000 }, async () => {
    const s = await setUp();
    await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId });
    const waiting = s.result('auth.finishDeviceSignIn', { serverId: s.serverId });
    await s.test.call('auth.cancelSignIn', { serverId: s.serverId });
    expect((await s.fail('auth.openDeviceVerification', { serverId: s.serverId })).code).toBe('NOT_FOUND');
    const outcome = await waiting;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    expect(await s.session()).toEqual({ state: 'signed-out' });
  });

  it('Cancel ends the waiting at once, not at the next poll of the server’s interval', { timeout: 30_000 }, async () => {
    const s = await setUp();
    const code = (await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId }))!;
    expect(code.intervalSeconds).toBeGreaterThanOrEqual(5);
    const waiting = s.result('auth.finishDeviceSignIn', { serverId: s.serverId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelledAt = Date.now();
    await s.test.call('auth.cancelSignIn', { serverId: s.serverId });
    const outcome = await waiting;
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('CANCELLED');
    // The interval is 5 s; the answer comes as soon as the cancel does.
    expect(Date.now() - cancelledAt).toBeLessThan(1500);
  });

  it('Keyport’s own time limit ends the waiting as TIMEOUT (not CANCELLED), at once', { timeout: 30_000 }, async () => {
    const s = await setUp({ signInTimeoutMs: 700 });
    await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId });
    const started = Date.now();
    const error = await s.fail('auth.finishDeviceSignIn', { serverId: s.serverId });
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'The sign-in took too long and was stopped.' });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(await s.session()).toEqual({ state: 'signed-out' });
  });

  it('a new start replaces a running device sign-in', { timeout: 30_000 }, async () => {
    const s = await setUp();
    const first = (await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId }))!;
    const second = (await s.test.call('auth.startDeviceSignIn', { serverId: s.serverId, force: true }))!;
    expect(second.userCode).not.toBe(first.userCode);
    await s.test.call('auth.openDeviceVerification', { serverId: s.serverId });
    expect(s.test.opened).toEqual([second.verificationUriComplete]);
    await s.test.call('auth.cancelSignIn', { serverId: s.serverId });
  });
});

describe('interactive sign-in capabilities', () => {
  it('without a browser adapter, a browser sign-in and opening the verification page are UNSUPPORTED; a code still works', async () => {
    const core: Core = createCore({
      store: mapStore(),
      cipher: createAesCipher(randomBytes(32), 'aes-256-gcm (test key)'),
      clipboard: new MemoryClipboard(),
      filePicker: { pickCertificate: async () => null },
      logger: { warn: () => undefined, error: () => undefined },
      appVersion: '0.0.0-test',
      lookup: loopbackOnlyLookup,
      env: {},
    });
    cleanups.push(() => core.dispose());
    const added = await core.handle('servers.add', { name: 'Anaconda test', kind: 'anaconda', url: anaconda.url });
    if (!added.ok) throw new Error(added.error.message);
    const serverId = (added.value as ServerView).id;
    const browser = await core.handle('auth.signInWithBrowser', { serverId });
    expect(browser.ok ? null : browser.error).toMatchObject({ code: 'UNSUPPORTED', message: 'Keyport cannot open a browser here.' });
    const started = await core.handle('auth.startDeviceSignIn', { serverId });
    expect(started.ok).toBe(true);
    const open = await core.handle('auth.openDeviceVerification', { serverId });
    expect(open.ok ? null : open.error).toMatchObject({ code: 'UNSUPPORTED' });
    await core.handle('auth.cancelSignIn', { serverId });
  });

  it('a kind without browser or code sign-in says so (UNSUPPORTED), whatever the browser', async () => {
    const s = await setUp({ addServer: false });
    const eds = await s.test.call('servers.add', { name: 'EDS', kind: 'eds', url: 'https://eds.example.com' });
    expect(await s.fail('auth.signInWithBrowser', { serverId: eds.id })).toMatchObject({ code: 'UNSUPPORTED', message: 'EDS does not support signing in with the browser.' });
    expect(await s.fail('auth.startDeviceSignIn', { serverId: eds.id, force: true })).toMatchObject({ code: 'UNSUPPORTED', message: 'EDS does not support signing in with a code.' });
    expect(s.test.opened).toEqual([]);
  });

  it('an unknown server is NOT_FOUND for starting; cancelling it is a harmless no-op', async () => {
    const s = await setUp({ addServer: false });
    expect((await s.fail('auth.signInWithBrowser', { serverId: 'missing' })).code).toBe('NOT_FOUND');
    expect((await s.fail('auth.startDeviceSignIn', { serverId: 'missing' })).code).toBe('NOT_FOUND');
    expect(await s.result('auth.cancelSignIn', { serverId: 'missing' })).toEqual({ ok: true, value: undefined });
  });
});
