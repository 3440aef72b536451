/** Test-only: pastes text into an interactive bash in a real pty, as a terminal does, to see
 * what a pasted copy does before and after the person presses Enter. The pty is util-linux's
 * `script` (Debian's bsdutils, always installed); bash runs with no rc files and readline on.
 * Imported only by *.test.ts files. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PS1 = 'KP-READY$ ';
const PS2 = 'KP-MORE> ';
/** The file a hostile payload creates (`touch pwned`, in bash's working folder). */
export const MARKER = 'pwned';

export interface PasteOutcome {
  /** A command ran before Enter: a new prompt appeared, or the marker file exists. */
  ranBeforeEnter: boolean;
  /** The marker exists after Enter too. */
  markerExists: boolean;
  /** After Enter, how many lines bash read for the pasted text (1: one complete command). */
  promptsAfterEnter: { ready: number; more: number };
  /** The variables as bash holds them after Enter, or null if bash never got to print them. */
  values: string[] | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (text: string, part: string) => text.split(part).length - 1;

/**
 * @param text what is pasted (Keyport's copy)
 * @param bracketed whether readline asks for bracketed paste (bash 5.1+'s default) and the
 *   terminal wraps the paste in ESC[200~ … ESC[201~, or neither (older terminals and readline)
 * @param names the variables to print back after Enter
 */
export async function pasteIntoInteractiveBash(text: string, bracketed: boolean, names: readonly string[]): Promise<PasteOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'keyport-pty-'));
  await writeFile(join(dir, 'inputrc'), `set enable-bracketed-paste ${bracketed ? 'on' : 'off'}\nset bell-style none\n`);
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', 'bash --norc --noprofile -i', '/dev/null'], {
    cwd: dir,
    detached: true,
    env: { HOME: dir, PATH: '/usr/bin:/bin', TERM: 'xterm', LANG: 'C.UTF-8', INPUTRC: join(dir, 'inputrc'), PS1, PS2 },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let output = '';
  let changedAt = Date.now();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    changedAt = Date.now();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  /** Polls until `done` holds, for at most `ms`; true if it did. */
  const waitFor = async (done: () => boolean, ms: number) => {
    for (const until = Date.now() + ms; !done() && Date.now() < until; ) await sleep(20);
    return done();
  };
  /** Until bash has drawn nothing for 300 ms (it has read and acted on what it was sent). */
  const settle = () => waitFor(() => Date.now() - changedAt > 300, 5000);
  try {
    if (!(await waitFor(() => output.includes(PS1), 5000))) throw new Error('bash in the pty did not show its prompt within 5 s');
    child.stdin.write(bracketed ? `\x1b[200~${text}\x1b[201~` : text);
    await settle();
    const ranBeforeEnter = count(output, PS1) > 1 || count(output, PS2) > 0 || existsSync(join(dir, MARKER));
    const before = output.length;
    child.stdin.write('\r');
    await waitFor(() => output.slice(before).includes(PS1) || output.slice(before).includes(PS2), 5000);
    await settle();
    const afterEnter = output.slice(before);
    const promptsAfterEnter = { ready: count(afterEnter, PS1), more: count(afterEnter, PS2) };
    if (promptsAfterEnter.more > 0) {
      // A paste that left bash waiting for more lines is abandoned (C-c), not completed.
      const beforeCancel = output.length;
      child.stdin.write('\x03');
      await waitFor(() => output.slice(beforeCancel).includes(PS1), 5000);
    }
    const out = join(dir, 'values');
    child.stdin.write(`printf '%s\\0' ${names.map((n) => `"$${n}"`).join(' ')} > ${out}; exit\r`);
    await Promise.race([exited, sleep(5000)]);
    const values = existsSync(out) ? (await readFile(out, 'utf8')).split('\0').slice(0, names.length) : null;
    return { ranBeforeEnter, markerExists: existsSync(join(dir, MARKER)), promptsAfterEnter, values };
  } finally {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
