import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mapStore, recordingLogger, testServer } from '../../../../test/support/vaultTesting';
import { createAesCipher } from './aesCipher';
import { exportUnreadable } from './unreadableExport';
import { Vault } from './vault';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-03-01T10:20:30.456Z');
const vaultWith = (servers: unknown[]) => new Vault(mapStore({ servers }), createAesCipher(randomBytes(32)), recordingLogger());

describe('exporting unreadable items', () => {
  it('writes them as stored to the home folder, mode 0600, and says where', async () => {
    const home = mkdtempSync(join(tmpdir(), 'keyport-home-'));
    dirs.push(home);
    const { path } = await exportUnreadable(vaultWith([testServer('a'), { id: 'b' }]), home, NOW);
    expect(path).toBe(join(home, 'keyport-unreadable-items-2026-03-01T10-20-30-456Z.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ unreadable: [{ from: 'servers', value: { id: 'b' } }] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('with nothing unreadable: NOT_FOUND, no file', async () => {
    await expect(exportUnreadable(vaultWith([testServer('a')]), '/nonexistent-home', NOW)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a home folder it cannot write: FILE_ERROR naming the path and the reason', async () => {
    const home = join(tmpdir(), `keyport-missing-${randomBytes(4).toString('hex')}`);
    await expect(exportUnreadable(vaultWith([{ id: 'b' }]), home, NOW)).rejects.toMatchObject({
      code: 'FILE_ERROR',
      message: `Keyport could not write ${join(home, 'keyport-unreadable-items-2026-03-01T10-20-30-456Z.json')}.`,
      hint: 'ENOENT: check that your home folder is yours to write.',
    });
  });
});
