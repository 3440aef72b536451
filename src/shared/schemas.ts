import { z } from 'zod';
import { MAX_TOKEN_NAME_LENGTH } from './tokenNames';
import { INVISIBLE } from './displayText';
import { echoInput } from './echoInput';
import { MIN_PASSPHRASE_LENGTH, MIN_UNLOCK_SECRET_LENGTH } from './limits';
import type { ProcedureName } from './procedures';

export { MAX_TOKEN_NAME_LENGTH, tokenNameWarning } from './tokenNames';

/** Input schemas of every procedure. Main validates untrusted input with these; the renderer's
 * forms use the same ones, so the rules live in one place. */

const id = z.string().min(1, 'An id is required.').max(100, 'That id is too long.');

/** At least one character that shows: not a space, control or format character. */
const VISIBLE = /[^\p{Z}\p{C}\s]/u;

/** A display name: 1–100 characters, no control or invisible characters, something to see. */
export const nameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(100, 'Use at most 100 characters.')
  .refine((s) => !/\p{Cc}/u.test(s), 'Names cannot contain control characters.')
  .refine((s) => !INVISIBLE.test(s), 'Names cannot contain invisible or text-direction characters.')
  .refine((s) => VISIBLE.test(s), 'Enter a name with at least one visible character.');

/** The longest token name Keyport sends. Not a server's rule (hatcher and the servers set none
 * Keyport knows of; a server that has one says so and Keyport shows its words): a bound on input,
 * the length the activity log keeps of a token name. */

/** A token's name as the server will store it: not trimmed (a server that keeps " dup" apart
 * from "dup" must get what was typed; the form warns about edge spaces instead), no 100-character
 * cap, but still no control or invisible characters and something to see. */
export const tokenNameSchema = z
  .string()
  .min(1, 'Enter a name.')
  .max(MAX_TOKEN_NAME_LENGTH, `Use at most ${MAX_TOKEN_NAME_LENGTH} characters.`)
  .refine((s) => !/\p{Cc}/u.test(s), 'Names cannot contain control characters.')
  .refine((s) => !INVISIBLE.test(s), 'Names cannot contain invisible or text-direction characters.')
  .refine((s) => VISIBLE.test(s), 'Enter a name with at least one visible character.');


export const MAX_URL_LENGTH = 2048;

/** A server URL: http or https, a host, no credentials, no query or fragment. */
export const serverUrlSchema = z
  .string()
  .trim()
  .min(1, 'Enter the server URL.')
  .max(MAX_URL_LENGTH, `Use at most ${MAX_URL_LENGTH} characters.`)
  .superRefine((value, ctx) => {
    const problem = serverUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export function serverUrlProblem(value: string): string | null {
  if (/\s/.test(value)) return 'A URL cannot contain spaces.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, such as https://packages.example.com.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Only http and https URLs are allowed, not ${echoInput(url.protocol.replace(':', ''))}.`;
  }
  if (!url.hostname) return 'The URL needs a host name.';
  if (url.username || url.password) {
    return 'Do not put a user name or password in the URL: sign in after adding the server.';
  }
  if (url.search || url.hash) return 'Remove the query (?…) or fragment (#…) from the URL.';
  return null;
}

/** Normalizes a valid server URL: no trailing slash. */
export function normalizeServerUrl(value: string): string {
  const url = new URL(value.trim());
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export const serverInputSchema = z.object({
  name: nameSchema,
  kind: z.string().min(1, 'Choose a server kind.').max(40),
  url: serverUrlSchema,
  allowInsecureTls: z.boolean().default(false),
  caCertificatePath: z
    .string()
    .trim()
    .max(4096, 'That path is too long.')
    .nullable()
    .default(null)
    .transform((p) => (p === '' ? null : p)),
  /** Kind-specific settings; the kind's provider validates them. */
  options: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/, 'Unknown setting.'), z.string().trim().max(500, 'Use at most 500 characters.'))
    .refine((o) => Object.keys(o).length <= 20, 'Too many settings.')
    .default({}),
});
export type ServerInput = z.input<typeof serverInputSchema>;

export const secretSchema = (what: string) =>
  z.string().min(1, `Enter the ${what}.`).max(16_384, `That ${what} is too long.`);

/** A token, key or client secret someone pastes: surrounding whitespace (a copied line break) is
 * dropped; one inside means two lines were pasted, and control characters would end up in an
 * HTTP header or a copied shell line. Passwords are not this: they are typed and kept as typed. */
export const pastedSecretSchema = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}.`)
    .max(16_384, `That ${what} is too long.`)
    .refine((s) => !/\p{Cc}/u.test(s), `A ${what} is one line without control characters; paste only the ${what}.`);

export const usernameSchema = z
  .string()
  .trim()
  .min(1, 'Enter your user name.')
  .max(320, 'That user name is too long.')
  .refine((s) => !/\p{Cc}/u.test(s), 'User names cannot contain control characters.')
  .refine((s) => !INVISIBLE.test(s), 'User names cannot contain invisible or text-direction characters.');

/** How a password sign-in gets its OAuth client (kinds with `oauthClient`). */
export const oauthClientChoiceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('new'), name: nameSchema.optional() }),
  z.object({ type: z.literal('saved'), secretId: id }),
  z.object({ type: z.literal('existing'), key: pastedSecretSchema('client key'), secret: pastedSecretSchema('client secret') }),
]);
export type OAuthClientChoice = z.output<typeof oauthClientChoiceSchema>;

/** The account password, for kinds whose tokens are managed with it (Tapis clients API). */
const accountPassword = secretSchema('password').optional();

/** A one-time password the server asked for (OTP_REQUIRED): an authenticator code or a recovery
 * code, one line. */
const oneTimePassword = z
  .string()
  .trim()
  .min(1, 'Enter the one-time password.')
  .max(64, 'That one-time password is too long.')
  .refine((s) => /^[A-Za-z0-9-]+$/.test(s), 'A one-time password is letters, digits and dashes only.')
  .optional();

/** An absolute path to a CLI's session file; empty means "the usual place". */
const sessionFilePath = z
  .string()
  .trim()
  .max(4096, 'That path is too long.')
  .optional()
  .transform((p) => (p ? p : undefined))
  .refine((p) => p === undefined || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('~/'), 'Use a full path, such as ~/.agave/current.');

export const settingsSchema = z.object({
  clipboardClearSeconds: z.number().int().min(5, 'At least 5 seconds.').max(600, 'At most 10 minutes.'),
  requestTimeoutSeconds: z.number().int().min(1, 'At least 1 second.').max(300, 'At most 5 minutes.'),
  idleLockMinutes: z.number().int().min(0, 'Use 0 to never lock by itself.').max(1440, 'At most 24 hours.'),
  theme: z.enum(['system', 'light', 'dark'], 'Choose system, light or dark.'),
  reminderDays: z
    .array(z.number('Use whole days, such as 30, 7.').int('Use whole days, such as 30, 7.').min(1, 'Remind at least 1 day before.').max(365, 'Remind at most 365 days before.'))
    .max(5, 'At most 5 reminders per key.'),
  defaultCopyFormats: z.record(z.string().max(40), z.string().min(1).max(40)).refine((formats) => Object.keys(formats).length <= 50, 'Too many copy formats.'),
});

export const passphraseSchema = z
  .string()
  .min(MIN_PASSPHRASE_LENGTH, `Use at least ${MIN_PASSPHRASE_LENGTH} characters.`)
  .max(1024, 'Use at most 1024 characters.');

export const unlockSecretSchema = z
  .string()
  .min(MIN_UNLOCK_SECRET_LENGTH, `Use at least ${MIN_UNLOCK_SECRET_LENGTH} characters.`)
  .max(1024, 'Use at most 1024 characters.');

/** Sending a saved token to a machine over SSH (src/main/core/delivery). */
const deliverySendSchema = z.object({
  secretId: id,
  host: z.string().trim().min(1, 'Enter the machine’s host name or an alias from ~/.ssh/config.').max(253).regex(/^[A-Za-z0-9._:[\]-]+$/, 'Use a host name, an address or an ssh alias.'),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().trim().max(64).regex(/^[A-Za-z0-9._-]*$/, 'Use a user name without spaces.').optional(),
  path: z.string().trim().min(1, 'Enter the path of the file to write.').max(1024).refine((p) => !p.includes('\0'), 'The path has a NUL character.'),
  format: z.enum(['npmrc', 'env', 'plain', 'session-file']),
  keyFile: z.string().trim().max(1024).optional(),
  passphrase: z.string().max(1024).optional(),
  trustFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional(),
});

/** One input schema per procedure of procedures.ts: a missing, extra or misspelt name does not
 * compile. */
export type InputSchemaTable = { readonly [P in ProcedureName]: z.ZodType };

export const inputSchemas = {
  'app.status': z.undefined(),
  'app.lock': z.undefined(),
  'app.unlock': z.object({ passphrase: z.string().max(1024, 'Use at most 1024 characters.').optional() }),
  'app.activity': z.undefined(),
  'app.unlockWithSystemCheck': z.undefined(),
  'app.bootstrap': z.undefined(),
  'lock.setSecret': z.object({ secret: unlockSecretSchema, current: z.string().max(1024).optional() }),
  'lock.removeSecret': z.object({ current: z.string().max(1024) }),
  'storage.usePassphrase': z.object({ passphrase: passphraseSchema }),
  'storage.useSessionOnly': z.undefined(),
  'storage.exportUnreadable': z.undefined(),
  'storage.deleteUnreadable': z.undefined(),
  'kinds.list': z.undefined(),
  'kinds.openCreateNoteLink': z.object({ kind: z.string().min(1).max(40) }),
  'servers.list': z.undefined(),
  /** `skipCheck`: the window checked the address first (servers.check), or the person chose
   * "Add anyway" after a failed check. */
  'servers.add': serverInputSchema.extend({ skipCheck: z.boolean().default(false) }),
  'servers.update': z.object({ id, changes: serverInputSchema, skipCheck: z.boolean().default(false) }),
  /** A new server (no id) or new settings for one: checked as add/update would, then asked one
   * request without credentials. Flat, so a refused setting names the form's own field. */
  'servers.check': serverInputSchema.extend({ id: id.optional() }),
  'servers.remove': z.object({ id }),
  'servers.pickCertificate': z.undefined(),
  'servers.describe': z.object({ id }),
  'auth.signInWithPassword': z.object({
    serverId: id,
    username: usernameSchema,
    password: secretSchema('password'),
    client: oauthClientChoiceSchema.optional(),
    rememberPassword: z.boolean().default(false),
    otp: oneTimePassword,
  }),
  'auth.signInWithToken': z.object({ serverId: id, token: pastedSecretSchema('token') }),
  'auth.signOut': z.object({ serverId: id, removeFromSessionFile: z.boolean().default(false) }),
  'auth.refresh': z.object({ serverId: id }),
  'auth.signInWithBrowser': z.object({ serverId: id, force: z.boolean().default(false) }),
  'auth.startDeviceSignIn': z.object({ serverId: id, force: z.boolean().default(false) }),
  'auth.finishDeviceSignIn': z.object({ serverId: id }),
  'auth.openDeviceVerification': z.object({ serverId: id }),
  'auth.cancelSignIn': z.object({ serverId: id }),
  'tokens.list': z.object({ serverId: id, password: accountPassword }),
  'tokens.create': z.object({
    serverId: id,
    name: tokenNameSchema,
    save: z.boolean(),
    fields: z.record(z.string().max(40), z.string().trim().max(500, 'Use at most 500 characters.')).default({}),
    password: accountPassword,
    otp: oneTimePassword,
  }),
  'tokens.revoke': z.object({ serverId: id, tokenId: z.string().min(1).max(1000), password: accountPassword, otp: oneTimePassword }),
  'secrets.list': z.undefined(),
  'secrets.forget': z.object({ secretId: id }),
  'clipboard.copy': z.object({ secretId: id, format: z.string().min(1).max(40) }),
  'clipboard.copySession': z.object({ serverId: id, format: z.string().min(1).max(40) }),
  'clipboard.clear': z.undefined(),
  'sessionFiles.locate': z.object({ kind: z.string().min(1).max(40) }),
  'sessionFiles.import': z.object({ kind: z.string().min(1).max(40), path: sessionFilePath }),
  'sessionFiles.export': z.object({ serverId: id, path: sessionFilePath, overwrite: z.boolean().default(false) }),
  'sessionFiles.makePrivate': z.object({ kind: z.string().min(1).max(40), path: sessionFilePath }),
  'settings.get': z.undefined(),
  'settings.update': settingsSchema.partial(),
  'secrets.pin': z.object({ secretId: id, pinned: z.boolean() }),
  'audit.list': z.undefined(),
  'audit.exportCsv': z.undefined(),
  'delivery.send': deliverySendSchema,
  'delivery.targets': z.object({ secretId: id }),
  'delivery.forget': z.object({ secretId: id, targetId: id }),
  'delivery.cancel': z.object({ secretId: id }),
  'delivery.withdraw': z.object({ secretId: id }),
  'delivery.resend': z.object({ secretId: id }),
  'delivery.rotate': z.object({ secretId: id, fields: z.record(z.string().max(40), z.string().trim().max(500)).default({}), password: accountPassword }),
  'delivery.rollBack': z.object({ secretId: id, password: accountPassword }),
} as const satisfies InputSchemaTable;
