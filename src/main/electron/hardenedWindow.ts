import { BrowserWindow, nativeTheme, type WebPreferences } from 'electron';

/** Electron's security checklist for a window that shows only our own bundled page: an isolated,
 * sandboxed renderer with no Node, no insecure content, no <webview>. The preload is the only
 * bridge. Spellcheck is off so that typed passwords and tokens never reach a spelling service. */
export const HARDENED_WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const satisfies WebPreferences);

export interface MainWindowOptions {
  /** Absolute path of the built preload, `out/preload/index.cjs`. */
  preload: string;
  /** Off in packaged builds. */
  devTools: boolean;
}

export function mainWindowWebPreferences(options: MainWindowOptions): WebPreferences {
  return { ...HARDENED_WEB_PREFERENCES, preload: options.preload, devTools: options.devTools };
}

/** The one app window. Hidden until its first paint so it never flashes an empty frame. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Keyport',
    width: 1120,
    height: 760,
    minWidth: 720,
    minHeight: 500,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17191e' : '#ffffff',
    webPreferences: {
      ...mainWindowWebPreferences(options),
      // Repeated as literals so the static scan (electronegativity, scripts/electronegativity.test.ts)
      // can verify them where the window is made; they equal HARDENED_WEB_PREFERENCES.
      contextIsolation: true,
      sandbox: true,
      // No middle-click `auxclick` events: with the deny-all window-open handler it cannot open a
      // window anyway; this removes the path altogether.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}
