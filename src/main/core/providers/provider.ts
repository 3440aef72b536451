import type { KindDescriptor, UserInfo } from '../../../shared/model';
import type { HttpClient, HttpTarget } from '../http/types';
import type { ServerRecord } from '../vault/records';

/** What a provider needs to talk to one server. */
export interface ServerContext {
  server: ServerRecord;
  target: HttpTarget;
  http: HttpClient;
}

export interface SignInResult {
  /** The secret later calls authenticate with (EDS: a session token). */
  session: string;
  user: UserInfo;
  /** A long-lived credential the session can be renewed from without asking the person
   * (EDS: the pasted API token), or null when only the person can sign in again. */
  credential: string | null;
}

export interface ProviderToken {
  id: string;
  name: string;
  createdAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
  scopes: string[] | null;
}

/** One server kind. Capabilities in `descriptor` drive the UI; no other module switches on the
 * kind. Methods throw KeyportError; an AUTH_FAILED from a call that used `session` means the
 * session is no longer valid (the session service then renews or signs out). */
export interface Provider {
  readonly descriptor: KindDescriptor;
  signInWithPassword?(ctx: ServerContext, username: string, password: string): Promise<SignInResult>;
  signInWithToken?(ctx: ServerContext, token: string): Promise<SignInResult>;
  /** Obtains a fresh session from the credential kept at sign-in. */
  renewSession?(ctx: ServerContext, credential: string): Promise<string>;
  listTokens(ctx: ServerContext, session: string): Promise<ProviderToken[]>;
  createToken(ctx: ServerContext, session: string, request: { name: string }): Promise<{ token: ProviderToken; secret: string }>;
  revokeToken(ctx: ServerContext, session: string, tokenId: string): Promise<void>;
  /** Environment variables a CLI of this kind reads, in order, for the copy formats. */
  copyEnvironment(server: ServerRecord, secret: string): Array<[name: string, value: string]>;
}
