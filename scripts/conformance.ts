/**
 * Regenerates docs/conformance.md: replays the CRS corpus (test/fixtures/crs, or
 * $HANGUP_CRS_CORPUS) against a detectors-only guard and writes the table.
 * Run: `npx tsx scripts/conformance.ts`.
 */
import { writeFileSync } from 'node:fs';
import { corpusAvailable, corpusDir, loadCorpus, replay } from '../test/conformance/crs-replay.js';
import { renderConformance } from '../test/conformance/crs-report.js';

async function main(): Promise<void> {
  if (!corpusAvailable) throw new Error(`CRS corpus not found at ${corpusDir}`);
  const results = await replay(await loadCorpus());
  const target = new URL('../docs/conformance.md', import.meta.url);
  writeFileSync(target, renderConformance(results));
  console.log(`wrote ${target.pathname} (${results.length} cases)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
