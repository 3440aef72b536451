import { KeyportError } from '../../errors';

/** The expiry of an Anaconda API key, from its JWT `exp` (UTC seconds), as anaconda-auth reads
 * it (token.py TokenInfo.expired: no signature check). Null when the key is not a JWT with a
 * numeric `exp` — anaconda-auth crashes on such keys, so Keyport never stores or writes one. */
export function apiKeyExpiry(apiKey: string): Date | null {
  const parts = apiKey.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? new Date(payload.exp * 1000) : null;
  } catch {
    return null;
  }
}

export function requireApiKeyExpiry(apiKey: string, serverName: string): Date {
  const expiry = apiKeyExpiry(apiKey);
  if (!expiry) {
    throw new KeyportError('BAD_RESPONSE', `${serverName} gave an API key Keyport cannot use (it is not a JWT with an expiry).`, {
      hint: 'Check that the site is an Anaconda site.',
    });
  }
  return expiry;
}
