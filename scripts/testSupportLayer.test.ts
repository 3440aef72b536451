import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** ARCHITECTURE.md: test support (reference servers in test/servers, harnesses in test/support,
 * the browser host in test/host, Playwright specs in e2e/) is its own room. Product code under
 * src/ never imports it; unit tests beside the code (*.test.ts) may. ESLint says so; this test
 * also proves the rule fires and catches what a disabled rule would let through. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const TEST_ROOTS = [join(ROOT, 'test'), join(ROOT, 'e2e')];
const SOURCE_FILE = /\.(?:[cm]?ts|tsx)$/;
const TEST_FILE = /\.test\.tsx?$/;

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productFiles(path);
    return entry.isFile() && SOURCE_FILE.test(entry.name) && !TEST_FILE.test(entry.name) ? [path] : [];
  });
}

function importsOfTestSupport(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => {
      const target = resolve(dirname(file), specifier);
      return TEST_ROOTS.some((root) => target === root || target.startsWith(root + sep));
    });
}

describe('test support stays out of the product', () => {
  const files = productFiles(SRC);

  it('has product files to check, in every layer', () => {
    const names = files.map((file) => relative(SRC, file));
    expect(names).toContain(join('main', 'core', 'createCore.ts'));
    expect(names).toContain(join('renderer', 'src', 'App.tsx'));
    expect(names.some((name) => name.startsWith(join('main', 'electron')))).toBe(true);
  });

  it('no file under src/ (tests aside) imports test/ or e2e/', () => {
    const offenders = files.flatMap((file) => importsOfTestSupport(file).map((specifier) => `${relative(ROOT, file)}: ${specifier}`));
    expect(offenders).toEqual([]);
  });

  it('ESLint refuses such an import in product code of every layer and allows it in a unit test', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (filePath: string, code: string) => {
      const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
      return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
    };
    const intoHarness = "import { startEdsServer } from '../../../../test/servers/eds/edsServer';\nexport const start = startEdsServer;\n";
    for (const productFile of ['src/main/core/tokens/example.ts', 'src/main/electron/example.ts']) {
      expect(await lint(productFile, intoHarness)).toEqual([expect.stringContaining('test support')]);
    }
    expect(await lint('src/renderer/src/components/Example.tsx', "import { host } from '../../../../test/host/host';\nexport const h = host;\n"))
      .toEqual([expect.stringContaining('test support')]);
    expect(await lint('src/main/core/tokens/example.test.ts', intoHarness)).toEqual([]);
  }, 60_000);
});
