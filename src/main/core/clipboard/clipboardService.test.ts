import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryClipboard } from '../../../../test/support/testCore';
import type { EventName, EventPayloads } from '../../../shared/contract';
import { AuditLog } from '../audit/auditLog';
import { KeyportError } from '../errors';
import { EventHub } from '../events';
import { createProviderRegistry } from '../providers/registry';
import { FakeTimers } from '../../../../test/support/coreHarness';
import { testMeta } from '../../../../test/support/vaultTesting';
import { EphemeralSecrets } from '../tokens/ephemeralSecrets';
import { createAesCipher } from '../vault/aesCipher';
import type { SecretMeta, ServerRecord } from '../vault/records';
import { Vault } from '../vault/vault';
import { SessionService } from '../sessions/sessionService';
import { ClipboardService } from './clipboardService';

const SECRET = 'fake-secret.eyJpZCI6N30.sig';
const ONCE_SECRET = 'fake-secret-once.eyJpZCI6OH0.sig';
const START = Date.UTC(2025, 0, 1);

/** Starts with other text on it, and can be made to fail reads. */
class TestClipboard extends MemoryClipboard {
  override text = 'what was there before';
  failReads = false;
  override async readText() {
    if (this.failReads) throw new Error(`clipboard broken while holding ${this.text}`);
    return this.text;
  }
}

const server = (overrides: Partial<ServerRecord> = {}): ServerRecord => ({
  id: 'srv',
  name: 'Main EDS',
  kind: 'eds',
  url: 'https://eds.example.com',
  allowInsecureTls: false,
  caCertificatePath: null,
  options: {},
  createdAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

const tokenMeta = (id: string, purpose: SecretMeta['purpose'] = 'api-token'): SecretMeta => ({
  ...testMeta(id, 'srv', purpose),
  name: 'ci-token',
  savedAt: '2025-01-01T00:00:00.000Z',
  attributes: { tokenId: 'ci-token' },
});

type Emitted = { [E in EventName]: [E, EventPayloads[E]] }[EventName];

const states = (emitted: Emitted[]): string[] =>
  emitted.flatMap(([event, payload]) => (event === 'clipboard' ? [payload.state] : []));

async function setup(record: ServerRecord = server()) {
  const map = new Map<string, unknown>();
  const logs: string[] = [];
  const logger = { warn: (m: string) => logs.push(`warn ${m}`), error: (m: string) => logs.push(`error ${m}`) };
  const store = {
    get: (k: string) => map.get(k),
    set: (k: string, v: unknown) => void map.set(k, v),
    delete: (k: string) => void map.delete(k),
    setMany: (values: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(values)) map.set(k, v);
    },
  };
  const vault = new Vault(store, createAesCipher(randomBytes(32)), logger);
  vault.putServer(record);
  await vault.putSecret(tokenMeta('saved'), SECRET);
  await vault.putSecret(tokenMeta('session-secret', 'session'), 'fake-secret-session');
  const timers = new FakeTimers(START, { settleAfterAdvance: true });
  const ephemeral = new EphemeralSecrets(timers);
  const onceId = ephemeral.add({ serverId: record.id, name: 'fresh-token', value: ONCE_SECRET });
  const events = new EventHub();
  const emitted: Emitted[] = [];
  events.on((event, payload) => emitted.push([event, payload] as Emitted));
  const clipboard = new TestClipboard();
  const providers = createProviderRegistry();
  const sessions = new SessionService({ vault, providers, events, now: () => new Date(timers.now()), contextFor: () => Promise.reject(new Error('no network in these tests')) });
  const audit = new AuditLog(store, () => new Date(timers.now()));
  const service = new ClipboardService({ clipboard, vault, providers, sessions, ephemeral, events, timers, logger, audit });
  return { service, clipboard, timers, vault, emitted, onceId, logs, ephemeral, audit };
}

async function keyportError(promise: Promise<unknown>): Promise<KeyportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyportError) return error;
    throw error;
  }
  throw new Error('expected a KeyportError');
}

describe('ClipboardService.copy', () => {
  it('copies a saved token by id, in the chosen format, and returns no secret', async () => {
    const { service, clipboard, emitted } = await setup();
    const result = await service.copy('saved', 'shell');
    expect(clipboard.text).toBe(`export HATCHER_URL=https://eds.example.com HATCHER_TOKEN=${SECRET}`);
    expect(result).toEqual({ clearsAt: START + 30_000, seconds: 30 });
    expect(emitted).toEqual([['clipboard', { state: 'copied', label: 'ci-token (Shell (export))', clearsAt: START + 30_000, seconds: 30 }]]);
    expect(JSON.stringify(result)).not.toContain('fake-secret');
    expect(JSON.stringify(emitted)).not.toContain('fake-secret');
  });

  it('copies a just-created, unsaved token by its ephemeral id', async () => {
    const { service, clipboard, onceId, emitted } = await setup();
    await service.copy(onceId, 'raw');
    expect(clipboard.text).toBe(ONCE_SECRET);
    expect(emitted[0]).toEqual(['clipboard', { state: 'copied', label: 'fresh-token (Token only)', clearsAt: START + 30_000, seconds: 30 }]);
  });

  it('adds HATCHER_INSECURE=1 for a server reached insecurely', async () => {
    const { service, clipboard } = await setup(server({ allowInsecureTls: true }));
    await service.copy('saved', 'dotenv');
    expect(clipboard.text).toBe(`HATCHER_URL=https://eds.example.com\nHATCHER_TOKEN=${SECRET}\nHATCHER_INSECURE=1`);
  });

  it('answers NOT_FOUND for an unknown id and for secrets that are not API tokens', async () => {
    const { service, clipboard, emitted } = await setup();
    for (const id of ['nope', 'once-00000000-0000-0000-0000-000000000000', 'session-secret']) {
      const error = await keyportError(service.copy(id, 'raw'));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('That token is no longer available to copy.');
    }
    expect(clipboard.writes).toEqual([]);
    expect(emitted).toEqual([]);
  });

  it('refuses a format the kind does not offer, without touching the clipboard', async () => {
    const { service, clipboard } = await setup();
    for (const format of ['npmrc', 'SHELL', 'toString']) {
      const error = await keyportError(service.copy('saved', format));
      expect(error.toShape()).toMatchObject({ code: 'VALIDATION', field: 'format' });
      expect(error.message).not.toContain('fake-secret');
    }
    expect(clipboard.writes).toEqual([]);
  });
});

describe('ClipboardService clearing', () => {
  it('clears after the configured delay when the clipboard still holds the copy', async () => {
    const { service, clipboard, timers, emitted } = await setup();
    await service.copy('saved', 'raw');
    await timers.advance(29_999);
    expect(clipboard.text).toBe(SECRET);
    await timers.advance(1);
    expect(clipboard.text).toBe('');
    expect(clipboard.writes).toEqual([SECRET, '']);
    expect(states(emitted)).toEqual(['copied', 'cleared']);
  });

  it('uses the clipboard setting', async () => {
    const { service, clipboard, timers, vault } = await setup();
    vault.updateSettings({ clipboardClearSeconds: 5 });
    expect(await service.copy('saved', 'raw')).toEqual({ clearsAt: START + 5_000, seconds: 5 });
    await timers.advance(4_999);
    expect(clipboard.text).toBe(SECRET);
    await timers.advance(1);
    expect(clipboard.text).toBe('');
  });

  it('leaves the clipboard alone when something else was copied meanwhile', async () => {
    const { service, clipboard, timers, emitted } = await setup();
    await service.copy('saved', 'raw');
    clipboard.text = 'the person copied this';
    await timers.advance(30_000);
    expect(clipboard.text).toBe('the person copied this');
    expect(clipboard.writes).toEqual([SECRET]);
    expect(states(emitted)).toEqual(['copied', 'replaced']);
  });

  it('a second copy cancels the first timer and starts its own', async () => {
    const { service, clipboard, timers, emitted, onceId } = await setup();
    await service.copy('saved', 'raw');
    await timers.advance(20_000);
    await service.copy(onceId, 'raw');
    expect(timers.pending()).toBe(2); // the ephemeral entry's expiry and the second copy's clear
    await timers.advance(10_000); // the first copy's deadline
    expect(clipboard.text).toBe(ONCE_SECRET);
    expect(states(emitted)).toEqual(['copied', 'copied']);
    await timers.advance(20_000); // the second copy's deadline
    expect(clipboard.text).toBe('');
    expect(states(emitted)).toEqual(['copied', 'copied', 'cleared']);
    await timers.advance(60_000);
    expect(clipboard.writes).toEqual([SECRET, ONCE_SECRET, '']);
  });

  it('clearNow clears at once, and only once', async () => {
    const { service, clipboard, timers, emitted } = await setup();
    await service.copy('saved', 'raw');
    await service.clearNow();
    expect(clipboard.text).toBe('');
    await timers.advance(60_000);
    await service.clearNow();
    expect(clipboard.writes).toEqual([SECRET, '']);
    expect(states(emitted)).toEqual(['copied', 'cleared']);
  });

  it('logs a failure to clear without any value', async () => {
    const { service, clipboard, timers, logs } = await setup();
    await service.copy('saved', 'raw');
    clipboard.failReads = true;
    await timers.advance(30_000);
    expect(logs).toEqual(['warn clipboard: could not clear the clipboard']);
  });
});
