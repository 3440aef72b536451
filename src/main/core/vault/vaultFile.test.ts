import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyportError } from '../errors';
import { watchFsyncsSync } from '../testing/fsyncWatch';
import { openVaultFile } from './vaultFile';

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
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ version: 1 });
  });

  it('creates a missing folder for it, mode 0700', () => {
    const dir = folder();
    const store = openVaultFile(join(dir, 'Keyport', 'vault.json'));
    store.set('a', 1);
    expect(statSync(join(dir, 'Keyport')).mode & 0o777).toBe(0o700);
  });

  it('what it writes is in the file for the next start; setMany and delete are one write each', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const store = openVaultFile(path);
    const synced = watchFsyncsSync();
    store.setMany({ servers: [{ id: 's1' }], secrets: { x: { ciphertext: 'v1.a.b.c' } } });
    store.delete('servers');
    // Two writes, each: the temporary file, then the folder.
    expect(synced).toEqual([expect.stringMatching(/vault\.json\.\d+$/), dir, expect.stringMatching(/vault\.json\.\d+$/), dir]);
    vi.restoreAllMocks();
    const reopened = openVaultFile(path);
    expect(reopened.get('secrets')).toEqual({ x: { ciphertext: 'v1.a.b.c' } });
    expect(reopened.get('servers')).toBeUndefined();
  });

  it('a write that fails changes neither the file nor what the store holds', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    writeFileSync(path, '{"servers":[]}', { mode: 0o600 });
    const store = openVaultFile(path);
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    expect(() => store.set('servers', [{ id: 's1' }])).toThrow(/ENOSPC/);
    expect(store.get('servers')).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('{"servers":[]}');
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
      openVaultFile(path, () => NOW);
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
    const store = openVaultFile(path, () => NOW);
    expect(store.backUp?.()).toBe(join(dir, BACKUP));
    expect(readFileSync(join(dir, BACKUP), 'utf8')).toBe('{"storagePolicy":"damaged"}');
  });
});
