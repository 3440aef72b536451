import type { KeyportErrorShape } from '../../../shared/errors';
import { STORE_KEYS } from '../storeKeys';
import type { LockStatus } from '../../../shared/model';
import { isProcedureName, proceduresWith } from '../../../shared/procedures';
import { KeyportError } from '../errors';
import type { KeyValueStore, SystemUserCheck, Timers } from '../ports';
import type { Vault } from '../vault/vault';
import { AttemptThrottle } from './attemptThrottle';
import { createUnlockVerifier, matchesUnlockVerifier, UNLOCK_SCRYPT, unlockVerifierSchema, type UnlockVerifier } from './unlockVerifier';

/** Store keys, beside the vault's own (the verifier is no secret: it cannot be turned back). */
const VERIFIER_KEY = STORE_KEYS.unlockVerifier;
const THROTTLE_KEY = STORE_KEYS.unlockThrottle;

/** See `availableWhileLocked` in shared/procedures.ts. */
const AVAILABLE_WHILE_LOCKED = proceduresWith('availableWhileLocked');

export interface LockServiceDeps {
  vault: Vault;
  store: KeyValueStore;
  timers: Timers;
  systemCheck?: SystemUserCheck | undefined;
  /** scrypt cost of a new verifier (tests lower it). */
  scryptCost?: { N: number; r: number; p: number } | undefined;
  /** Lock after this many minutes without input; 0 never locks by itself. */
  idleMinutes(): number;
  /** Stops what works with secrets in the background (sign-ins under way, renewals). */
  pauseBackground(): void;
  /** Drops what Keyport holds in memory besides the vault's secrets (its clipboard copy,
   * shown-once tokens). */
  clearMemory(): Promise<void>;
  /** After unlocking: background renewals resume. */
  resumed(): void;
  /** The lock state or what unlocking asks for changed. */
  changed(): void;
}

/** The rules of the lock: when Keyport locks (on request, after idle minutes of no *input*,
 * at start when an unlock secret is set), and what opens it again (the vault passphrase, the
 * unlock passphrase or PIN, or the system's own user check). Without any of them locking only
 * clears secrets from memory, and the status says so. */
export class LockService {
  private readonly deps: LockServiceDeps;
  private readonly throttle: AttemptThrottle;
  private verifier: UnlockVerifier | null;
  private idleTimer: { cancel(): void } | null = null;
  /** Unlock attempts run one at a time, so parallel guesses cannot slip past the throttle. */
  private attempts: Promise<unknown> = Promise.resolve();

  constructor(deps: LockServiceDeps) {
    this.deps = deps;
    this.throttle = new AttemptThrottle(deps.store, THROTTLE_KEY, () => deps.timers.now());
    const stored = unlockVerifierSchema.safeParse(deps.store.get(VERIFIER_KEY));
    this.verifier = stored.success ? stored.data : null;
  }

  /** Once the core is wired: with an unlock secret Keyport starts locked, so quitting and
   * starting again does not open the lock. */
  start(): void {
    if (this.status().unlockWith === 'unlock-secret') {
      this.deps.pauseBackground();
      this.deps.vault.lock();
    }
    this.restartIdleTimer();
  }

  status(): LockStatus {
    if (this.deps.vault.storage().mode === 'passphrase') return { unlockWith: 'vault-passphrase', systemCheck: null };
    if (!this.verifier) return { unlockWith: 'nothing', systemCheck: null };
    const check = this.deps.systemCheck;
    return { unlockWith: 'unlock-secret', systemCheck: check?.available() ? check.label : null };
  }

  locked(): boolean {
    return this.deps.vault.storage().locked;
  }

  /** While locked only the lock screen's procedures get through. Calls are not activity: only
   * `app.activity` (real input) keeps the idle lock away. */
  refusal(procedure: string): KeyportErrorShape | null {
    if (!this.locked() || (isProcedureName(procedure) && AVAILABLE_WHILE_LOCKED.has(procedure))) return null;
    return { code: 'LOCKED', message: 'Keyport is locked.', hint: 'Unlock Keyport to continue.' };
  }

  async lock(): Promise<void> {
    this.cancelIdleTimer();
    this.deps.pauseBackground();
    await this.deps.clearMemory();
    this.deps.vault.lock();
    this.deps.changed();
  }

  /** `secret`: the vault passphrase or the unlock secret, whichever the status asks for. */
  unlock(secret: string | undefined): Promise<void> {
    return this.oneAtATime(async () => {
      if (!this.locked()) return;
      const { unlockWith } = this.status();
      if (unlockWith !== 'nothing') {
        // An empty try is no guess: it is not counted.
        if (!secret && unlockWith === 'vault-passphrase') await this.deps.vault.unlock(secret);
        if (!secret) throw wrongSecret('Enter your unlock PIN or passphrase.', 'passphrase');
        this.throttle.check();
      }
      if (unlockWith === 'vault-passphrase') {
        try {
          await this.deps.vault.unlock(secret);
        } catch (error) {
          if (error instanceof KeyportError && error.code === 'AUTH_FAILED') this.throttle.failed();
          throw error;
        }
      } else {
        if (unlockWith === 'unlock-secret') await this.requireSecret(secret, 'passphrase');
        await this.deps.vault.unlock();
      }
      this.throttle.succeeded();
      this.opened();
    });
  }

  /** Unlocks after the system confirmed the person (Touch ID). */
  unlockWithSystemCheck(): Promise<void> {
    return this.oneAtATime(async () => {
      if (!this.locked()) return;
      const label = this.status().systemCheck;
      const check = this.deps.systemCheck;
      if (!label || !check) throw new KeyportError('UNSUPPORTED', 'This computer offers no system check to unlock Keyport with.', { hint: 'Enter your unlock PIN or passphrase.' });
      if (!(await check.confirm('unlock Keyport'))) throw new KeyportError('AUTH_FAILED', `${label} did not confirm you.`, { hint: 'Try again, or enter your unlock PIN or passphrase.' });
      await this.deps.vault.unlock();
      this.opened();
    });
  }

  /** Sets or changes the unlock passphrase or PIN; changing it needs the current one. */
  setSecret(secret: string, current: string | undefined): Promise<void> {
    return this.oneAtATime(async () => {
      if (this.deps.vault.storage().mode === 'passphrase') {
        throw new KeyportError('UNSUPPORTED', 'Your vault passphrase already unlocks Keyport.', { hint: 'Keyport asks for it whenever it is locked.' });
      }
      if (this.verifier) await this.requireSecret(current, 'current');
      const verifier = await createUnlockVerifier(secret, this.deps.scryptCost ?? UNLOCK_SCRYPT);
      this.deps.store.set(VERIFIER_KEY, verifier);
      this.verifier = verifier;
      this.deps.changed();
    });
  }

  removeSecret(current: string): Promise<void> {
    return this.oneAtATime(async () => {
      if (!this.verifier) return;
      await this.requireSecret(current, 'current');
      this.deps.store.delete(VERIFIER_KEY);
      this.verifier = null;
      this.deps.changed();
    });
  }

  /** Real input from the person (keyboard, pointer): the idle clock starts again. Nothing else
   * counts, so a window reloading after a background renewal cannot keep Keyport open. */
  activity(): void {
    if (!this.locked()) this.restartIdleTimer();
  }

  /** The idle minutes may have changed. */
  settingsChanged(): void {
    if (!this.locked()) this.restartIdleTimer();
  }

  dispose(): void {
    this.cancelIdleTimer();
  }

  private opened(): void {
    this.deps.resumed();
    this.restartIdleTimer();
    this.deps.changed();
  }

  private async requireSecret(secret: string | undefined, field: string): Promise<void> {
    this.throttle.check();
    if (!this.verifier || !secret || !(await matchesUnlockVerifier(secret, this.verifier))) {
      this.throttle.failed();
      throw wrongSecret('That unlock PIN or passphrase is not correct.', field);
    }
    this.throttle.succeeded();
  }

  private restartIdleTimer(): void {
    this.cancelIdleTimer();
    const minutes = this.deps.idleMinutes();
    if (minutes > 0 && !this.locked()) this.idleTimer = this.deps.timers.setTimeout(() => void this.lock(), minutes * 60_000);
  }

  private cancelIdleTimer(): void {
    this.idleTimer?.cancel();
    this.idleTimer = null;
  }

  private oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.attempts.then(fn, fn);
    this.attempts = run.catch(() => undefined);
    return run;
  }
}

const wrongSecret = (message: string, field: string) =>
  new KeyportError('AUTH_FAILED', message, { hint: 'It is case-sensitive. Forgotten? README, “Lock”, says how to remove it; your saved tokens stay.', field });
