// The identity provider of the reference servers that sign in through a browser (anaconda,
// oidc): panva's oidc-provider (a certified OpenID Provider). By default configured as
// anaconda.com's: the public client of the anaconda CLIs; the oidc reference server passes its
// own clients (public and confidential). Always: PKCE required, loopback redirect URIs on any
// port (RFC 8252; oidc-provider ignores the port of loopback redirect URIs of native clients),
// refresh tokens, revocation (RFC 7009), the device flow, and a login form that checks the
// seeded users' passwords, so tests can sign in as a person would.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';

export interface IdpUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly name: string;
}

export interface IdentityProviderOptions {
  issuer: string;
  clientId: string;
  users: readonly IdpUser[];
  /** Seconds a device code stays usable (tests set a few to see it expire). */
  deviceCodeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** The registered clients; default: one public native client `clientId` whose redirect is
   * http://127.0.0.1/auth/oidc (anaconda-auth's). */
  clients?: ClientMetadata[];
  /** Every refresh issues a new refresh token and consumes the old one (default: oidc-provider's
   * own rule, which rotates for public clients). */
  rotateRefreshTokens?: boolean;
  /** The login page's heading. */
  loginTitle?: string;
}

export interface IdentityProvider {
  /** Handles every request that is not the API's. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** The account behind an access token this provider issued, or null. */
  accountFor(accessToken: string): Promise<string | null>;
  /** Counts finished logins and token requests, for the tests. */
  readonly stats: { logins: number; denied: number; refreshed: number; revoked: number };
  /** Whether the server would still accept this refresh token (not revoked, rotated, expired,
   * and its grant not ended). */
  isRefreshTokenValid(refreshToken: string): Promise<boolean>;
  /** Ends every grant of the user, as an administrator would: their refresh tokens stop working. */
  revokeGrants(username: string): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256', kid: 'test' };
  const users = new Map(options.users.map((u) => [u.username, u]));
  const stats = { logins: 0, denied: 0, refreshed: 0, revoked: 0 };
  const grantsByUser = new Map<string, Set<string>>();

  const provider = new Provider(options.issuer, {
    clients: options.clients ?? [
      {
        client_id: options.clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/auth/oidc'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    ...(options.rotateRefreshTokens ? { rotateRefreshToken: () => true } : {}),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // Plain pages of our own: oidc-provider's defaults load web fonts from the internet.
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.type = 'html';
          ctx.body = page(
            'Enter the code',
            `${err ? '<p role="alert">That code is not valid.</p>' : ''}${form
              .replace(/<input([^>]*name="user_code"[^>]*)>/, '<label for="user_code">Code</label> <input id="user_code"$1>')
              .replace('</form>', '<p><button type="submit">Continue</button></p></form>')}`,
          );
        },
        userCodeConfirmSource: async (ctx, form, _client, _device, userCode) => {
          ctx.type = 'html';
          ctx.body = page(
            'Confirm the device',
            `<p>The device shows <code>${escapeHtml(userCode)}</code>.</p>${form.replace(
              '</form>',
              '<p><button type="submit">Continue</button> <button type="submit" name="abort" value="yes">Abort</button></p></form>',
            )}`,
          );
        },
        successSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Device signed in', '<p>You can close this page.</p>');
        },
      },
      revocation: { enabled: true },
    },
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      DeviceCode: options.deviceCodeTtlSeconds,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 24 * 3600,
    },
    // A refresh token whenever the client may have one (the CLI asks for offline_access without
    // prompt=consent, which oidc-provider would otherwise strip).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    findAccount: async (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: user.email, email_verified: true, name: user.name, preferred_username: user.username }),
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p>`);
    },
  });
  // Device-flow pages (user code entry, confirmation, success) are oidc-provider's defaults.

  const loginForm = (uid: string, message?: string) =>
    page(
      'Sign in to Anaconda (test)',
      `${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}` +
        `<form method="post" action="/interaction/${escapeHtml(uid)}/login">` +
        `<p><label>User name <input name="username" autocomplete="username" autofocus></label></p>` +
        `<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>` +
        `<p><button type="submit">Sign in</button></p></form>` +
        `<form method="post" action="/interaction/${escapeHtml(uid)}/abort"><button type="submit">Cancel</button></form>`,
    );

  const interaction = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const match = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(path);
    if (!match) return false;
    const uid = match[1] ?? '';
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET' && !match[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(loginForm(uid));
      return true;
    }
    if (req.method === 'POST' && match[2] === '/abort') {
      stats.denied++;
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person cancelled the sign-in.' }, { mergeWithLastSubmission: false });
      return true;
    }
    if (req.method === 'POST' && match[2] === '/login') {
      const form = await formBody(req);
      const user = users.get(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(loginForm(uid, 'Wrong user name or password.'));
        return true;
      }
      const grant = new provider.Grant({ accountId: user.username, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      const grants = grantsByUser.get(user.username) ?? new Set<string>();
      grants.add(grantId);
      grantsByUser.set(user.username, grants);
      stats.logins++;
      await provider.interactionFinished(req, res, { login: { accountId: user.username }, consent: { grantId } }, { mergeWithLastSubmission: false });
      return true;
    }
    res.writeHead(405).end();
    return true;
  };

  provider.on('grant.success', (ctx) => {
    if (ctx.oidc.params?.grant_type === 'refresh_token') stats.refreshed++;
  });
  provider.on('grant.revoked', () => {
    stats.revoked++;
  });

  const callback = provider.callback();
  return {
    stats,
    async isRefreshTokenValid(refreshToken) {
      const token = await provider.RefreshToken.find(refreshToken);
      if (!token || token.isExpired || token.consumed || !token.grantId) return false;
      return (await provider.Grant.find(token.grantId)) !== undefined;
    },
    async revokeGrants(username) {
      for (const grantId of grantsByUser.get(username) ?? []) {
        const grant = await provider.Grant.find(grantId);
        await grant?.destroy();
      }
      grantsByUser.delete(username);
    },
    handle(req, res) {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      interaction(req, res, path)
        .then((handled) => {
          if (!handled) callback(req, res);
        })
        .catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in error', `<p>${escapeHtml(error instanceof Error ? error.message : 'error')}</p>`));
        });
    },
    async accountFor(accessToken) {
      const token = await provider.AccessToken.find(accessToken);
      return token?.accountId ?? null;
    },
  };
}
