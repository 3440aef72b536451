// Test-only: a ~/.anaconda/keyring holding one API key for a site, written as anaconda-auth's
// file keyring does (docs/protocols/anaconda.md), for the tests that import it into Keyport.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeAnacondaKeyring(home: string, siteUrl: string, apiKey: string): void {
  const domain = new URL(siteUrl).host;
  const entry = Buffer.from(JSON.stringify({ domain, api_key: apiKey, repo_tokens: [], version: 2 })).toString('base64');
  mkdirSync(join(home, '.anaconda'), { recursive: true });
  writeFileSync(join(home, '.anaconda', 'keyring'), `{"Anaconda Cloud": {"${domain}": "${entry}"}}`, { mode: 0o600 });
}
