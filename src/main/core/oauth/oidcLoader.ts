import { loadOnFirstUse } from '../loadOnFirstUse';

/** oidcClient.ts (openid-client), loaded at the first OpenID Connect call of the kinds that sign
 * in through it (oidc, anaconda), so a person who never adds such a server never loads it. */
export const loadOidcClient = loadOnFirstUse({ library: 'its OpenID Connect library (openid-client)', feature: 'signing in to this server' }, () => import('./oidcClient'));
