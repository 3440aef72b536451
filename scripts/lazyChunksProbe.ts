// Built by scripts/lazyLibraries.test.ts as electron-vite builds main, then run by plain Node:
// loads the core's entry modules, then the two lazy parts, and prints whether ssh2 (CommonJS,
// so visible in require.cache) was loaded before and after.
import { createRequire } from 'node:module';
import { createCore } from '../src/main/core/createCore';
import { loadSshTransport } from '../src/main/core/delivery/sshLoader';
import { loadOidcClient } from '../src/main/core/oauth/oidcLoader';

const cache = createRequire(import.meta.url).cache;
const ssh2Loaded = () => Object.keys(cache).some((path) => path.includes('/node_modules/ssh2/'));
const before = ssh2Loaded();
const ssh = await loadSshTransport();
const oidc = await loadOidcClient();
process.stdout.write(`${JSON.stringify({ core: typeof createCore, before, after: ssh2Loaded(), openSshSession: typeof ssh.openSshSession, discover: typeof oidc.discover })}\n`);
