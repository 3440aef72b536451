import { clipboard } from 'electron';
import type { Clipboard } from '../core/ports';

/** The Clipboard port on Electron's main-process clipboard, which since Electron 44 is
 * promise-based like `navigator.clipboard`. Only the system clipboard: a secret is never put in
 * the Linux selection (`clipboard.selection`), which any middle-click would paste. */
export function createElectronClipboard(): Clipboard {
  return {
    readText: () => clipboard.readText(),
    writeText: (text) => clipboard.writeText(text),
  };
}
