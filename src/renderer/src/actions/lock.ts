import type { AppStatus } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** The lock. Locking empties what the window shows; unlocking loads everything again. */

export async function lock(): Promise<void> {
  const status = await keyport.call('app.lock').catch(() => null);
  if (status) useKeyport.getState().setStatus(status);
}

export async function unlock(passphrase: string | undefined): Promise<void> {
  await useKeyport.getState().unlocked(await keyport.call('app.unlock', passphrase === undefined ? {} : { passphrase }));
}

export async function unlockWithSystemCheck(): Promise<void> {
  await useKeyport.getState().unlocked(await keyport.call('app.unlockWithSystemCheck'));
}

/** Sets or changes the unlock PIN (`current` to change it). */
export async function setUnlockSecret(secret: string, current?: string): Promise<AppStatus> {
  return applyStatus(await keyport.call('lock.setSecret', current === undefined ? { secret } : { secret, current }));
}

export async function removeUnlockSecret(current: string): Promise<AppStatus> {
  return applyStatus(await keyport.call('lock.removeSecret', { current }));
}

/** Main answers a change of the lock or the storage with the new status. */
export function applyStatus(status: AppStatus): AppStatus {
  useKeyport.getState().setStatus(status);
  return status;
}
