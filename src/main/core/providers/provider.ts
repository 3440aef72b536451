import type { DeviceSignInCode, KindDescriptor, UserInfo } from '../../../shared/model';
import { KeyportError } from '../errors';
import type { HttpClient, HttpTarget } from '../http/types';
import type { ServerRecord } from '../vault/records';

/** What a provider needs to talk to one server. */
export interface ServerContext {
  server: ServerRecord;
  target: HttpTarget;
  http: HttpClient;
  now(): Date;
  /** The server's secret settings (FieldDescriptor.secret), read from the vault when asked;
   * null when none is saved. Absent where a context is built without a vault (some tests). */
  secretSetting?(fieldId: string): Promise<string | null>;
  /** The system browser, for a confirmation a server asks for in the middle of a call (npm's
   * web-based one-time password), with Keyport's time limit for it and the signal the person's
   * Cancel (`auth.cancelSignIn`) aborts. Absent without a browser. */
  browser?: { open(url: string): Promise<void>; timeoutMs: number; signal?: AbortSignal | undefined } | undefined;
}

/** A session as the provider hands it to the session service. */
export interface SessionGrant {
  /** The secret later calls authenticate with (EDS: a session token; Tapis: an access token). */
  session: string;
  /** What the session is renewed from without asking the person (EDS: the pasted API token;
   * Tapis: the OAuth client and refresh token), or null when only the person can sign in again.
   * Opaque to everyone but the provider. */
  credential: string | null;
  /** When `session` stops working (ISO time), or null when the server does not say. */
  expiresAt: string | null;
  /** Non-secret facts that change with each grant (granted scopes, ID token claims); on
   * renewal they replace the ones kept with the session. */
  attributes?: Record<string, string> | undefined;
}

export interface SignInResult extends SessionGrant {
  user: UserInfo;
  /** Non-secret facts kept with the session (Tapis: the OAuth client's name and key). Two are
   * shown by the session view: `scope` (space-separated granted scopes) and `claims` (a JSON
   * array of [name, text] pairs, the ID token's claims). */
  attributes?: Record<string, string> | undefined;
  /** The token the session depends on: revoking it signs out (Tapis: the OAuth client). */
  dependsOnTokenId?: string | undefined;
}

/** What a browser sign-in needs from Keyport. */
export interface BrowserFlow {
  openBrowser(url: string): Promise<void>;
  signal: AbortSignal;
  timeoutMs: number;
}

/** How a password sign-in gets its OAuth client; `saved` is resolved to `existing` first. */
export type ResolvedClientChoice = { type: 'new'; name?: string | undefined } | { type: 'existing'; key: string; secret: string; name?: string | undefined };

/** The secrets and facts of a live session, for copying or writing a session file. */
export interface SessionMaterial {
  session: string;
  credential: string | null;
  expiresAt: string | null;
  user: UserInfo;
  attributes: Record<string, string>;
}

/** How a token operation authenticates: the session, plus the account password for kinds whose
 * tokens are managed with it (`descriptor.tokensNeedPassword`, or for creating only,
 * `descriptor.tokenCreationNeedsPassword`). */
export interface TokenAuth {
  session: string;
  username: string;
  password: string | null;
}

export interface ProviderToken {
  id: string;
  name: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scopes: string[] | null;
  extra?: Record<string, string> | undefined;
  /** The listed token is the one Keyport's session uses (npm: a pasted token, recognized by its
   * masked value in the list): revoking it signs out. */
  isSession?: boolean | undefined;
}

export interface CreatedProviderToken {
  token: ProviderToken;
  secret: string;
  /** A non-secret identifier shown and saved with the secret (an OAuth client's key). */
  identifier?: { label: string; value: string } | undefined;
}

/** How a listed token would be made again (Rotate of a saved token whose settings Keyport did
 * not record): its create fields as the server's list tells them, or why the list cannot tell a
 * setting that limits the token's rights (then nothing is created). */
export type ListedSettings = { known: true; fields: Record<string, string> } | { known: false; reason: string };

/** A session read from a CLI's session file. */
export interface ImportedSession extends SignInResult {
  server: { url: string; options: Record<string, string>; suggestedName: string; caCertificatePath?: string | null | undefined };
}

/** A CLI's session file (Tapis: ~/.agave/current). Reading and writing the disk, backups and
 * confirmation are the session-file service's; the provider only parses and renders. */
export interface SessionFileFormat {
  /** Where the CLI looks, from its environment variables, with `~` already expanded. */
  defaultPath(env: Readonly<Record<string, string | undefined>>, home: string): string;
  /** Parses the file (one session per server it holds); `readSibling` reads another file in
   * the same folder (null if absent). */
  parse(text: string, readSibling: (name: string) => Promise<string | null>): Promise<ImportedSession[]>;
  /** Whether an imported session belongs to an existing server; default: same URL and options. */
  sameServer?(server: ServerRecord, imported: ImportedSession['server']): boolean;
  /** The file's new content; `existing` is its current content, for formats that merge. */
  render(server: ServerRecord, material: SessionMaterial, existing: string | null): { text: string; warnings: string[] };
  /** Files beside the session file that the CLI keeps in step with it (Tapis: agavepy's
   * config.json): each is rendered from its own current content and written with the session
   * file, after its own backup. `render` returns null when the file cannot be written for this
   * session (it is then left alone). */
  companions?: ReadonlyArray<{
    name: string;
    render(server: ServerRecord, material: SessionMaterial, existing: string | null): { text: string; warnings: string[] } | null;
  }>;
  /** The file without this server's entry (formats that hold several servers), or null when
   * nothing would be left of it for this server to remove. */
  remove?(server: ServerRecord, existing: string): string | null;
}

/** One server kind. Capabilities in `descriptor` drive the UI; no other module switches on the
 * kind. Methods throw KeyportError; an AUTH_FAILED from a call that used the session means the
 * session is no longer valid (the session service then renews or signs out). */
export interface Provider {
  readonly descriptor: KindDescriptor;
  /** Checks and normalizes a server's URL and kind-specific settings (throws VALIDATION). */
  checkServer?(url: string, options: Record<string, string>): { url: string; options: Record<string, string> };
  /** `challenge.otp`: the one-time password the server asked for with OTP_REQUIRED. */
  signInWithPassword?(ctx: ServerContext, username: string, password: string, client?: ResolvedClientChoice, challenge?: { otp?: string | undefined }): Promise<SignInResult>;
  signInWithToken?(ctx: ServerContext, token: string): Promise<SignInResult>;
  /** Sign-in in the system browser (authorization code + PKCE over a loopback redirect). */
  signInWithBrowser?(ctx: ServerContext, flow: BrowserFlow): Promise<SignInResult>;
  /** Sign-in with a code entered on another device; `result` settles when the person is done. */
  startDeviceSignIn?(ctx: ServerContext, signal: AbortSignal): Promise<{ code: DeviceSignInCode; result: Promise<SignInResult> }>;
  /** Obtains a fresh session from the credential kept at sign-in; a rotated credential comes
   * back with it and replaces the old one. */
  renewSession?(ctx: ServerContext, credential: string): Promise<SessionGrant>;
  /** Asks the server whether the session still works (AUTH_FAILED if not), before Keyport
   * hands the session out (copy, export), so a token the server ended early is renewed first. */
  checkSession?(ctx: ServerContext, session: string): Promise<void>;
  /** Asks the server whether a saved token of this kind works, with a call made with the token
   * itself (its who-am-I), so Rotate checks a new token before delivering it and revoking the
   * old one. AUTH_FAILED when the server refuses it. Absent for kinds whose tokens cannot be
   * used alone (Tapis OAuth clients). */
  checkToken?(ctx: ServerContext, token: string): Promise<void>;
  /** Ends the session at the server too (RFC 7009 revocation), at sign-out. Best effort: it
   * throws a KeyportError to say what failed, and the sign-out completes locally anyway.
   * `attributes` are the ones kept with the session (SignInResult.attributes). */
  endSession?(ctx: ServerContext, session: { session: string; credential: string | null; attributes?: Record<string, string> | undefined }): Promise<void>;
  /** One cheap request without credentials that a server of this kind answers in its own way
   * (see serverProbe.ts), run when the server is added from the window: a wrong port, a web page
   * or another kind of server is said on the address field (`field: 'url'`) before sign-in.
   * Kinds with `describeServer` are checked with that instead. */
  probeServer?(ctx: ServerContext): Promise<void>;
  /** What the server says about itself, for people (descriptor.serverDescription); a server
   * that cannot answer throws, with `field: 'url'` when the address is what is wrong. */
  describeServer?(ctx: ServerContext): Promise<Array<{ label: string; value: string }>>;
  /** The token list. Kinds without one (`descriptor.tokenList === false`) throw UNSUPPORTED
   * (see `noTokenList`); the UI never offers these for them. */
  listTokens(ctx: ServerContext, auth: TokenAuth): Promise<ProviderToken[]>;
  /** `request.otp`: the one-time password the server asked for with OTP_REQUIRED. */
  createToken(ctx: ServerContext, auth: TokenAuth, request: { name: string; fields: Record<string, string>; otp?: string | undefined }): Promise<CreatedProviderToken>;
  /** The create fields that make a token like the listed one `tokenId` (ListedSettings), read
   * from the server's list; NOT_FOUND when the list no longer has it. Kinds with create fields
   * and without this method are not rotated unless Keyport recorded how the token was made. */
  listedSettings?(ctx: ServerContext, auth: TokenAuth, tokenId: string): Promise<ListedSettings>;
  /** `options.otp`: the one-time password the server asked for with OTP_REQUIRED. */
  revokeToken(ctx: ServerContext, auth: TokenAuth, tokenId: string, options?: { otp?: string | undefined }): Promise<void>;
  /** Environment variables a CLI of this kind reads, in order, for the copy formats of a saved
   * token. `attributes` are the saved token's (e.g. an OAuth client's key). */
  copyEnvironment(server: ServerRecord, secret: string, attributes: Record<string, string>): Array<[name: string, value: string]>;
  /** Text for a copy format of a saved token that is not an environment format (Tapis:
   * `key:secret`), or null to use the environment formats. */
  renderTokenCopy?(format: string, secret: string, attributes: Record<string, string>, server?: ServerRecord): string | null;
  /** The text for one of `descriptor.sessionCopyFormats`. */
  renderSessionCopy?(server: ServerRecord, material: SessionMaterial, format: string): string;
  sessionFile?: SessionFileFormat;
  /** The OAuth client a session's credential holds (Tapis), so that when the session ends
   * Keyport can keep that client and sign in with it again instead of creating another. */
  sessionClient?(credential: string): { name: string; key: string; secret: string } | null;
}

/** The token operations of a kind without a token list: each refuses with UNSUPPORTED. */
export function noTokenList(label: string, what: string): Pick<Provider, 'listTokens' | 'createToken' | 'revokeToken'> {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new KeyportError('UNSUPPORTED', `${label} servers have no list of ${what}s to create or revoke.`, {
        hint: 'Copy the session’s tokens from the session panel instead.',
      }),
    );
  return { listTokens: refuse, createToken: refuse, revokeToken: refuse };
}

/** listedSettings for kinds whose one create setting is a description their list shows
 * (`extra.description`, Tapis clients): it limits nothing, so it is always known. */
export function descriptionSettings(listed: readonly ProviderToken[], tokenId: string, serverName: string): ListedSettings {
  const token = listed.find((t) => t.id === tokenId);
  if (!token) throw new KeyportError('NOT_FOUND', `${serverName} no longer has this client.`, { hint: 'It may have been deleted already. Reload the list.' });
  const description = token.extra?.description?.trim() ?? '';
  return { known: true, fields: description ? { description } : {} };
}
