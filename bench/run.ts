/**
 * `npm run bench`: every benchmark of hangup, each as a ratio against a baseline measured in the
 * same run, interleaved and repeated (medians), on loopback. Full mode takes about 25 minutes here.
 *
 *   --quick           fewer and shorter rounds (a few minutes)
 *   --smoke           the least that runs every section, to check the plumbing; its figures mean nothing
 *   --only=a,b        run only these sections (match, drops, refusal, memory, allowed, alloc); the
 *                     others keep their results from the previous run (results/latest.json)
 *   --update-readme   also write the results into bench/README.md (between the results markers)
 *   --render          measure nothing: rewrite latest.md, chart.svg (and the README) from latest.json
 *
 * The method of every server-CPU figure is in bench/lib/method.ts and bench/lib/cpu-sections.ts.
 * Writes bench/results/latest.json, latest.md and chart.svg. nginx is optional: without it the
 * nginx row is skipped with a message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DetectorCost, MatchResult } from './match.js';
import { formatDetectors, formatMatch } from './match.js';
import { allowedSection, dropsSection, refusalSection } from './lib/cpu-sections.js';
import { allocSection } from './lib/alloc.js';
import { memorySection } from './lib/drop-memory.js';
import { stopRunning } from './lib/subjects.js';
import { METHODS, type Mode } from './lib/method.js';
import { markdown, targets, type BenchResults, type SectionLoad } from './lib/results.js';
import { chart } from './lib/chart.js';
import { ratio } from './lib/stats.js';
import { pinLoadSide } from './lib/affinity.js';

const args = process.argv.slice(2);
const mode: Mode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';
const method = METHODS[mode];
const SECTIONS = ['match', 'drops', 'refusal', 'memory', 'allowed', 'alloc'] as const;
type Section = (typeof SECTIONS)[number];
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const unknown = only?.filter((s) => !(SECTIONS as readonly string[]).includes(s)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section(s) ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const wants = (section: Section): boolean => only === undefined || only.includes(section);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const environment: Record<string, string> = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  node: process.versions.node,
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: String(os.cpus().length),
  os: `${os.type()} ${os.release()}`,
  loadBefore: loadAverage(),
  pinning: pinLoadSide(),
};

/** A heading with the load average at that moment. */
function heading(title: string): void {
  console.log(`\n== ${title} (load average ${loadAverage()})`);
}

const loads: Record<string, SectionLoad> = {};
/**
 * Runs one section between two readings of the load average, printed and kept in the results:
 * a figure measured while something else loaded the machine is worth less, and this says when.
 */
async function timed<T>(section: Section, title: string, run: () => Promise<T>): Promise<T> {
  const before = loadAverage();
  heading(title);
  const result = await run();
  const after = loadAverage();
  loads[section] = { before, after };
  console.log(`  (${section}: load average ${before} before, ${after} after)`);
  return result;
}

function runMatchInChild(): { match: MatchResult[]; detectors: DetectorCost[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', here('./match.ts'), '--json', ...(mode === 'full' ? [] : ['--quick'])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as { match: MatchResult[]; detectors: DetectorCost[] };
}

async function main(): Promise<void> {
  const began = Date.now();
  console.log(
    `hangup benchmarks: ${mode} mode; server CPU per request: a fresh server per run, ${method.warmupMs / 1000} s warm-up, ` +
      `${method.durationMs / 1000} s measured, ${method.rounds} interleaved rounds; Node ${process.versions.node}, ${environment.cores} cores, ${environment.pinning}`,
  );
  let match: MatchResult[] = [];
  let detectors: DetectorCost[] = [];
  if (wants('match')) {
    ({ match, detectors } = await timed('match', 'matching cost: decide() and route lookup vs find-my-way', async () => {
      const measured = runMatchInChild();
      console.log(formatMatch(measured.match));
      console.log(formatDetectors(measured.detectors));
      return measured;
    }));
  }
  const drops = wants('drops')
    ? await timed('drops', 'dropped connections: hangup vs socket.destroy() vs nginx return 444', () => dropsSection(method))
    : { drops: [], nginx: '' };
  const refusalCost = wants('refusal') ? await timed('refusal', 'server CPU per refused request: drop vs fixed 404', () => refusalSection(method)) : [];
  const memory = wants('memory') ? await timed('memory', `memory: RSS before and after ${method.memoryDrops} drops`, () => memorySection(method)) : null;
  const allowed = wants('allowed') ? await timed('allowed', 'allowed requests: server CPU per request', () => allowedSection(method, heading)) : [];
  const alloc = wants('alloc') ? await timed('alloc', 'heap allocated per allowed request', () => allocSection(method, heading)) : [];

  environment.loadAfter = loadAverage();
  let results: BenchResults = {
    environment,
    mode,
    rounds: method.rounds,
    durationMs: method.durationMs,
    warmupMs: method.warmupMs,
    match,
    detectors,
    allowed,
    drops: drops.drops,
    nginx: drops.nginx,
    refusalCost,
    memory,
    alloc,
    loads,
  };
  results = keepPreviousSections(results);
  mkdirSync(here('./results/'), { recursive: true });
  writeFileSync(here('./results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  render(results);
  console.log(`took ${((Date.now() - began) / 60_000).toFixed(1)} minutes`);
}

/**
 * With `--only`, the sections not run keep the results of the previous run (latest.json), so
 * re-measuring one section does not wipe the others from the tables and the chart.
 */
function keepPreviousSections(results: BenchResults): BenchResults {
  const path = here('./results/latest.json');
  if (only === undefined || !existsSync(path)) return results;
  const previous = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  const keptLoads: Record<string, SectionLoad> = {};
  for (const section of SECTIONS) {
    const load = wants(section) ? results.loads?.[section] : previous.loads?.[section];
    if (load !== undefined) keptLoads[section] = load;
  }
  return {
    ...results,
    match: wants('match') ? results.match : previous.match,
    detectors: wants('match') ? results.detectors : previous.detectors,
    drops: wants('drops') ? results.drops : previous.drops,
    nginx: wants('drops') ? results.nginx : previous.nginx,
    refusalCost: wants('refusal') ? results.refusalCost : previous.refusalCost,
    memory: wants('memory') ? results.memory : previous.memory,
    allowed: wants('allowed') ? results.allowed : previous.allowed,
    alloc: wants('alloc') ? results.alloc ?? [] : previous.alloc ?? [],
    loads: keptLoads,
  };
}

/** Writes latest.md and chart.svg (and the README block with --update-readme) and prints the targets. */
function render(results: BenchResults): void {
  const md = markdown(results);
  writeFileSync(here('./results/latest.md'), `${md}\n`);
  writeFileSync(here('./results/chart.svg'), chart(results));

  console.log('\n== targets');
  for (const t of targets(results)) {
    const perSecond = t.perSecondRatio === undefined ? '' : `   req/s ratio ${ratio(t.perSecondRatio)}`;
    console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${`${t.what} / ${t.baseline}`.padEnd(100)} ${ratio(t.value).padStart(7)} (${t.target})${perSecond}`);
  }
  if (args.includes('--update-readme')) {
    const path = here('./README.md');
    const readme = readFileSync(path, 'utf8');
    const start = '<!-- results:start -->';
    const end = '<!-- results:end -->';
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    if (from === -1 || to < from) throw new Error(`bench/README.md has no ${start} ... ${end} block`);
    writeFileSync(path, `${readme.slice(0, from + start.length)}\n${md}\n${readme.slice(to)}`);
    console.log('bench/README.md updated');
  }
  console.log('wrote bench/results/latest.json, latest.md, chart.svg');
}

process.on('SIGINT', () => void stopRunning().then(() => process.exit(130)));
const run = args.includes('--render')
  ? async () => render(JSON.parse(readFileSync(here('./results/latest.json'), 'utf8')) as BenchResults)
  : main;
run().catch(async (error: unknown) => {
  console.error(error);
  await stopRunning();
  process.exit(1);
});
