import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeyportError } from '../errors';
import { PRIVATE_FILE_MODE, writeFileDurablySync } from '../files/durableWrite';
import type { KeyValueStore, Logger } from '../ports';
import { DamagedLogError, diff, isPlainObject, LOG_HEADER, LogWriter, replayLog, type Operation } from './vaultLog';

export interface VaultFile extends KeyValueStore {
  readonly path: string;
  /** Rewrites the log as its current state now (tests; otherwise it happens by itself). */
  compact(): Promise<void>;
  /** Resolves once no compaction is under way (tests, and before quitting). */
  settled(): Promise<void>;
  /** Closes the file (the log keeps an append handle open). */
  close(): void;
}

/** The vault's store: one file, owned by Keyport (the single-instance lock makes it the only
 * writer), mode 0600. It is an append-only log (vaultLog.ts): read and replayed once at start;
 * each change is one line appended and fdatasync'd, so a save costs the size of what changed,
 * not of the whole vault; it is compacted in the background as it grows.
 *
 * A file in the format before the log (one JSON object, Keyport 0.1) is migrated at its first
 * open: the log holding the same keys replaces it in one durable atomic write.
 *
 * A file Keyport cannot read (malformed; JSON that is not an object, such as `null` or
 * `[1,2,3]`; a log line in the middle that does not parse) is refused: Keyport does not start
 * on it rather than overwrite it at the first write. It is copied aside first, and the error
 * says where and what to do. */
/** What the file holds, replayed: for tests and tools that look at the file without opening
 * the vault (the log's lines are the history, not the state). */
export function readVaultContents(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  return text.startsWith(`${LOG_HEADER}\n`) ? replayLog(text).data : (JSON.parse(text) as Record<string, unknown>);
}

export interface VaultFileOptions {
  now?: () => Date;
  /** Where a failed background compaction is reported. */
  logger?: Logger;
  /** The log is compacted once it has doubled and is over this size (default 1 MB). */
  minCompactBytes?: number;
}

export function openVaultFile(path: string, options: VaultFileOptions = {}): VaultFile {
  const now = options.now ?? (() => new Date());
  const { data, size, validLength } = readVault(path, now);
  removeInterruptedCompactions(path);
  const writer = new LogWriter(path, { size, validLength }, () => data, options);
  const write = (values: Record<string, unknown>, removed: readonly string[] = [], lazily = false) => {
    const operations = [...Object.entries(values).flatMap(([key, value]) => diff(key, data[key], value)), ...removed.flatMap((key) => diff(key, data[key], undefined))];
    if (operations.length === 0) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writer.append(operations, lazily);
    for (const [key, value] of Object.entries(values)) data[key] = value;
    for (const key of removed) delete data[key];
  };
  const setEntries = (key: string, put: Record<string, unknown>, remove: readonly string[]) => {
    const current = data[key];
    const entries = isPlainObject(current) ? current : undefined;
    const operations: Operation[] = [];
    for (const [id, value] of Object.entries(put)) if (entries?.[id] !== value) operations.push(['put', key, id, value]);
    for (const id of remove) if (entries && Object.hasOwn(entries, id)) operations.push(['drop', key, id]);
    if (operations.length === 0) return;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writer.append(operations);
    // In place: the store owns this object (setMany's values become the store's; compaction
    // snapshots entries, not the object).
    const target = entries ?? (data[key] = {} as Record<string, unknown>);
    for (const [id, value] of Object.entries(put)) target[id] = value;
    for (const id of remove) delete target[id];
  };
  return {
    path,
    get: (key) => data[key],
    setEntries,
    set: (key, value) => write({ [key]: value }),
    setLazily: (key, value) => write({ [key]: value }, [], true),
    delete: (key) => write({}, [key]),
    setMany: (values) => write(values),
    backUp: () => backUpVaultFile(path, now),
    compact: () => writer.compact(),
    settled: () => writer.settled(),
    close: () => writer.close(),
  };
}

/** A compaction a crash interrupted leaves its temporary file; the log itself is intact. */
function removeInterruptedCompactions(path: string): void {
  const prefix = `${basename(path)}.compact-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) rmSync(join(dirname(path), name), { force: true });
}

function readVault(path: string, now: () => Date): { data: Record<string, unknown>; size: number; validLength: number | null } {
  let bytes: Buffer;
  try {
    // Read as bytes, then decoded: half the time of readFileSync(path, 'utf8') for a 5 MB file
    // (Node 24), and the size is the buffer's, not counted again from the text.
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { data: {}, size: 0, validLength: null };
    throw new KeyportError('STORAGE_UNAVAILABLE', `Keyport could not read its vault file ${path}${code ? ` (${code})` : ''}.`, {
      hint: 'Check that the file is yours and readable (mode 600), then start Keyport again.',
    });
  }
  const text = bytes.toString('utf8');
  if (text.startsWith(`${LOG_HEADER}\n`)) {
    try {
      const { data, validLength } = replayLog(text, bytes.length);
      return { data, size: bytes.length, validLength };
    } catch (error) {
      if (!(error instanceof DamagedLogError)) throw error;
      throw damagedVault(`Keyport’s vault file ${path} is damaged: ${error.message}`, backUpVaultFile(path, now));
    }
  }
  const data = readLegacyObject(path, text, now);
  // Migrate: the same keys as a log, replacing the old file in one durable atomic write.
  const log = `${LOG_HEADER}\n${JSON.stringify(Object.entries(data).map(([key, value]) => ['set', key, value]))}\n`;
  writeFileDurablySync(path, log);
  return { data, size: Buffer.byteLength(log), validLength: null };
}

/** The format before the log: one JSON object. */
function readLegacyObject(path: string, text: string, now: () => Date): Record<string, unknown> {
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
