import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_FILE_MODE, syncFolderSync, writeFileDurablySync } from '../files/durableWrite';
import type { Logger } from '../ports';

/** The vault's file as an append-only log, so that one change costs one small durable append
 * instead of rewriting every secret (issue 15: 10,000 secrets are 4.5 MB).
 *
 * Format: JSON lines. The first is the header; each further line is one write, a JSON array of
 * operations applied in order, so a write of several keys (re-encrypting every secret with the
 * new policy) is one line and lands whole or not at all:
 *   ["set", key, value]         the key's whole value
 *   ["del", key]                the key removed
 *   ["put", key, id, value]     one entry of an object-valued key (a secret)
 *   ["drop", key, id]           one entry removed
 *   ["splice", key, n, items]   an array-valued key loses its first n items and gains items
 *                               (the activity log)
 * After a removal, and whenever the log has doubled since it was last compacted (and is over
 * 1 MB), it is compacted, so removed entries leave the file soon after.
 * A write is acknowledged after fdatasync. A line cut short by a crash can only be the last
 * one (the write in flight, never acknowledged): it is ignored and cut off before the next
 * append. Any other line that does not parse is damage, and the file is refused.
 *
 * Compaction rewrites the log as one line setting every key once it has grown past twice its
 * compacted size, off the main thread's critical path: the snapshot is serialized an entry at a
 * time in slices of a few milliseconds (writeSnapshot) and written to a temporary file
 * asynchronously while writes keep appending to the old log; writes made meanwhile are
 * appended to the temporary file too, then it is fsync'd and renamed over the log. Every
 * acknowledged write is in whichever file is the log at any moment. */

export const LOG_HEADER = '{"keyport-vault-log":1}';
/** Below this size the log is never compacted (a few hundred writes of one secret). */
const MIN_COMPACT_BYTES = 1024 * 1024;

export type Operation = ['set', string, unknown] | ['del', string] | ['put', string, string, unknown] | ['drop', string, string] | ['splice', string, number, unknown[]];

export class DamagedLogError extends Error {}

/** Replays the log's text; throws DamagedLogError naming the line that cannot be read.
 * `validLength` is the byte length of the lines that were replayed (where a torn last line
 * starts): the whole text unless the tail was torn. `byteLength` is the text's, when the caller
 * knows it (the file's size): counting a 5 MB text's UTF-8 bytes costs ~1 ms at every start. */
export function replayLog(text: string, byteLength?: number): { data: Record<string, unknown>; validLength: number; tornTail: boolean } {
  const data: Record<string, unknown> = {};
  const lines = text.split('\n');
  if (lines[0] !== LOG_HEADER) throw new DamagedLogError('its first line is not a Keyport vault log header');
  // Where the current line starts, in UTF-16 units of `text` (bytes are counted only for a torn
  // tail, below).
  let lineStart = LOG_HEADER.length + 1;
  let tornTail = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const last = i === lines.length - 1;
    if (line === '') {
      if (last) break;
      throw new DamagedLogError(`line ${i + 1} is empty`);
    }
    let operations: unknown;
    try {
      operations = JSON.parse(line);
    } catch {
      operations = undefined;
    }
    // The last line, unterminated or not: the write a crash interrupted.
    const isFinalLine = last || (i === lines.length - 2 && lines[lines.length - 1] === '');
    if (!Array.isArray(operations)) {
      if (isFinalLine) {
        tornTail = true;
        break;
      }
      throw new DamagedLogError(`line ${i + 1} cannot be read`);
    }
    if (last) {
      // Parsed, but not terminated: the newline is written with the line, so it was cut off.
      tornTail = true;
      break;
    }
    try {
      apply(data, operations);
    } catch {
      throw new DamagedLogError(`line ${i + 1} holds an operation Keyport does not know`);
    }
    lineStart += line.length + 1;
  }
  const validLength = tornTail ? Buffer.byteLength(text.slice(0, lineStart)) : (byteLength ?? Buffer.byteLength(text));
  return { data, validLength, tornTail };
}

function apply(data: Record<string, unknown>, operations: unknown[]): void {
  // Validate the whole line before applying any of it.
  for (const op of operations) if (!isOperation(op)) throw new Error('unknown operation');
  for (const op of operations as Operation[]) {
    switch (op[0]) {
      case 'set':
        data[op[1]] = op[2];
        break;
      case 'del':
        delete data[op[1]];
        break;
      case 'put': {
        const current = data[op[1]];
        const target = isPlainObject(current) ? current : (data[op[1]] = {} as Record<string, unknown>);
        (target as Record<string, unknown>)[op[2]] = op[3];
        break;
      }
      case 'drop': {
        const current = data[op[1]];
        if (isPlainObject(current)) delete current[op[2]];
        break;
      }
      case 'splice': {
        const current = data[op[1]];
        data[op[1]] = [...(Array.isArray(current) ? current.slice(op[2]) : []), ...op[3]];
        break;
      }
    }
  }
}

function isOperation(op: unknown): op is Operation {
  if (!Array.isArray(op) || typeof op[1] !== 'string') return false;
  switch (op[0]) {
    case 'set':
      return op.length === 3;
    case 'del':
      return op.length === 2;
    case 'put':
      return op.length === 4 && typeof op[2] === 'string';
    case 'drop':
      return op.length === 3 && typeof op[2] === 'string';
    case 'splice':
      return op.length === 4 && Number.isInteger(op[2]) && (op[2] as number) >= 0 && Array.isArray(op[3]);
    default:
      return false;
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The operations that turn `before` into `after` for one key. Entries that are the same
 * object (the vault hands back the records it did not change) are skipped at once; others are
 * compared by value (records the vault re-validated at start are equal copies). */
export function diff(key: string, before: unknown, after: unknown): Operation[] {
  if (before === after) return [];
  if (after === undefined) return before === undefined ? [] : [['del', key]];
  if (isPlainObject(before) && isPlainObject(after)) {
    const ops: Operation[] = [];
    for (const id of Object.keys(after)) if (!(id in before) || !sameJson(before[id], after[id])) ops.push(['put', key, id, after[id]]);
    for (const id of Object.keys(before)) if (!(id in after)) ops.push(['drop', key, id]);
    return ops;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    // The activity log: older entries dropped from the front, new ones added at the end.
    for (let dropped = 0; dropped <= before.length; dropped++) {
      const kept = before.length - dropped;
      if (kept > after.length) continue;
      if (kept > 0 && !sameJson(before[dropped], after[0])) continue;
      if (!before.slice(dropped).every((item, i) => sameJson(item, after[i]))) continue;
      const added = after.slice(kept);
      return dropped === 0 && added.length === 0 ? [] : [['splice', key, dropped, added]];
    }
  }
  return sameJson(before, after) ? [] : [['set', key, after]];
}

/** Equality of JSON values. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((k) => k in b && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The log's file: appends with fdatasync, and compaction in the background. */
export class LogWriter {
  private fd: number | null = null;
  private size: number;
  private compactedSize: number;
  private compacting: string[] | null = null;
  /** The compaction under way, for `settled`. */
  private running: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** A background flush of lazy writes is running; another is wanted after it. */
  private flushing = false;
  private flushAgain = false;
  private readonly path: string;
  private readonly logger: Logger | undefined;
  private readonly minCompactBytes: number;
  private readonly snapshot: () => Record<string, unknown>;

  constructor(path: string, state: { size: number; validLength: number | null }, snapshot: () => Record<string, unknown>, options: { logger?: Logger | undefined; minCompactBytes?: number | undefined } = {}) {
    this.path = path;
    this.snapshot = snapshot;
    this.logger = options.logger;
    this.minCompactBytes = options.minCompactBytes ?? MIN_COMPACT_BYTES;
    this.size = state.validLength ?? state.size;
    this.compactedSize = this.size;
    if (state.validLength !== null && state.validLength !== state.size) {
      // A torn last line: cut it off, or the next append would continue it.
      fs.truncateSync(path, state.validLength);
    }
  }

  /** Appends one write; returns once it is on disk, or with `lazily` once it is in the file,
   * flushed to the device in the background (a later durable write flushes it too). */
  append(operations: Operation[], lazily = false): void {
    if (operations.length === 0) return;
    const line = `${JSON.stringify(operations)}\n`;
    if (this.size === 0) {
      // A new log: header and first line in one durable atomic write (mode 0600).
      writeFileDurablySync(this.path, `${LOG_HEADER}\n${line}`);
      this.size = Buffer.byteLength(LOG_HEADER) + 1 + Buffer.byteLength(line);
      this.compactedSize = this.size;
      return;
    }
    this.fd ??= fs.openSync(this.path, 'a', PRIVATE_FILE_MODE);
    fs.writeSync(this.fd, line);
    if (lazily) this.flushSoon();
    else fs.fdatasyncSync(this.fd);
    this.size += Buffer.byteLength(line);
    this.compacting?.push(line);
    if (this.compacting) return;
    // A removed secret's ciphertext should not linger in the log's history: compact after any
    // removal, and otherwise once the log has doubled.
    const removes = operations.some((op) => op[0] === 'drop' || op[0] === 'del');
    if (!this.scheduled && (removes || (this.size > this.minCompactBytes && this.size > 2 * this.compactedSize))) {
      // After the caller has applied this write to the state the snapshot is taken from.
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.running = this.compact();
      });
    }
  }

  /** Rewrites the log as its current state; resolves when done (or when it failed, logged). */
  async compact(): Promise<void> {
    if (this.compacting || this.size === 0) return;
    this.compacting = [];
    const temporary = `${this.path}.compact-${randomBytes(6).toString('hex')}`;
    // The state now (see snapshotOf); the writes made meanwhile are collected in `compacting`.
    const state = snapshotOf(this.snapshot());
    let handle: fs.promises.FileHandle | null = null;
    let bytes: number;
    try {
      handle = await fs.promises.open(temporary, 'wx', PRIVATE_FILE_MODE);
      const file = handle;
      bytes = await writeSnapshot(state, (piece) => writeAll(file, piece));
      // Writes made meanwhile join the new file: most of them still asynchronously, …
      for (let caughtUp = 0; caughtUp < this.compacting.length; ) {
        const lines = this.compacting.slice(caughtUp).join('');
        caughtUp = this.compacting.length;
        await handle.write(lines);
        bytes += Buffer.byteLength(lines);
      }
      const written = this.compacting.length;
      await handle.datasync();
      await handle.close();
      handle = null;
      // … and from here on synchronously, the ones made during the last await, before the new
      // file replaces the old one.
      const pending = this.compacting.slice(written).join('');
      if (pending) {
        const fd = fs.openSync(temporary, 'a');
        try {
          fs.writeSync(fd, pending);
          fs.fdatasyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      }
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
      fs.renameSync(temporary, this.path);
      syncFolderSync(dirname(this.path));
      this.size = bytes + Buffer.byteLength(pending);
      this.compactedSize = this.size;
    } catch (error) {
      await handle?.close().catch(() => undefined);
      fs.rmSync(temporary, { force: true });
      this.logger?.warn(`vault: compacting the vault file failed (${(error as NodeJS.ErrnoException).code ?? 'error'}); it stays as it was`);
    } finally {
      this.compacting = null;
    }
  }

  /** Resolves once no compaction is under way. */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      await Promise.resolve(); // a compaction scheduled by the last write starts
      current = this.running;
      await current;
    } while (current !== this.running || this.scheduled);
  }

  /** One fdatasync on the thread pool for the lazy writes made so far; writes made while it
   * runs get one more after it. An error leaves nothing to do: the file was closed (close
   * flushes) or replaced by a compaction (which flushed its own copy of every write). */
  private flushSoon(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    if (this.fd === null) return;
    this.flushing = true;
    fs.fdatasync(this.fd, () => {
      this.flushing = false;
      if (!this.flushAgain) return;
      this.flushAgain = false;
      this.flushSoon();
    });
  }

  close(): void {
    if (this.fd !== null) {
      // Lazy writes not yet flushed are flushed before the handle goes.
      if (this.flushing || this.flushAgain) fs.fdatasyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = null;
    this.flushAgain = false;
  }
}

/** Writes all of `bytes` (a write may take fewer). */
async function writeAll(file: fs.promises.FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('the file took no bytes'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

type Snapshot = Array<[key: string, value: unknown, ids: string[] | null]>;

/** The keys, their values and, of object-valued keys, their entries' ids, as they are now:
 * cheap (no entry is copied), and enough. Values are never changed in place, with one
 * exception: setEntries puts and drops entries of an object-valued key in place, so an entry
 * may be serialized as it is later than now. That is harmless: `put` and `drop` set an entry
 * outright, so replaying the writes made meanwhile (appended after the snapshot) ends every
 * entry in the state of its last write, whichever version the snapshot caught; an entry
 * dropped meanwhile is left out, and one added meanwhile comes with its write. */
function snapshotOf(data: Record<string, unknown>): Snapshot {
  return Object.entries(data).map(([key, value]) => [key, value, isPlainObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value)) ? Object.keys(value) : null]);
}

/** How long compaction serializes before it lets other work run. A 10,000-secret vault
 * serialized in one go holds the main thread for tens of milliseconds; in slices of this size
 * no slice is longer than a frame. */
export const SLICE_MS = 4;
/** Serialized text is encoded into buffers of this size, each handed to `write` when full. */
const WRITE_CHUNK = 128 * 1024;

export interface SnapshotOptions {
  /** The clock the slices are timed with (tests give a fake one). */
  now?: () => number;
}

/** Writes the compacted log (header, then one line setting every key) through `write`, exactly
 * as `JSON.stringify` would write that line, but an entry at a time, yielding to the event loop
 * every SLICE_MS. Returns the bytes written.
 *
 * Each entry's text is encoded at once into 128 KB buffers, so no text outlives its entry and
 * compaction allocates in V8's heap little more than each entry's JSON.stringify. It used to
 * gather a slice's text (~2 MB) in a string, flattened and encoded at the next turn, and to
 * await a promise per entry: about 1.6× more allocation (22–27 against 11–19 scavenges of a
 * 1 MB young generation, compacting 10,000 secrets). Allocation is what makes V8 scavenge, and a scavenge
 * is a pause no slicing can bound (it copies whatever else is young, such as the records of a
 * vault opened just before): the long stalls of bench 4d were such pauses. */
export async function writeSnapshot(state: Snapshot, write: (bytes: Buffer) => Promise<void>, options: SnapshotOptions = {}): Promise<number> {
  const now = options.now ?? (() => performance.now());
  let chunk = Buffer.allocUnsafe(WRITE_CHUNK);
  let used = 0;
  let bytes = 0;
  /** Filled buffers, written (in order) at the next await. */
  const full: Buffer[] = [];
  const put = (text: string) => {
    // A UTF-16 unit is at most 3 bytes of UTF-8: a new buffer unless the text surely fits.
    if (used + text.length * 3 > WRITE_CHUNK) {
      if (used > 0) full.push(chunk.subarray(0, used));
      chunk = Buffer.allocUnsafe(WRITE_CHUNK);
      used = 0;
    }
    if (text.length * 3 > WRITE_CHUNK) full.push(Buffer.from(text, 'utf8'));
    else used += chunk.write(text, used, 'utf8');
  };
  const drain = async () => {
    for (let piece = full.shift(); piece; piece = full.shift()) {
      bytes += piece.length;
      await write(piece);
    }
  };
  let sliceStart = now();
  let sliceOver = false;
  /** After each entry, without an await (a promise for each of 10,000 entries is garbage):
   * whether there are full buffers to hand to the file, or the slice is over. */
  const due = () => full.length > 0 || (sliceOver = now() - sliceStart >= SLICE_MS);
  /** Hands full buffers to the file, and yields once the slice is over. */
  const pause = async () => {
    if (full.length > 0) await drain();
    if (!sliceOver) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceOver = false;
    sliceStart = now();
  };
  put(`${LOG_HEADER}\n[`);
  let firstKey = true;
  for (const [key, value, ids] of state) {
    put(`${firstKey ? '' : ','}["set",${JSON.stringify(key)},`);
    firstKey = false;
    if (Array.isArray(value)) {
      // Arrays are replaced, never changed in place (a splice writes a new one).
      put('[');
      for (let i = 0; i < value.length; i++) {
        // As JSON.stringify: an undefined item is written as null.
        put(`${i === 0 ? '' : ','}${(JSON.stringify(value[i]) as string | undefined) ?? 'null'}`);
        if (due()) await pause();
      }
      put(']');
    } else if (ids !== null) {
      const entries = value as Record<string, unknown>;
      put('{');
      let first = true;
      for (const id of ids) {
        if (!Object.hasOwn(entries, id)) continue; // dropped since the snapshot
        // As JSON.stringify: an undefined entry is left out.
        const text = JSON.stringify(entries[id]) as string | undefined;
        if (text === undefined) continue;
        put(`${first ? '' : ','}${JSON.stringify(id)}:`);
        put(text);
        first = false;
        if (due()) await pause();
      }
      put('}');
    } else {
      // As JSON.stringify: an undefined item of the line's array is written as null.
      put((JSON.stringify(value) as string | undefined) ?? 'null');
      if (due()) await pause();
    }
    put(']');
  }
  put(']\n');
  if (used > 0) full.push(chunk.subarray(0, used));
  await drain();
  return bytes;
}
