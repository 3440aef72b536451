// Reads the JSON reports of vitest and Playwright into counts and the names of the tests that
// failed, so the summary at the end of a long CI log says which tests to look at.

const relative = (file, root) => (file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file);
const firstLine = (text, fallback) => (text || fallback).split('\n')[0];

/** Counts of a vitest JSON report (Jest's shape), with the failed tests' names. */
export function vitestCounts(report, root = process.cwd()) {
  const failedNames = [];
  for (const file of report.testResults ?? []) {
    const name = relative(file.name, root);
    const failedHere = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedHere) failedNames.push(`${name} › ${test.fullName}`);
    if (file.status === 'failed' && failedHere.length === 0) failedNames.push(`${name} (${firstLine(file.message, 'failed before its tests ran')})`);
  }
  let failed = report.numFailedTests;
  // A file that failed before its tests ran (a broken beforeAll, a missing Python) has
  // failed tests counted nowhere else.
  if (report.numFailedTests === 0 && report.numFailedTestSuites > 0) failed += report.numFailedTestSuites;
  return { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests, failedNames };
}

/** Walks Playwright's nested suites for tests whose outcome was not the expected one. */
function playwrightFailures(suites, titles, failedNames) {
  for (const suite of suites ?? []) {
    const path = suite.title ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === 'unexpected') failedNames.push([...path, spec.title].join(' › '));
        if (test.status === 'flaky') failedNames.push(`${[...path, spec.title].join(' › ')} (flaky: passed only on a retry)`);
      }
    }
    playwrightFailures(suite.suites, path, failedNames);
  }
}

/** Counts of a Playwright JSON report; a flaky test and an error outside any test are failures. */
export function playwrightCounts(report) {
  const { stats, errors, suites } = report;
  const failedNames = [];
  playwrightFailures(suites, [], failedNames);
  for (const error of errors ?? []) failedNames.push(`an error outside any test: ${firstLine(error.message, 'no message')}`);
  return { passed: stats.expected, failed: stats.unexpected + stats.flaky + (errors?.length ?? 0), skipped: stats.skipped, failedNames };
}
