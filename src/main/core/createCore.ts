import { homedir } from 'node:os';
import type { WireResult } from '../../shared/errors';
import type { AppStatus } from '../../shared/model';
import type { Core, CoreAdapters } from './core';
import { createRouter } from './api/router';
import { KeyportError } from './errors';
import { AuditLog } from './audit/auditLog';
import { ReminderService } from './reminders/reminderService';
import { ClipboardService } from './clipboard/clipboardService';
import { EventHub } from './events';
import { createHttpClient } from './http/httpClient';
import { createProviderRegistry, type ProviderRegistry } from './providers/registry';
import { createTargetResolver } from './servers/serverTarget';
import { readSecretSetting, ServerRegistry } from './servers/serverRegistry';
import type { ServerContext } from './providers/provider';
import type { ServerRecord } from './vault/records';
import { SessionFileService } from './sessionFiles/sessionFileService';
import { InteractiveSignIn } from './sessions/interactiveSignIn';
import { SessionService } from './sessions/sessionService';
import { DEFAULT_BROWSER_SIGN_IN_TIMEOUT_MS } from './oauth/loopbackRedirect';
import { EphemeralSecrets } from './tokens/ephemeralSecrets';
import { TokenService } from './tokens/tokenService';
import { systemTimers } from './ports';
import { Vault } from './vault/vault';

/** Calls after which a reminder may be due (a key saved, imported or signed in with; the
 * reminder days changed; the vault unlocked). */
const CHANGES_WHAT_EXPIRES: ReadonlySet<string> = new Set(['app.unlock', 'tokens.create', 'sessionFiles.import', 'auth.signInWithPassword', 'auth.signInWithToken', 'auth.signInWithBrowser', 'auth.finishDeviceSignIn', 'settings.update']);

const AVAILABLE_WHILE_LOCKED: ReadonlySet<string> = new Set(['app.status', 'app.unlock', 'app.lock', 'app.activity', 'kinds.list', 'settings.get']);

/** The composition root shared by the Electron app and the browser host: only the adapters
 * differ. */
export function createCore(adapters: CoreAdapters): Core {
  const timers = adapters.timers ?? systemTimers;
  const now = () => new Date(timers.now());
  const events = new EventHub();
  const vault = new Vault(adapters.store, adapters.cipher, adapters.logger, { scryptCost: adapters.scryptCost });
  const providers = createProviderRegistry();
  const audit = new AuditLog(adapters.store, now);
  const http = createHttpClient({
    timeoutMs: () => vault.settings().requestTimeoutSeconds * 1000,
    userAgent: `Keyport/${adapters.appVersion}`,
    lookup: adapters.lookup,
    env: adapters.env,
  });
  const targetFor = createTargetResolver();
  const contextFor = async (server: ServerRecord): Promise<ServerContext> => ({
    server,
    target: await targetFor(server),
    http,
    now,
    secretSetting: (fieldId) => readSecretSetting(vault, server.id, fieldId),
  });
  const sessions = new SessionService({ vault, providers, events, now, contextFor, timers });
  const interactive = new InteractiveSignIn({
    vault,
    providers,
    sessions,
    contextFor,
    browser: adapters.browser,
    timeoutMs: adapters.signInTimeoutMs ?? DEFAULT_BROWSER_SIGN_IN_TIMEOUT_MS,
  });
  const ephemeral = new EphemeralSecrets(timers);
  const servers = new ServerRegistry({ vault, providers, sessions, now, contextFor });
  const tokens = new TokenService({ vault, sessions, ephemeral, now, events, audit });
  const clipboard = new ClipboardService({ clipboard: adapters.clipboard, vault, providers, sessions, ephemeral, events, timers, logger: adapters.logger, audit });
  const sessionFiles = new SessionFileService({
    vault,
    providers,
    sessions,
    servers,
    env: adapters.env ?? process.env,
    home: adapters.homeDir ?? homedir(),
    now,
  });
  const reminders = new ReminderService({
    vault,
    endedSessions: () => sessions.endedSessions(),
    providers,
    store: adapters.store,
    notifier: adapters.notifier,
    timers,
    reminderDays: () => vault.settings().reminderDays,
  });

  const status = (): AppStatus => ({ version: adapters.appVersion, storage: vault.storage() });
  /** Locking clears Keyport's clipboard copy and every secret held in memory. */
  const lockNow = async (): Promise<AppStatus> => {
    idleTimer?.cancel();
    interactive.cancelAll();
    sessions.stopRenewals();
    await clipboard.clearNow();
    ephemeral.clear();
    vault.lock();
    events.emit('app.status', status());
    return status();
  };
  let idleTimer: { cancel(): void } | null = null;
  const restartIdleTimer = () => {
    idleTimer?.cancel();
    idleTimer = null;
    const minutes = vault.settings().idleLockMinutes;
    if (minutes > 0 && !vault.storage().locked) idleTimer = timers.setTimeout(() => void lockNow(), minutes * 60_000);
  };

  const route = createRouter(
    {
      'app.status': () => status(),
      'app.lock': () => lockNow(),
      'app.unlock': async ({ passphrase }) => {
        await vault.unlock(passphrase);
        sessions.resumeRenewals();
        events.emit('app.status', status());
        return status();
      },
      'app.activity': () => undefined,
      'storage.usePassphrase': async ({ passphrase }) => {
        await vault.usePassphrase(passphrase);
        return status();
      },
      'storage.useSessionOnly': async () => {
        await vault.useSessionOnly();
        return status();
      },
      'kinds.list': () => providers.descriptors(),
      'servers.list': () => servers.list(),
      'servers.add': (input) => servers.add(input),
      'servers.update': ({ id, changes }) => servers.update(id, changes),
      'servers.remove': ({ id }) => servers.remove(id),
      'servers.pickCertificate': () => adapters.filePicker.pickCertificate(),
      'servers.describe': ({ id }) => servers.describe(id),
      'auth.signInWithPassword': async ({ serverId, username, password, client, rememberPassword, otp }) => {
        await sessions.signInWithPassword(serverId, username, password, { client, rememberPassword, otp });
        return servers.view(vault.server(serverId));
      },
      'auth.signInWithToken': async ({ serverId, token }) => {
        await sessions.signInWithToken(serverId, token);
        return servers.view(vault.server(serverId));
      },
      'auth.signOut': async ({ serverId, removeFromSessionFile }) => {
        const server = vault.server(serverId);
        interactive.cancel(serverId);
        if (removeFromSessionFile) await sessionFiles.removeEntry(serverId);
        await sessions.signOutAtServer(serverId);
        return servers.view(server);
      },
      'auth.signInWithBrowser': async ({ serverId, force }) => {
        await interactive.withBrowser(serverId, force);
        return servers.view(vault.server(serverId));
      },
      'auth.startDeviceSignIn': ({ serverId, force }) => interactive.startDevice(serverId, force),
      'auth.finishDeviceSignIn': async ({ serverId }) => {
        await interactive.finishDevice(serverId);
        return servers.view(vault.server(serverId));
      },
      'auth.openDeviceVerification': ({ serverId }) => interactive.openDeviceVerification(serverId),
      'auth.cancelSignIn': ({ serverId }) => interactive.cancel(serverId),
      'auth.refresh': async ({ serverId }) => {
        await sessions.refresh(serverId);
        return servers.view(vault.server(serverId));
      },
      'tokens.list': ({ serverId, password }) => {
        // Kinds without a token list (OpenID Connect) are refused before the session is
        // touched: listing must not renew a session, which says "changed" and is listed again.
        const { descriptor } = providers.get(vault.server(serverId).kind);
        if (descriptor.tokenList === false) {
          throw new KeyportError('UNSUPPORTED', `${descriptor.label} servers have no list of ${descriptor.tokenNoun}s.`, { hint: 'Copy the session’s tokens from the session panel.' });
        }
        return tokens.list(serverId, password);
      },
      'tokens.create': ({ serverId, ...request }) => tokens.create(serverId, request),
      'tokens.revoke': ({ serverId, tokenId, password }) => tokens.revoke(serverId, tokenId, password),
      'secrets.list': () => tokens.saved(),
      'secrets.forget': ({ secretId }) => tokens.forget(secretId),
      'clipboard.copy': ({ secretId, format }) => clipboard.copy(secretId, format),
      'clipboard.copySession': ({ serverId, format }) => clipboard.copySession(serverId, format),
      // "Clear now" beside a copy: only Keyport's own copy is cleared, as when the time runs out.
      'clipboard.clear': () => clipboard.clearNow(),
      'sessionFiles.locate': ({ kind }) => sessionFiles.locate(kind),
      'sessionFiles.import': async ({ kind, path }) => {
        const view = await sessionFiles.import(kind, path);
        audit.record(view, 'session.imported', null, path ?? (await sessionFiles.locate(kind)).path);
        return view;
      },
      'sessionFiles.export': async ({ serverId, path, overwrite }) => {
        const result = await sessionFiles.export(serverId, path, overwrite);
        if (result.state === 'written') audit.record(vault.server(serverId), 'session.exported', null, result.path);
        return result;
      },
      'settings.get': () => vault.settings(),
      'settings.update': (changes) => {
        if (changes.defaultCopyFormats) checkCopyFormats(providers, changes.defaultCopyFormats);
        return vault.updateSettings(changes);
      },
      'secrets.pin': ({ secretId, pinned }) => tokens.pin(secretId, pinned),
      'audit.list': () => audit.list(),
      'audit.exportCsv': () => audit.csv(),
    },
    adapters.logger,
  );

  /** Every call from the renderer counts as activity; while locked only these get through. */
  const handle = async (procedure: string, input: unknown): Promise<WireResult<unknown>> => {
    if (vault.storage().locked && !AVAILABLE_WHILE_LOCKED.has(procedure)) {
      return { ok: false, error: { code: 'LOCKED', message: 'Keyport is locked.', hint: 'Unlock Keyport to continue.' } };
    }
    const result = await route(procedure, input);
    restartIdleTimer();
    if (result.ok && CHANGES_WHAT_EXPIRES.has(procedure)) reminders.check();
    return result;
  };
  restartIdleTimer();
  // A session that could not be renewed in the background is announced at once.
  events.on((event) => {
    if (event === 'servers.changed') reminders.check();
  });
  reminders.start();

  return {
    handle,
    onEvent: (listener) => events.on(listener),
    command: (command) => events.emit('app.command', { command }),
    async dispose() {
      idleTimer?.cancel();
      reminders.stop();
      interactive.cancelAll();
      sessions.stopRenewals();
      await clipboard.clearNow();
      ephemeral.clear();
      await http.close();
    },
  };
}

/** A default copy format must be one the kind offers for its tokens. */
function checkCopyFormats(providers: ProviderRegistry, formats: Record<string, string>): void {
  for (const [kind, format] of Object.entries(formats)) {
    const descriptor = providers.descriptors().find((d) => d.kind === kind);
    if (!descriptor?.copyFormats.some((f) => f.id === format)) {
      throw new KeyportError('VALIDATION', descriptor ? `${descriptor.label} tokens have no copy format “${format.slice(0, 40)}”.` : `Keyport does not know servers of kind “${kind.slice(0, 40)}”.`, {
        field: 'defaultCopyFormats',
      });
    }
  }
}
