/** Token-name rules the renderer needs too, kept apart from schemas.ts so that the renderer can
 * use them without bundling zod (a test checks the bundle stays zod-free). */

/** What Keyport accepts: the activity log keeps names this long; servers may set lower limits
 * and say so themselves. */
export const MAX_TOKEN_NAME_LENGTH = 500;

/** Why a token name may not be what the person meant, or null: spaces at either end are kept
 * and sent, and are easy to miss. */
export function tokenNameWarning(name: string): string | null {
  if (name !== name.trimStart() && name !== name.trimEnd()) return 'The name starts and ends with a space; it is sent as typed.';
  if (name !== name.trimStart()) return 'The name starts with a space; it is sent as typed.';
  if (name !== name.trimEnd()) return 'The name ends with a space; it is sent as typed.';
  return null;
}
