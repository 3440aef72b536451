import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyportError } from '../errors';
import { watchFsyncsSync } from '../../../../test/support/fsyncWatch';
import { openVaultFile, readVaultContents } from './vaultFile';
import { LOG_HEADER, replayLog, SLICE_MS, writeSnapshot } from './vaultLog';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyport-vaultfile-'));
  dirs.push(dir);
  return dir;
}

const NOW = new Date('2026-03-01T10:20:30.456Z');
const BACKUP = 'vault.json.damaged-2026-03-01T10-20-30-456Z';

describe('openVaultFile', () => {
  it('starts empty without a file, and creates it with mode 0600 at the first write', () => {
    const dir = folder();
    const store = openVaultFile(join(dir, 'vault.json'));
    expect(store.get('servers')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    store.set('version', 1);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(readVaultContents(store.path)).toEqual({ version: 1 });
  });

  it('creates a missing folder for it, mode 0700', () => {
    const dir = folder();
    const store = openVaultFile(join(dir, 'Keyport', 'vault.json'));
    store.set('a', 1);
    expect(statSync(join(dir, 'Keyport')).mode & 0o777).toBe(0o700);
  });

  it('what it writes is in the file for the next start; each write is one durable line', async () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    const synced = watchFsyncsSync();
    const datasynced = vi.spyOn(fs, 'fdatasyncSync');
    // The first write creates the log: atomic, the temporary file and the folder fsync'd.
    store.setMany({ servers: [{ id: 's1' }], secrets: { x: { ciphertext: 'v1.a.b.c' } } });
    expect(synced).toEqual([expect.stringMatching(/vault\.json\.\d+$/), dir]);
    // Later writes are one appended line each, fdatasync'd.
    store.set('settings', { theme: 'dark' });
    store.setMany({ a: 1, b: 2 });
    expect(datasynced).toHaveBeenCalledTimes(2);
    store.delete('servers');
    await store.settled();
    vi.restoreAllMocks();
    const reopened = openVaultFile(path);
    expect(reopened.get('secrets')).toEqual({ x: { ciphertext: 'v1.a.b.c' } });
    expect(reopened.get('servers')).toBeUndefined();
  });

  it('a lazy write is in the file at once and flushed in the background: one flush for a burst, none on the main thread; close flushes what is left', async () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    store.set('version', 1);
    const onMainThread = vi.spyOn(fs, 'fdatasyncSync');
    const inBackground = vi.spyOn(fs, 'fdatasync');
    for (let i = 1; i <= 3; i++) store.setLazily?.('auditLog', Array.from({ length: i }, (_, n) => ({ n })));
    expect(onMainThread).not.toHaveBeenCalled();
    expect(readVaultContents(path).auditLog).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(inBackground).toHaveBeenCalledTimes(1);
    // The writes made while the first flush ran get one more flush after it, not one each.
    await vi.waitFor(() => expect(inBackground).toHaveBeenCalledTimes(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inBackground).toHaveBeenCalledTimes(2);

    store.setLazily?.('auditLog', []);
    store.close();
    expect(onMainThread).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
    expect(openVaultFile(path).get('auditLog')).toEqual([]);
  });

  it('a write that fails changes neither the file nor what the store holds', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    writeFileSync(path, '{"servers":[]}', { mode: 0o600 });
    const store = openVaultFile(path);
    const before = readFileSync(path, 'utf8');
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    expect(() => store.set('servers', [{ id: 's1' }])).toThrow(/ENOSPC/);
    expect(store.get('servers')).toEqual([]);
    vi.restoreAllMocks();
    // What may have reached the file is a line that was never acknowledged: the state read
    // back is the one before, or the write landed whole.
    expect([[], [{ id: 's1' }]]).toContainEqual(readVaultContents(path).servers);
    expect(before).toMatch(/^\{"keyport-vault-log":1\}\n/);
  });

  it.each([
    ['[1,2,3]', 'it holds a list where Keyport keeps an object'],
    ['null', 'it holds null where Keyport keeps an object'],
    ['42', 'it holds a number where Keyport keeps an object'],
    ['"text"', 'it holds a string where Keyport keeps an object'],
    ['{"servers": [', 'it is not valid JSON'],
    ['', 'it is not valid JSON'],
  ])('refuses a file holding %j: STORAGE_UNAVAILABLE, the file untouched and copied aside, mode 0600', (text, why) => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    writeFileSync(path, text, { mode: 0o644 });
    let error: unknown;
    try {
      openVaultFile(path, { now: () => NOW });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeyportError);
    expect(error).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: `Keyport’s vault file ${path} is damaged: ${why}. Keyport did not open it, and changed nothing.`,
      hint: expect.stringContaining(`A copy was saved at ${join(dir, BACKUP)}. Restore the vault file from a backup`),
    });
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readFileSync(join(dir, BACKUP), 'utf8')).toBe(text);
    expect(statSync(join(dir, BACKUP)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['vault.json', BACKUP]);
  });

  it('a file it may not read: STORAGE_UNAVAILABLE naming the path and the reason', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    // A folder where the file should be: reading fails with EISDIR.
    mkdirSync(path);
    expect(() => openVaultFile(path)).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE', message: `Keyport could not read its vault file ${path} (EISDIR).` }));
  });

  it('backUp copies the file as it is and says where', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    writeFileSync(path, '{"storagePolicy":"damaged"}', { mode: 0o600 });
    const store = openVaultFile(path, { now: () => NOW });
    const text = readFileSync(path, 'utf8');
    expect(store.backUp?.()).toBe(join(dir, BACKUP));
    expect(readFileSync(join(dir, BACKUP), 'utf8')).toBe(text);
  });

  it('migrates a vault in the format before the log (one JSON object) at its first open, losing nothing', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    // As Keyport 0.1 wrote it: the whole object, compact JSON.
    const today = { version: 1, servers: [{ id: 'a', name: 'A' }], secrets: { s1: { meta: { id: 's1' }, ciphertext: 'v1.a.b.c' } }, settings: { theme: 'dark' }, storagePolicy: { mode: 'session' }, audit: [{ id: 'e1' }] };
    writeFileSync(path, JSON.stringify(today), { mode: 0o644 });
    const store = openVaultFile(path);
    expect(Object.fromEntries(Object.keys(today).map((k) => [k, store.get(k)]))).toEqual(today);
    expect(readFileSync(path, 'utf8').startsWith(`${LOG_HEADER}\n`)).toBe(true);
    expect(readVaultContents(path)).toEqual(today);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    store.set('settings', { theme: 'light' });
    expect(readVaultContents(path)).toEqual({ ...today, settings: { theme: 'light' } });
    expect(readdirSync(dir)).toEqual(['vault.json']);
  });

  it('a write writes only what changed: one secret of many is one small line', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const secrets = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`s${i}`, { meta: { id: `s${i}` }, ciphertext: `v1.${'x'.repeat(200)}` }]));
    const store = openVaultFile(path);
    store.setMany({ servers: [{ id: 'a' }], secrets });
    // Re-opened, the records are equal copies, not the same objects: still only the change.
    const reopened = openVaultFile(path);
    const size = statSync(path).size;
    reopened.setMany({ servers: [{ id: 'a' }], secrets: { ...(reopened.get('secrets') as object), s1000: { meta: { id: 's1000' }, ciphertext: 'v1.new' } } });
    expect(statSync(path).size - size).toBeLessThan(100);
    expect(Object.keys(readVaultContents(path).secrets as object)).toHaveLength(1001);
  });

  it('setEntries writes the entries it is given as one line, and nothing for what did not change', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    const record = { meta: { id: 'a' }, ciphertext: 'v1.a' };
    store.setMany({ secrets: { a: record, b: { meta: { id: 'b' }, ciphertext: 'v1.b' } } });
    const size = statSync(path).size;
    store.setEntries?.('secrets', { a: record }, ['not-there']);
    expect(statSync(path).size).toBe(size);
    store.setEntries?.('secrets', { c: { meta: { id: 'c' }, ciphertext: 'v1.c' } }, ['b']);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n').pop()).toBe('[["put","secrets","c",{"meta":{"id":"c"},"ciphertext":"v1.c"}],["drop","secrets","b"]]');
    expect(openVaultFile(path).get('secrets')).toEqual({ a: record, c: { meta: { id: 'c' }, ciphertext: 'v1.c' } });
    // On a key that does not exist yet, the first entry creates it.
    store.setEntries?.('other', { x: 1 }, []);
    expect(readVaultContents(path).other).toEqual({ x: 1 });
  });

  it('compaction serializes a large key in slices; entries put, replaced and dropped meanwhile end as written', async () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    const big = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`s${i}`, { meta: { id: `s${i}`, name: 'x'.repeat(100) }, ciphertext: `v1.${i}` }]));
    store.setMany({ secrets: big, log: [1, 2, 3], version: 1 });
    const compacting = store.compact();
    let turns = 0;
    let done = false;
    void compacting.then(() => (done = true));
    // Other work runs while it compacts (it yields), and writes land in the middle of it.
    while (!done && turns < 200) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const i = turns++;
      store.setEntries?.('secrets', { [`s${(i * 7919) % 20_000}`]: { meta: { id: 'replaced' }, ciphertext: `v2.${i}` }, [`new${i}`]: { n: i } }, [`s${(i * 104_729 + 1) % 20_000}`]);
      if (i % 5 === 0) store.set('log', [...(store.get('log') as number[]).slice(1), i]);
    }
    await compacting;
    expect(turns).toBeGreaterThan(3);
    const live = { secrets: structuredClone(store.get('secrets')), log: store.get('log'), version: 1 };
    expect(readVaultContents(path)).toEqual(live);
    // The compacted line is what JSON.stringify writes for the state at its start.
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe(LOG_HEADER);
    expect(lines[1]?.startsWith('[["set","secrets",{"s0":')).toBe(true);
    expect(() => JSON.parse(lines[1] ?? '') as unknown).not.toThrow();
    expect(lines.length).toBe(2 + turns + Math.ceil(turns / 5) + 1);
  }, 30_000);

  const snapshotOf = (data: Record<string, unknown>) =>
    Object.entries(data).map(([key, value]): [string, unknown, string[] | null] => [key, value, value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : null]);

  it('writeSnapshot writes exactly what JSON.stringify writes, across its 128 KB buffers', async () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`id-${i}-ü`, { meta: { name: `n${i} 😀`, i }, ciphertext: 'c'.repeat(i % 300) }]));
    const data = { a: 1, b: 'two', c: null, u: undefined, d: [1, undefined, { e: [] }], f: { g: { h: 'i' }, skipped: undefined, '"quoted"': 'ü\u2028' }, empty: {}, none: [], many, huge: { one: 'é'.repeat(200_000) }, list: ['x'.repeat(50_000), 'y'] };
    const pieces: Buffer[] = [];
    const bytes = await writeSnapshot(snapshotOf(data), async (piece) => {
      pieces.push(Buffer.from(piece)); // a copy: the buffer is the writer's
    });
    const text = Buffer.concat(pieces).toString('utf8');
    expect(text).toBe(`${LOG_HEADER}\n${JSON.stringify(Object.entries(data).map(([key, value]) => ['set', key, value]))}\n`);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(pieces.length).toBeGreaterThan(5);
    for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeLessThanOrEqual(Math.max(128 * 1024, Buffer.byteLength('é'.repeat(200_000)) + 2));
  });

  it('writeSnapshot yields to the event loop whenever a slice has run SLICE_MS, however slow the machine', async () => {
    const data = { secrets: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`s${i}`, { ciphertext: `v1.${i}` }])), log: Array.from({ length: 100 }, (_, i) => i), version: 3 };
    // A clock that moves 1 ms each time it is read, and a loop counting the event loop's turns:
    // no slice may read the clock more than SLICE_MS (+ its own first reading) times within one turn.
    let clock = 0;
    let turn = 0;
    let running = true;
    const readsPerTurn = new Map<number, number>();
    const tick = () => {
      turn++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await writeSnapshot(snapshotOf(data), () => Promise.resolve(), {
      now: () => {
        readsPerTurn.set(turn, (readsPerTurn.get(turn) ?? 0) + 1);
        return clock++;
      },
    });
    running = false;
    expect(Math.max(...readsPerTurn.values())).toBeLessThanOrEqual(SLICE_MS + 1);
    // 500 entries, at least one turn for every SLICE_MS of them.
    expect(readsPerTurn.size).toBeGreaterThanOrEqual(500 / (SLICE_MS + 1));
  });

  it('a line cut short by a crash (the last, never acknowledged) is ignored and cut off before the next write', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    openVaultFile(path).setMany({ a: 1, b: { x: 1 } });
    const whole = readFileSync(path, 'utf8');
    writeFileSync(path, `${whole}[["set","a",2`);
    const store = openVaultFile(path);
    expect(store.get('a')).toBe(1);
    store.set('c', 3);
    expect(readFileSync(path, 'utf8')).toBe(`${whole}[["set","c",3]]\n`);
    expect(readVaultContents(path)).toEqual({ a: 1, b: { x: 1 }, c: 3 });
  });

  it('a torn last line is cut at its first byte when the lines before it hold characters of several bytes', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const first = openVaultFile(path);
    first.setMany({ a: 'ü€😀', b: { x: 'ß' } });
    first.set('c', 'Ω\u2028');
    first.close();
    const whole = readFileSync(path, 'utf8');
    // Parsed but not terminated (its newline never written), with characters of 2 to 4 bytes.
    writeFileSync(path, `${whole}[["set","d","é😀"]]`);
    const store = openVaultFile(path);
    expect(store.get('d')).toBeUndefined();
    store.set('e', 'ñ');
    expect(readFileSync(path, 'utf8')).toBe(`${whole}[["set","e","ñ"]]\n`);
    // replayLog counts bytes, not UTF-16 units, with or without the size given.
    const torn = `${whole}[["set","d","é`;
    expect(replayLog(torn)).toMatchObject({ tornTail: true, validLength: Buffer.byteLength(whole) });
    expect(replayLog(torn, Buffer.byteLength(torn))).toMatchObject({ tornTail: true, validLength: Buffer.byteLength(whole) });
    expect(replayLog(whole)).toMatchObject({ tornTail: false, validLength: Buffer.byteLength(whole) });
    expect(replayLog(whole, Buffer.byteLength(whole)).data).toEqual({ a: 'ü€😀', b: { x: 'ß' }, c: 'Ω\u2028' });
  });

  it.each([
    ['a line in the middle that does not parse', (whole: string) => whole.replace('\n[["set","b"', '\n{{{\n[["set","b"'), 'line 3 cannot be read'],
    ['an operation it does not know', (whole: string) => whole.replace('\n[["set","b"', '\n[["explode","a"]]\n[["set","b"'), 'line 3 holds an operation Keyport does not know'],
    ['an empty line in the middle', (whole: string) => whole.replace('\n[["set","b"', '\n\n[["set","b"'), 'line 3 is empty'],
  ])('refuses a log with %s: STORAGE_UNAVAILABLE naming the line, the file untouched and copied aside', (_name, damage, why) => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    store.set('a', 1);
    store.set('b', 2);
    store.set('c', 3);
    const damaged = damage(readFileSync(path, 'utf8'));
    writeFileSync(path, damaged);
    expect(() => openVaultFile(path, { now: () => NOW })).toThrow(expect.objectContaining({ code: 'STORAGE_UNAVAILABLE', message: `Keyport’s vault file ${path} is damaged: ${why}. Keyport did not open it, and changed nothing.` }));
    expect(readFileSync(path, 'utf8')).toBe(damaged);
    expect(readFileSync(join(dir, BACKUP), 'utf8')).toBe(damaged);
  });

  it('compaction rewrites the log as its state; writes made meanwhile are kept', async () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    for (let i = 0; i < 50; i++) store.set('counter', i);
    const compacting = store.compact();
    store.set('during', 'kept');
    await compacting;
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toEqual([LOG_HEADER, '[["set","counter",49]]', '[["set","during","kept"]]']);
    expect(openVaultFile(path).get('during')).toBe('kept');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['vault.json']);
  });

  it('a compaction that fails leaves the log as it was, and says so in the log', async () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const warnings: string[] = [];
    const store = openVaultFile(path, { logger: { warn: (m) => warnings.push(m), error: (m) => warnings.push(m) } });
    store.set('a', 1);
    store.set('a', 2);
    const before = readFileSync(path, 'utf8');
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    await store.compact();
    vi.restoreAllMocks();
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(warnings).toEqual(['vault: compacting the vault file failed (EIO); it stays as it was']);
    expect(readdirSync(dir)).toEqual(['vault.json']);
    store.set('a', 3);
    expect(openVaultFile(path).get('a')).toBe(3);
  });
});
