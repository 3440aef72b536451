import type { AppCommand } from '../../../shared/contract';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** Main's events are the one trigger for reloading what the window shows: a change made here
 * or anywhere else (the tray, a background renewal, another window) reloads the saved list or
 * the servers exactly once. Actions never reload those themselves. Returns the unsubscribe. */
export function listenToMain(onCommand: (command: AppCommand) => void): () => void {
  const store = useKeyport.getState;
  const offs = [
    keyport.on('clipboard', (event) => store().setClipboard(event)),
    keyport.on('app.status', (status) => store().setStatus(status)),
    keyport.on('secrets.changed', () => void store().refreshSaved().catch(() => undefined)),
    keyport.on('servers.changed', ({ serverId }) => void store().serverChanged(serverId).catch(() => undefined)),
    // The app menu and the tray ask the window to do things.
    keyport.on('app.command', ({ command }) => {
      if (!store().status?.storage.locked) onCommand(command);
    }),
  ];
  return () => offs.forEach((off) => off());
}

/** Real input, for the idle lock (main counts nothing else as activity). */
export const reportActivity = (): Promise<void> => keyport.call('app.activity').catch(() => undefined);
