import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyportError } from '../errors';
import { PRIVATE_FILE_MODE, writeFileDurablySync } from '../files/durableWrite';
import type { KeyValueStore } from '../ports';

export interface VaultFile extends KeyValueStore {
  readonly path: string;
}

/** The vault's store: one JSON object in one file, owned by Keyport (the single-instance lock
 * makes it the only writer). It is read and parsed once; each change is one durable write of
 * the whole object (write-file-atomic: fsync'd temporary file renamed over the old one, then
 * the folder fsync'd), with mode 0600.
 *
 * A file that is not a JSON object (malformed, `null`, an array, a number) is refused: Keyport
 * does not start on it rather than overwrite it at the first write. It is copied aside first,
 * and the error says where and what to do. */
export function openVaultFile(path: string, now: () => Date = () => new Date()): VaultFile {
  let data = readVaultObject(path, now);
  const write = (next: Record<string, unknown>) => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileDurablySync(path, JSON.stringify(next));
    data = next;
  };
  return {
    path,
    get: (key) => data[key],
    set: (key, value) => write({ ...data, [key]: value }),
    delete: (key) => {
      const { [key]: _removed, ...rest } = data;
      write(rest);
    },
    setMany: (values) => write({ ...data, ...values }),
    backUp: () => backUpVaultFile(path, now),
  };
}

function readVaultObject(path: string, now: () => Date): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new KeyportError('STORAGE_UNAVAILABLE', `Keyport could not read its vault file ${path}${code ? ` (${code})` : ''}.`, {
      hint: 'Check that the file is yours and readable (mode 600), then start Keyport again.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw damagedVault(`Keyport’s vault file ${path} is damaged: it is not valid JSON`, backUpVaultFile(path, now));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw damagedVault(`Keyport’s vault file ${path} is damaged: it holds ${describeJson(parsed)} where Keyport keeps an object`, backUpVaultFile(path, now));
  }
  return parsed as Record<string, unknown>;
}

const describeJson = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`);

/** Copies the file as it is beside it, for the person (or support) to repair or restore. */
function backUpVaultFile(path: string, now: () => Date): string {
  const copy = `${path}.damaged-${now().toISOString().replace(/[:.]/g, '-')}`;
  copyFileSync(path, copy);
  chmodSync(copy, PRIVATE_FILE_MODE);
  return copy;
}

/** Refuses to open a vault Keyport cannot read safely (the file, or a part of it the vault
 * cannot do without): nothing is written, a copy is kept. */
export function damagedVault(what: string, backupPath: string | null): KeyportError {
  return new KeyportError('STORAGE_UNAVAILABLE', `${what}. Keyport did not open it, and changed nothing.`, {
    hint: `${backupPath ? `A copy was saved at ${backupPath}. ` : ''}Restore the vault file from a backup of your own, or move it away to start Keyport with an empty vault (saved servers and secrets are then gone).`,
  });
}
