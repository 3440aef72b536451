/** Limits the renderer shows in its hints and the schemas enforce. Kept apart from schemas.ts so
 * the renderer can use them without bundling zod (a test checks the bundle stays zod-free). */

export const MIN_PASSPHRASE_LENGTH = 8;
/** An unlock PIN guards the lock screen, not the file (the keyring encrypts that): four digits
 * with a growing delay after wrong tries are enough there. */
export const MIN_UNLOCK_SECRET_LENGTH = 4;
