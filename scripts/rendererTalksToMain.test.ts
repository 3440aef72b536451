import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/** ARCHITECTURE.md: only the store and its actions (src/renderer/src/actions/) talk to main, so
 * "what to reload after X" is decided in one place. The project's own ESLint configuration
 * says so; this runs it on snippets placed where components live and where actions live. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMPONENT = 'src/renderer/src/components/Example.tsx';
const OTHER_RENDERER_FILE = 'src/renderer/src/Example.tsx';

let eslint: ESLint;
beforeAll(async () => {
  eslint = new ESLint({ cwd: ROOT });
  // The first run loads the configuration and its plugins (seconds on a busy machine).
  await eslint.lintText('', { filePath: resolve(ROOT, COMPONENT) });
}, 60_000);

/** The rules that fired on `code` as the file `filePath`, and their messages. */
async function lint(code: string, filePath: string): Promise<Array<{ rule: string | null; message: string }>> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
}

const talkingToMain = {
  'window.keyport': `export const send = () => window.keyport.invoke('app.lock');\n`,
  'window.keyport destructured': `const { keyport } = window;\nexport const send = () => keyport.invoke('app.lock');\n`,
  'the keyport global': `export const send = () => keyport.invoke('app.lock');\n`,
  'globalThis.keyport': `export const send = () => globalThis.keyport.invoke('app.lock');\n`,
  'the api module': `import { keyport } from '../api';\nexport const send = () => keyport.call('app.lock');\n`,
  'the shared client': `import { createKeyportClient } from '../../../shared/api';\nexport const client = createKeyportClient(window.keyport);\n`,
} as const;

const RULES = new Set(['no-restricted-properties', 'no-restricted-imports', 'no-restricted-globals']);

describe('components may not talk to main', () => {
  for (const [what, code] of Object.entries(talkingToMain)) {
    it(`a component using ${what} is an error that points to the actions`, async () => {
      const found = (await lint(code, COMPONENT)).filter((m) => m.rule !== null && RULES.has(m.rule));
      expect(found.length).toBeGreaterThan(0);
      for (const m of found) expect(m.message).toContain('src/renderer/src/actions/');
    });
  }

  it('nor may App.tsx and the other renderer files outside the store', async () => {
    const found = await lint(talkingToMain['window.keyport'], OTHER_RENDERER_FILE);
    expect(found.map((m) => m.rule)).toContain('no-restricted-properties');
  });

  it('a component calling an action is clean', async () => {
    const code = `import { lock } from '../actions/lock';\nexport const Button = () => <button type="button" onClick={() => void lock()}>Lock</button>;\n`;
    expect(await lint(code, COMPONENT)).toEqual([]);
  });
});

describe('the store and its actions may', () => {
  const action = `import { keyport } from '../api';\nexport const lock = () => keyport.call('app.lock');\nexport const raw = () => window.keyport.invoke('app.lock');\n`;
  it.each(['src/renderer/src/actions/example.ts', 'src/renderer/src/store.ts'])('%s talks to main without an error', async (filePath) => {
    const code = filePath.endsWith('store.ts') ? action.replace("'../api'", "'./api'") : action;
    expect(await lint(code, filePath)).toEqual([]);
  });
});
