import { chmod, copyFile, lstat, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { ServerView, SessionFileExport, SessionFileLocation } from '../../../shared/model';
import type { AuditLog } from '../audit/auditLog';
import { KeyportError } from '../errors';
import { writeFileDurably } from '../files/durableWrite';
import type { ImportedSession, Provider, SessionFileFormat } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import { sameOptions, type ServerRegistry } from '../servers/serverRegistry';
import type { SessionService } from '../sessions/sessionService';
import type { Vault } from '../vault/vault';
import { judgeFile, systemFileTrust, type FileTrust } from './filePermissions';

/** Session files are small; anything larger is not one. */
const MAX_SESSION_FILE_BYTES = 1024 * 1024;

export interface SessionFileDeps {
  vault: Vault;
  /** Imports and written exports go to the activity log, with the file's path. */
  audit: AuditLog;
  providers: ProviderRegistry;
  sessions: SessionService;
  servers: ServerRegistry;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  now(): Date;
  /** Who may change a session file besides the person; default: this process and /etc/group. */
  trust?: FileTrust;
}

/** Imports and exports the session files of the CLIs Keyport replaces (Tapis: ~/.agave/current).
 * The provider parses and renders; this service owns the disk: where the file is, reading it
 * with a size limit, backing up before overwriting, and writing durably (atomic, fsync'd) with
 * mode 0600. */
export class SessionFileService {
  private readonly deps: SessionFileDeps;

  private readonly trust: FileTrust;

  constructor(deps: SessionFileDeps) {
    this.deps = deps;
    this.trust = deps.trust ?? systemFileTrust();
  }

  private read(path: string): Promise<string | null> {
    return readSessionFile(path, this.trust);
  }

  async locate(kind: string): Promise<SessionFileLocation> {
    const { format } = this.format(kind);
    const path = format.defaultPath(this.deps.env, this.deps.home);
    return { path, exists: await isFile(path) };
  }

  /** Reads the file and signs in to the server it names, adding that server if Keyport does not
   * have it yet. Nothing changes unless the whole file is understood. */
  async import(kind: string, requestedPath: string | undefined): Promise<ServerView> {
    const { provider, format } = this.format(kind);
    const path = this.resolvePath(requestedPath) ?? format.defaultPath(this.deps.env, this.deps.home);
    const text = await this.read(path);
    if (text === null) {
      throw new KeyportError('FILE_ERROR', `There is no session file at ${path}.`, {
        hint: `Sign in with ${provider.descriptor.sessionFile?.consumer ?? 'the command line'} first, or choose the file’s path.`,
        field: 'path',
      });
    }
    const sessions = await format.parse(text, (name) => this.read(join(dirname(path), basename(name))));
    if (sessions.length === 0) {
      throw new KeyportError('FILE_ERROR', `${path} holds no sign-in that Keyport can use.`, { hint: 'Sign in with the command line first, or choose another file.', field: 'path' });
    }
    const { servers, vault } = this.deps;
    let last: string | null = null;
    for (const imported of sessions) {
      const same = format.sameServer ?? ((s: { url: string; options: Record<string, string> }, i: ImportedSession['server']) => s.url === i.url && sameOptions(s.options, i.options));
      const existing = vault.servers().find((s) => s.kind === kind && same(s, imported.server));
      const serverId = existing?.id ?? (await this.addImportedServer(kind, imported, path));
      await this.deps.sessions.adopt(serverId, imported);
      last = serverId;
    }
    const view = servers.view(vault.server(last ?? ''));
    this.deps.audit.record(view, 'session.imported', null, requestedPath ?? path);
    return view;
  }

  /** Writes the server's live session to the CLI's file. An existing file is never replaced
   * without `overwrite`, and is copied to a backup beside it first. */
  async export(serverId: string, requestedPath: string | undefined, overwrite: boolean): Promise<SessionFileExport> {
    const server = this.deps.vault.server(serverId);
    const { format } = this.format(server.kind);
    const path = this.resolvePath(requestedPath) ?? format.defaultPath(this.deps.env, this.deps.home);
    const existing = await this.read(path);
    if (existing !== null && !overwrite) return { state: 'exists', path };
    const material = await this.deps.sessions.material(serverId);
    const { text, warnings } = format.render(server, material, existing);
    // Every file is read and rendered before any is written: a companion Keyport may not trust
    // stops the export with nothing changed.
    const companions: Array<{ path: string; existing: string | null; text: string }> = [];
    for (const companion of format.companions ?? []) {
      const companionPath = join(dirname(path), basename(companion.name));
      const companionExisting = await this.read(companionPath);
      const rendered = companion.render(server, material, companionExisting);
      if (rendered === null) continue;
      warnings.push(...rendered.warnings);
      companions.push({ path: companionPath, existing: companionExisting, text: rendered.text });
    }
    let backupPath: string | null = null;
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      if (existing !== null) {
        backupPath = this.backupPath(path);
        await copyFile(path, backupPath);
      }
      await writeFileDurably(path, text);
    } catch (error) {
      throw unwritable(path, error);
    }
    for (const companion of companions) {
      try {
        if (companion.existing !== null) await copyFile(companion.path, this.backupPath(companion.path));
        await writeFileDurably(companion.path, companion.text);
      } catch (error) {
        throw unwritable(companion.path, error);
      }
    }
    this.deps.audit.record(server, 'session.exported', null, path);
    return { state: 'written', path, backupPath, warnings };
  }

  /** Makes the kind's session file at `path` and its companion files private (mode 0600), for
   * files that only their group besides the person could change: each must be a real file owned
   * by the person and not writable by every user (those stay refused). Missing files are skipped. */
  async makePrivate(kind: string, requestedPath: string | undefined): Promise<void> {
    const { format } = this.format(kind);
    const path = this.resolvePath(requestedPath) ?? format.defaultPath(this.deps.env, this.deps.home);
    for (const file of [path, ...(format.companions ?? []).map((c) => join(dirname(path), basename(c.name)))]) {
      let info;
      try {
        info = await lstat(file);
      } catch {
        continue;
      }
      const mine = this.trust.uid === undefined || info.uid === this.trust.uid;
      if (!info.isFile() || !mine || (info.mode & 0o002) !== 0) {
        throw new KeyportError('FILE_ERROR', `Keyport will not change the permissions of ${file}.`, {
          hint: 'Only a file of yours that not every user can change is made private here; check it, then use chmod 600 yourself.',
          field: 'path',
        });
      }
      try {
        await chmod(file, 0o600);
      } catch (error) {
        throw unwritable(file, error);
      }
    }
  }

  /** Removes this server's entry from the CLI's file (formats holding several servers), backing
   * the file up first. A missing file or entry is not an error. */
  async removeEntry(serverId: string): Promise<void> {
    const server = this.deps.vault.server(serverId);
    const { format } = this.format(server.kind);
    if (!format.remove) return;
    const path = format.defaultPath(this.deps.env, this.deps.home);
    const existing = await this.read(path);
    if (existing === null) return;
    const next = format.remove(server, existing);
    if (next === null || next === existing) return;
    try {
      await copyFile(path, this.backupPath(path));
      await writeFileDurably(path, next);
    } catch (error) {
      throw unwritable(path, error);
    }
  }

  /** Adds the server a session file names. What the file says (its URL, tenant, CA path) was
   * written by another program, so a refusal is about the file, not about a form field the
   * person filled in: it is reported on the path, naming the file. */
  private async addImportedServer(kind: string, imported: ImportedSession, path: string): Promise<string> {
    try {
      const added = await this.deps.servers.add({
        name: this.freeName(imported.server.suggestedName),
        kind,
        url: imported.server.url,
        allowInsecureTls: false,
        caCertificatePath: imported.server.caCertificatePath ?? null,
        options: imported.server.options,
      });
      return added.id;
    } catch (error) {
      // A field error (URL, tenant, CA certificate path) is the file's; others (storage) are not.
      if (!(error instanceof KeyportError) || !error.field) throw error;
      throw new KeyportError('FILE_ERROR', `${path} names a server Keyport cannot add. ${error.message}`, {
        hint: 'Fix the file with the command line that wrote it, or add the server by hand and sign in.',
        field: 'path',
      });
    }
  }

  private backupPath(path: string): string {
    return `${path}.keyport-backup-${this.deps.now().toISOString().replace(/[:.]/g, '-')}`;
  }

  private format(kind: string): { provider: Provider; format: SessionFileFormat } {
    const provider = this.deps.providers.get(kind);
    if (!provider.sessionFile) {
      throw new KeyportError('UNSUPPORTED', `${provider.descriptor.label} servers have no session file to import or export.`, {
        hint: 'Sign in to the server in Keyport instead, and copy its token in the format your tool expects.',
      });
    }
    return { provider, format: provider.sessionFile };
  }

  private resolvePath(path: string | undefined): string | undefined {
    if (path === undefined) return undefined;
    const expanded = path.startsWith('~/') ? join(this.deps.home, path.slice(2)) : path;
    if (!isAbsolute(expanded)) throw new KeyportError('VALIDATION', 'Use a full path, such as ~/.agave/current.', { field: 'path' });
    return expanded;
  }

  private freeName(suggested: string): string {
    const taken = new Set(this.deps.vault.servers().map((s) => s.name.toLocaleLowerCase()));
    const base = suggested.slice(0, 90);
    if (!taken.has(base.toLocaleLowerCase())) return base;
    for (let i = 2; i < 1000; i++) if (!taken.has(`${base} (${i})`.toLocaleLowerCase())) return `${base} (${i})`;
    return `${base} (${Date.now()})`;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file's text, or null when there is none. Errors name the path, never the content. */
async function readSessionFile(path: string, trust: FileTrust): Promise<string | null> {
  let size: number;
  try {
    // lstat: a session file that is a symbolic link may point anywhere (another user's file, a
    // device); Keyport reads and replaces only real files.
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      throw new KeyportError('FILE_ERROR', `${path} is a symbolic link; Keyport reads and writes session files only directly.`, {
        hint: 'Choose the file the link points to, or replace the link with the file.',
        field: 'path',
      });
    }
    if (!info.isFile()) {
      throw new KeyportError('FILE_ERROR', `${path} is not a file${info.isDirectory() ? ' but a folder' : ''}.`, {
        hint: info.isDirectory() ? 'Choose the session file inside it, such as ~/.agave/current.' : 'Choose the session file itself.',
        field: 'path',
      });
    }
    // Writable by other users: someone else could have put their session there. Group-writable
    // is fine when the group is the person's own private group (umask 002 desktops).
    const verdict = await judgeFile(info.mode, info.uid, info.gid, trust);
    if (verdict === 'others-can-write') {
      throw new KeyportError('FILE_ERROR', `${path} can be changed by any user of this computer, so Keyport does not trust it.`, {
        hint: `Check what it holds, make it yours alone (chmod 600 ${path}), then try again.`,
        field: 'path',
      });
    }
    if (verdict === 'group-can-write') {
      // field 'fileMode': the dialogs offer "Make it private" (sessionFiles.makePrivate).
      throw new KeyportError('FILE_ERROR', `${path} can be changed by other members of its group, so Keyport does not trust it as it is.`, {
        hint: 'Make it private (mode 600, only you can read or change it), then try again.',
        field: 'fileMode',
      });
    }
    size = info.size;
  } catch (error) {
    if (error instanceof KeyportError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(path, error);
  }
  if (size > MAX_SESSION_FILE_BYTES) {
    throw new KeyportError('FILE_ERROR', `${path} is too large to be a session file.`, { hint: 'Check that you chose the right file.', field: 'path' });
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
}

const unwritable = (path: string, error: unknown) =>
  error instanceof KeyportError
    ? error
    : new KeyportError('FILE_ERROR', `Keyport could not write ${path}.`, {
        hint: `${(error as NodeJS.ErrnoException).code ?? 'The disk refused it'}: check that the folder exists and is yours to write.`,
        field: 'path',
      });

/** What a person can do about each way reading fails. */
const READ_HINTS: Record<string, string> = {
  EACCES: 'You may not read it: check the file’s owner and permissions (it should be yours, mode 600).',
  EPERM: 'The system refused access: check the file’s permissions and any security software.',
  ENOTDIR: 'A part of the path is a file, not a folder: check the path.',
  ELOOP: 'The path has too many symbolic links: choose the file itself.',
  ENAMETOOLONG: 'The path is too long: choose the file in a shorter folder.',
  EISDIR: 'That is a folder: choose the session file inside it.',
  EIO: 'The disk reported an error: check the drive, then try again.',
};

const unreadable = (path: string, error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return new KeyportError('FILE_ERROR', `Keyport could not read ${path}${code ? ` (${code})` : ''}.`, {
    hint: (code && READ_HINTS[code]) ?? 'Check that the file exists and that you may read it.',
    field: 'path',
  });
};
