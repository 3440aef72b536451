// `npm test`: typecheck, lint, unit, end-to-end and conformance, in that order. Every suite
// runs even if an earlier one failed, so one run shows everything that is wrong; the last line
// is the sum over all suites, "N passed, N failed". A skipped test is never a pass: it is
// reported, and fails the run. Pass suite names to run only some: `npm test -- unit e2e`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { nodeVersionProblem } from './check-node.mjs';
import { playwrightCounts, vitestCounts } from './test-reports.mjs';

// Before anything else: an old Node gets one line, not a page of engine warnings.
const nodeProblem = nodeVersionProblem(process.versions.node);
if (nodeProblem) {
  console.error(nodeProblem);
  process.exit(1);
}

const REPORTS = '.test-reports';
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

/** Runs a command with inherited output; true when it exits 0. */
function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  return result.status === 0;
}

const npx = (args) => run('npx', args);

/** Names of the failed tests, printed above the last line. */
const failedNames = [];

function readReport(file, count) {
  if (!existsSync(file)) return null;
  const counts = count(JSON.parse(readFileSync(file, 'utf8')));
  failedNames.push(...counts.failedNames);
  return counts;
}

const checks = {
  typecheck: () => ({ ok: npx(['tsc', '-p', 'tsconfig.json', '--noEmit']) }),
  lint: () => ({ ok: npx(['eslint', '--max-warnings', '0', '.']) }),
  unit: () => {
    const ok = npx(['vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile=${REPORTS}/unit.json`]);
    return { ok, counts: readReport(`${REPORTS}/unit.json`, vitestCounts) };
  },
  e2e: () => {
    if (!npx(['electron-vite', 'build'])) return { ok: false, counts: null, note: 'the renderer did not build' };
    const ok = npx(['playwright', 'test']);
    return { ok, counts: readReport(`${REPORTS}/e2e.json`, playwrightCounts) };
  },
  conformance: () => {
    const ok = npx(['vitest', 'run', '--project', 'conformance', '--reporter=default', '--reporter=json', `--outputFile=${REPORTS}/conformance.json`]);
    return { ok, counts: readReport(`${REPORTS}/conformance.json`, vitestCounts) };
  },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in checks));
if (unknown.length) {
  console.error(`Unknown suite(s): ${unknown.join(', ')}. Known: ${Object.keys(checks).join(', ')}.`);
  process.exit(2);
}
const selected = wanted.length ? wanted : Object.keys(checks);

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const name of selected) {
  console.log(`\n━━ ${name} ━━`);
  const started = Date.now();
  const { ok, counts, note } = checks[name]();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (counts === undefined) {
    // A check without test cases (typecheck, lint) counts as one.
    if (ok) passed++;
    else failed++;
    lines.push(`${ok ? '✓' : '✗'} ${name} (${seconds} s)`);
  } else if (counts === null) {
    failed++;
    lines.push(`✗ ${name}: no report (${note ?? 'the runner did not finish'}) (${seconds} s)`);
  } else {
    // A runner that exits non-zero with every test passed (e.g. an unhandled error between
    // tests) is still a failure.
    const extra = !ok && counts.failed === 0 ? 1 : 0;
    passed += counts.passed;
    failed += counts.failed + extra;
    skipped += counts.skipped;
    lines.push(`${ok ? '✓' : '✗'} ${name}: ${counts.passed} passed, ${counts.failed + extra} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''} (${seconds} s)`);
  }
}

console.log('\n━━ summary ━━');
for (const line of lines) console.log(line);
for (const name of failedNames) console.log(`  failed: ${name}`);
if (skipped) console.log(`${skipped} test(s) were skipped; a skipped test is not a pass.`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && skipped === 0 ? 0 : 1);
