import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seededRandom';
import { listenForRedirect } from './loopbackRedirect';

const PATH = '/auth/oidc';

async function open(state = 'expected-state', timeoutMs = 5000, signal?: AbortSignal) {
  return listenForRedirect({ path: PATH, expectedState: state, timeoutMs, signal });
}

/** True when nothing accepts connections on the port any more. */
async function portClosed(redirectUri: string): Promise<boolean> {
  try {
    await fetch(new URL('/', redirectUri), { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

describe('listenForRedirect', () => {
  it('listens on 127.0.0.1 with an ephemeral port, answers the browser once, and closes', async () => {
    const listener = await open();
    expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/oidc$/);
    const answer = await fetch(`${listener.redirectUri}?code=abc&state=expected-state`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await answer.text()).toContain('You can close this tab and return to Keyport.');
    const callback = await listener.callback;
    expect(callback.searchParams.get('code')).toBe('abc');
    expect(listener.closed).toBe(true);
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('a port someone else holds is never a problem: each listener gets its own', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const [a, b] = await Promise.all([open(), open()]);
    expect(new URL(a.redirectUri).port).not.toBe(new URL(b.redirectUri).port);
    a.close();
    b.close();
    squatter.close();
  });

  it('refuses a tampered state, says so in the page, and keeps waiting for the real answer (another page cannot end the sign-in)', async () => {
    const listener = await open();
    const answer = await fetch(`${listener.redirectUri}?code=abc&state=someone-elses`);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('does not belong to the sign-in Keyport started');
    expect((await fetch(`${listener.redirectUri}?error=access_denied&state=someone-elses`)).status).toBe(400);
    expect(listener.closed).toBe(false);
    await fetch(`${listener.redirectUri}?code=real&state=expected-state`);
    expect((await listener.callback).searchParams.get('code')).toBe('real');
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('a denial in the browser is CANCELLED; another OAuth error is AUTH_FAILED naming only the code', async () => {
    const denied = await open();
    await fetch(`${denied.redirectUri}?error=access_denied&state=expected-state`);
    await expect(denied.callback).rejects.toMatchObject({ code: 'CANCELLED' });
    const failed = await open();
    await fetch(`${failed.redirectUri}?error=server_error&error_description=${encodeURIComponent('<script>x</script>')}&state=expected-state`);
    const error = (await failed.callback.catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'AUTH_FAILED' });
    expect(error.message).toContain('server_error');
    expect(error.message).not.toContain('script');
  });

  it('an answer without a code is refused, and a replayed callback finds the listener gone', async () => {
    const noCode = await open();
    await fetch(`${noCode.redirectUri}?state=expected-state`);
    await expect(noCode.callback).rejects.toMatchObject({ code: 'AUTH_FAILED', message: 'The sign-in server came back without a login code.' });
    const once = await open();
    await fetch(`${once.redirectUri}?code=abc&state=expected-state`);
    await once.callback;
    await expect(fetch(`${once.redirectUri}?code=abc&state=expected-state`)).rejects.toThrow();
  });

  it('answers other paths with 404 and keeps waiting', async () => {
    const listener = await open();
    expect((await fetch(new URL('/favicon.ico', listener.redirectUri))).status).toBe(404);
    expect(listener.closed).toBe(false);
    listener.close();
    await expect(listener.callback).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('times out and closes', async () => {
    const listener = await open('s', 150);
    await expect(listener.callback).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await portClosed(listener.redirectUri)).toBe(true);
  });

  it('is cancelled by its signal', async () => {
    const abort = new AbortController();
    const listener = await open('s', 5000, abort.signal);
    abort.abort();
    await expect(listener.callback).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(listener.closed).toBe(true);
  });
});

/** Sends raw bytes to the listener and reads what comes back until the socket closes or the
 * time is up (so a request the server waits on cannot hang the test). */
function rawExchange(port: number, bytes: Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', done);
    socket.on('close', done);
    socket.end(bytes);
  });
}

/** 1,000 odd requests: request targets no browser sends, broken percent-encoding, control and
 * non-ASCII bytes, wrong or missing Host, absolute and authority forms, odd methods and
 * versions, huge paths. None of them carries the right state with the right Host. */
function oddRequests(port: number, count: number): Buffer[] {
  const random = seededRandom(22_9);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const targets = [
    '//', '///', '//evil.example/x', '/\\', '\\', '*', 'http://evil.example/', 'https://127.0.0.1/', `//127.0.0.1:${port}/auth/oidc`, '', ' ', '/%', '/%zz', '/%00',
    '/auth/oidc?state=%', '/auth/oidc?state=%E0%A4%A', '/auth/oidc?code=x&state=wrong', '/auth/oidc?error=%ff', '/auth/oidc#frag', '/auth/oidc/../../etc/passwd',
    `/${'a'.repeat(9000)}`, `/auth/oidc?${'x='.repeat(4000)}`, '/\u0000', '/\u001b[2J', '/\u00ff\u00fe', '/\ud83d\ude00', 'auth/oidc', '/auth/oidc?state=expected-state\u0000',
  ];
  const methods = ['GET', 'POST', 'HEAD', 'OPTIONS', 'CONNECT', 'PRI', 'G\u0000T', 'get', 'X'.repeat(100), ''];
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1\u0000', 'FOO', ''];
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, '', `127.0.0.1:${port}\u0000`, null];
  const requests: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const randomBytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
    if (i % 10 === 9) {
      requests.push(randomBytes);
      continue;
    }
    const host = pick(hosts);
    const line = `${pick(methods)} ${pick(targets)}${i % 7 === 3 ? randomBytes.toString('latin1') : ''} ${pick(versions)}`;
    requests.push(Buffer.from(`${line}\r\n${host === null ? '' : `Host: ${host}\r\n`}\r\n`, 'latin1'));
  }
  return requests;
}

describe('listenForRedirect against hostile requests', () => {
  it('answers `GET //` with 400 instead of throwing, and keeps waiting', async () => {
    const listener = await open();
    const { port } = new URL(listener.redirectUri);
    const answer = await rawExchange(Number(port), Buffer.from(`GET // HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(listener.closed).toBe(false);
    listener.close();
  });

  it('refuses a request whose Host is not 127.0.0.1:<port>, even with the right state, and keeps waiting', async () => {
    const listener = await open();
    const { port } = new URL(listener.redirectUri);
    for (const host of [`localhost:${port}`, 'attacker.example', `127.0.0.1:${Number(port) + 1}`, `127.0.0.1`]) {
      const answer = await rawExchange(Number(port), Buffer.from(`GET ${PATH}?code=abc&state=expected-state HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
      expect(answer, host).toMatch(/^HTTP\/1\.1 400 /);
    }
    const noHost = await rawExchange(Number(port), Buffer.from(`GET ${PATH}?code=abc&state=expected-state HTTP/1.0\r\n\r\n`));
    expect(noHost).toMatch(/^HTTP\/1\.[01] 400 /);
    expect(listener.closed).toBe(false);
    listener.close();
  });

  it('survives 1,000 odd request lines over raw sockets (every answer a 4xx or a closed socket), then completes a proper redirect', { timeout: 60_000 }, async () => {
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const listener = await open('expected-state', 60_000);
      const port = Number(new URL(listener.redirectUri).port);
      const requests = oddRequests(port, 1000);
      const answers: string[] = [];
      // 20 sockets at a time: bounded, and quick on a loaded machine.
      for (let i = 0; i < requests.length; i += 20) {
        answers.push(...(await Promise.all(requests.slice(i, i + 20).map((r) => rawExchange(port, r)))));
      }
      expect(answers).toHaveLength(1000);
      for (const [i, answer] of answers.entries()) {
        if (answer !== '') expect(answer.slice(0, 12), `request ${i}`).toMatch(/^HTTP\/1\.[01] 4\d\d$/);
      }
      // Most of them were read and refused; none was taken for the redirect.
      expect(answers.filter((a) => /^HTTP\/1\.[01] 400/.test(a)).length).toBeGreaterThan(500);
      expect(listener.closed).toBe(false);
      const ok = await fetch(`${listener.redirectUri}?code=abc&state=expected-state`);
      expect(ok.status).toBe(200);
      expect((await listener.callback).searchParams.get('code')).toBe('abc');
      expect(thrown).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
