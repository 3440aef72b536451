// The SSH side of delivery: Keyport's code on ssh2 and ssh-config. Only sshLoader.ts imports
// it (with import()), so the libraries stay out of start-up.
export { remotePath, withdrawRemoteFile, writeRemoteFile } from './remoteFile';
export { resolveEndpoint } from './sshEndpoint';
export { HostKeyUnknownError, openSshSession } from './sshSession';
