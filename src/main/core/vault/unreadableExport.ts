import { join } from 'node:path';
import { KeyportError } from '../errors';
import { writeFileDurably } from '../files/durableWrite';
import type { Vault } from './vault';

/** Writes the vault's unreadable items, exactly as stored (ciphertexts stay ciphertexts), to a
 * file in the home folder, mode 0600, for the person to repair, keep or send to support. */
export async function exportUnreadable(vault: Vault, home: string, now: Date): Promise<{ path: string }> {
  if (vault.unreadableCount() === 0) {
    throw new KeyportError('NOT_FOUND', 'Every saved item can be read: there is nothing to export.');
  }
  const path = join(home, `keyport-unreadable-items-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  try {
    await writeFileDurably(path, vault.exportUnreadable());
  } catch (error) {
    throw new KeyportError('FILE_ERROR', `Keyport could not write ${path}.`, {
      hint: `${(error as NodeJS.ErrnoException).code ?? 'The disk refused it'}: check that your home folder is yours to write.`,
    });
  }
  return { path };
}
