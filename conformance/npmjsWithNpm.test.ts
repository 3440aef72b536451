// Conformance: the reference registry for registry.npmjs.org (test/servers/npmjs) behaves as the
// real npm CLI 11 expects: web login, granular token create (every flag) / list (paged) /
// revoke, authenticator and web-based one-time passwords, whoami, and publish allowed or refused
// by a token's permissions. What npm sends here is also the reference Keyport's request bodies
// are compared with (keyportWithNpmjs.test.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPMJS_OTP, startNpmjsServer, type NpmjsServer } from '../test/servers/npmjs/npmjsServer.ts';
import { createdTokenFrom, npmCli, type NpmCli } from './npmCli.ts';
import type { CommandResult } from './pythonEnv.ts';

let registry: NpmjsServer;
let npm: NpmCli;
let aliceConfig: string;
let carolConfig: string;

const reg = () => `--registry "${registry.url}/"`;
const alice = () => registry.users[0]!;
const carol = () => registry.users[1]!;
const authLine = (token: string) => `//${new URL(registry.url).host}/:_authToken=${token}`;

/** The test person: waits (bounded) for a URL the registry wants approved, then approves it. */
async function personApproves(as: string | undefined, decision: { deny?: boolean } = {}): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const url = registry.pendingUrls()[0];
    if (url !== undefined) {
      expect(await registry.person(url, { ...decision, ...(as === undefined ? {} : { approveAs: as }) })).toBe(true);
      return url;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('npm never started a web login or web OTP');
}

/** `npm login --auth-type=web` with the person approving as `username`; returns the config. */
async function webLogin(username: string, { afterFirstPoll = false } = {}): Promise<{ config: string; run: CommandResult; url: string }> {
  const config = npm.userconfig('');
  const pollsBefore = registry.requestLog.filter((e) => e.path === '/-/v1/done').length;
  const running = npm.bash(`npm login --auth-type=web --browser=false ${reg()}`, config);
  // The person takes a moment: npm polls doneUrl at least once before the answer is known.
  for (let i = 0; afterFirstPoll && i < 200 && registry.requestLog.filter((e) => e.path === '/-/v1/done' && e.status === 202).length <= pollsBefore; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = await personApproves(username);
  return { config, run: await running, url };
}

function lastBody(method: string, path: string): unknown {
  const entry = [...registry.requestLog].reverse().find((e) => e.method === method && e.path === path);
  return entry?.body;
}

const publish = (config: string, name: string): Promise<CommandResult> => npm.publish(name, config, reg());

const createdToken = (run: CommandResult) => createdTokenFrom(run.stdout);

beforeAll(async () => {
  registry = await startNpmjsServer();
  npm = npmCli();
  aliceConfig = (await webLogin(alice().username)).config;
  carolConfig = (await webLogin(carol().username)).config;
});

afterAll(async () => {
  await registry?.close();
  npm?.dispose();
});

describe('the real npm CLI 11 against the reference registry for registry.npmjs.org', () => {
  it('`npm login --auth-type=web` prints the loginUrl, polls doneUrl, and saves the session token', async () => {
    const { config, run, url } = await webLogin(alice().username, { afterFirstPoll: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(url);
    expect(readFileSync(config, 'utf8')).toMatch(new RegExp(`^//127\\.0\\.0\\.1:\\d+/:_authToken=npm_\\w{36}$`, 'm'));
    // npm polled doneUrl while the person had not answered (202 + retry-after) before the 200.
    const polls = registry.requestLog.filter((e) => e.path === '/-/v1/done');
    expect(polls.some((e) => e.status === 202)).toBe(true);
    const who = await npm.bash(`npm whoami ${reg()}`, config);
    expect(who.stdout.trim()).toBe('alice');
  });

  it('a denied web login fails npm login and saves nothing', async () => {
    const config = npm.userconfig('');
    const running = npm.bash(`npm login --auth-type=web --browser=false ${reg()}`, config);
    await personApproves(undefined, { deny: true });
    const run = await running;
    expect(run.code).not.toBe(0);
    expect(readFileSync(config, 'utf8')).not.toContain('_authToken');
  });

  it('`npm token create` with every granular flag sends these fields, and the token works as they say', async () => {
    const run = await npm.bash(
      `npm token create ${reg()} --name ci-publish --token-description "publishes from CI" --expires 30 --packages alice-pkg --packages @alice/tools --scopes @alice --orgs alice-org --packages-and-scopes-permission read-write --orgs-permission read-only --cidr 127.0.0.1/32 --bypass-2fa --password "${alice().password}"`,
      aliceConfig,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(lastBody('POST', '/-/npm/v1/tokens')).toEqual({
      name: 'ci-publish',
      password: '<password>',
      description: 'publishes from CI',
      packages: ['alice-pkg', '@alice/tools'],
      scopes: ['@alice'],
      orgs: ['alice-org'],
      packages_and_scopes_permission: 'read-write',
      orgs_permission: 'read-only',
      expires: 30,
      cidr_whitelist: ['127.0.0.1/32'],
      bypass_2fa: true,
    });
    const config = npm.userconfig(authLine(createdToken(run)));
    const who = await npm.bash(`npm whoami ${reg()}`, config);
    expect(who.stdout.trim(), who.stderr).toBe('alice');
    const allowed = await publish(config, 'alice-pkg');
    expect(allowed.code, allowed.stderr).toBe(0);
    const forbidden = await publish(config, 'someone-elses-pkg');
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toMatch(/403|permission/i);
  });

  it('a read-only token for all packages (npm sends packages_all) can whoami but not publish', async () => {
    const run = await npm.bash(`npm token create ${reg()} --name reader --packages-all --packages-and-scopes-permission read-only --password "${alice().password}"`, aliceConfig);
    expect(run.code, run.stderr).toBe(0);
    expect(lastBody('POST', '/-/npm/v1/tokens')).toEqual({ name: 'reader', password: '<password>', packages_all: true, packages_and_scopes_permission: 'read-only' });
    const config = npm.userconfig(authLine(createdToken(run)));
    expect((await npm.bash(`npm whoami ${reg()}`, config)).stdout.trim()).toBe('alice');
    const refused = await publish(config, 'alice-pkg');
    expect(refused.code).not.toBe(0);
  });

  it('the registry refuses an expiry beyond its maximum, and npm shows why', async () => {
    const run = await npm.bash(`npm token create ${reg()} --name too-long --packages-all --packages-and-scopes-permission read-write --expires 400 --password "${alice().password}"`, aliceConfig);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/cannot exceed 90 days/);
  });

  it('`npm token list --json` follows urls.next through every page', async () => {
    const before = registry.tokens('alice').length;
    registry.seedTokens('alice', 230);
    const run = await npm.bash(`npm token list ${reg()} --json`, aliceConfig);
    expect(run.code, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as Array<{ key: string; name: string; expires: string }>;
    expect(listed).toHaveLength(before + 230);
    expect(registry.requestLog.filter((e) => e.path === '/-/npm/v1/tokens' && e.method === 'GET' && e.query.startsWith('page=')).length).toBeGreaterThanOrEqual(2);
    expect(new Set(listed.map((t) => t.key)).size).toBe(listed.length);
  });

  it('`npm token revoke` deletes by key; the token stops working', async () => {
    const made = await npm.bash(`npm token create ${reg()} --name doomed --packages-all --password "${alice().password}"`, aliceConfig);
    const token = createdToken(made);
    const record = registry.tokens('alice').find((t) => t.name === 'doomed')!;
    const run = await npm.bash(`npm token revoke ${reg()} ${record.key}`, aliceConfig);
    expect(run.code, run.stderr).toBe(0);
    expect(registry.requestLog.at(-1)).toMatchObject({ method: 'DELETE', path: `/-/npm/v1/tokens/token/${record.key}`, status: 204 });
    const who = await npm.bash(`npm whoami ${reg()}`, npm.userconfig(authLine(token)));
    expect(who.code).not.toBe(0);
  });

  it('two-factor: `--otp` travels in npm-otp; without it, npm stops at the registry’s OTP challenge', async () => {
    const withCode = await npm.bash(`npm token create ${reg()} --name with-otp --packages-all --otp ${NPMJS_OTP} --password "${carol().password}" --json`, carolConfig);
    expect(withCode.code, withCode.stderr).toBe(0);
    expect(withCode.stdout).toContain('"token": "npm_***"');
    expect(registry.requestLog.filter((e) => e.method === 'POST' && e.path === '/-/npm/v1/tokens').at(-1)).toMatchObject({ otp: true, status: 200 });
    const without = await npm.bash(`npm token create ${reg()} --name without-otp --packages-all --password "${carol().password}"`, carolConfig);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/EOTP|one-time password/i);
    const wrong = await npm.bash(`npm token create ${reg()} --name wrong-otp --packages-all --otp 000000 --password "${carol().password}"`, carolConfig);
    expect(wrong.code).not.toBe(0);
    expect(registry.tokens('carol').map((t) => t.name)).toEqual(['with-otp']);
  });

  it('web-based OTP: npm prints authUrl, polls doneUrl, and repeats the request with the code it got', async () => {
    registry.setOtpMode('web');
    try {
      const record = registry.tokens('carol')[0]!;
      const running = npm.bashOnTerminal(`npm token revoke --browser=false ${reg()} ${record.key}`, carolConfig, { timeoutMs: 60_000 });
      const authUrl = await personApproves(undefined);
      const run = await running;
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain(authUrl);
      const deletes = registry.requestLog.filter((e) => e.method === 'DELETE' && e.path.endsWith(record.key));
      expect(deletes.map((e) => [e.status, e.otp])).toEqual([
        [401, false],
        [204, true],
      ]);
    } finally {
      registry.setOtpMode('code');
    }
  });
});
