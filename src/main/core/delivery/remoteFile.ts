import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { KeyportError } from '../errors';
import { cancelled, type SshSession } from './sshSession';

/** Files Keyport merges into are small; a larger one is not a token file. */
const MAX_REMOTE_FILE_BYTES = 1024 * 1024;
/** The first read asks for this much, so a token file comes in one request. */
const READ_CHUNK = 64 * 1024;
const WRITE_CHUNK = 32 * 1024;
/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02 §7). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
/** statvfs f_flag: ST_RDONLY. */
const ST_RDONLY = 1;

export type DeliveryStep = 'connecting' | 'reading' | 'writing' | 'verifying';

export interface WrittenFile {
  /** The absolute path on the remote machine. */
  path: string;
  sha256: string;
  backedUp: boolean;
}

/** SFTP paths without a leading `/` are relative to the login's home; `~/` means the same. */
export function remotePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed === '' || trimmed.includes('\0')) throw new KeyportError('VALIDATION', 'Enter the path of the file to write.', { field: 'path' });
  if (trimmed === '~' || trimmed.endsWith('/')) throw new KeyportError('VALIDATION', 'Enter a file’s path, not a folder’s.', { field: 'path' });
  return trimmed.startsWith('~/') ? trimmed.slice(2) : trimmed;
}

export const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

function call<T>(session: SshSession, label: string, path: string, fn: (cb: (error: (Error & { code?: number }) | null | undefined, value?: T) => void) => void): Promise<T> {
  const answered = new Promise<T>((resolve, reject) => {
    fn((error, value) => {
      if (!error) return resolve(value as T);
      reject(error);
    });
  });
  // A request on a connection that closed gets no answer: fail it when the channel closes.
  const dropped = session.closed.then(() => {
    throw droppedError(session, path);
  });
  return Promise.race([answered, dropped]).catch((error: unknown) => {
    throw sftpError(session, label, path, error as Error & { code?: number });
  });
}

function sftpError(session: SshSession, label: string, path: string, error: Error & { code?: number }): KeyportError | Error {
  if (error instanceof KeyportError) return error;
  if (session.dropped()) return droppedError(session, path);
  if (error.code === PERMISSION_DENIED) {
    return new KeyportError('FORBIDDEN', `Permission denied ${label} ${path} on the remote machine.`, { hint: 'Choose a path the user may write, or deliver as another user.', field: 'path' });
  }
  return Object.assign(error, { sftpLabel: label });
}

function droppedError(session: SshSession, path: string): KeyportError {
  if (session.aborted()) return cancelled();
  return new KeyportError('CONNECTION_RESET', `The connection dropped while writing ${path}. The file there was left as it was.`, { hint: 'Try again when the connection is stable.' });
}

async function statOrNull(session: SshSession, path: string): Promise<Stats | null> {
  try {
    return await call<Stats>(session, 'reading', path, (cb) => session.sftp.stat(path, cb));
  } catch (error) {
    if ((error as { code?: number }).code === NO_SUCH_FILE) return null;
    throw error;
  }
}

/** mkdir -p with mode 0700 for every folder that is missing. */
async function ensureFolder(session: SshSession, folder: string): Promise<void> {
  if (folder === '.' || folder === '/' || folder === '') return;
  const stats = await statOrNull(session, folder);
  if (stats) {
    if (!stats.isDirectory()) throw new KeyportError('FILE_ERROR', `${folder} on the remote machine is a file, not a folder.`, { field: 'path' });
    return;
  }
  await ensureFolder(session, posix.dirname(folder));
  await call<void>(session, 'creating', folder, (cb) => session.sftp.mkdir(folder, { mode: 0o700 }, cb));
}

function openForWriting(session: SshSession, path: string, flags: 'wx' | 'w'): Promise<Buffer> {
  return call<Buffer>(session, 'writing', path, (cb) => session.sftp.open(path, flags, { mode: 0o600 }, cb));
}

/** Fills an open file in one round trip: fchmod, the writes, fsync and close are sent together
 * (SFTP answers requests in order, and a failed write fails the whole), then awaited. */
async function fillAndClose(session: SshSession, path: string, handle: Buffer, content: Buffer): Promise<void> {
  const { sftp } = session;
  const requests: Array<Promise<void>> = [];
  // An existing backup keeps its old mode on "w", and sftp-server's umask applies to a new
  // file's mode: make it 0600 either way.
  requests.push(call<void>(session, 'writing', path, (cb) => sftp.fchmod(handle, 0o600, cb)));
  for (let offset = 0; offset < content.length; offset += WRITE_CHUNK) {
    const at = offset;
    requests.push(call<void>(session, 'writing', path, (cb) => sftp.write(handle, content, at, Math.min(WRITE_CHUNK, content.length - at), at, cb)));
  }
  // fsync@openssh.com where offered: the data is on disk before the rename makes it current.
  requests.push(
    call<void>(session, 'writing', path, (cb) => {
      try {
        sftp.ext_openssh_fsync(handle, (error) => cb(error));
      } catch {
        cb(null);
      }
    }),
  );
  // Through `call`, so a dead connection does not leave the close waiting forever.
  const closed = call<void>(session, 'writing', path, (cb) => sftp.close(handle, cb)).catch(() => undefined);
  const settled = await Promise.allSettled(requests);
  await closed;
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function writeWhole(session: SshSession, path: string, content: Buffer, flags: 'wx' | 'w'): Promise<void> {
  await fillAndClose(session, path, await openForWriting(session, path, flags), content);
}

async function rename(session: SshSession, from: string, to: string): Promise<void> {
  // posix-rename@openssh.com replaces the target atomically; plain SFTP v3 rename refuses an
  // existing target, so it is only the fallback for servers without the extension.
  await call<void>(session, 'replacing', to, (cb) => {
    try {
      session.sftp.ext_openssh_rename(from, to, cb);
    } catch {
      session.sftp.rename(from, to, cb);
    }
  });
}

/** Explains a generic SFTP failure while writing: the disk is full or read-only (statvfs). */
async function explainWriteFailure(session: SshSession, path: string, folder: string, bytes: number, error: unknown): Promise<KeyportError> {
  if (error instanceof KeyportError) return error;
  if (session.dropped()) return droppedError(session, path);
  try {
    const info = await call<{ f_flag: number | bigint; f_bavail: number | bigint; f_frsize: number | bigint; f_bsize: number | bigint }>(session, 'reading', folder, (cb) => session.sftp.ext_openssh_statvfs(folder, cb));
    if ((Number(info.f_flag) & ST_RDONLY) !== 0) {
      return new KeyportError('FILE_ERROR', `${path} is on a read-only file system on the remote machine. Nothing was changed.`, { hint: 'Choose a path on a writable disk.', field: 'path' });
    }
    if (Number(info.f_bavail) * Number(info.f_frsize || info.f_bsize) < bytes + 4096) {
      return new KeyportError('FILE_ERROR', `The disk holding ${path} on the remote machine is full. The file there was left as it was.`, { hint: 'Free some space there, then deliver again.', field: 'path' });
    }
  } catch {
    // statvfs@openssh.com missing or refused: the generic message below.
  }
  return new KeyportError('FILE_ERROR', `The remote machine could not write ${path}. The file there was left as it was.`, { field: 'path' });
}

/** Temporary files of earlier attempts whose connection dropped before the rename (they may
 * hold a token), listed while the file is read; removed once a delivery to the same file
 * succeeds. Best effort. */
async function listLeftovers(session: SshSession, folder: string, base: string): Promise<string[]> {
  const pattern = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.keyport-[0-9a-f]{12}$`);
  const entries = await call<Array<{ filename: string }>>(session, 'reading', folder, (cb) => session.sftp.readdir(folder, cb)).catch(() => []);
  return entries.filter((e) => pattern.test(e.filename)).map((e) => posix.join(folder, e.filename));
}

function readChunk(session: SshSession, path: string, handle: Buffer, position: number, length: number): Promise<Buffer> {
  return call<Buffer>(session, 'reading', path, (cb) => {
    const buffer = Buffer.alloc(length);
    session.sftp.read(handle, buffer, 0, length, position, (error, bytesRead) => cb(error, buffer.subarray(0, bytesRead ?? 0)));
  });
}

/** Reads the file (null if absent), refusing folders and oversized files, in two round trips:
 * the open, then its fstat and a first read sent together (Linux opens a folder for reading,
 * and fstat tells it apart). The close is not waited for: SFTP answers in order. */
export async function readRemote(session: SshSession, path: string): Promise<Buffer | null> {
  let handle: Buffer;
  try {
    handle = await call<Buffer>(session, 'reading', path, (cb) => session.sftp.open(path, 'r', cb));
  } catch (error) {
    if ((error as { code?: number }).code === NO_SUCH_FILE) return null;
    throw error;
  }
  try {
    const [stats, first] = await Promise.allSettled([call<Stats>(session, 'reading', path, (cb) => session.sftp.fstat(handle, cb)), readChunk(session, path, handle, 0, READ_CHUNK)]);
    if (stats.status === 'rejected') throw stats.reason;
    if (stats.value.isDirectory()) throw new KeyportError('FILE_ERROR', `${path} on the remote machine is a folder. Choose a file’s path.`, { field: 'path' });
    if (stats.value.size > MAX_REMOTE_FILE_BYTES) throw new KeyportError('FILE_ERROR', `${path} on the remote machine is larger than a token file can be; Keyport left it alone.`, { field: 'path' });
    if (first.status === 'rejected') throw first.reason;
    const parts = [first.value];
    let read = first.value.length;
    let last = read;
    // A short read, or a file that grew since the fstat: read on until a read returns nothing,
    // bounded by the size limit.
    while (last > 0 && read <= MAX_REMOTE_FILE_BYTES && (read < stats.value.size || last === READ_CHUNK)) {
      const next = await readChunk(session, path, handle, read, READ_CHUNK);
      parts.push(next);
      read += next.length;
      last = next.length;
    }
    if (read > MAX_REMOTE_FILE_BYTES) throw new KeyportError('FILE_ERROR', `${path} on the remote machine is larger than a token file can be; Keyport left it alone.`, { field: 'path' });
    return Buffer.concat(parts);
  } finally {
    void call<void>(session, 'reading', path, (cb) => session.sftp.close(handle, cb)).catch(() => undefined);
  }
}

/** Removes what Keyport delivered from the file: `render` gives the content without the token,
 * or null to delete the file. The old content is backed up first; a missing file is left alone. */
export async function withdrawRemoteFile(session: SshSession, requestedPath: string, render: (existing: string) => string | null): Promise<'changed' | 'absent'> {
  const path = remotePath(requestedPath);
  const existing = await readRemote(session, path);
  if (existing === null) return 'absent';
  const content = render(existing.toString('utf8'));
  if (content !== null) {
    await writeRemoteFile(session, requestedPath, () => content, () => undefined);
    return 'changed';
  }
  try {
    await writeWhole(session, `${path}.keyport-backup`, existing, 'w');
    await call<void>(session, 'removing', path, (cb) => session.sftp.unlink(path, cb));
  } catch (error) {
    throw await explainWriteFailure(session, path, posix.dirname(path), 0, error);
  }
  return 'changed';
}

/** Writes the file atomically: the old content to `FILE.keyport-backup`, the new one to a
 * temporary file in the same folder (mode 0600, fsync), then a rename over the old file, so a
 * failure at any point leaves either the old file or the new one, never half of either. The
 * result is read back and its SHA-256 compared. `render` may return null to leave the file
 * alone (a companion file the kind does not write for this session). */
export async function writeRemoteFile(
  session: SshSession,
  requestedPath: string,
  render: (existing: string | null) => string | null,
  onStep: (step: DeliveryStep) => void,
  signal?: AbortSignal,
): Promise<WrittenFile> {
  const path = remotePath(requestedPath);
  const folder = posix.dirname(path);
  const temp = posix.join(folder, `.${posix.basename(path)}.keyport-${randomBytes(6).toString('hex')}`);
  const removeTemp = () => call<void>(session, 'removing', temp, (cb) => session.sftp.unlink(temp, cb)).catch(() => undefined);
  onStep('reading');
  // Round trips are what a delivery costs (docs/protocols/ssh-delivery.md, "Round trips"):
  // requests that do not depend on each other's answers go out together. The temporary file
  // is opened while the old one is read (what goes in it waits for the merge); earlier
  // attempts' leftovers are listed meanwhile.
  const leftovers = listLeftovers(session, folder, posix.basename(path)).then((found) => found.filter((f) => f !== temp));
  const tempOpened = settle(openForWriting(session, temp, 'wx'));
  let existing: Buffer | null = null;
  let content: Buffer;
  try {
    existing = await readRemote(session, path);
    const rendered = render(existing === null ? null : existing.toString('utf8'));
    if (rendered === null || signal?.aborted) throw rendered === null ? NOTHING_TO_WRITE : cancelled();
    content = Buffer.from(rendered, 'utf8');
  } catch (error) {
    const opened = await tempOpened;
    if (opened.ok) {
      await call<void>(session, 'writing', temp, (cb) => session.sftp.close(opened.value, cb)).catch(() => undefined);
      if (!session.dropped()) await removeTemp();
    }
    await leftovers;
    if (error !== NOTHING_TO_WRITE) throw error;
    const unchanged: Buffer | null = existing;
    return { path, sha256: unchanged === null ? '' : sha256Hex(unchanged), backedUp: false };
  }
  onStep('writing');
  let tempCreated = true;
  let back: Promise<Settled<Buffer | null>>;
  try {
    let opened = await tempOpened;
    // A missing folder: created (0700), then the temporary file opened again.
    if (!opened.ok && existing === null && (opened.error as { code?: number }).code === NO_SUCH_FILE) {
      await ensureFolder(session, folder);
      opened = await settle(openForWriting(session, temp, 'wx'));
    }
    if (!opened.ok) throw opened.error;
    const backup = `${path}.keyport-backup`;
    const backupOpened = existing !== null ? await settle(openForWriting(session, backup, 'w')) : null;
    const written = await Promise.allSettled([
      fillAndClose(session, temp, opened.value, content),
      backupOpened?.ok && existing ? fillAndClose(session, backup, backupOpened.value, existing) : Promise.resolve(),
    ]);
    if (backupOpened && !backupOpened.ok) throw backupOpened.error;
    for (const outcome of written) if (outcome.status === 'rejected') throw outcome.reason;
    if (signal?.aborted) throw cancelled();
    // The read back goes out right behind the rename (SFTP answers in order, so it reads what
    // the rename left); if the rename fails, what it read is not used.
    const renamed = rename(session, temp, path);
    back = settle(readRemote(session, path));
    await renamed;
    tempCreated = false;
  } catch (error) {
    const explained = await explainWriteFailure(session, path, folder, content.length, error);
    if (tempCreated && !session.dropped()) await removeTemp();
    await leftovers;
    throw explained;
  }
  onStep('verifying');
  // The leftovers' removal and the absolute path go out with the read back.
  const removed = (await leftovers).map((leftover) => call<void>(session, 'removing', leftover, (cb) => session.sftp.unlink(leftover, cb)).catch(() => undefined));
  const absolute = call<string>(session, 'reading', path, (cb) => session.sftp.realpath(path, cb)).catch(() => path);
  const readBack = await back;
  await Promise.all(removed);
  if (!readBack.ok) throw readBack.error;
  const sha256 = sha256Hex(content);
  if (!readBack.value || sha256Hex(readBack.value) !== sha256) {
    throw new KeyportError('FILE_ERROR', `${path} on the remote machine does not hold what Keyport wrote (another program may have changed it).`, { field: 'path' });
  }
  return { path: await absolute, sha256, backedUp: existing !== null };
}

/** Nothing to write (a companion file the kind leaves alone): not an error. */
const NOTHING_TO_WRITE = Symbol('nothing to write');

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A request's outcome as a value, so one sent ahead is never an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export type { SFTPWrapper };
