// The machine's real npm CLI for the conformance suite: run by this repository's Node (24), in a
// clean environment, always with a temporary user config, an empty global config, a scratch
// cache and no update check. Each test passes `--registry` on 127.0.0.1 itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCleanBash, type CommandResult } from './pythonEnv.ts';

const INSTALL_HINT = 'Install the npm CLI (Debian: apt-get install npm), or set NPM_CLI_JS to the path of npm-cli.js';

/** npm's entry script: run with this Node (24), not whatever `node` npm's own shebang finds. */
export function npmCliJs(): string {
  const fromEnv = process.env.NPM_CLI_JS;
  if (fromEnv) return fromEnv;
  let npmBin: string;
  try {
    npmBin = realpathSync(execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(`The npm CLI was not found. ${INSTALL_HINT}.`);
  }
  const cli = join(dirname(npmBin), 'npm-cli.js');
  if (!existsSync(cli)) throw new Error(`npm-cli.js is not next to ${npmBin}. ${INSTALL_HINT}.`);
  return cli;
}

export interface NpmCli {
  readonly scratch: string;
  /** Writes a user config (mode 600) and returns its path. */
  userconfig(text: string): string;
  /** bash in an empty environment (PATH reaches this Node and npm only), running `script`, in
   * which `npm` is the real CLI with the given user config. */
  bash(script: string, userconfig: string, options?: { timeoutMs?: number; cwd?: string }): Promise<CommandResult>;
  /** The same, with npm's output on a pseudo-terminal (util-linux `script`): npm asks for a
   * one-time password only when stdin and stdout are terminals (lib/utils/auth.js, otplease). */
  bashOnTerminal(script: string, userconfig: string, options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** `npm publish` of a fresh one-file package `name` (a new version each time), with `args`
   * (e.g. `--registry …`) and the given user config. */
  publish(name: string, userconfig: string, args?: string): Promise<CommandResult>;
  dispose(): void;
}

export function npmCli(): NpmCli {
  const cli = npmCliJs();
  const nodeDir = dirname(process.execPath);
  const scratch = mkdtempSync(join(tmpdir(), 'keyport-npm-cli-'));
  const globalconfig = join(scratch, 'global-npmrc');
  writeFileSync(globalconfig, '');
  let configCount = 0;
  let packageCount = 0;
  const npmFunction = (userconfig: string) =>
    `npm() { "${process.execPath}" "${cli}" --userconfig "${userconfig}" --globalconfig "${globalconfig}" --no-update-notifier --no-audit --no-fund --cache "${join(scratch, 'cache')}" "$@"; }`;
  const env = { PATH: `${nodeDir}:/usr/bin:/bin`, HOME: scratch, LANG: 'C.UTF-8' };
  return {
    scratch,
    userconfig(text) {
      configCount += 1;
      const file = join(scratch, `npmrc-${configCount}`);
      writeFileSync(file, `${text}\n`, { mode: 0o600 });
      return file;
    },
    bash: (script, userconfig, options = {}) => runCleanBash(`${npmFunction(userconfig)}\n${script}`, env, options),
    bashOnTerminal(script, userconfig, options = {}) {
      const inner = join(scratch, `terminal-${(configCount += 1)}.sh`);
      writeFileSync(inner, `${npmFunction(userconfig)}\n${script}\n`);
      return runCleanBash(`script -qefc "bash --noprofile --norc ${inner}" /dev/null`, env, options);
    },
    publish(name, userconfig, args = '') {
      packageCount += 1;
      const dir = join(scratch, `pkg-${packageCount}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: `1.0.${packageCount}`, description: 'conformance test package' }));
      return runCleanBash(`${npmFunction(userconfig)}\ncd "${dir}" && npm publish ${args}`, env);
    },
    dispose: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

/** The new token from `npm token create`'s human output: with `--json` or `--parseable` npm 11
 * prints it redacted (`npm_***`, @npmcli/redact); only "Created token …" shows it whole. */
export const createdTokenFrom = (stdout: string): string => /Created token (npm_\w+)/.exec(stdout)?.[1] ?? '';
