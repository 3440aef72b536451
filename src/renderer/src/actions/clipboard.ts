import type { CopyResult } from '../../../shared/model';
import { keyport } from '../api';

/** Copies happen in main; no value comes to the window. Main's `clipboard` event says what
 * the clipboard holds (events.ts). */
export const copySecret = (secretId: string, format: string): Promise<CopyResult> => keyport.call('clipboard.copy', { secretId, format });
export const copySession = (serverId: string, format: string) => keyport.call('clipboard.copySession', { serverId, format });
export const clearClipboard = (): Promise<void> => keyport.call('clipboard.clear').catch(() => undefined);
