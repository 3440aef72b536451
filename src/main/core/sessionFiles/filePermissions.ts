import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';

/** Who the person running Keyport is, for judging who else can change a session file. */
export interface FileTrust {
  /** The person's user id (undefined on Windows, where modes say nothing). */
  uid: number | undefined;
  /** Whether the group is the person's own private group: on desktops with user-private groups
   * (umask 002: Ubuntu, Fedora), agavepy and anaconda-auth write their files 0664 with that group,
   * and nobody else is in it. */
  isPrivateGroup(gid: number): Promise<boolean>;
}

/** What the mode bits allow, for a file owned by `fileUid` in group `fileGid`. */
export type FileTrustVerdict = 'trusted' | 'others-can-write' | 'group-can-write';

export async function judgeFile(mode: number, fileUid: number, fileGid: number, trust: FileTrust): Promise<FileTrustVerdict> {
  if (trust.uid === undefined) return 'trusted';
  // Anyone at all can write it: no group rule makes that safe, and making it private now would
  // not undo what someone may already have put there.
  if ((mode & 0o002) !== 0) return 'others-can-write';
  if ((mode & 0o020) === 0) return 'trusted';
  if (fileUid === trust.uid && (await trust.isPrivateGroup(fileGid))) return 'trusted';
  return 'group-can-write';
}

/** The system's trust facts: the process's uid, and /etc/group read for private groups (a group
 * named after the user, that is the user's primary group, with no other members). A group the
 * file does not describe (LDAP, sssd) is not private: the person can still make the file 0600. */
export function systemFileTrust(groupFile = '/etc/group'): FileTrust {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return { uid: undefined, isPrivateGroup: () => Promise.resolve(false) };
  const me = userInfo();
  return {
    uid: process.getuid(),
    async isPrivateGroup(gid) {
      if (gid !== me.gid) return false;
      let text: string;
      try {
        text = await readFile(groupFile, 'utf8');
      } catch {
        return false;
      }
      return privateGroupIn(text, gid, me.username);
    },
  };
}

/** Whether /etc/group's text names `gid` as `username`'s own group: same name, no member but
 * the user. */
export function privateGroupIn(groupFile: string, gid: number, username: string): boolean {
  for (const line of groupFile.split('\n')) {
    const [name, , id, members = ''] = line.trim().split(':');
    if (id === undefined || Number(id) !== gid || !/^\d+$/.test(id)) continue;
    const others = members
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '' && m !== username);
    return name === username && others.length === 0;
  }
  return false;
}
