import type { KeyportApi } from './api';

declare global {
  interface Window {
    /** Installed by the preload (Electron) or by the browser host (e2e). */
    keyport: KeyportApi;
  }
}
