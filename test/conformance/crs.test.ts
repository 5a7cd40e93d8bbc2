import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { APP_RESPONSE, isDropped, loadCorpus, replay, type ReplayResult } from './crs-replay.js';
import { droppedBenign, isBenign, isPositive, protocolRules } from './crs-notes.js';
import { renderConformance } from './crs-report.js';


/** The replay runs once; every test below reads its results. */
let results: Promise<ReplayResult[]> | undefined;
function replayed(): Promise<ReplayResult[]> {
  // The corpus is part of the repository (test/fixtures/crs): a missing corpus fails, it is never skipped.
  results ??= loadCorpus().then((cases) => replay(cases));
  return results;
}

function describe(r: ReplayResult): string {
  return `${r.case.id}: got ${r.received.length} B ${JSON.stringify(r.received.toString('latin1').slice(0, 60))}, ${r.ending}, reasons ${r.reasons.join(' + ') || '-'}`;
}

test('CRS corpus: all 541 requests replayed, each with an outcome', async () => {
  const all = await replayed();
  assert.equal(all.length, 541);
  for (const r of all) assert.ok(r.reasons.length > 0 || r.received.length === 0, `${r.case.id} answered without a decision`);
});

test('CRS corpus: every positive case of the protocol rules is dropped with zero bytes', async () => {
  const positives = (await replayed()).filter((r) => protocolRules.has(r.case.rule) && isPositive(r.case));
  assert.equal(positives.length, 35);
  for (const r of positives) {
    assert.equal(r.received.length, 0, describe(r));
    assert.notEqual(r.ending, 'open', describe(r));
    assert.ok(r.reasons.length === 1 && r.reasons[0] !== 'route:any', describe(r));
  }
});

test('CRS corpus: no benign case is dropped except the reviewed exceptions, each for its stated reason', async () => {
  const benign = (await replayed()).filter((r) => isBenign(r.case));
  const dropped = benign.filter(isDropped);
  for (const r of dropped) {
    const exception = droppedBenign[r.case.id];
    assert.ok(exception !== undefined, `benign case dropped without an explanation: ${describe(r)}`);
    assert.deepEqual(r.reasons, [exception.reason], describe(r));
  }
  // The list is not stale: every listed case is in fact dropped.
  assert.deepEqual(dropped.map((r) => r.case.id).sort(), Object.keys(droppedBenign).sort());
  for (const r of benign.filter((x) => !isDropped(x))) {
    assert.ok(r.received.toString('latin1').startsWith(APP_RESPONSE), `benign case not answered by the app: ${describe(r)}`);
  }
});

test('CRS corpus: a valid request followed by garbage gets its response, then the close', async () => {
  const all = await replayed();
  for (const id of ['920170-4', '920180-1']) {
    const r = all.find((x) => x.case.id === id) as ReplayResult;
    assert.equal(
      r.received.toString('latin1'),
      `${APP_RESPONSE}Connection: keep-alive\r\nKeep-Alive: timeout=0\r\n\r\nok\n`,
      describe(r),
    );
    assert.notEqual(r.ending, 'open', describe(r));
    assert.deepEqual(r.reasons, ['route:any', 'parser:HPE_INVALID_METHOD'], describe(r));
  }
});

test('docs/conformance.md matches the replay (regenerate with `npx tsx scripts/conformance.ts`)', async () => {
  // FIN and RST depend on the kernel's timing, not on hangup: compare without them.
  const normalize = (text: string): string => text.replace(/,? \(?(FIN|RST)\)?/g, '');
  const committed = readFileSync(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
  const current = renderConformance(await replayed());
  const committedRows = normalize(committed).split('\n');
  const currentRows = normalize(current).split('\n');
  const changed = currentRows.filter((row) => !committedRows.includes(row));
  assert.deepEqual(changed, [], 'docs/conformance.md is out of date');
});
