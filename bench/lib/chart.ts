/**
 * The SVG chart of a bench run: every target as a bar against its limit, and the matching cost
 * per table size on a log scale. Plain SVG text, no dependency.
 */
import type { MatchResult } from '../match.js';
import { nsOf } from '../match.js';
import { fmt } from './stats.js';
import type { BenchResults, Target } from './results.js';
import { targets } from './results.js';

const WIDTH = 1280;
const LABEL = 680;
const BAR = 480;
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, content: string, extra = ''): string {
  return `<text x="${x}" y="${y}" ${FONT} ${extra}>${escapeXml(content)}</text>`;
}

/** One row per target: the measured ratio as a bar, the limit as a vertical mark. */
function targetPanel(list: readonly Target[], top: number): { svg: string; height: number } {
  const scaleMax = Math.max(2.5, ...list.map((t) => Math.min(t.value, 6) * 1.1));
  const x = (v: number) => LABEL + (Math.min(v, scaleMax) / scaleMax) * BAR;
  const rows: string[] = [text(10, top + 14, 'Targets: measured ratio (bar) against the limit (black mark); green = met', 'font-weight="bold"')];
  list.forEach((t, i) => {
    const y = top + 30 + i * 22;
    rows.push(text(10, y + 12, `${t.what} / ${t.baseline}`));
    rows.push(`<rect x="${LABEL}" y="${y}" width="${x(t.value) - LABEL}" height="14" fill="${t.met ? '#3a9a5b' : '#d0553f'}"/>`);
    rows.push(`<line x1="${x(t.limit)}" x2="${x(t.limit)}" y1="${y - 3}" y2="${y + 17}" stroke="#000" stroke-width="2"/>`);
    rows.push(text(x(t.value) + 6, y + 12, `${t.value.toFixed(2)}× (${t.target})`));
  });
  return { svg: rows.join('\n'), height: 40 + list.length * 22 };
}

/** Grouped bars per table size, log scale: the cost of one lookup for each way of matching. */
function matchPanel(match: readonly MatchResult[], top: number): { svg: string; height: number } {
  const subjects: [MatchResult['subject'], string, string][] = [
    ['regexp-loop', 'loop over path-to-regexp regexps', '#9e9e9e'],
    ['find-my-way', 'find-my-way find()', '#5b7fbf'],
    ['lookup', 'hangup route lookup', '#3a9a5b'],
    ['decide', 'hangup decide(), default detectors', '#1f5f3a'],
  ];
  const lo = 1;
  const hi = 7; // 10 ns .. 10 ms
  const x = (ns: number) => LABEL + ((Math.log10(Math.max(ns, 10)) - lo) / (hi - lo)) * BAR;
  const rows: string[] = [text(10, top + 14, 'Matching cost per request, hit on the last route (ns, log scale)', 'font-weight="bold"')];
  let y = top + 30;
  for (const n of [10, 1_000, 10_000]) {
    rows.push(text(10, y + 12, `${fmt(n)} routes`, 'font-weight="bold"'));
    y += 18;
    for (const [subject, label, colour] of subjects) {
      const ns = nsOf(match, subject, n, 'hit');
      if (Number.isNaN(ns)) continue;
      rows.push(text(30, y + 12, label));
      rows.push(`<rect x="${LABEL}" y="${y}" width="${x(ns) - LABEL}" height="14" fill="${colour}"/>`);
      rows.push(text(x(ns) + 6, y + 12, `${fmt(ns)} ns`));
      y += 20;
    }
    y += 8;
  }
  const grid: string[] = [];
  for (let p = lo; p <= hi; p++) {
    grid.push(`<line x1="${x(10 ** p)}" x2="${x(10 ** p)}" y1="${top + 24}" y2="${y}" stroke="#ddd"/>`);
    const label = p <= 2 ? `${10 ** p} ns` : p <= 5 ? `${10 ** (p - 3)} µs` : `${10 ** (p - 6)} ms`;
    grid.push(text(x(10 ** p) - 10, y + 14, label, 'fill="#666"'));
  }
  // The grid goes first so that the bars are drawn over it.
  return { svg: [...grid, ...rows].join('\n'), height: y - top + 24 };
}

/** The whole chart as an SVG document. */
export function chart(results: BenchResults): string {
  const first = targetPanel(targets(results), 10);
  const second = matchPanel(results.match, 10 + first.height + 20);
  const height = 10 + first.height + 20 + second.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    first.svg,
    second.svg,
    '</svg>',
    '',
  ].join('\n');
}
