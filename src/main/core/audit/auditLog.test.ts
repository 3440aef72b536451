import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/model';
import type { KeyValueStore } from '../ports';
import { useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import { useTapisHarness } from '../../../../test/support/tapisHarness';
import { AuditLog, csvCell, MAX_AUDIT_ENTRIES } from './auditLog';

const PASSWORD = 'wonderland-secret';
const { harness } = useCoreHarness();
const { tapisHarness } = useTapisHarness();

function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(initial));
  return { data, get: (k) => data.get(k), set: (k, v) => data.set(k, v), delete: (k) => data.delete(k), setMany: (values) => Object.entries(values).forEach(([k, v]) => data.set(k, v)) };
}

const PROD = { id: 's1', name: 'Prod', kind: 'eds' };

describe('AuditLog', () => {
  it('keeps a server-chosen 600-character name across restarts, cut to 500 characters (issue 22, item 4)', () => {
    const store = memoryStore();
    const log = new AuditLog(store, () => new Date(Date.UTC(2026, 0, 1)));
    log.record(PROD, 'token.revoked', 'n'.repeat(600), '\u{1F511}'.repeat(400));
    const [entry] = new AuditLog(store, () => new Date()).list();
    expect(entry?.subject).toBe(`${'n'.repeat(499)}…`);
    expect(entry?.detail?.length).toBeLessThanOrEqual(500);
    expect(entry?.detail).toMatch(/^(\u{1F511})+…$/u);
  });

  it('writes lazily where the store can (no wait for the disk on every action), and with set where it cannot', () => {
    const store = memoryStore();
    const lazily: string[] = [];
    const lazy: KeyValueStore = { ...store, set: () => expect.fail('set, where setLazily is there'), setLazily: (k, v) => (lazily.push(k), store.data.set(k, v)) };
    new AuditLog(lazy, () => new Date()).record(PROD, 'token.created', 'first', null);
    expect(lazily).toEqual(['auditLog']);
    new AuditLog(store, () => new Date()).record(PROD, 'token.created', 'second', null);
    expect(new AuditLog(store, () => new Date()).list().map((e) => e.subject)).toEqual(['second', 'first']);
  });

  it('keeps entries across restarts, newest first, with the time of the injected clock', () => {
    const store = memoryStore();
    let now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const log = new AuditLog(store, () => new Date(now));
    log.record(PROD, 'token.created', 'first', null);
    now += 1000;
    log.record(PROD, 'token.created', 'second', null);
    const reopened = new AuditLog(store, () => new Date(now));
    expect(reopened.list().map((e) => [e.subject, e.at])).toEqual([
      ['second', '2026-01-02T03:04:06.000Z'],
      ['first', '2026-01-02T03:04:05.000Z'],
    ]);
    expect(new Set(reopened.list().map((e) => e.id)).size).toBe(2);
  });

  it(`keeps the last ${MAX_AUDIT_ENTRIES} entries, dropping the oldest`, () => {
    const store = memoryStore();
    const log = new AuditLog(store, () => new Date());
    for (let i = 0; i < MAX_AUDIT_ENTRIES + 3; i++) log.record(PROD, 'token.created', `t${i}`, null);
    const entries = new AuditLog(store, () => new Date()).list();
    expect(entries).toHaveLength(MAX_AUDIT_ENTRIES);
    expect(entries[0]?.subject).toBe(`t${MAX_AUDIT_ENTRIES + 2}`);
    expect(entries.at(-1)?.subject).toBe('t3');
  });

  it('a damaged log loses only the entries that do not parse', () => {
    const good: AuditEntry = { id: 'a', at: '2026-01-01T00:00:00.000Z', action: 'token.revoked', serverId: null, serverName: 'Gone', kind: 'eds', subject: 'ci', detail: null };
    for (const stored of [null, 'text', 42, { entries: [] }]) expect(new AuditLog(memoryStore({ auditLog: stored }), () => new Date()).list()).toEqual([]);
    const log = new AuditLog(memoryStore({ auditLog: [good, { ...good, action: 'token.stolen' }, null, 'x', { ...good, id: 'b', subject: 'x'.repeat(501) }] }), () => new Date());
    expect(log.list()).toEqual([good]);
  });

  it('exports CSV (RFC 4180, CRLF) that a spreadsheet cannot run as formulas', () => {
    const log = new AuditLog(memoryStore(), () => new Date(Date.UTC(2026, 0, 1)));
    log.record({ id: 's', name: 'Prod, "main"', kind: 'eds' }, 'token.copied', '=HYPERLINK("http://evil")', 'Shell (export)');
    log.record({ id: 's', name: 'Two\nlines', kind: 'tapis' }, 'session.exported', null, '/home/a/.agave/current');
    expect(log.csv()).toBe(
      'Time (UTC),Action,Server,Kind,Token,Detail\r\n' +
        '2026-01-01T00:00:00.000Z,Copied,"Prod, ""main""",eds,"\'=HYPERLINK(""http://evil"")",Shell (export)\r\n' +
        '2026-01-01T00:00:00.000Z,Exported,Two\\u{000A}lines,tapis,,/home/a/.agave/current\r\n',
    );
  });

  it.each([
    ['plain', 'plain'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', '\\u{0009}x'],
    ['\r=1', '\\u{000D}=1'],
    ['\x1b]0;owned\x07=x', '\\u{001B}]0;owned\\u{0007}=x'],
    ['prod\u202Egnp', 'prod\\u{202E}gnp'],
    ['a\u2028b', 'a\\u{2028}b'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['', ''],
  ])('csvCell(%j) is %j (no raw control or bidi character, no formula)', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('the activity log through the core', () => {
  async function signedIn(): Promise<{ h: Harness; serverId: string }> {
    const h = await harness();
    const view = await h.call('servers.add', { name: 'Test EDS', kind: 'eds', url: h.eds.url });
    await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: PASSWORD });
    return { h, serverId: view.id };
  }

  it('records create, copy and revoke by name and format, never a value, and exports them', async () => {
    const { h, serverId } = await signedIn();
    const saved = await h.call('tokens.create', { serverId, name: 'deploy', save: true });
    const once = await h.call('tokens.create', { serverId, name: 'ci', save: false });
    await h.call('clipboard.copy', { secretId: saved.secretId, format: 'shell' });
    await h.call('clipboard.copy', { secretId: once.secretId, format: 'raw' });
    const listed = await h.call('tokens.list', { serverId });
    await h.call('tokens.revoke', { serverId, tokenId: listed.find((t) => t.name === 'ci')!.id });

    const entries = await h.call('audit.list');
    expect(entries.map((e) => [e.action, e.serverName, e.kind, e.subject, e.detail])).toEqual([
      ['token.revoked', 'Test EDS', 'eds', 'ci', null],
      ['token.copied', 'Test EDS', 'eds', 'ci', 'Token only'],
      ['token.copied', 'Test EDS', 'eds', 'deploy', 'Shell (export)'],
      ['token.created', 'Test EDS', 'eds', 'ci', null],
      ['token.created', 'Test EDS', 'eds', 'deploy', 'saved in Keyport'],
    ]);
    expect(entries.every((e) => e.serverId === serverId)).toBe(true);

    const csv = await h.call('audit.exportCsv');
    expect(csv.split('\r\n')).toHaveLength(entries.length + 2);
    for (const secret of [saved.secret, once.secret, PASSWORD]) {
      expect(csv).not.toContain(secret);
      expect(JSON.stringify(entries)).not.toContain(secret);
      expect(JSON.stringify(h.store.get('auditLog'))).not.toContain(secret);
    }
  });

  it('a failed action records nothing', async () => {
    const { h, serverId } = await signedIn();
    await h.fail('tokens.create', { serverId, name: '', save: false });
    await h.fail('tokens.revoke', { serverId, tokenId: 'no-such-token' });
    await h.fail('clipboard.copy', { secretId: 'nope', format: 'raw' });
    expect(await h.call('audit.list')).toEqual([]);
  });

  it('records copying from the session, and a session file exported and imported, with its path', async () => {
    const t = await tapisHarness();
    const serverId = await t.addServer();
    await t.signIn(serverId);
    await t.h.call('clipboard.copySession', { serverId, format: 'access-token' });
    const current = join(t.home, '.agave', 'current');
    expect(await t.h.call('sessionFiles.export', { serverId })).toMatchObject({ state: 'written', path: current });
    // Not written (the file exists, no overwrite): nothing to record.
    expect(await t.h.call('sessionFiles.export', { serverId })).toMatchObject({ state: 'exists' });
    await t.h.call('servers.remove', { id: serverId });
    const imported = await t.h.call('sessionFiles.import', { kind: 'tapis' });

    const entries = await t.h.call('audit.list');
    expect(entries.map((e) => [e.action, e.serverId, e.kind, e.detail])).toEqual([
      ['session.imported', imported.id, 'tapis', current],
      ['session.exported', serverId, 'tapis', current],
      ['session.copied', serverId, 'tapis', expect.stringMatching(/access token/i)],
    ]);
    // The server removed before the import keeps its name in the older entries.
    expect(entries.map((e) => e.serverName)).toEqual([imported.name, 'Test Tapis', 'Test Tapis']);
    expect(JSON.stringify(entries)).not.toContain(t.h.clipboard.text);
  });
});
