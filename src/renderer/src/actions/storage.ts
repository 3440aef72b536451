import type { AppStatus } from '../../../shared/model';
import { keyport } from '../api';
import { applyStatus } from './lock';

/** Where secrets are kept, and the vault items Keyport could not read. */
// Live sessions written to disk lose their "lasts until you quit" note with the new status
// (the session panel reads where secrets are kept from it): nothing to reload.
export const choosePassphrase = async (passphrase: string): Promise<AppStatus> => applyStatus(await keyport.call('storage.usePassphrase', { passphrase }));
export const keepSecretsForSessionOnly = async (): Promise<AppStatus> => applyStatus(await keyport.call('storage.useSessionOnly'));
export const exportUnreadable = (): Promise<{ path: string }> => keyport.call('storage.exportUnreadable');
export const deleteUnreadable = async (): Promise<AppStatus> => applyStatus(await keyport.call('storage.deleteUnreadable'));
