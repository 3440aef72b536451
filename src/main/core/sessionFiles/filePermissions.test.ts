import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { judgeFile, privateGroupIn, systemFileTrust } from './filePermissions';

const GROUPS = ['root:x:0:', 'users:x:100:alice,bob', 'alice:x:1000:', 'bob:x:1001:bob', 'shared:x:1002:alice', 'carol:x:1003:dave'].join('\n');

describe('privateGroupIn (/etc/group)', () => {
  it('is the user\'s own group: named after the user, no other member', () => {
    expect(privateGroupIn(GROUPS, 1000, 'alice')).toBe(true);
    expect(privateGroupIn(GROUPS, 1001, 'bob')).toBe(true); // the user listed as its own member
  });
  it('is not a group with other members, another name, or one the file does not list', () => {
    expect(privateGroupIn(GROUPS, 100, 'alice')).toBe(false);
    expect(privateGroupIn(GROUPS, 1002, 'alice')).toBe(false);
    expect(privateGroupIn(GROUPS, 1003, 'carol')).toBe(false);
    expect(privateGroupIn(GROUPS, 4242, 'alice')).toBe(false);
  });
});

describe('judgeFile', () => {
  const trust = (privateGroup: boolean) => ({ uid: 1000, isPrivateGroup: (gid: number) => Promise.resolve(privateGroup && gid === 1000) });
  it('trusts 0600 and 0644, and 0664 of the person in their private group', async () => {
    expect(await judgeFile(0o100600, 1000, 1000, trust(false))).toBe('trusted');
    expect(await judgeFile(0o100644, 1000, 100, trust(false))).toBe('trusted');
    expect(await judgeFile(0o100664, 1000, 1000, trust(true))).toBe('trusted');
  });
  it('group-writable otherwise: another group, or another owner in that group', async () => {
    expect(await judgeFile(0o100664, 1000, 100, trust(true))).toBe('group-can-write');
    expect(await judgeFile(0o100664, 1001, 1000, trust(true))).toBe('group-can-write');
    expect(await judgeFile(0o100620, 1000, 1000, trust(false))).toBe('group-can-write');
  });
  it('never trusts a file every user can write', async () => {
    expect(await judgeFile(0o100666, 1000, 1000, trust(true))).toBe('others-can-write');
    expect(await judgeFile(0o100602, 1000, 1000, trust(true))).toBe('others-can-write');
  });
});

describe('systemFileTrust', () => {
  it('is this process\'s uid, and its primary group is private when the group file says so', async () => {
    const me = userInfo();
    const dir = mkdtempSync(join(tmpdir(), 'keyport-groups-'));
    try {
      const privateFile = join(dir, 'group-private');
      writeFileSync(privateFile, `other:x:4242:\n${me.username}:x:${me.gid}:\n`);
      const sharedFile = join(dir, 'group-shared');
      writeFileSync(sharedFile, `staff:x:${me.gid}:${me.username},someone\n`);
      expect(systemFileTrust(privateFile).uid).toBe(process.getuid?.());
      expect(await systemFileTrust(privateFile).isPrivateGroup(me.gid)).toBe(true);
      expect(await systemFileTrust(privateFile).isPrivateGroup(4242)).toBe(false); // not the person's primary group
      expect(await systemFileTrust(sharedFile).isPrivateGroup(me.gid)).toBe(false);
      expect(await systemFileTrust(join(dir, 'missing')).isPrivateGroup(me.gid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
