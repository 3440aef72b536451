import { describe, expect, it } from 'vitest';
import type { ServerRecord } from '../../vault/records';
import type { SessionMaterial } from '../provider';
import { renderAgaveConfig } from './agaveConfig';
import { pythonJsonDumps } from './agaveCurrent';
import { encodeCredential } from './tapisCredential';

const server: ServerRecord = {
  id: 'srv',
  name: 'TACC',
  kind: 'tapis',
  url: 'https://api.tacc.utexas.edu',
  allowInsecureTls: false,
  caCertificatePath: null,
  options: { tenantId: 'tacc.prod' },
  createdAt: '2026-01-01T00:00:00.000Z',
};
const material = (clientName: string | null, refreshToken = 'fresh-refresh'): SessionMaterial => ({
  session: 'fresh-access',
  credential: encodeCredential({ clientName, key: 'KEY', secret: 'SECRET', refreshToken, issuedAt: 1795433695, expiresIn: 14400 }),
  expiresAt: null,
  user: { name: 'alice' },
  attributes: {},
});

type Entry = Record<string, unknown>;
type Config = { current: Record<string, Entry>; sessions: Record<string, Record<string, Record<string, Entry>>>; extra?: unknown };

describe('pythonJsonDumps with an indent (json.dump(indent=4))', () => {
  it('writes a line per item, empty containers inline, non-ASCII escaped', () => {
    expect(pythonJsonDumps({ a: { b: [1, 'ü'], c: {} }, d: [] }, false, 4)).toBe('{\n    "a": {\n        "b": [\n            1,\n            "\\u00fc"\n        ],\n        "c": {}\n    },\n    "d": []\n}');
  });
});

describe('renderAgaveConfig (config.json as save_configs keeps it)', () => {
  it('a first save: current and sessions[tenant][user] hold this client, in save_configs\' key order', () => {
    const out = renderAgaveConfig(server, material('laptop'), null);
    const config = JSON.parse(out?.text ?? '') as { current: Record<string, Record<string, unknown>>; sessions: Record<string, Record<string, Record<string, unknown>>> };
    expect(Object.keys(config.current)).toEqual(['laptop']);
    expect(Object.keys(config.current.laptop ?? {})).toEqual(['tenantid', 'baseurl', 'devurl', 'apisecret', 'apikey', 'username', 'access_token', 'refresh_token', 'created_at', 'expires_in', 'expires_at']);
    expect(config.sessions['tacc.prod']?.alice?.laptop).toEqual(config.current.laptop);
    expect(out?.warnings).toEqual([]);
  });

  it('keeps fields it does not own in the same client\'s entry, and refreshes that client\'s stale sessions entry', () => {
    const stale = { tenantid: 'tacc.prod', username: 'alice', apikey: 'KEY', refresh_token: 'dead', verify: '/ca.pem', token_username: null, proxies: { https: 'http://p:3128' } };
    const other = { tenantid: 'tacc.prod', username: 'alice', apikey: 'OTHER', refresh_token: 'theirs', verify: false };
    const existing = JSON.stringify({ current: { laptop: stale }, sessions: { 'tacc.prod': { alice: { laptop: stale, desk: other } } }, extra: 1 });
    const config = JSON.parse(renderAgaveConfig(server, material('laptop'), existing)?.text ?? '') as Config;
    expect(config.current.laptop).toMatchObject({ refresh_token: 'fresh-refresh', verify: '/ca.pem', token_username: null, proxies: { https: 'http://p:3128' } });
    expect(config.sessions['tacc.prod']?.alice?.laptop?.refresh_token).toBe('fresh-refresh');
    expect(config.sessions['tacc.prod']?.alice?.desk).toEqual(other);
    expect(config.extra).toBe(1);
  });

  it('another client current before: it moves to sessions under its own tenant and user; no fields of it are borrowed', () => {
    const theirs = { tenantid: 'iplant', username: 'bob', apikey: 'OTHER', refresh_token: 'theirs', verify: false };
    const existing = JSON.stringify({ current: { desk: theirs }, sessions: {} });
    const config = JSON.parse(renderAgaveConfig(server, material('laptop'), existing)?.text ?? '') as Config;
    expect(Object.keys(config.current)).toEqual(['laptop']);
    expect(config.current.laptop?.verify).toBeUndefined();
    expect(config.sessions.iplant?.bob?.desk).toEqual(theirs);
  });

  it('a session without an OAuth client name is not written (save_configs refuses it too); a file that is not agavepy\'s is replaced with a warning', () => {
    expect(renderAgaveConfig(server, material(null), null)).toBeNull();
    const replaced = renderAgaveConfig(server, material('laptop'), 'not json');
    expect(replaced?.warnings).toEqual(['config.json beside it was not one agavepy wrote; Keyport replaced it (a backup is beside it).']);
    expect(JSON.parse(replaced?.text ?? '')).toHaveProperty('current.laptop.refresh_token', 'fresh-refresh');
  });
});
