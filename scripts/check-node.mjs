// The first step of `npm start` and `npm test`: on a Node.js older than the toolchain needs
// (Electron 45, electron-store 12, conf 16 and vitest 5 declare >= 22.12), one line that says
// so, instead of a page of engine warnings and a stack trace later. Plain syntax on purpose, so
// that old Node versions can parse it.
import { pathToFileURL } from 'node:url';

export const MINIMUM_NODE = [22, 12];

/** null when `version` (e.g. "22.12.0") is new enough, else the one line to print. */
export function nodeVersionProblem(version) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  const major = parts[0] || 0;
  const minor = parts[1] || 0;
  const [wantMajor, wantMinor] = MINIMUM_NODE;
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return null;
  return `Keyport needs Node.js ${wantMajor}.${wantMinor} or newer; this is Node.js ${version}. Install a newer Node (\`nvm install\` reads .nvmrc) and run the command again.`;
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
