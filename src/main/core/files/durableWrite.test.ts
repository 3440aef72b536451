import fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchFsyncs, watchFsyncsSync } from '../../../../test/support/fsyncWatch';
import { writeFileDurably, writeFileDurablySync } from './durableWrite';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyport-durable-'));
  dirs.push(dir);
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('writeFileDurably', () => {
  it('fsyncs the new file before the rename and the folder after it', async () => {
    const dir = folder();
    const path = join(dir, 'current');
    const synced = watchFsyncs();
    await writeFileDurably(path, 'new text');
    expect(readFileSync(path, 'utf8')).toBe('new text');
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(new RegExp(`^${path}\\.\\d+$`)); // write-file-atomic's temporary file
    expect(synced[1]).toBe(dir);
  });

  it('creates the file with mode 0600, and makes an existing 0644 file 0600', async () => {
    const dir = folder();
    const fresh = join(dir, 'fresh');
    await writeFileDurably(fresh, 'a');
    expect(mode(fresh)).toBe(0o600);
    const old = join(dir, 'old');
    writeFileSync(old, 'before', { mode: 0o644 });
    await writeFileDurably(old, 'after');
    expect(mode(old)).toBe(0o600);
  });

  it('an interrupted write (the disk fails before the rename) leaves the old file intact and no temporary file', async () => {
    const dir = folder();
    const path = join(dir, 'keyring');
    writeFileSync(path, 'the old session', { mode: 0o600 });
    vi.spyOn(fs, 'fsync').mockImplementation(((_fd: number, callback: (error: Error | null) => void) => {
      callback(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    }) as typeof fs.fsync);
    await expect(writeFileDurably(path, 'the new session')).rejects.toThrow(/EIO/);
    expect(readFileSync(path, 'utf8')).toBe('the old session');
    expect(readdirSync(dir)).toEqual(['keyring']);
  });
});

describe('writeFileDurablySync', () => {
  it('fsyncs the new file and the folder, with mode 0600', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    const synced = watchFsyncsSync();
    writeFileDurablySync(path, '{}');
    expect(synced).toHaveLength(2);
    expect(synced[0]).toMatch(new RegExp(`^${path}\\.\\d+$`));
    expect(synced[1]).toBe(dir);
    expect(mode(path)).toBe(0o600);
  });

  it('a rename that fails leaves the old file intact and no temporary file', () => {
    const dir = folder();
    const path = join(dir, 'vault.json');
    writeFileSync(path, '{"old":true}', { mode: 0o600 });
    vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    });
    expect(() => writeFileDurablySync(path, '{"new":true}')).toThrow(/ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['vault.json']);
  });
});
