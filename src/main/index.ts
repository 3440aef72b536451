import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, session, shell, Tray } from 'electron';
import type { AppStatus, LockStatus } from '../shared/model';
import { lockWords } from '../shared/lockWords';
import type { Core } from './core/core';
import { createCore } from './core/createCore';
import { KeyportError } from './core/errors';
import { APP_INDEX_URL, APP_ORIGIN, registerAppScheme, serveAppProtocol } from './electron/appProtocol';
import { installAppMenu } from './electron/appMenu';
import { installTray } from './electron/tray';
import { createExternalBrowser } from './electron/externalBrowser';
import { createDesktopNotifier } from './electron/desktopNotifier';
import { createCertificatePicker } from './electron/certificatePicker';
import { createElectronClipboard } from './electron/electronClipboard';
import { createMainWindow } from './electron/hardenedWindow';
import { registerIpc } from './electron/ipcTransport';
import { createSafeStorageCipher } from './electron/safeStorageCipher';
import { createTouchIdCheck } from './electron/touchIdCheck';
import { CONTENT_SECURITY_POLICY, developmentContentSecurityPolicy, guardAllWebContents, installSessionGuards } from './electron/security';
import { createConsoleLogger, createVaultStore } from './electron/stores';

// Lifecycle only: everything else lives in core (plain Node) and electron/ (the adapters).

/** `electron-vite dev` serves the renderer from its dev server; a packaged app never does. */
const developmentUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const developmentOrigin = developmentUrl ? new URL(developmentUrl).origin : undefined;
const startUrl = developmentUrl ?? APP_INDEX_URL;
const trustedOrigins = developmentOrigin ? [APP_ORIGIN, developmentOrigin] : [APP_ORIGIN];
const QUIT_CLEANUP_TIMEOUT_MS = 3000;

const logger = createConsoleLogger();
let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
let disposeIpc: (() => void) | null = null;
let disposeTray: (() => void) | null = null;
let cleanedUp = false;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Before `ready`: privileged schemes and the sandbox can only be set up this early.
  app.enableSandbox();
  registerAppScheme();
  // No page can navigate away, open a window or hand a URL to the system browser; the core's
  // sign-in flows open pages through createExternalBrowser only.
  guardAllWebContents(app, trustedOrigins);

  app.on('second-instance', showMainWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (core && !mainWindow) openMainWindow();
  });
  app.on('will-quit', (event) => {
    if (cleanedUp || !core) return;
    // Clear the clipboard (if it still holds our secret) and in-memory secrets before exit.
    event.preventDefault();
    cleanedUp = true;
    const running = core;
    disposeIpc?.();
    disposeTray?.();
    void withTimeout(running.dispose(), QUIT_CLEANUP_TIMEOUT_MS)
      .catch(() => logger.error('Keyport could not finish cleaning up before quitting.'))
      .finally(() => app.quit());
  });

  app.whenReady().then(start).catch(failToStart);
}

async function start(): Promise<void> {
  installSessionGuards(session.defaultSession, developmentOrigin ? developmentContentSecurityPolicy(developmentOrigin) : CONTENT_SECURITY_POLICY);
  serveAppProtocol(join(import.meta.dirname, '../renderer'));
  core = createCore({
    store: createVaultStore(),
    cipher: await createSafeStorageCipher(),
    clipboard: createElectronClipboard(),
    filePicker: createCertificatePicker(() => mainWindow),
    browser: createExternalBrowser(shell),
    notifier: createDesktopNotifier(Notification, () => showMainWindow(), (message) => logger.warn(message)),
    systemCheck: createTouchIdCheck(),
    logger,
    appVersion: app.getVersion(),
  });
  disposeIpc = registerIpc(ipcMain, core, {
    trustedOrigins,
    eventTarget: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null),
  });
  const running = core;
  const lock = () => void running.handle('app.lock', undefined);
  const installMenu = (lockStatus: LockStatus | undefined) =>
    installAppMenu({
      platform: process.platform,
      developer: !app.isPackaged,
      command: (command) => {
        showMainWindow();
        running.command(command);
      },
      lock,
      lockLabel: lockWords(lockStatus).menuAction,
    });
  installMenu(undefined);
  void running.handle('app.status', undefined).then((result) => result.ok && installMenu((result.value as AppStatus).lock));
  // Setting or removing the unlock PIN renames the lock item.
  running.onEvent((event, payload) => {
    if (event === 'app.status') installMenu((payload as AppStatus).lock);
  });
  disposeTray = installTray({
    createTray: (icon) => new Tray(icon),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    // Packaged: copied beside the app by electron-builder's extraResources; in development,
    // straight from assets/.
    icon: nativeImage.createFromPath(app.isPackaged ? join(process.resourcesPath, 'tray-icon.png') : join(app.getAppPath(), 'assets', 'icon.png')).resize({ width: 22, height: 22 }),
    core: running,
    show: showMainWindow,
    quit: () => app.quit(),
    onError: (message) => logger.warn(message),
  });
  openMainWindow();
}

function openMainWindow(): void {
  const window = createMainWindow({ preload: join(import.meta.dirname, '../preload/index.cjs'), devTools: !app.isPackaged });
  mainWindow = window;
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  window.loadURL(startUrl).catch(() => logger.error(`The Keyport window could not load ${startUrl}.`));
}

function showMainWindow(): void {
  if (!mainWindow) {
    if (core) openMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function failToStart(error: unknown): void {
  // A vault Keyport refuses to open says what to do in its hint: show both.
  const detail = error instanceof KeyportError ? [error.message, error.hint].filter(Boolean).join('\n\n') : error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('Keyport could not start', detail);
  app.exit(1);
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
