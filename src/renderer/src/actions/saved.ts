import { keyport } from '../api';

/** Saved tokens. Main's `secrets.changed` brings the new list (events.ts). */
export const pinSaved = (secretId: string, pinned: boolean): Promise<void> => keyport.call('secrets.pin', { secretId, pinned });
export const forgetSaved = (secretId: string): Promise<void> => keyport.call('secrets.forget', { secretId });
