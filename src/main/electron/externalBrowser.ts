import type { Shell } from 'electron';
import { KeyportError } from '../core/errors';
import type { ExternalBrowser } from '../core/ports';
import { isExternalWebUrl } from './security';

/** The one door to the system browser. The core opens only sign-in pages it built from a
 * configured server's discovery document (authorization and device-verification URLs); this
 * adapter refuses anything that is not http(s) on top, since `file:` or custom schemes could
 * start local programs. */
export function createExternalBrowser(shell: Pick<Shell, 'openExternal'>): ExternalBrowser {
  return {
    async open(url) {
      if (!isExternalWebUrl(url)) throw new KeyportError('VALIDATION', 'Keyport opens only web pages in the browser.');
      try {
        await shell.openExternal(url, { activate: true });
      } catch {
        throw new KeyportError('UNSUPPORTED', 'Keyport could not open your browser.', { hint: 'Check that a default web browser is set, or sign in with a code.' });
      }
    },
  };
}
