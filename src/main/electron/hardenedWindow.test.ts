import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HARDENED_WEB_PREFERENCES, createMainWindow, mainWindowWebPreferences } from './hardenedWindow';

const electron = vi.hoisted(() => {
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = [];
    readonly options: Record<string, unknown>;
    readonly onceHandlers = new Map<string, () => void>();
    show = vi.fn();
    constructor(options: Record<string, unknown>) {
      this.options = options;
      FakeBrowserWindow.created.push(this);
    }
    once(event: string, handler: () => void) {
      this.onceHandlers.set(event, handler);
      return this;
    }
  }
  return { BrowserWindow: FakeBrowserWindow, nativeTheme: { shouldUseDarkColors: false } };
});

vi.mock('electron', () => electron);

beforeEach(() => {
  electron.BrowserWindow.created.length = 0;
});

describe('HARDENED_WEB_PREFERENCES', () => {
  it('isolates and sandboxes the renderer, without Node, insecure content, webviews or spellcheck', () => {
    expect(HARDENED_WEB_PREFERENCES).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
    expect(Object.isFrozen(HARDENED_WEB_PREFERENCES)).toBe(true);
  });

  it('adds only the preload and the devTools switch', () => {
    expect(mainWindowWebPreferences({ preload: '/app/out/preload/index.cjs', devTools: false })).toEqual({
      ...HARDENED_WEB_PREFERENCES,
      preload: '/app/out/preload/index.cjs',
      devTools: false,
    });
  });
});

describe('createMainWindow', () => {
  it('builds the window hidden, titled Keyport, with the hardened preferences', () => {
    createMainWindow({ preload: '/app/out/preload/index.cjs', devTools: false });
    const [window] = electron.BrowserWindow.created;
    expect(window?.options).toMatchObject({
      title: 'Keyport',
      show: false,
      backgroundColor: expect.stringMatching(/^#[0-9a-f]{6}$/i),
      minWidth: expect.any(Number),
      minHeight: expect.any(Number),
      webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: '/app/out/preload/index.cjs', devTools: false },
    });
  });

  it('shows the window only once it is ready to show', () => {
    createMainWindow({ preload: '/p.cjs', devTools: true });
    const [window] = electron.BrowserWindow.created;
    expect(window?.show).not.toHaveBeenCalled();
    window?.onceHandlers.get('ready-to-show')?.();
    expect(window?.show).toHaveBeenCalledTimes(1);
  });
});
