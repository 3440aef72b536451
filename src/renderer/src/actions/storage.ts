import type { AppStatus } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';
import { applyStatus } from './lock';

/** Where secrets are kept, and the vault items Keyport could not read. */
export async function choosePassphrase(passphrase: string): Promise<AppStatus> {
  const status = applyStatus(await keyport.call('storage.usePassphrase', { passphrase }));
  // Live sessions are now written to disk: their "lasts until you quit" note goes at once.
  await useKeyport.getState().refreshServers();
  return status;
}
export const keepSecretsForSessionOnly = async (): Promise<AppStatus> => applyStatus(await keyport.call('storage.useSessionOnly'));
export const exportUnreadable = (): Promise<{ path: string }> => keyport.call('storage.exportUnreadable');
export const deleteUnreadable = async (): Promise<AppStatus> => applyStatus(await keyport.call('storage.deleteUnreadable'));
