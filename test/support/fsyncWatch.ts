import fs from 'node:fs';
import { vi } from 'vitest';

/** Which paths were fsync'd (callback API, as write-file-atomic's async write uses): fds are
 * mapped back to the path they were opened on. Spies on the `fs` module object, which
 * write-file-atomic reads at each call. Undo with vi.restoreAllMocks(). */
export function watchFsyncs(): string[] {
  const opened = new Map<number, string>();
  const synced: string[] = [];
  const realOpen = fs.open.bind(fs) as (...args: unknown[]) => void;
  vi.spyOn(fs, 'open').mockImplementation(((path: string, ...rest: unknown[]) => {
    const callback = rest.pop() as (error: Error | null, fd: number) => void;
    realOpen(path, ...rest, (error: Error | null, fd: number) => {
      if (!error) opened.set(fd, String(path));
      callback(error, fd);
    });
  }) as typeof fs.open);
  const realFsync = fs.fsync.bind(fs);
  vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: Error | null) => void) => {
    synced.push(opened.get(fd) ?? `fd ${fd}`);
    realFsync(fd, callback);
  }) as typeof fs.fsync);
  return synced;
}

/** The same for the synchronous API. */
export function watchFsyncsSync(): string[] {
  const opened = new Map<number, string>();
  const synced: string[] = [];
  const realOpenSync = fs.openSync.bind(fs);
  vi.spyOn(fs, 'openSync').mockImplementation(((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    const fd = realOpenSync(path, flags ?? 'r', mode);
    opened.set(fd, String(path));
    return fd;
  }) as typeof fs.openSync);
  const realFsyncSync = fs.fsyncSync.bind(fs);
  vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
    synced.push(opened.get(fd) ?? `fd ${fd}`);
    realFsyncSync(fd);
  });
  return synced;
}
