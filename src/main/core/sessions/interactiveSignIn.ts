import type { DeviceSignInCode } from '../../../shared/model';
import { KeyportError } from '../errors';
import { signInTimedOut } from '../oauth/signInLimits';
import type { ExternalBrowser } from '../ports';
import type { ServerContext, SignInResult } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import type { ServerRecord } from '../vault/records';
import type { Vault } from '../vault/vault';
import type { SessionService } from './sessionService';

export interface InteractiveSignInDeps {
  vault: Vault;
  providers: ProviderRegistry;
  sessions: SessionService;
  contextFor(server: ServerRecord): Promise<ServerContext>;
  browser: ExternalBrowser | undefined;
  /** How long a browser or device sign-in may take (default 5 minutes). */
  timeoutMs: number;
}

interface Flow {
  abort: AbortController;
  device?: { code: DeviceSignInCode; result: Promise<SignInResult> };
}

/** Sign-ins that wait for the person somewhere else: in the system browser, or on another
 * device with a code. One flow per server at a time; a new one cancels the old; Cancel (or a
 * lock) aborts it and its loopback listener or polling stops. */
export class InteractiveSignIn {
  private readonly deps: InteractiveSignInDeps;
  private readonly flows = new Map<string, Flow>();

  constructor(deps: InteractiveSignInDeps) {
    this.deps = deps;
  }

  /** Signs in through the browser. With a valid session already there, does nothing unless
   * `force` (the CLIs' `login --force`). */
  async withBrowser(serverId: string, force: boolean): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.signInWithBrowser) throw unsupported(server, 'the browser');
    if (!force && this.deps.sessions.hasValidSession(serverId)) return;
    const browser = this.requireBrowser();
    const flow = this.begin(serverId);
    try {
      const result = await provider.signInWithBrowser(await this.deps.contextFor(server), {
        openBrowser: (url) => browser.open(url),
        signal: flow.abort.signal,
        timeoutMs: this.deps.timeoutMs,
      });
      this.ensureCurrent(serverId, flow);
      await this.deps.sessions.adopt(serverId, result, 'browser');
    } finally {
      this.end(serverId, flow);
    }
  }

  /** Starts a device sign-in and returns the code to show; null when a valid session exists
   * and `force` is false. The polling runs until finishDevice, cancel, expiry or denial. */
  async startDevice(serverId: string, force: boolean): Promise<DeviceSignInCode | null> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.startDeviceSignIn) throw unsupported(server, 'a code');
    if (!force && this.deps.sessions.hasValidSession(serverId)) return null;
    const flow = this.begin(serverId);
    // The reason tells the polling it ran out of time (TIMEOUT), not that it was cancelled.
    const timeout = setTimeout(() => flow.abort.abort(signInTimedOut()), this.deps.timeoutMs);
    timeout.unref?.();
    try {
      const started = await provider.startDeviceSignIn(await this.deps.contextFor(server), flow.abort.signal);
      const result = started.result.finally(() => clearTimeout(timeout));
      result.catch(() => undefined);
      flow.device = { code: started.code, result };
      return started.code;
    } catch (error) {
      clearTimeout(timeout);
      this.end(serverId, flow);
      throw error;
    }
  }

  /** Waits for the device sign-in started before, then signs in with it. */
  async finishDevice(serverId: string): Promise<void> {
    const flow = this.flows.get(serverId);
    if (!flow?.device) throw new KeyportError('NOT_FOUND', 'No sign-in with a code is running for this server.', { hint: 'Start it again.' });
    try {
      const result = await flow.device.result;
      this.ensureCurrent(serverId, flow);
      await this.deps.sessions.adopt(serverId, result, 'device');
    } finally {
      this.end(serverId, flow);
    }
  }

  /** Opens the device flow's verification page (never a URL from the renderer). */
  async openDeviceVerification(serverId: string): Promise<void> {
    const device = this.flows.get(serverId)?.device;
    if (!device) throw new KeyportError('NOT_FOUND', 'No sign-in with a code is running for this server.', { hint: 'Start it again.' });
    await this.requireBrowser().open(device.code.verificationUriComplete ?? device.code.verificationUri);
  }

  cancel(serverId: string): void {
    const flow = this.flows.get(serverId);
    if (!flow) return;
    this.flows.delete(serverId);
    flow.abort.abort();
  }

  cancelAll(): void {
    for (const serverId of [...this.flows.keys()]) this.cancel(serverId);
  }

  private begin(serverId: string): Flow {
    this.cancel(serverId);
    const flow: Flow = { abort: new AbortController() };
    this.flows.set(serverId, flow);
    return flow;
  }

  private end(serverId: string, flow: Flow): void {
    if (this.flows.get(serverId) === flow) this.flows.delete(serverId);
    flow.abort.abort();
  }

  /** A flow replaced or cancelled while its answer was on the way must not sign in. */
  private ensureCurrent(serverId: string, flow: Flow): void {
    if (this.flows.get(serverId) !== flow) throw new KeyportError('CANCELLED', 'The sign-in was cancelled.');
  }

  private requireBrowser(): ExternalBrowser {
    if (!this.deps.browser) throw new KeyportError('UNSUPPORTED', 'Keyport cannot open a browser here.', { hint: 'Sign in with a code instead.' });
    return this.deps.browser;
  }

  private resolve(serverId: string) {
    const server = this.deps.vault.server(serverId);
    return { server, provider: this.deps.providers.get(server.kind) };
  }
}

const unsupported = (server: ServerRecord, what: string) =>
  new KeyportError('UNSUPPORTED', `${server.name} does not support signing in with ${what}.`);
