// The Keyport side of bench figure 8: the app's core as a command-line program, built by
// bench/coreBundle.ts with the main-process settings of electron.vite.config.ts into
// out/bench/coreCli.js and run by plain Node, so the measured process loads a bundle as the
// app's main process does (no type stripping, no resolve hook). It does what `hatcher -t TOKEN
// api-tokens list` and `npm token list` do: sign in with a saved token, list every token, print
// them, exit.
//
// Everything comes from the environment (nothing secret on the command line, where `ps` shows it):
//   KEYPORT_BENCH_VAULT   the vault file, already holding the server (no session)
//   KEYPORT_BENCH_KEY     its AES-256 key, hex (the app's key comes from the system keyring)
//   KEYPORT_BENCH_SERVER  the server's id
//   KEYPORT_BENCH_TOKEN   the API token to sign in with
import { createCore } from '../src/main/core/createCore';
import { createAesCipher } from '../src/main/core/vault/aesCipher';
import { openVaultFile } from '../src/main/core/vault/vaultFile';
import type { TokenView } from '../src/shared/model';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const serverId = required('KEYPORT_BENCH_SERVER');
const core = createCore({
  store: openVaultFile(required('KEYPORT_BENCH_VAULT')),
  cipher: createAesCipher(Buffer.from(required('KEYPORT_BENCH_KEY'), 'hex'), 'aes-256-gcm (bench key)'),
  // A command line has no clipboard, file picker or browser; the core never asks for them here.
  clipboard: { readText: async () => '', writeText: async () => undefined },
  filePicker: { pickCertificate: async () => null },
  logger: { warn: (m) => process.stderr.write(`[keyport] ${m}\n`), error: (m) => process.stderr.write(`[keyport] ${m}\n`) },
  appVersion: 'bench',
  // No proxy from the machine: the reference servers are on 127.0.0.1.
  env: {},
});

async function call<T>(procedure: string, input: unknown): Promise<T> {
  const result = await core.handle(procedure, input);
  if (!result.ok) throw new Error(`${procedure} failed: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

try {
  await call('auth.signInWithToken', { serverId, token: required('KEYPORT_BENCH_TOKEN') });
  const tokens = await call<TokenView[]>('tokens.list', { serverId });
  // One line per token, as the CLIs print a row per token (name, created, last used).
  process.stdout.write(tokens.map((t) => `${t.name}\t${t.createdAt ?? ''}\t${t.lastUsedAt ?? ''}\n`).join(''));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await core.dispose();
}
