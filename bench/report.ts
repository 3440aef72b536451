/** One line of the bench table: a figure, the floor it is compared with (measured in the same
 * run, on the same machine), and the issue's target. */
export interface Figure {
  id: string;
  figure: string;
  unit: 'KB' | 'ms' | 'MB';
  value: number;
  /** What the value is compared with; null where the issue sets an absolute target only. */
  baseline: number | null;
  baselineLabel: string;
  /** The target: on the value itself (`max`) or on value / baseline (`maxRatio`); none = report only. */
  target: { max: number } | { maxRatio: number } | null;
  note?: string;
  /** Raw samples and extra facts, kept in results.json only. */
  details?: Record<string, unknown>;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function ratioOf(f: Figure): number | null {
  return f.baseline === null || f.baseline === 0 ? null : f.value / f.baseline;
}

export function met(f: Figure): boolean | null {
  if (!f.target) return null;
  if ('max' in f.target) return f.value <= f.target.max;
  const r = ratioOf(f);
  return r === null ? null : r <= f.target.maxRatio;
}

export function targetText(f: Figure): string {
  if (!f.target) return 'report';
  return 'max' in f.target ? `≤ ${f.target.max} ${f.unit}` : `≤ ${f.target.maxRatio}×`;
}

const fmt = (n: number | null, unit: string): string => (n === null || Number.isNaN(n) ? '—' : `${n < 10 ? round(n, 2) : round(n, 1)} ${unit}`);

/** The table as GitHub Markdown: printed by the bench and pasted into the README. */
export function markdownTable(figures: readonly Figure[]): string {
  const lines = ['| # | figure | value | baseline | ratio | target | met? |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const f of figures) {
    const r = ratioOf(f);
    const m = met(f);
    const baseline = f.baseline === null ? f.baselineLabel || '—' : `${fmt(f.baseline, f.unit)} (${f.baselineLabel})`;
    lines.push(`| ${f.id} | ${f.figure} | ${fmt(f.value, f.unit)} | ${baseline} | ${r === null ? '—' : `${round(r, 2)}×`} | ${targetText(f)} | ${m === null ? '—' : m ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

export function jsonFigure(f: Figure) {
  const r = ratioOf(f);
  return {
    id: f.id,
    figure: f.figure,
    unit: f.unit,
    value: round(f.value, 3),
    baseline: f.baseline === null ? null : round(f.baseline, 3),
    baselineLabel: f.baselineLabel,
    ratio: r === null ? null : round(r, 3),
    target: targetText(f),
    met: met(f),
    note: f.note ?? null,
    details: f.details ?? {},
  };
}
