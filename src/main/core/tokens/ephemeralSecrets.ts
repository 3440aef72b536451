import { randomUUID } from 'node:crypto';
import type { Timers } from '../ports';

export interface EphemeralSecret {
  serverId: string;
  name: string;
  value: string;
  /** Non-secret facts, as a saved token's (an OAuth client's key). */
  attributes?: Record<string, string> | undefined;
}

/** A just-created token that the person chose not to save: kept in memory for a few minutes so
 * the show-once dialog can copy it through main, then dropped. Never persisted. */
export class EphemeralSecrets {
  static readonly LIFETIME_MS = 10 * 60 * 1000;
  private readonly entries = new Map<string, EphemeralSecret>();
  private readonly timers: Timers;

  constructor(timers: Timers) {
    this.timers = timers;
  }

  add(secret: EphemeralSecret): string {
    const id = `once-${randomUUID()}`;
    this.entries.set(id, secret);
    this.timers.setTimeout(() => this.entries.delete(id), EphemeralSecrets.LIFETIME_MS);
    return id;
  }

  get(id: string): EphemeralSecret | undefined {
    return this.entries.get(id);
  }

  clear(): void {
    this.entries.clear();
  }
}
