import { describe, expect, it } from 'vitest';
import type { KindDescriptor, SavedSecretView, ServerView } from '../../../shared/model';
import { expiryPhrase, soonestExpiry } from './expiringSoon';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 10, 23);
const iso = (ms: number) => new Date(ms).toISOString();
const keyKind = { kind: 'anaconda', tokenNoun: 'API key', refreshableSession: false } as KindDescriptor;
const renewableKind = { kind: 'tapis', tokenNoun: 'OAuth client', refreshableSession: true } as KindDescriptor;
const server = (expiresAt: string | null): ServerView =>
  ({ id: 's', name: 'Site', kind: 'anaconda', session: { state: 'signed-in', user: { name: 'alice' }, method: 'file', signedInAt: '', persisted: true, expiresAt, dependsOn: null, passwordRemembered: false } }) as ServerView;
const saved = (name: string, expiresAt: string | null, serverId = 's'): SavedSecretView => ({ id: name, serverId, name, savedAt: '', expiresAt, pinned: false });

describe('soonestExpiry', () => {
  it('the soonest of the saved keys and a session that is a key, within the widest reminder window', () => {
    const found = soonestExpiry(server(iso(NOW + 20 * DAY)), [saved('ci', iso(NOW + 10 * DAY)), saved('later', iso(NOW + 25 * DAY)), saved('other server', iso(NOW + DAY), 'x')], keyKind, [30, 7], NOW);
    expect(found).toEqual({ expiresAt: NOW + 10 * DAY, what: 'ci' });
    expect(soonestExpiry(server(iso(NOW + 20 * DAY)), [], keyKind, [30, 7], NOW)).toEqual({ expiresAt: NOW + 20 * DAY, what: 'Keyport’s API key' });
  });

  it('nothing beyond the window (30 days, or the widest reminder day); expired keys count', () => {
    expect(soonestExpiry(server(iso(NOW + 40 * DAY)), [], keyKind, [30, 7], NOW)).toBeNull();
    expect(soonestExpiry(server(iso(NOW + 40 * DAY)), [], keyKind, [60], NOW)).not.toBeNull();
    expect(soonestExpiry(server(iso(NOW + 40 * DAY)), [], keyKind, [], NOW)).toBeNull();
    expect(soonestExpiry(server(null), [saved('old', iso(NOW - DAY))], keyKind, [30], NOW)?.what).toBe('old');
  });

  it('a renewable session (an access token of hours) is never a key that expires soon', () => {
    expect(soonestExpiry(server(iso(NOW + 60_000)), [], renewableKind, [30, 7], NOW)).toBeNull();
  });
});

describe('expiryPhrase', () => {
  it.each([
    [5 * DAY - 60_000, 'expires in 5 days'],
    [DAY + 60_000, 'expires in 1 day'],
    [23 * 60 * 60 * 1000, 'expires within a day'],
    [0, 'expired'],
    [-DAY, 'expired'],
  ])('%d ms ahead: %s', (ahead, phrase) => {
    expect(expiryPhrase(NOW + ahead, NOW)).toBe(phrase);
  });
});
