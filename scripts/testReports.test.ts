// The summary of `npm test` names the failed tests, read from the runners' JSON reports. The
// reports below are real ones (vitest 4 and Playwright, one failing and one passing test each),
// trimmed to the fields the reader uses.
import { describe, expect, it } from 'vitest';
import { playwrightCounts, vitestCounts } from './test-reports.mjs';

const vitestReport = (testResults: unknown[], counts: Partial<Record<string, number>> = {}) => ({
  numFailedTestSuites: 1,
  numPassedTests: 1,
  numFailedTests: 1,
  numPendingTests: 0,
  numTodoTests: 0,
  ...counts,
  testResults,
});

describe('the JSON reports read for the summary', () => {
  it('vitest: counts, and each failed test named by its file (relative) and full name', () => {
    const report = vitestReport([
      {
        name: '/repo/scripts/sample.test.ts',
        status: 'failed',
        message: '',
        assertionResults: [
          { fullName: 'outer fails here', status: 'failed' },
          { fullName: 'outer passes', status: 'passed' },
        ],
      },
    ]);
    expect(vitestCounts(report, '/repo')).toEqual({ passed: 1, failed: 1, skipped: 0, failedNames: ['scripts/sample.test.ts › outer fails here'] });
  });

  it('vitest: a file that failed before its tests ran counts as one failure, named with the first line of its error', () => {
    const report = vitestReport([{ name: '/repo/conformance/hub.test.ts', status: 'failed', message: 'Error: python3 not found\n    at …', assertionResults: [] }], {
      numPassedTests: 0,
      numFailedTests: 0,
    });
    expect(vitestCounts(report, '/repo')).toEqual({ passed: 0, failed: 1, skipped: 0, failedNames: ['conformance/hub.test.ts (Error: python3 not found)'] });
  });

  it('Playwright: nested describe titles are joined; a flaky test and an error outside any test are failures', () => {
    const report = {
      stats: { expected: 1, skipped: 0, unexpected: 1, flaky: 1 },
      errors: [{ message: 'Error: webServer exited\nmore' }],
      suites: [
        {
          title: 'sample.spec.ts',
          specs: [{ title: 'top level', tests: [{ status: 'flaky' }] }],
          suites: [
            {
              title: 'group',
              specs: [
                { title: 'fails in pw', tests: [{ status: 'unexpected' }] },
                { title: 'ok', tests: [{ status: 'expected' }] },
              ],
              suites: [],
            },
          ],
        },
      ],
    };
    expect(playwrightCounts(report)).toEqual({
      passed: 1,
      failed: 3,
      skipped: 0,
      failedNames: ['sample.spec.ts › top level (flaky: passed only on a retry)', 'sample.spec.ts › group › fails in pw', 'an error outside any test: Error: webServer exited'],
    });
  });
});
