import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { posix } from 'node:path';
import { sessionDeliveryId, type DeliveryResult, type DeliveryStep, type DeliveryTargetView, type RotationResult, type RotationStep } from '../../../shared/model';
import type { AuditLog } from '../audit/auditLog';
import { KeyportError } from '../errors';
import type { EventHub } from '../events';
import type { Provider, SessionMaterial } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import type { SessionService } from '../sessions/sessionService';
import type { TokenService } from '../tokens/tokenService';
import type { DeliveryTarget, SecretMeta, ServerRecord } from '../vault/records';
import type { Vault } from '../vault/vault';
import { renderDelivery, withdrawDelivery, type DeliveryFormat, type DeliveryMaterial, type SessionFileMaterial } from './fileFormats';
import { hashedKnownHostLine } from './knownHosts';
import { loadSshTransport } from './sshLoader';

const DEFAULT_TIMEOUT_MS = 15_000;
/** SSH connections open at once when delivering to several targets (sshd's MaxStartups
 * default begins refusing at 10 unauthenticated connections). */
export const MAX_PARALLEL_CONNECTIONS = 4;

/** Runs `work` over `items`, at most `limit` at a time, results in the items' order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface DeliveryRequest {
  secretId: string;
  host: string;
  port?: number | undefined;
  user?: string | undefined;
  path: string;
  format: DeliveryFormat;
  keyFile?: string | undefined;
  passphrase?: string | undefined;
  trustFingerprint?: string | undefined;
}

export interface DeliveryDeps {
  vault: Vault;
  providers: ProviderRegistry;
  tokens: TokenService;
  /** A session's material, for delivering it in its kind's session file. */
  sessions: Pick<SessionService, 'material'>;
  audit: AuditLog;
  events: EventHub;
  now(): Date;
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/** A target as the vault keeps it (the saved token's `deliveryTargets`), shown as it is. */
type StoredTarget = DeliveryTarget & DeliveryTargetView;

/** Delivers saved tokens to other machines over SSH, remembers where (targets), and rotates a
 * token across its targets. */
export class DeliveryService {
  private readonly deps: DeliveryDeps;
  private readonly running = new Map<string, AbortController>();

  constructor(deps: DeliveryDeps) {
    this.deps = deps;
  }

  targets(secretId: string): DeliveryTargetView[] {
    return this.readTargets(this.savedToken(secretId));
  }

  forget(secretId: string, targetId: string): void {
    const meta = this.savedToken(secretId);
    this.writeTargets(meta, this.readTargets(meta).filter((t) => t.id !== targetId));
  }

  /** Cancels the deliveries running for a saved token. */
  cancel(secretId: string): void {
    this.running.get(secretId)?.abort();
  }

  async send(request: DeliveryRequest, onStep: (step: DeliveryStep) => void = () => undefined): Promise<DeliveryResult> {
    const meta = this.savedToken(request.secretId);
    const controller = new AbortController();
    this.running.get(request.secretId)?.abort();
    this.running.set(request.secretId, controller);
    try {
      const existing = this.readTargets(meta).find((t) => sameTarget(t, request));
      const target: StoredTarget = existing ?? { id: randomUUID(), host: request.host.trim(), port: request.port ?? null, user: request.user?.trim() || null, path: request.path.trim(), format: request.format, lastDeliveredAt: null, sha256: null };
      const written = await this.deliver(meta, target, request, onStep, controller.signal);
      if (written.state === 'confirm-host') return written;
      return { state: 'delivered', target: written.target, backedUp: written.backedUp };
    } finally {
      if (this.running.get(request.secretId) === controller) this.running.delete(request.secretId);
    }
  }

  /** Writes the saved token to one target and records it there. */
  private async deliver(
    meta: SecretMeta,
    target: StoredTarget,
    access: Pick<DeliveryRequest, 'keyFile' | 'passphrase' | 'trustFingerprint'>,
    onStep: (step: DeliveryStep) => void,
    signal: AbortSignal,
  ): Promise<{ state: 'delivered'; target: StoredTarget; backedUp: boolean } | Extract<DeliveryResult, { state: 'confirm-host' }>> {
    const opened = await this.open(meta, target, access, signal, onStep);
    if (opened.state === 'confirm-host') return opened;
    const { session, endpoint, material, server, ssh } = opened;
    try {
      const written = await ssh.writeRemoteFile(session, target.path, (existing) => renderDelivery(target.format, existing, material), onStep, signal);
      // The files the kind's client keeps in step with its session file (agavepy's config.json).
      if (target.format === 'session-file') {
        for (const companion of material.sessionFile?.companions ?? []) {
          await ssh.writeRemoteFile(session, posix.join(posix.dirname(ssh.remotePath(target.path)), companion.name), (existing) => companion.render(existing), () => undefined, signal);
        }
      }
      const updated: StoredTarget = { ...target, lastDeliveredAt: this.deps.now().toISOString(), sha256: written.sha256 };
      // Read afresh: deliveries to other targets may have finished meanwhile.
      const current = this.savedToken(meta.id);
      this.writeTargets(current, [...this.readTargets(current).filter((t) => t.id !== target.id), updated]);
      // The activity log names the machine and file, never the value.
      this.deps.audit.record(server, 'token.delivered', meta.name, `${endpoint.user}@${endpoint.host}:${endpoint.port} ${written.path}`);
      return { state: 'delivered', target: updated, backedUp: written.backedUp };
    } finally {
      session.close();
    }
  }

  /** Delivers the saved token again to every target, a few connections at a time. */
  async resend(secretId: string): Promise<Array<{ targetId: string; ok: boolean; message: string }>> {
    const meta = this.savedToken(secretId);
    const controller = new AbortController();
    this.running.set(secretId, controller);
    try {
      return await pooled(this.readTargets(meta), MAX_PARALLEL_CONNECTIONS, async (target) => {
        const label = `${target.host}:${target.path}`;
        try {
          const result = await this.deliver(meta, target, {}, () => undefined, controller.signal);
          if (result.state === 'confirm-host') return { targetId: target.id, ok: false, message: `${result.host} is not known (${result.fingerprint}): send to it once to confirm.` };
          return { targetId: target.id, ok: true, message: `Delivered to ${label}.` };
        } catch (error) {
          return { targetId: target.id, ok: false, message: `${label}: ${error instanceof Error ? error.message : 'failed'}` };
        }
      });
    } finally {
      if (this.running.get(secretId) === controller) this.running.delete(secretId);
    }
  }

  /** Connects to a target's machine, with what the token's file is made of. */
  private async open(meta: SecretMeta, target: StoredTarget, access: Pick<DeliveryRequest, 'keyFile' | 'passphrase' | 'trustFingerprint'>, signal: AbortSignal, onStep: (step: DeliveryStep) => void) {
    const { vault, providers, home, env } = this.deps;
    const server = vault.server(meta.serverId);
    const provider = providers.get(server.kind);
    const secret = await vault.readSecret(meta.id);
    if (secret === null) throw new KeyportError('NOT_FOUND', 'That saved token’s value is no longer in Keyport.');
    const isSession = meta.purpose === 'session';
    if (isSession && target.format !== 'session-file') {
      throw new KeyportError('VALIDATION', `A ${provider.descriptor.label} session is delivered in its own session file.`, { field: 'format', hint: 'Choose the session file.' });
    }
    const material: DeliveryMaterial = {
      secret,
      variables: isSession ? [] : provider.copyEnvironment(server, secret, meta.attributes),
      // Only kinds with an .npmrc copy format render one (the others refuse the format).
      nerfDart: isSession || !provider.descriptor.copyFormats.some((f) => f.id === 'npmrc') ? null : npmrcKey(provider.renderTokenCopy?.('npmrc', secret, meta.attributes, server) ?? null, secret),
      sessionFile: target.format === 'session-file' ? await this.sessionFileMaterial(provider, server, meta, secret) : null,
    };
    // Refuse a format that cannot hold this kind's token before connecting anywhere.
    renderDelivery(target.format, null, material);
    const ssh = await loadSshTransport();
    const endpoint = ssh.resolveEndpoint({ host: target.host, port: target.port ?? undefined, user: target.user ?? undefined }, await readText(join(home, '.ssh', 'config')), home, env.USER ?? env.LOGNAME ?? 'root');
    const knownHostsPath = join(home, '.ssh', 'known_hosts');
    const knownHosts = [(await readText(knownHostsPath)) ?? '', (await readText('/etc/ssh/ssh_known_hosts')) ?? ''].join('\n');
    onStep('connecting');
    try {
      const session = await ssh.openSshSession({
        endpoint,
        credentials: { agentSocket: env.SSH_AUTH_SOCK ?? null, keyFile: access.keyFile, passphrase: access.passphrase },
        knownHosts,
        trustFingerprint: access.trustFingerprint,
        signal,
        timeoutMs: this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        onTrusted: (blob) => rememberHost(knownHostsPath, hashedKnownHostLine(endpoint.host, endpoint.port, blob)),
      });
      return { state: 'open' as const, session, endpoint, material, server, ssh };
    } catch (error) {
      if (error instanceof ssh.HostKeyUnknownError) return { state: 'confirm-host' as const, host: endpoint.host, port: endpoint.port, keyType: error.keyType, fingerprint: error.fingerprint };
      throw error;
    }
  }

  /** The kind's session file for what is delivered: the server's live session, or a saved token
   * of a kind whose file holds one (an Anaconda API key), rendered by the kind's own
   * provider.sessionFile (the same bytes a local export writes). */
  private async sessionFileMaterial(provider: Provider, server: ServerRecord, meta: SecretMeta, secret: string): Promise<SessionFileMaterial | null> {
    const format = provider.sessionFile;
    if (!format) return null;
    let session: SessionMaterial;
    if (meta.purpose === 'session') session = await this.deps.sessions.material(server.id);
    else if (provider.descriptor.sessionFile?.holdsSavedTokens) session = { session: secret, credential: null, expiresAt: meta.expiresAt, user: { name: '' }, attributes: {} };
    else return null;
    const remove = format.remove;
    return {
      render: (existing) => format.render(server, session, existing).text,
      remove: remove ? (existing) => remove(server, existing) : undefined,
      companions: (format.companions ?? []).map((c) => ({ name: c.name, render: (existing) => c.render(server, session, existing)?.text ?? null })),
    };
  }

  /** Before a revoke: removes the token from every target's file (the `.npmrc` line, the env
   * variables; a plain file is deleted), each backed up first, and forgets the targets that
   * worked. Returns what happened per target; a failure leaves that target listed. */
  async withdraw(secretId: string): Promise<Array<{ targetId: string; ok: boolean; message: string }>> {
    const meta = this.savedToken(secretId);
    const results: Array<{ targetId: string; ok: boolean; message: string }> = [];
    const controller = new AbortController();
    for (const target of this.readTargets(meta)) {
      const label = `${target.host}:${target.path}`;
      try {
        const opened = await this.open(meta, target, {}, controller.signal, () => undefined);
        if (opened.state === 'confirm-host') throw new KeyportError('HOST_KEY_UNKNOWN', `${opened.host} is no longer known (${opened.fingerprint}).`);
        try {
          // Only the variables that hold the token go (HATCHER_URL and the like may predate it).
          const material = { ...opened.material, variables: opened.material.variables.filter(([, value]) => value === opened.material.secret) };
          const outcome = await opened.ssh.withdrawRemoteFile(opened.session, target.path, (existing) => withdrawDelivery(target.format, existing, material));
          results.push({ targetId: target.id, ok: true, message: outcome === 'absent' ? `${label} no longer existed.` : `Removed from ${label}.` });
          const current = this.savedToken(secretId);
          this.writeTargets(current, this.readTargets(current).filter((t) => t.id !== target.id));
        } finally {
          opened.session.close();
        }
      } catch (error) {
        results.push({ targetId: target.id, ok: false, message: `${label}: ${error instanceof Error ? error.message : 'failed'}` });
      }
    }
    return results;
  }

  /** Rotate: create a new token with the same settings (the create fields the old one was made
   * with, `fields` overriding) and the name with today's date → check it works at the server
   * (where the kind has a call for that) → deliver it to every target → check each (the file
   * read back matches) → revoke the old token. A failure stops before the
   * revoke; the targets that took the new token are moved to it, the others stay with the old
   * one, so every target holds a token that works. Calling again resumes the same rotation. */
  async rotate(secretId: string, options: { fields?: Record<string, string> | undefined; password?: string | undefined } = {}): Promise<RotationResult> {
    const { vault, tokens, providers } = this.deps;
    const old = this.savedToken(secretId);
    const server = vault.server(old.serverId);
    const provider = providers.get(server.kind);
    if (old.purpose === 'session') {
      throw new KeyportError('UNSUPPORTED', `A ${provider.descriptor.label} session is renewed, not rotated.`, { hint: 'Deliver it again after Keyport renews it, or sign in again.' });
    }
    if (provider.descriptor.tokenList === false || !old.attributes.tokenId) {
      throw new KeyportError('UNSUPPORTED', `${provider.descriptor.label} ${provider.descriptor.tokenNoun}s are renewed, not rotated.`, { hint: 'Deliver it again after Keyport renews it.' });
    }
    const steps: RotationStep[] = [];
    let newId = old.rotatedTo;
    if (!newId || !vault.secretMeta(newId)) {
      // The settings Keyport recorded when it made the token; for one it did not make (saved
      // before settings were recorded, or pasted), what the server's list says about it. Never
      // the kind's defaults: those can reach more than the old token did (all of a hub's scopes).
      const recorded = recordedSettings(old);
      let base = recorded;
      if (base === null) {
        const listed = await tokens.listedSettings(old.serverId, old.attributes.tokenId, options.password);
        if (!listed.known) {
          throw new KeyportError('UNSUPPORTED', `Keyport did not make ${old.name} and cannot tell its settings: ${listed.reason}. Nothing was created.`, {
            hint: `A new ${provider.descriptor.tokenNoun} with the defaults could reach more than this one: create the new one yourself with the settings you want, then deliver it.`,
          });
        }
        base = listed.fields;
      }
      const settings = { ...base, ...(options.fields ?? {}) };
      const created = await tokens.create(old.serverId, { name: rotatedName(old.name, this.deps.now()), save: true, fields: settings, password: options.password });
      newId = created.secretId;
      vault.updateSecretMeta(old.id, { rotatedTo: newId });
      const described = Object.entries(settings).map(([k, v]) => `${k} ${v}`).join(', ');
      const source = recorded !== null ? 'the same settings as when it was made' : `the settings read from ${server.name}’s list`;
      steps.push({ step: 'create', ok: true, message: `Created ${created.token.name} with ${source}${described ? ` (${described})` : ''}.` });
    } else {
      steps.push({ step: 'create', ok: true, message: `Continuing with ${vault.secretMeta(newId)?.name ?? 'the new token'}.` });
    }
    // The new token must work before any machine gets it: a target is never left with a token
    // the server refuses.
    const newSecret = await vault.readSecret(newId);
    const newName = this.savedToken(newId).name;
    try {
      const checked = await tokens.check(old.serverId, newSecret ?? '');
      steps.push({
        step: 'check',
        ok: true,
        message: checked === 'works' ? `${server.name} accepts ${newName}.` : `${provider.descriptor.label} has no call to try a ${provider.descriptor.tokenNoun} alone; each machine’s file is checked instead.`,
      });
    } catch (error) {
      steps.push({ step: 'check', ok: false, message: `${server.name} does not accept ${newName}: ${error instanceof Error ? error.message : 'failed'} Nothing was delivered; roll back to revoke it.` });
      const holds = this.readTargets(this.savedToken(old.id)).map((t) => ({ id: t.id, holds: 'old' as const }));
      steps.push({ step: 'revoke', ok: false, message: 'The old token was not revoked.' });
      return { state: 'stopped', newSecretId: newId, oldSecretId: old.id, steps, targets: holds };
    }
    const controller = new AbortController();
    let failed = false;
    const freshId = newId;
    const outcomes = await pooled(this.readTargets(this.savedToken(old.id)), MAX_PARALLEL_CONNECTIONS, async (target) => {
      const label = `${target.host}:${target.path}`;
      try {
        const result = await this.deliver(this.savedToken(freshId), target, {}, () => undefined, controller.signal);
        if (result.state === 'confirm-host') throw new KeyportError('HOST_KEY_UNKNOWN', `${result.host} is no longer known (${result.fingerprint}).`);
        // The target now belongs to the new token.
        const oldMeta = this.savedToken(old.id);
        this.writeTargets(oldMeta, this.readTargets(oldMeta).filter((t) => t.id !== target.id));
        return [
          { step: 'deliver' as const, targetId: target.id, ok: true, message: `Delivered to ${label}.` },
          { step: 'check' as const, targetId: target.id, ok: true, message: `${label} holds the new token (SHA-256 ${result.target.sha256?.slice(0, 12) ?? ''}…).` },
        ];
      } catch (error) {
        failed = true;
        return [{ step: 'deliver' as const, targetId: target.id, ok: false, message: `${label}: ${error instanceof Error ? error.message : 'failed'}` }];
      }
    });
    steps.push(...outcomes.flat());
    const remaining = this.readTargets(this.savedToken(old.id));
    const moved = this.readTargets(this.savedToken(newId));
    const holds = [...moved.map((t) => ({ id: t.id, holds: 'new' as const })), ...remaining.map((t) => ({ id: t.id, holds: 'old' as const }))];
    if (failed) {
      steps.push({ step: 'revoke', ok: false, message: `The old token was not revoked: ${remaining.length} target(s) still use it. Retry, or roll back.` });
      return { state: 'stopped', newSecretId: newId, oldSecretId: old.id, steps, targets: holds };
    }
    await tokens.revoke(old.serverId, old.attributes.tokenId, options.password);
    steps.push({ step: 'revoke', ok: true, message: `Revoked ${old.name}.` });
    this.deps.audit.record(server, 'token.rotated', old.name, `replaced by ${this.savedToken(newId).name} on ${moved.length} target(s)`);
    return { state: 'done', newSecretId: newId, oldSecretId: old.id, steps, targets: holds };
  }

  /** Rolls a stopped rotation back: the old token goes back to the targets that took the new
   * one, then the new token is revoked. */
  async rollBack(oldSecretId: string, options: { password?: string | undefined } = {}): Promise<RotationResult> {
    const old = this.savedToken(oldSecretId);
    const newId = old.rotatedTo;
    const fresh = newId ? this.deps.vault.secretMeta(newId) : undefined;
    if (!newId || !fresh) throw new KeyportError('NOT_FOUND', 'There is no rotation of this token to roll back.');
    const steps: RotationStep[] = [];
    const controller = new AbortController();
    let failed = false;
    for (const target of this.readTargets(fresh)) {
      try {
        const result = await this.deliver(this.savedToken(old.id), target, {}, () => undefined, controller.signal);
        if (result.state === 'confirm-host') throw new KeyportError('HOST_KEY_UNKNOWN', `${result.host} is no longer known.`);
        const newMeta = this.savedToken(newId);
        this.writeTargets(newMeta, this.readTargets(newMeta).filter((t) => t.id !== target.id));
        steps.push({ step: 'deliver', targetId: target.id, ok: true, message: `Put the old token back on ${target.host}:${target.path}.` });
      } catch (error) {
        failed = true;
        steps.push({ step: 'deliver', targetId: target.id, ok: false, message: `${target.host}:${target.path}: ${error instanceof Error ? error.message : 'failed'}` });
      }
    }
    const oldMeta = this.savedToken(old.id);
    const holds = [...this.readTargets(oldMeta).map((t) => ({ id: t.id, holds: 'old' as const })), ...this.readTargets(this.savedToken(newId)).map((t) => ({ id: t.id, holds: 'new' as const }))];
    if (failed) return { state: 'stopped', newSecretId: newId, oldSecretId: old.id, steps, targets: holds };
    const newTokenId = this.savedToken(newId).attributes.tokenId;
    if (newTokenId) await this.deps.tokens.revoke(old.serverId, newTokenId, options.password);
    this.deps.vault.updateSecretMeta(old.id, { rotatedTo: null });
    steps.push({ step: 'revoke', ok: true, message: 'Revoked the new token.' });
    return { state: 'done', newSecretId: null, oldSecretId: old.id, steps, targets: holds };
  }

  /** A saved token, or a server's session (`sessionDeliveryId(serverId)`, or its own id). */
  private savedToken(secretId: string): SecretMeta {
    const { vault } = this.deps;
    const server = vault.servers().find((s) => sessionDeliveryId(s.id) === secretId);
    if (server) {
      const session = vault.secrets({ serverId: server.id, purpose: 'session' })[0];
      if (!session) throw new KeyportError('NOT_SIGNED_IN', `Sign in to ${server.name} before delivering its session.`);
      return session;
    }
    const meta = vault.secretMeta(secretId);
    if (!meta || (meta.purpose !== 'api-token' && meta.purpose !== 'session')) throw new KeyportError('NOT_FOUND', 'That saved token is no longer in Keyport.', { hint: 'Reload the list.' });
    return meta;
  }

  /** The one reader of a token's delivery targets. */
  private readTargets(meta: SecretMeta): StoredTarget[] {
    return meta.deliveryTargets;
  }

  /** The one writer of a token's delivery targets. */
  private writeTargets(meta: SecretMeta, targets: StoredTarget[]): void {
    this.deps.vault.updateSecretMeta(meta.id, { deliveryTargets: targets });
    this.deps.events.emit('secrets.changed', {});
  }
}

/** The registry key of a kind's `.npmrc` copy format (`//host/path/` of
 * `//host/path/:_authToken=TOKEN`), or null for kinds without one: whether a token can go into
 * an .npmrc is the kind's to say, through its copy formats. */
function npmrcKey(line: string | null, secret: string): string | null {
  const suffix = `:_authToken=${secret}`;
  return line?.startsWith('//') && line.endsWith(suffix) ? line.slice(0, -suffix.length) : null;
}

function sameTarget(t: StoredTarget, r: DeliveryRequest): boolean {
  return t.host === r.host.trim() && (t.port ?? null) === (r.port ?? null) && (t.user ?? null) === (r.user?.trim() || null) && t.path === r.path.trim() && t.format === r.format;
}

/** The new token's name: the old one's with today's date (a previous date suffix replaced); a
 * second rotation on the same day counts on (-2, -3…), since some kinds' names are ids (EDS). */
export function rotatedName(name: string, now: Date): string {
  const match = /^(.*)-(\d{4}-\d{2}-\d{2})(?:-(\d+))?$/.exec(name);
  const stem = match?.[1] ?? name;
  const today = now.toISOString().slice(0, 10);
  if (match?.[2] !== today) return `${stem}-${today}`;
  return `${stem}-${today}-${Number(match[3] ?? '1') + 1}`;
}

/** The settings (create fields) a saved token was made with, recorded when Keyport created it;
 * null when none were recorded (the token was made elsewhere, or before Keyport recorded them).
 * The one reader of the record. */
function recordedSettings(meta: SecretMeta): Record<string, string> | null {
  return meta.createdWith;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Trust on first use is remembered in the person's own ~/.ssh/known_hosts (hashed, as ssh
 * writes it), so ssh and Keyport agree on the machine afterwards. */
async function rememberHost(knownHostsPath: string, line: string): Promise<void> {
  await mkdir(join(knownHostsPath, '..'), { recursive: true, mode: 0o700 });
  await appendFile(knownHostsPath, `${line}\n`, { mode: 0o600 });
}
