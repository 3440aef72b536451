// The lock through the whole core: what unlocks it in each storage mode (nothing, an unlock PIN,
// the vault passphrase, the system's check), what is refused while locked, the verifier on disk,
// the growing wait after wrong tries, and starting locked.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PROCEDURE_NAMES } from '../../../shared/contract';
import { createCore } from '../createCore';
import { proceduresWith } from '../../../shared/procedures';
import { FakeTimers, useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import type { SystemUserCheck } from '../ports';
import { createAesCipher } from '../vault/aesCipher';
import { delayAfter } from './attemptThrottle';
import { UNLOCK_SCRYPT } from './unlockVerifier';

const AVAILABLE_WHILE_LOCKED = proceduresWith('availableWhileLocked');

const { harness, cleanups } = useCoreHarness();
/** Cheap scrypt for the tests that only need a verifier; one test checks the real cost. */
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PIN = '4821';

const signInEds = async (h: Harness) => {
  const server = await h.call('servers.add', { name: 'Enthought', kind: 'eds', url: h.eds.url });
  await h.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: 'wonderland-secret' });
  return server.id;
};

describe('lock without an unlock secret', () => {
  it('says it only clears secrets from memory, and opens again without anything', async () => {
    const h = await harness({ scryptCost: FAST });
    const status = await h.call('app.lock');
    expect(status.storage.locked).toBe(true);
    expect(status.lock).toEqual({ unlockWith: 'nothing', systemCheck: null });
    expect((await h.call('app.unlock', {})).storage.locked).toBe(false);
  });
});

describe('lock with an unlock PIN', () => {
  it('stores a scrypt verifier (N=2^17, salt, never the PIN), refuses a wrong PIN and opens with the right one', async () => {
    const h = await harness();
    await signInEds(h);
    const set = await h.call('lock.setSecret', { secret: PIN });
    expect(set.lock).toEqual({ unlockWith: 'unlock-secret', systemCheck: null });
    const verifier = h.store.get('unlockVerifier') as Record<string, unknown>;
    expect(verifier).toMatchObject({ kdf: 'scrypt', ...UNLOCK_SCRYPT });
    expect(String(verifier['salt']).length).toBeGreaterThanOrEqual(16);
    expect(h.vaultText()).not.toContain(PIN);
    expect(JSON.stringify(verifier)).not.toContain(PIN);

    await h.call('app.lock');
    expect(await h.fail('app.unlock', {})).toMatchObject({ code: 'AUTH_FAILED', field: 'passphrase' });
    expect(await h.fail('app.unlock', { passphrase: '4812' })).toMatchObject({ code: 'AUTH_FAILED', message: 'That unlock PIN or passphrase is not correct.' });
    expect(await h.fail('secrets.list')).toMatchObject({ code: 'LOCKED' });
    const opened = await h.call('app.unlock', { passphrase: PIN });
    expect(opened.storage.locked).toBe(false);
    expect(await h.call('secrets.list')).toEqual([]);
  }, 30_000);

  it('refuses every call but the lock screen’s while locked, and the lock screen’s calls name no server', async () => {
    const h = await harness({ scryptCost: FAST });
    await signInEds(h);
    await h.call('lock.setSecret', { secret: PIN });
    await h.call('app.lock');
    expect([...AVAILABLE_WHILE_LOCKED].sort()).toEqual(['app.activity', 'app.bootstrap', 'app.lock', 'app.status', 'app.unlock', 'app.unlockWithSystemCheck', 'kinds.list', 'settings.get']);
    for (const procedure of PROCEDURE_NAMES.filter((p) => !AVAILABLE_WHILE_LOCKED.has(p))) {
      expect(await h.core.handle(procedure, {}), procedure).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    }
    const bootstrap = await h.call('app.bootstrap');
    expect(bootstrap).toMatchObject({ servers: [], saved: [], kinds: [] });
    expect(JSON.stringify(bootstrap)).not.toContain('Enthought');
    // Still locked after all that.
    expect((await h.call('app.status')).storage.locked).toBe(true);
  });

  it('makes each wrong try wait longer (3 free, then 2 s, 4 s, …) and refuses even the right PIN meanwhile', async () => {
    expect([1, 2, 3, 4, 5, 12, 40].map(delayAfter)).toEqual([0, 0, 2000, 4000, 8000, 300_000, 300_000]);
    const h = await harness({ scryptCost: FAST });
    await h.call('lock.setSecret', { secret: PIN });
    await h.call('app.lock');
    for (let i = 0; i < 3; i++) expect(await h.fail('app.unlock', { passphrase: '0000' })).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await h.fail('app.unlock', { passphrase: PIN })).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many wrong tries. Wait 2 seconds before trying again.' });
    await h.timers.advance(2000);
    expect(await h.fail('app.unlock', { passphrase: '0000' })).toMatchObject({ code: 'AUTH_FAILED' });
    await h.timers.advance(3000);
    expect(await h.fail('app.unlock', { passphrase: PIN })).toMatchObject({ code: 'RATE_LIMITED', message: 'Too many wrong tries. Wait 1 second before trying again.' });
    await h.timers.advance(1000);
    expect((await h.call('app.unlock', { passphrase: PIN })).storage.locked).toBe(false);
    // A success starts the count again.
    await h.call('app.lock');
    expect(await h.fail('app.unlock', { passphrase: '0000' })).toMatchObject({ code: 'AUTH_FAILED' });
    expect((await h.call('app.unlock', { passphrase: PIN })).storage.locked).toBe(false);
  });

  it('counts parallel guesses one by one', async () => {
    const h = await harness({ scryptCost: FAST });
    await h.call('lock.setSecret', { secret: PIN });
    await h.call('app.lock');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => h.core.handle('app.unlock', { passphrase: `000${i}` })));
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('starts locked, with the wait of earlier wrong tries, after quitting and starting again', async () => {
    const h = await harness({ scryptCost: FAST });
    await h.call('lock.setSecret', { secret: PIN });
    await h.call('app.lock');
    for (let i = 0; i < 3; i++) await h.fail('app.unlock', { passphrase: '0000' });
    await h.core.dispose();
    const timers = new FakeTimers(h.timers.now());
    const again = createCore({
      store: h.store,
      cipher: createAesCipher(randomBytes(32), 'aes-256-gcm (test key)'),
      clipboard: h.clipboard,
      filePicker: { pickCertificate: async () => null },
      logger: { warn: () => undefined, error: () => undefined },
      appVersion: '0.0.0-test',
      timers,
    });
    cleanups.push(() => again.dispose());
    expect(await again.handle('app.status', undefined)).toMatchObject({ ok: true, value: { storage: { locked: true }, lock: { unlockWith: 'unlock-secret' } } });
    expect(await again.handle('app.unlock', { passphrase: PIN })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await timers.advance(2000);
    expect(await again.handle('app.unlock', { passphrase: PIN })).toMatchObject({ ok: true, value: { storage: { locked: false } } });
  });

  it('changes or removes the PIN only with the current one', async () => {
    const h = await harness({ scryptCost: FAST });
    await h.call('lock.setSecret', { secret: PIN });
    expect(await h.fail('lock.setSecret', { secret: '9999' })).toMatchObject({ code: 'AUTH_FAILED', field: 'current' });
    expect(await h.fail('lock.removeSecret', { current: '9999' })).toMatchObject({ code: 'AUTH_FAILED', field: 'current' });
    expect(await h.fail('lock.setSecret', { secret: '12', current: PIN })).toMatchObject({ code: 'VALIDATION', field: 'secret' });
    await h.call('lock.setSecret', { secret: 'a longer passphrase', current: PIN });
    await h.call('app.lock');
    expect(await h.fail('app.unlock', { passphrase: PIN })).toMatchObject({ code: 'AUTH_FAILED' });
    await h.call('app.unlock', { passphrase: 'a longer passphrase' });
    const removed = await h.call('lock.removeSecret', { current: 'a longer passphrase' });
    expect(removed.lock.unlockWith).toBe('nothing');
    expect(h.store.get('unlockVerifier')).toBeUndefined();
  });
});

describe('the system’s own user check (Touch ID)', () => {
  const touchId = (answers: boolean[], available = true): SystemUserCheck & { reasons: string[] } => {
    const reasons: string[] = [];
    return { label: 'Touch ID', reasons, available: () => available, confirm: async (reason) => (reasons.push(reason), answers.shift() ?? false) };
  };

  it('is offered besides a PIN and opens the lock only when the system confirms the person', async () => {
    const check = touchId([false, true]);
    const h = await harness({ scryptCost: FAST, systemCheck: check });
    expect((await h.call('app.status')).lock).toEqual({ unlockWith: 'nothing', systemCheck: null });
    const set = await h.call('lock.setSecret', { secret: PIN });
    expect(set.lock).toEqual({ unlockWith: 'unlock-secret', systemCheck: 'Touch ID' });
    await h.call('app.lock');
    expect(await h.fail('app.unlockWithSystemCheck')).toMatchObject({ code: 'AUTH_FAILED', message: 'Touch ID did not confirm you.' });
    expect((await h.call('app.unlockWithSystemCheck')).storage.locked).toBe(false);
    expect(check.reasons).toEqual(['unlock Keyport', 'unlock Keyport']);
  });

  it('is refused where the system cannot ask', async () => {
    const h = await harness({ scryptCost: FAST, systemCheck: touchId([true], false) });
    await h.call('lock.setSecret', { secret: PIN });
    await h.call('app.lock');
    expect(await h.fail('app.unlockWithSystemCheck')).toMatchObject({ code: 'UNSUPPORTED' });
    expect((await h.call('app.status')).storage.locked).toBe(true);
  });
});

describe('lock with a passphrase-encrypted vault', () => {
  it('asks for the vault passphrase, throttles wrong ones, and needs no separate PIN', async () => {
    const h = await harness({ cipher: 'unavailable', scryptCost: FAST });
    await h.call('storage.usePassphrase', { passphrase: 'correct horse battery' });
    const locked = await h.call('app.lock');
    expect(locked.lock).toEqual({ unlockWith: 'vault-passphrase', systemCheck: null });
    // Empty tries are not guesses: they do not count towards the wait.
    for (let i = 0; i < 3; i++) expect(await h.fail('app.unlock', {})).toMatchObject({ code: 'AUTH_FAILED', message: 'Enter your passphrase.' });
    for (let i = 0; i < 3; i++) expect(await h.fail('app.unlock', { passphrase: 'wrong horse' })).toMatchObject({ code: 'AUTH_FAILED', message: 'That passphrase is not correct.' });
    expect(await h.fail('app.unlock', { passphrase: 'correct horse battery' })).toMatchObject({ code: 'RATE_LIMITED' });
    await h.timers.advance(2000);
    expect((await h.call('app.unlock', { passphrase: 'correct horse battery' })).storage.locked).toBe(false);
    expect(await h.fail('lock.setSecret', { secret: PIN })).toMatchObject({ code: 'UNSUPPORTED' });
  });
});
