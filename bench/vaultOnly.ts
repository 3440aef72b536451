// `npm run bench:vault`: the vault rows of `npm run bench` (4a–4d) alone, for comparing a change
// to the store back to back (A/B) without the browser, the servers and the other rows. Prints
// the rows; writes nothing (bench/results.json comes from the whole run).
import { markdownTable, round } from './report.ts';
import { vaultFigures } from './vault.ts';

const started = performance.now();
const figures = await vaultFigures();
console.log(`\n${markdownTable(figures)}\n`);
for (const f of figures) if (f.note) console.log(`${f.id}: ${f.note}`);
for (const f of figures) console.log(`${f.id} samples: ${JSON.stringify(f.details?.samples)}${f.details?.gcInLongestGapSamples === undefined ? '' : ` (GC in the longest gap: ${JSON.stringify(f.details.gcInLongestGapSamples)})`}${f.details?.storeOpenMsMedian === undefined ? '' : ` (store open ${String(f.details.storeOpenMsMedian)} ms, validation ${String(f.details.validateMsMedian)} ms)`}`);
console.log(`Took ${round((performance.now() - started) / 1000, 1)} s.`);
