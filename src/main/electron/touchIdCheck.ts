import { systemPreferences } from 'electron';
import type { SystemUserCheck } from '../core/ports';

/** The SystemUserCheck port on macOS: Touch ID. Elsewhere Electron offers no user check
 * (Windows Hello and Linux polkit are not in its API), so there is none. */
export function createTouchIdCheck(platform: NodeJS.Platform = process.platform): SystemUserCheck | undefined {
  if (platform !== 'darwin') return undefined;
  return {
    label: 'Touch ID',
    available() {
      try {
        return systemPreferences.canPromptTouchID();
      } catch {
        return false;
      }
    },
    async confirm(reason) {
      try {
        // Resolves only when the person was recognised; cancelling or failing rejects.
        await systemPreferences.promptTouchID(reason);
        return true;
      } catch {
        return false;
      }
    },
  };
}
