// Types for test-reports.mjs, a plain script that `npm test` runs before any build.
export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
  failedNames: string[];
}
export function vitestCounts(report: unknown, root?: string): SuiteCounts;
export function playwrightCounts(report: unknown): SuiteCounts;
