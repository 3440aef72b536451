// Conformance: the real `hatcher` CLI (pinned in conformance/requirements.txt) against the
// reference EDS server. If the server drifts from what hatcher speaks, these tests go red.
// Each test checks both hatcher's output and the server's state through its inspection helpers.
// Note: hatcher's -u is --url; the username flag is -U.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdsServer } from '../test/servers/eds/edsServer.ts';
import type { EdsServer } from '../test/servers/eds/edsServer.ts';
import { ensurePythonEnv, runHatcher } from './pythonEnv.ts';
import type { CommandResult } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

let http: EdsServer;
let https: EdsServer;
let scratch: string;
let caFile: string;

function alice(server: EdsServer): string[] {
  return ['-u', server.url, '-U', 'alice', '-p', PASSWORD];
}

function output(result: CommandResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** Requests the server saw since `mark`, as "METHOD path?query auth" lines. */
function requestsSince(server: EdsServer, mark: number): string[] {
  return server.requestLog.slice(mark).map((r) => `${r.method} ${r.path}${r.query === '' ? '' : `?${r.query}`} ${r.auth} ${String(r.status)}`);
}

beforeAll(async () => {
  const env = await ensurePythonEnv();
  if (env.created) process.stderr.write(`conformance venv created in ${(env.setupMs / 1000).toFixed(1)} s at ${env.venvDir}\n`);
  http = await startEdsServer();
  https = await startEdsServer({ https: true });
  scratch = mkdtempSync(join(tmpdir(), 'keyport-hatcher-'));
  caFile = join(scratch, 'eds-ca.pem');
  writeFileSync(caFile, https.caPem ?? '');
});

afterAll(async () => {
  await Promise.all([http?.close(), https?.close()]);
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('hatcher 0.17.0 against the reference EDS server', () => {
  it('is the pinned hatcher', async () => {
    const result = await runHatcher(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0.17.0');
  });

  describe('with username and password', () => {
    it('api-tokens create NAME creates the token and prints it', async () => {
      const mark = http.requestLog.length;
      const result = await runHatcher([...alice(http), 'api-tokens', 'create', 'user-laptop-token']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/New Token Name\s+New Token/);
      const token = JWT.exec(result.stdout)?.[0] ?? '';
      expect(result.stdout).toMatch(/^user-laptop-token\s+eyJ/m);
      expect(http.hasApiToken('alice', 'user-laptop-token')).toBe(true);
      expect(http.isApiTokenValid(token)).toBe(true);
      // Password -> session on the v1 auth path, then the API with the session (hatcher/core/auth.py).
      expect(requestsSince(http, mark)).toEqual([
        'POST /api/v1/json/auth/tokens/auth basic 200',
        'POST /api/v1/json/auth/tokens/api bearer 200',
      ]);
    });

    it('api-tokens list shows every token of the user, sorted by name', async () => {
      http.createApiToken('alice', 'zz-ci');
      http.createApiToken('alice', 'aa-build');
      http.createApiToken('bob', 'bobs-token');
      const result = await runHatcher([...alice(http), 'api-tokens', 'list']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^Name\s+Created\s+Last Used$/);
      const names = lines.slice(2).map((line) => line.split(/\s+/)[0]);
      expect(names).toEqual([...http.tokenNames('alice')].sort());
      expect(names).toContain('aa-build');
      expect(names).not.toContain('bobs-token');
      // The "created" timestamps come through verbatim.
      expect(result.stdout).toMatch(/^aa-build\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/m);
    });

    it('api-tokens delete NAME deletes it (with ?force=False)', async () => {
      http.createApiToken('alice', 'to-delete');
      const mark = http.requestLog.length;
      const result = await runHatcher([...alice(http), 'api-tokens', 'delete', '--yes', 'to-delete']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(http.hasApiToken('alice', 'to-delete')).toBe(false);
      expect(requestsSince(http, mark)).toEqual([
        'POST /api/v1/json/auth/tokens/auth basic 200',
        'DELETE /api/v1/json/auth/tokens/api/to-delete?force=False bearer 204',
      ]);
    });

    it('a duplicate create prints the 409 error text and fails', async () => {
      http.createApiToken('alice', 'dup');
      const result = await runHatcher([...alice(http), 'api-tokens', 'create', 'dup']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe("An API token named 'dup' already exists");
      expect(http.tokenNames('alice').filter((n) => n === 'dup')).toHaveLength(1);
    });

    it('deleting an unknown token prints the 404 error text and fails', async () => {
      const result = await runHatcher([...alice(http), 'api-tokens', 'delete', '-y', 'ghost']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe("No API token named 'ghost'");
    });

    it('an empty name prints the 400 error text and creates nothing', async () => {
      const before = http.tokenNames('alice');
      const result = await runHatcher([...alice(http), 'api-tokens', 'create', '']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/must not be empty/);
      expect(http.tokenNames('alice')).toEqual(before);
    });

    it('a wrong password prints "Authentication failed" and fails', async () => {
      const result = await runHatcher(['-u', http.url, '-U', 'alice', '-p', 'wrong', 'api-tokens', 'list']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe('Authentication failed');
    });

    it('--api-version 0 uses the v0 token paths but still signs in on v1', async () => {
      const mark = http.requestLog.length;
      const result = await runHatcher([...alice(http), '--api-version', '0', 'api-tokens', 'list']);
      expect(result.code).toBe(0);
      expect(requestsSince(http, mark)).toEqual([
        'POST /api/v1/json/auth/tokens/auth basic 200',
        'GET /api/v0/json/auth/tokens/api bearer 200',
      ]);
    });

    it('prints the server\'s error text only when Content-Type is exactly application/json', async () => {
      http.faults.add({ kind: 'status', status: 409, body: '{"error": "Boom"}', contentType: 'application/json; charset=utf-8', times: 1, match: /tokens\/api$/ });
      const result = await runHatcher([...alice(http), 'api-tokens', 'list']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).not.toMatch(/^Boom$/m);
      expect(result.stderr).toContain('409 Client Error');
    });
  });

  describe('a server URL with a path', () => {
    it('signs in at the path but calls the API at the host\'s root (brood_url_handler keeps scheme and host only)', async () => {
      // A server that serves sign-in under /eds: the answer is a real session of this server.
      const signIn = await fetch(`${http.url}/api/v1/json/auth/tokens/auth`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` } });
      const { token } = (await signIn.json()) as { token: string };
      http.faults.add({ kind: 'status', status: 200, body: JSON.stringify({ token }), contentType: 'application/json', times: 1, match: /^\/eds\/api\/v1\/json\/auth\/tokens\/auth$/ });
      const mark = http.requestLog.length;
      const result = await runHatcher(['-u', `${http.url}/eds`, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'list']);
      expect(result.code).toBe(0);
      expect(requestsSince(http, mark)).toEqual(['POST /eds/api/v1/json/auth/tokens/auth basic 200', 'GET /api/v1/json/auth/tokens/api bearer 200']);
    });
  });

  describe('with an API token', () => {
    it('--token TOKEN lists the tokens (exchanged for a session first)', async () => {
      const token = http.createApiToken('alice', 'token-for-list');
      const mark = http.requestLog.length;
      const result = await runHatcher(['-u', http.url, '--token', token, 'api-tokens', 'list']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^token-for-list\s/m);
      expect(requestsSince(http, mark)).toEqual([
        'POST /api/v1/json/auth/tokens/auth bearer 200',
        'GET /api/v1/json/auth/tokens/api bearer 200',
      ]);
      // last_used is set by the exchange, so a second list shows it.
      const again = await runHatcher(['-u', http.url, '-t', token, 'api-tokens', 'list']);
      expect(again.stdout).toMatch(/^token-for-list\s+\S+\s+\d{4}-\d{2}-\d{2}T/m);
    });

    it('HATCHER_URL and HATCHER_TOKEN in the environment work', async () => {
      const token = http.createApiToken('alice', 'token-from-env');
      const result = await runHatcher(['api-tokens', 'create', 'made-by-env'], { HATCHER_URL: http.url, HATCHER_TOKEN: token });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(http.hasApiToken('alice', 'made-by-env')).toBe(true);
    });

    it('username and password take precedence over a token', async () => {
      const result = await runHatcher([...alice(http), '--token', 'garbage', 'api-tokens', 'list']);
      expect(result.code).toBe(0);
    });

    it('after revokeApiToken() the token fails with "Authentication failed"', async () => {
      const token = http.createApiToken('alice', 'revoked-by-server');
      expect((await runHatcher(['-u', http.url, '-t', token, 'api-tokens', 'list'])).code).toBe(0);
      http.revokeApiToken('alice', 'revoked-by-server');
      const result = await runHatcher(['-u', http.url, '-t', token, 'api-tokens', 'list']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe('Authentication failed');
    });

    it('after `api-tokens delete` the token fails with "Authentication failed"', async () => {
      const token = http.createApiToken('alice', 'deleted-by-hatcher');
      const deleted = await runHatcher([...alice(http), 'api-tokens', 'delete', '-y', 'deleted-by-hatcher']);
      expect(deleted.code).toBe(0);
      expect(http.isApiTokenValid(token)).toBe(false);
      const result = await runHatcher(['-u', http.url, '-t', token, 'api-tokens', 'list']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe('Authentication failed');
    });
  });

  describe('over HTTPS with a self-signed certificate', () => {
    it('fails on the certificate without --insecure', async () => {
      const before = https.requestLog.length;
      const result = await runHatcher([...alice(https), 'api-tokens', 'create', 'never']);
      expect(result.code).not.toBe(0);
      expect(output(result)).toContain('CERTIFICATE_VERIFY_FAILED');
      expect(output(result)).toContain('pass the `--insecure` flag');
      expect(https.hasApiToken('alice', 'never')).toBe(false);
      expect(https.requestLog.length).toBe(before); // the TLS handshake failed before any request
    });

    it('works with --insecure', async () => {
      const created = await runHatcher([...alice(https), '--insecure', 'api-tokens', 'create', 'over-tls']);
      expect(created.code).toBe(0);
      expect(https.hasApiToken('alice', 'over-tls')).toBe(true);
      const listed = await runHatcher([...alice(https), '-k', 'api-tokens', 'list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^over-tls\s/m);
    });

    it('HATCHER_INSECURE=1 works like --insecure', async () => {
      const result = await runHatcher([...alice(https), 'api-tokens', 'list'], { HATCHER_INSECURE: '1' });
      expect(result.code).toBe(0);
    });

    it('trusts the server through REQUESTS_CA_BUNDLE (how a custom CA reaches hatcher)', async () => {
      const result = await runHatcher([...alice(https), 'api-tokens', 'list'], { REQUESTS_CA_BUNDLE: caFile });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });

    it('--insecure is defeated by a REQUESTS_CA_BUNDLE without the server\'s CA (requests#3829)', async () => {
      // requests lets REQUESTS_CA_BUNDLE override Session.verify=False, so only hatcher's sign-in
      // (which passes verify= per call) skips the check; the API call then fails.
      const other = join(scratch, 'unrelated-ca.pem');
      writeFileSync(other, (await startEdsServerCa()) ?? '');
      const result = await runHatcher([...alice(https), '--insecure', 'api-tokens', 'list'], { REQUESTS_CA_BUNDLE: other });
      expect(result.code).not.toBe(0);
      expect(output(result)).toContain('CERTIFICATE_VERIFY_FAILED');
      expect(output(result)).toContain('/api/v1/json/auth/tokens/api');
    });
  });
});

/** The CA of a throwaway HTTPS server: a valid PEM that does not sign the server under test. */
async function startEdsServerCa(): Promise<string | undefined> {
  const server = await startEdsServer({ https: true });
  await server.close();
  return server.caPem;
}
