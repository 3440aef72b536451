import { homedir } from 'node:os';
import type { WireResult } from '../../shared/errors';
import type { AppStatus } from '../../shared/model';
import { isProcedureName, proceduresWith } from '../../shared/procedures';
import type { Core, CoreAdapters } from './core';
import { createRouter } from './api/router';
import { KeyportError } from './errors';
import { AuditLog } from './audit/auditLog';
import { ReminderService } from './reminders/reminderService';
import { ClipboardService } from './clipboard/clipboardService';
import { EventHub } from './events';
import { createHttpClient } from './http/httpClient';
import { createProviderRegistry } from './providers/registry';
import { createTargetResolver } from './servers/serverTarget';
import { readSecretSetting, ServerRegistry } from './servers/serverRegistry';
import type { ServerContext } from './providers/provider';
import type { ServerRecord } from './vault/records';
import { SessionFileService } from './sessionFiles/sessionFileService';
import { InteractiveSignIn } from './sessions/interactiveSignIn';
import { SessionService } from './sessions/sessionService';
import { DEFAULT_BROWSER_SIGN_IN_TIMEOUT_MS } from './oauth/loopbackRedirect';
import { DeliveryService } from './delivery/deliveryService';
import { EphemeralSecrets } from './tokens/ephemeralSecrets';
import { TokenService } from './tokens/tokenService';
import { systemTimers } from './ports';
import { Vault } from './vault/vault';
import { LockService } from './lock/lockService';
import { SettingsService } from './settings/settingsService';
import { exportUnreadable } from './vault/unreadableExport';

/** See `changesWhatExpires` in shared/procedures.ts. */
const CHANGES_WHAT_EXPIRES = proceduresWith('changesWhatExpires');

/** The composition root shared by the Electron app and the browser host: only the adapters
 * differ. */
export function createCore(adapters: CoreAdapters): Core {
  const timers = adapters.timers ?? systemTimers;
  const now = () => new Date(timers.now());
  const events = new EventHub();
  const home = adapters.homeDir ?? homedir();
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
  // For confirmations a server asks for in the middle of a call (npm's web-based OTP).
  const externalBrowser = adapters.browser;
  const browserTimeoutMs = adapters.signInTimeoutMs ?? DEFAULT_BROWSER_SIGN_IN_TIMEOUT_MS;
  // One per server, replaced once aborted: Cancel ends the confirmations waiting for it.
  const confirmations = new Map<string, AbortController>();
  const confirmationSignal = (serverId: string): AbortSignal => {
    let controller = confirmations.get(serverId);
    if (!controller || controller.signal.aborted) {
      controller = new AbortController();
      confirmations.set(serverId, controller);
    }
    return controller.signal;
  };
  const contextFor = async (server: ServerRecord): Promise<ServerContext> => ({
    server,
    target: await targetFor(server),
    http,
    now,
    secretSetting: (fieldId) => readSecretSetting(vault, server.id, fieldId),
    browser: externalBrowser ? { open: (url: string) => externalBrowser.open(url), timeoutMs: browserTimeoutMs, signal: confirmationSignal(server.id) } : undefined,
  });
  const sessions = new SessionService({ vault, providers, events, now, contextFor, timers, notifier: adapters.notifier });
  const interactive = new InteractiveSignIn({
    vault,
    providers,
    sessions,
    contextFor,
    browser: adapters.browser,
    timeoutMs: browserTimeoutMs,
  });
  const ephemeral = new EphemeralSecrets(timers);
  const servers = new ServerRegistry({ vault, providers, sessions, now, contextFor });
  const tokens = new TokenService({ vault, providers, sessions, ephemeral, now, events, audit });
  const clipboard = new ClipboardService({ clipboard: adapters.clipboard, vault, providers, sessions, ephemeral, events, timers, logger: adapters.logger, audit });
  const sessionFiles = new SessionFileService({
    vault,
    audit,
    providers,
    sessions,
    servers,
    env: adapters.env ?? process.env,
    home,
    now,
    trust: adapters.fileTrust,
  });
  const delivery = new DeliveryService({ vault, providers, tokens, sessions, audit, events, now, home: adapters.homeDir ?? homedir(), env: adapters.env ?? process.env });
  const reminders = new ReminderService({
    vault,
    endedSessions: () => sessions.endedSessions(),
    providers,
    store: adapters.store,
    notifier: adapters.notifier,
    timers,
    reminderDays: () => vault.settings().reminderDays,
  });

  const lock = new LockService({
    vault,
    store: adapters.store,
    timers,
    systemCheck: adapters.systemCheck,
    scryptCost: adapters.scryptCost,
    idleMinutes: () => vault.settings().idleLockMinutes,
    // Locking clears Keyport's clipboard copy and every secret held in memory.
    pauseBackground: () => {
      interactive.cancelAll();
      sessions.stopRenewals();
    },
    clearMemory: async () => {
      await clipboard.clearNow();
      ephemeral.clear();
    },
    resumed: () => sessions.resumeRenewals(),
    changed: () => events.emit('app.status', status()),
  });
  const status = (): AppStatus => ({ version: adapters.appVersion, storage: vault.storage(), lock: lock.status(), unreadableItems: vault.unreadableCount() });
  /** The status after an operation that changes it. */
  const withStatus = async (operation: Promise<unknown>): Promise<AppStatus> => {
    await operation;
    return status();
  };
  /** The server as the window shows it, after an operation on it. */
  const viewAfter = async (serverId: string, operation: Promise<unknown>) => {
    await operation;
    return servers.view(vault.server(serverId));
  };
  const settings = new SettingsService({ vault, providers, changed: () => lock.settingsChanged() });

  const route = createRouter(
    {
      'app.status': () => status(),
      'app.lock': () => withStatus(lock.lock()),
      'app.unlock': ({ passphrase }) => withStatus(lock.unlock(passphrase)),
      'app.unlockWithSystemCheck': () => withStatus(lock.unlockWithSystemCheck()),
      'app.activity': () => lock.activity(),
      'app.bootstrap': () =>
        lock.locked()
          ? { status: status(), settings: vault.settings(), kinds: [], servers: [], saved: [] }
          : { status: status(), settings: vault.settings(), kinds: providers.descriptors(), servers: servers.list(), saved: tokens.saved() },
      'lock.setSecret': ({ secret, current }) => withStatus(lock.setSecret(secret, current)),
      'lock.removeSecret': ({ current }) => withStatus(lock.removeSecret(current)),
      // Announced: whether each session lasts until quit changed with it (the window's servers).
      'storage.usePassphrase': ({ passphrase }) => withStatus(vault.usePassphrase(passphrase).then(() => events.emit('app.status', status()))),
      'storage.useSessionOnly': () => withStatus(vault.useSessionOnly().then(() => events.emit('app.status', status()))),
      'storage.exportUnreadable': () => exportUnreadable(vault, home, now()),
      'storage.deleteUnreadable': () => {
        vault.deleteUnreadable();
        events.emit('app.status', status());
        return status();
      },
      'kinds.list': () => providers.descriptors(),
      'kinds.openCreateNoteLink': async ({ kind }) => {
        const url = providers.get(kind).descriptor.createNote?.url;
        if (!url || !externalBrowser) throw new KeyportError('UNSUPPORTED', 'Keyport cannot open this page here.', { hint: url ? `Open ${url} in your browser.` : undefined });
        await externalBrowser.open(url);
      },
      'servers.list': () => servers.list(),
      'servers.add': ({ skipCheck, ...input }) => servers.add(input, { skipProbe: skipCheck }),
      'servers.update': ({ id, changes, skipCheck }) => servers.update(id, changes, { skipProbe: skipCheck }),
      'servers.check': ({ id, ...changes }) => servers.checkAddress(changes, id ?? null),
      'servers.remove': ({ id }) => servers.remove(id),
      'servers.pickCertificate': () => adapters.filePicker.pickCertificate(),
      'servers.describe': ({ id }) => servers.describe(id),
      'auth.signInWithPassword': ({ serverId, username, password, client, rememberPassword, otp }) => viewAfter(serverId, sessions.signInWithPassword(serverId, username, password, { client, rememberPassword, otp })),
      'auth.signInWithToken': ({ serverId, token }) => viewAfter(serverId, sessions.signInWithToken(serverId, token)),
      'auth.signOut': async ({ serverId, removeFromSessionFile }) => {
        const server = vault.server(serverId);
        interactive.cancel(serverId);
        if (removeFromSessionFile) await sessionFiles.removeEntry(serverId);
        await sessions.signOutAtServer(serverId);
        return servers.view(server);
      },
      'auth.signInWithBrowser': ({ serverId, force }) => viewAfter(serverId, interactive.withBrowser(serverId, force)),
      'auth.startDeviceSignIn': ({ serverId, force }) => interactive.startDevice(serverId, force),
      'auth.finishDeviceSignIn': ({ serverId }) => viewAfter(serverId, interactive.finishDevice(serverId)),
      'auth.openDeviceVerification': ({ serverId }) => interactive.openDeviceVerification(serverId),
      'auth.cancelSignIn': ({ serverId }) => {
        confirmations.get(serverId)?.abort();
        interactive.cancel(serverId);
      },
      'auth.refresh': ({ serverId }) => viewAfter(serverId, sessions.refresh(serverId)),
      'tokens.list': ({ serverId, password }) => tokens.list(serverId, password),
      'tokens.create': ({ serverId, ...request }) => tokens.create(serverId, request),
      'tokens.revoke': ({ serverId, tokenId, password, otp }) => tokens.revoke(serverId, tokenId, password, otp),
      'secrets.list': () => tokens.saved(),
      'secrets.forget': ({ secretId }) => tokens.forget(secretId),
      'clipboard.copy': ({ secretId, format }) => clipboard.copy(secretId, format),
      'clipboard.copySession': ({ serverId, format }) => clipboard.copySession(serverId, format),
      // "Clear now" beside a copy: only Keyport's own copy is cleared, as when the time runs out.
      'clipboard.clear': () => clipboard.clearNow(),
      'sessionFiles.locate': ({ kind }) => sessionFiles.locate(kind),
      'sessionFiles.import': ({ kind, path }) => sessionFiles.import(kind, path),
      'sessionFiles.export': ({ serverId, path, overwrite }) => sessionFiles.export(serverId, path, overwrite),
      'sessionFiles.makePrivate': ({ kind, path }) => sessionFiles.makePrivate(kind, path),
      'settings.get': () => vault.settings(),
      'settings.update': (changes) => settings.update(changes),
      'secrets.pin': ({ secretId, pinned }) => tokens.pin(secretId, pinned),
      'audit.list': () => audit.list(),
      'audit.exportCsv': () => audit.csv(),
      'delivery.send': (request) => delivery.send(request, (step) => events.emit('delivery.progress', { secretId: request.secretId, step })),
      'delivery.targets': ({ secretId }) => delivery.targets(secretId),
      'delivery.forget': ({ secretId, targetId }) => delivery.forget(secretId, targetId),
      'delivery.cancel': ({ secretId }) => delivery.cancel(secretId),
      'delivery.withdraw': ({ secretId }) => delivery.withdraw(secretId),
      'delivery.resend': ({ secretId }) => delivery.resend(secretId),
      'delivery.rotate': ({ secretId, fields, password }) => delivery.rotate(secretId, { fields, password }),
      'delivery.rollBack': ({ secretId, password }) => delivery.rollBack(secretId, { password }),
    },
    adapters.logger,
  );

  const handle = async (procedure: string, input: unknown): Promise<WireResult<unknown>> => {
    const refusal = lock.refusal(procedure);
    if (refusal) return { ok: false, error: refusal };
    const result = await route(procedure, input);
    if (result.ok && isProcedureName(procedure) && CHANGES_WHAT_EXPIRES.has(procedure) && !createdUnsaved(procedure, result.value)) reminders.check();
    return result;
  };
  lock.start();
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
      lock.dispose();
      reminders.stop();
      interactive.cancelAll();
      sessions.stopRenewals();
      await clipboard.clearNow();
      ephemeral.clear();
      await http.close();
    },
  };
}

/** A token created and not saved is in no list a reminder reads: the check (a walk over every
 * saved secret, 10,000 in a large vault) is not needed after it (bench 5b). */
const createdUnsaved = (procedure: string, value: unknown): boolean => procedure === 'tokens.create' && (value as { saved?: unknown }).saved === false;
