import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mapStore } from '../../../../test/support/testCore';
import { createProviderRegistry } from '../providers/registry';
import { FakeTimers, START } from '../../../../test/support/coreHarness';
import { serverRecord } from '../../../../test/support/providerTesting';
import { createAesCipher } from '../vault/aesCipher';
import type { SecretMeta } from '../vault/records';
import { Vault } from '../vault/vault';
import { REMINDER_CHECK_INTERVAL_MS, ReminderService } from './reminderService';

const DAY = 24 * 60 * 60 * 1000;
const logger = { warn: () => undefined, error: () => undefined };

interface Setup {
  service: ReminderService;
  timers: FakeTimers;
  vault: Vault;
  store: ReturnType<typeof mapStore>;
  shown: Array<{ title: string; body: string }>;
  /** Servers whose session ended (the session service's "sign in again"). */
  ended: string[];
  days: number[];
}

/** A vault holding an Anaconda site and an EDS server, with reminders recorded instead of shown. */
function setUp(store = mapStore(), timers = new FakeTimers(START)): Setup {
  const vault = new Vault(store, createAesCipher(randomBytes(32)), logger);
  if (vault.servers().length === 0) {
    vault.putServer(serverRecord({ kind: 'anaconda', url: 'https://anaconda.example', name: 'Anaconda' }, { id: 'ana' }));
    vault.putServer(serverRecord({ kind: 'tapis', url: 'https://tapis.example', name: 'Tapis' }, { id: 'tap', options: { tenantId: 'x' } }));
  }
  const shown: Array<{ title: string; body: string }> = [];
  const setup: Setup = { service: undefined as never, timers, vault, store, shown, ended: [], days: [30, 7] };
  setup.service = new ReminderService({
    vault,
    endedSessions: () => setup.ended,
    providers: createProviderRegistry(),
    store,
    notifier: { notify: (n) => shown.push(n) },
    timers,
    reminderDays: () => setup.days,
  });
  return setup;
}

const meta = (id: string, serverId: string, purpose: SecretMeta['purpose'], expiresAt: number | null, name = id): SecretMeta => ({
  id,
  serverId,
  purpose,
  name,
  savedAt: new Date(START).toISOString(),
  expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
  pinned: false,
  claims: null,
  deliveryTargets: [],
  rotatedTo: null,
  createdWith: null,
  attributes: {},
});

describe('ReminderService', () => {
  it('reminds 30 and 7 days before a saved key expires, then once when it has expired, each once', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('k1', 'ana', 'api-token', START + 40 * DAY, 'deploy'), 'fake-secret-value');
    s.service.start();
    expect(s.shown).toEqual([]);
    await s.timers.advance(10 * DAY + REMINDER_CHECK_INTERVAL_MS);
    expect(s.shown.map((n) => n.title)).toEqual(['The API key “deploy” expires in 30 days']);
    expect(s.shown[0]?.body).toBe('The API key “deploy” on Anaconda expires on 2025-02-10. Create a new one before then and update the machines that use it.');
    await s.timers.advance(23 * DAY);
    expect(s.shown.map((n) => n.title)).toEqual(['The API key “deploy” expires in 30 days', 'The API key “deploy” expires in 7 days']);
    await s.timers.advance(8 * DAY);
    expect(s.shown.map((n) => n.title).at(-1)).toBe('The API key “deploy” has expired');
    await s.timers.advance(30 * DAY);
    expect(s.shown).toHaveLength(3);
    for (const n of s.shown) expect(JSON.stringify(n)).not.toContain('fake-secret-value');
    s.service.stop();
  });

  it('names a key whose name came from the server safely: controls visible, cut to 120 characters (issue 22, item 4)', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('k1', 'ana', 'api-token', START + 40 * DAY, `\u202Eyek\x1b[2J${'x'.repeat(600)}`), 'fake-secret-value');
    s.service.start();
    await s.timers.advance(10 * DAY + REMINDER_CHECK_INTERVAL_MS);
    expect(s.shown.map((n) => n.title)).toEqual([`The API key “\\u{202E}yek\\u{001B}[2J${'x'.repeat(119 - 22)}…” expires in 30 days`]);
    expect(JSON.stringify(s.shown)).not.toMatch(/\\u001b|\u202E/);
    s.service.stop();
  });

  it('a key found 5 days before expiry gets one reminder, not the 30-day one as well; one already expired gets one', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('soon', 'ana', 'api-token', START + 5 * DAY + 1000, 'soon'), 'v1');
    await s.vault.putSecret(meta('gone', 'ana', 'api-token', START - DAY, 'gone'), 'v2');
    s.service.check();
    s.service.check();
    expect(s.shown.map((n) => n.title).sort()).toEqual(['The API key “gone” has expired', 'The API key “soon” expires in 5 days']);
  });

  it('is not repeated after a restart, and a renewed key (new expiry) is reminded about again', async () => {
    const store = mapStore();
    const first = setUp(store);
    await first.vault.putSecret(meta('k', 'ana', 'session', START + 3 * DAY), 'key-1');
    first.service.check();
    expect(first.shown.map((n) => n.title)).toEqual(['Keyport’s API key expires in 3 days']);

    const restarted = setUp(store, new FakeTimers(START + DAY));
    restarted.service.check();
    expect(restarted.shown).toEqual([]);
    // Signed in again: the session's key has a new expiry.
    await restarted.vault.putSecret(meta('k', 'ana', 'session', START + 4 * DAY), 'key-2');
    restarted.service.check();
    expect(restarted.shown.map((n) => n.title)).toEqual(['Keyport’s API key expires in 3 days']);
  });

  it('never reminds about a renewable session (an access token that lives for hours) or a token without expiry', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('access', 'tap', 'session', START + 60_000), 'access-token');
    await s.vault.putSecret(meta('plain', 'ana', 'api-token', null), 'no-expiry');
    s.service.check();
    expect(s.shown).toEqual([]);
  });

  it('follows the reminder days setting; none turns reminders off', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('k', 'ana', 'api-token', START + 12 * DAY, 'deploy'), 'v');
    s.days = [];
    s.service.check();
    expect(s.shown).toEqual([]);
    s.days = [14];
    s.service.check();
    expect(s.shown.map((n) => n.title)).toEqual(['The API key “deploy” expires in 12 days']);
  });

  it('says once when a session could not be renewed, and again only after a new sign-in ended too', () => {
    const s = setUp();
    s.ended = ['tap'];
    s.service.check();
    s.service.check();
    expect(s.shown).toEqual([{ title: 'Sign in again to Tapis', body: 'Keyport could not renew your session on Tapis. Sign in again to keep using its tokens.' }]);
    s.ended = [];
    s.service.check();
    s.ended = ['tap'];
    s.service.check();
    expect(s.shown).toHaveLength(2);
  });

  it('forgets what it sent about keys that are gone, and does nothing while locked', async () => {
    const s = setUp();
    await s.vault.putSecret(meta('k', 'ana', 'api-token', START + 3 * DAY), 'v');
    s.service.check();
    expect(Object.keys(s.store.get('remindersSent') as object)).toHaveLength(2);
    s.vault.deleteSecret('k');
    s.service.check();
    expect(s.store.get('remindersSent')).toEqual({});
    s.vault.lock();
    s.service.check();
    expect(s.shown).toHaveLength(1);
  });
});
