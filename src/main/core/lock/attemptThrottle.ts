import { z } from 'zod';
import { KeyportError } from '../errors';
import type { KeyValueStore } from '../ports';

/** The three first wrong tries are free (typos); then each one doubles the wait: 2 s, 4 s,
 * 8 s, … up to 5 minutes. */
const FREE_ATTEMPTS = 3;
const MAX_DELAY_MS = 5 * 60_000;

export function delayAfter(failures: number): number {
  return failures < FREE_ATTEMPTS ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_ATTEMPTS + 1));
}

const stateSchema = z.object({ failures: z.number().int().min(0).max(1_000_000), retryAt: z.number() });

/** Rate-limits guesses of an unlock secret. Kept in the store, so quitting and starting Keyport
 * again does not reset the count. */
export class AttemptThrottle {
  private readonly store: KeyValueStore;
  private readonly key: string;
  private readonly now: () => number;
  private failures: number;
  private retryAt: number;

  constructor(store: KeyValueStore, key: string, now: () => number) {
    this.store = store;
    this.key = key;
    this.now = now;
    const stored = stateSchema.safeParse(store.get(key));
    this.failures = stored.success ? stored.data.failures : 0;
    // A clock set back must not stretch the wait beyond the longest one.
    this.retryAt = stored.success ? Math.min(stored.data.retryAt, now() + MAX_DELAY_MS) : 0;
  }

  /** Refuses (RATE_LIMITED) while the wait after the last wrong try is running. */
  check(): void {
    const wait = this.retryAt - this.now();
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new KeyportError('RATE_LIMITED', `Too many wrong tries. Wait ${seconds} second${seconds === 1 ? '' : 's'} before trying again.`, {
        hint: 'Each wrong try makes the wait longer.',
      });
    }
  }

  failed(): void {
    this.failures += 1;
    this.retryAt = this.now() + delayAfter(this.failures);
    this.store.set(this.key, { failures: this.failures, retryAt: this.retryAt });
  }

  succeeded(): void {
    if (this.failures === 0 && this.retryAt === 0) return;
    this.failures = 0;
    this.retryAt = 0;
    this.store.delete(this.key);
  }
}
