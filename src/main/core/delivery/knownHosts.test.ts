import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintOf, hashedKnownHostLine, judgeHostKey, keyTypeOf } from './knownHosts';

const dir = mkdtempSync(join(tmpdir(), 'keyport-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh ed25519 public key from ssh-keygen: its line and its blob. */
function newKey(name: string): { line: string; blob: Buffer; fingerprint: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const fingerprint = /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }))?.[0] ?? '';
  return { line, blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), fingerprint };
}

describe('known_hosts', () => {
  const a = newKey('a');
  const b = newKey('b');

  it('computes the SHA256 fingerprint and key type as ssh-keygen does', () => {
    expect(fingerprintOf(a.blob)).toBe(a.fingerprint);
    expect(keyTypeOf(a.blob)).toBe('ssh-ed25519');
  });

  it('matches plain, [host]:port, comma lists, wildcards and negations', () => {
    expect(judgeHostKey(`example.org ${a.line}\n`, 'example.org', 22, a.blob)).toEqual({ state: 'known' });
    expect(judgeHostKey(`example.org ${a.line}\n`, 'example.org', 2222, a.blob)).toEqual({ state: 'unknown' });
    expect(judgeHostKey(`[example.org]:2222,other ${a.line}\n`, 'example.org', 2222, a.blob)).toEqual({ state: 'known' });
    expect(judgeHostKey(`*.example.org,!bad.example.org ${a.line}\n`, 'good.example.org', 22, a.blob)).toEqual({ state: 'known' });
    expect(judgeHostKey(`*.example.org,!bad.example.org ${a.line}\n`, 'bad.example.org', 22, a.blob)).toEqual({ state: 'unknown' });
    expect(judgeHostKey(`# comment\n\nexample.org ${a.line}\n`, 'example.org', 22, b.blob)).toEqual({ state: 'changed', knownTypes: ['ssh-ed25519'] });
    expect(judgeHostKey(`@revoked example.org ${a.line}\nexample.org ${a.line}\n`, 'example.org', 22, a.blob)).toEqual({ state: 'revoked' });
  });

  it('reads entries hashed by `ssh-keygen -H`, and the lines Keyport writes are read back by ssh-keygen -F', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `[127.0.0.1]:2222 ${a.line}\nexample.org ${b.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8');
    expect(hashed).not.toContain('example.org');
    expect(judgeHostKey(hashed, '127.0.0.1', 2222, a.blob)).toEqual({ state: 'known' });
    expect(judgeHostKey(hashed, 'example.org', 22, b.blob)).toEqual({ state: 'known' });
    expect(judgeHostKey(hashed, 'example.org', 22, a.blob).state).toBe('changed');

    writeFileSync(file, `${hashedKnownHostLine('10.1.2.3', 2200, b.blob)}\n`);
    expect(execFileSync('ssh-keygen', ['-F', '[10.1.2.3]:2200', '-f', file], { encoding: 'utf8' })).toContain('ssh-ed25519');
  });
});
