import { dialog, type BaseWindow, type OpenDialogOptions } from 'electron';
import type { FilePicker } from '../core/ports';

export const CERTIFICATE_DIALOG_OPTIONS: OpenDialogOptions = {
  title: 'Choose a CA certificate',
  buttonLabel: 'Use certificate',
  filters: [
    { name: 'Certificates (PEM, CRT, CER)', extensions: ['pem', 'crt', 'cer'] },
    { name: 'All files', extensions: ['*'] },
  ],
  properties: ['openFile', 'dontAddToRecent'],
};

/** The FilePicker port: a native open dialog, modal to Keyport's window when there is one. */
export function createCertificatePicker(parentWindow: () => BaseWindow | null | undefined): FilePicker {
  return {
    async pickCertificate() {
      const parent = parentWindow();
      const result =
        parent && !parent.isDestroyed()
          ? await dialog.showOpenDialog(parent, CERTIFICATE_DIALOG_OPTIONS)
          : await dialog.showOpenDialog(CERTIFICATE_DIALOG_OPTIONS);
      if (result.canceled) return null;
      return result.filePaths[0] ?? null;
    },
  };
}
