import type { LockStatus } from './model';

/** What the lock is called in the window, the tray and the menu. A lock that anyone at the
 * computer can open again is named for what it does: it clears secrets from memory. */
export function lockWords(lock: LockStatus | undefined): { protects: boolean; action: string; menuAction: string; lockedTitle: string } {
  const protects = lock !== undefined && lock.unlockWith !== 'nothing';
  return protects
    ? { protects, action: 'Lock now', menuAction: 'Lock Keyport', lockedTitle: 'Keyport is locked' }
    : { protects, action: 'Clear secrets from memory', menuAction: 'Clear Secrets from Memory', lockedTitle: 'Secrets cleared from memory' };
}
