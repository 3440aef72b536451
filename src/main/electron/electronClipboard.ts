import { clipboard, ClipboardItem } from 'electron';
import type { Clipboard } from '../core/ports';

/** A raw platform clipboard format in Electron's clipboard (Electron >= 44). */
const osFormat = (name: string) => `electron application/osclipboard;format="${name}"`;

/** A Windows DWORD 0, little-endian: "no" for the clipboard-history flags. */
const windowsFalse = () => new Blob([new Uint8Array(4)]);

/** The markers with which password managers tell clipboard-history tools not to keep a copy:
 * - macOS: `org.nspasteboard.ConcealedType` (nspasteboard.org; its content is ignored);
 * - Windows: `ExcludeClipboardContentFromMonitorProcessing` (any content), and
 *   `CanIncludeInClipboardHistory` / `CanUploadToCloudClipboard` = DWORD 0 for Windows' own
 *   clipboard history and cloud clipboard;
 * - Linux and the BSDs: `x-kde-passwordManagerHint` = `secret` (KDE's Klipper, and the tools
 *   that follow its hint). */
export function concealmentMarkers(platform: NodeJS.Platform): Record<string, string | Blob> {
  switch (platform) {
    case 'darwin':
      return { [osFormat('org.nspasteboard.ConcealedType')]: '' };
    case 'win32':
      return {
        [osFormat('ExcludeClipboardContentFromMonitorProcessing')]: windowsFalse(),
        [osFormat('CanIncludeInClipboardHistory')]: windowsFalse(),
        [osFormat('CanUploadToCloudClipboard')]: windowsFalse(),
      };
    default:
      return { [osFormat('x-kde-passwordManagerHint')]: 'secret' };
  }
}

/** The Clipboard port on Electron's main-process clipboard, which since Electron 44 is
 * promise-based like `navigator.clipboard`. Everything Keyport copies is a secret, so every
 * write carries the platform's concealment markers with the text, in one atomic `write()`.
 * Only the system clipboard: a secret is never put in the Linux selection
 * (`clipboard.selection`), which any middle-click would paste. */
export function createElectronClipboard(platform: NodeJS.Platform = process.platform): Clipboard {
  return {
    readText: () => clipboard.readText(),
    writeText: (text) => clipboard.write([new ClipboardItem({ 'text/plain': text, ...concealmentMarkers(platform) })]),
  };
}
