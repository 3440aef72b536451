// `npm run servers`: starts the reference servers for manual testing of Keyport (and of the
// real CLIs) and keeps them up until Ctrl+C. Runs under plain Node type stripping.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EDS_USERS, startEdsServer } from './eds/edsServer.ts';
import type { EdsServer } from './eds/edsServer.ts';

const servers: EdsServer[] = [];
const edsHttp = await startEdsServer();
servers.push(edsHttp);
const edsHttps = await startEdsServer({ https: true });
servers.push(edsHttps);

// The CA goes to a file because that is what Keyport's "custom CA" field and
// REQUESTS_CA_BUNDLE (for hatcher) take.
const caDir = mkdtempSync(join(tmpdir(), 'keyport-servers-'));
const caFile = join(caDir, 'eds-ca.pem');
writeFileSync(caFile, edsHttps.caPem ?? '');

console.log('Keyport reference servers (Ctrl+C to stop)');
console.log('');
console.log(`EDS (HTTP):   ${edsHttp.url}`);
console.log(`EDS (HTTPS):  ${edsHttps.url}`);
console.log(`  CA file:    ${caFile}`);
console.log('');
console.log('Demo users (both servers):');
for (const user of DEFAULT_EDS_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email})`);
console.log('');
console.log('Try:');
console.log(`  hatcher -u ${edsHttp.url} -U alice -p ${DEFAULT_EDS_USERS[0]?.password ?? ''} api-tokens list`);
console.log(`  hatcher -u ${edsHttps.url} --insecure -U alice -p ${DEFAULT_EDS_USERS[0]?.password ?? ''} api-tokens list`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((s) => s.close()));
  rmSync(caDir, { recursive: true, force: true });
  console.log('Servers stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
