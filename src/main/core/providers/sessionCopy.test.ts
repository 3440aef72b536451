import { describe, expect, it } from 'vitest';
import { KeyportError } from '../errors';
import type { ServerRecord } from '../vault/records';
import type { SessionMaterial } from './provider';
import { ACCESS_TOKEN_COPY, AUTHORIZATION_HEADER_COPY, sessionCopyFormats } from './sessionCopy';
import { oidcProvider } from './oidc/oidcProvider';
import { tapisProvider } from './tapis/tapisProvider';

const server: ServerRecord = {
  id: 'srv',
  name: 'Example',
  kind: 'oidc',
  url: 'https://id.example.com',
  allowInsecureTls: false,
  caCertificatePath: null,
  options: {},
  createdAt: '2026-01-01T00:00:00.000Z',
};
const material: SessionMaterial = { session: 'header.payload.sig', credential: null, expiresAt: null, user: { name: 'alice' }, attributes: {} };

describe('sessionCopyFormats', () => {
  const formats = sessionCopyFormats([ACCESS_TOKEN_COPY, AUTHORIZATION_HEADER_COPY, { id: 'user', label: 'User', render: (s, m) => `${m.user.name}@${s.name}` }]);

  it('lists the formats for the descriptor, ids and labels only, in order', () => {
    expect(formats.descriptors).toEqual([
      { id: 'access-token', label: 'Access token' },
      { id: 'access-token-header', label: 'Authorization header' },
      { id: 'user', label: 'User' },
    ]);
  });

  it('renders each listed format', () => {
    expect(formats.render(server, material, 'access-token')).toBe('header.payload.sig');
    expect(formats.render(server, material, 'access-token-header')).toBe('Authorization: Bearer header.payload.sig');
    expect(formats.render(server, material, 'user')).toBe('alice@Example');
  });

  it('refuses a format it does not list, echoing at most 100 characters of it', () => {
    for (const format of ['id-token', 'toString', '__proto__', 'x'.repeat(5000)]) {
      let caught: unknown;
      try {
        formats.render(server, material, format);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(KeyportError);
      expect(caught).toMatchObject({ code: 'VALIDATION', field: 'format' });
      expect((caught as Error).message.length).toBeLessThan(130);
    }
  });

  it('is what the OpenID Connect and Tapis v2 kinds use: every format they list renders', () => {
    for (const provider of [oidcProvider, tapisProvider]) {
      const ids = provider.descriptor.sessionCopyFormats?.map((f) => f.id) ?? [];
      expect(ids.slice(0, 2)).toEqual(['access-token', 'access-token-header']);
      expect(provider.renderSessionCopy?.(server, material, 'access-token')).toBe('header.payload.sig');
      expect(() => provider.renderSessionCopy?.(server, material, 'nope')).toThrow('Unknown copy format “nope”.');
    }
  });

  it('OpenID Connect: a refresh or ID token the server did not give is NOT_FOUND, saying what to do', () => {
    expect(() => oidcProvider.renderSessionCopy?.(server, material, 'refresh-token')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: 'Example gave Keyport no refresh token.', hint: 'Add offline_access to the scopes and sign in again.' }),
    );
    expect(() => oidcProvider.renderSessionCopy?.(server, material, 'id-token')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'Example gave Keyport no ID token.', hint: 'Sign in again.' }));
  });
});
