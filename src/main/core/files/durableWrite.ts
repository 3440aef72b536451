import fs from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import writeFileAtomic from 'write-file-atomic';

/** Files Keyport writes hold tokens: readable by their owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Writes a file so that a crash or power loss leaves the old file or the new one, never an
 * empty or half-written one: write-file-atomic writes a temporary file beside it, fsyncs it and
 * renames it over the old one. It does not fsync the folder, and until the folder is synced the
 * rename itself may be lost on power failure, so that is done here. */
export async function writeFileDurably(path: string, data: string, mode = PRIVATE_FILE_MODE): Promise<void> {
  await writeFileAtomic(path, data, { mode, fsync: true });
  await syncFolder(dirname(path));
}

/** The same, synchronously, for the vault's store (whose port is synchronous). */
export function writeFileDurablySync(path: string, data: string, mode = PRIVATE_FILE_MODE): void {
  writeFileAtomic.sync(path, data, { mode, fsync: true });
  syncFolderSync(dirname(path));
}

// Windows cannot open a folder as a file, and NTFS journals the rename itself.
const FOLDERS_SYNC = process.platform !== 'win32';

/** Looked up on `fs` at each call (not destructured at import), like write-file-atomic does, so a
 * test can watch the calls. */
async function syncFolder(folder: string): Promise<void> {
  if (!FOLDERS_SYNC) return;
  const fd = await promisify(fs.open)(folder, 'r');
  try {
    await promisify(fs.fsync)(fd);
  } finally {
    await promisify(fs.close)(fd);
  }
}

/** fsyncs a folder, so that a rename or a new file in it survives a power loss. */
export function syncFolderSync(folder: string): void {
  if (!FOLDERS_SYNC) return;
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
