import type { RouteShape } from './route-shape.js';
import type { PathSettings } from './routes.js';

/**
 * A static child: its segment text (case-folded when matching is case-insensitive), and the next
 * child whose text has the same hash.
 */
interface StaticEdge {
  readonly key: string;
  readonly node: TrieNode;
  next: StaticEdge | null;
}

/** One node per path segment: routes that end here, routes that may match anything below. */
interface TrieNode {
  /**
   * Static children by a hash of their text. A lookup hashes the segment where it lies in the path
   * and compares characters, so no segment string is sliced or lower-cased per request.
   */
  statics: Map<number, StaticEdge> | null;
  /**
   * Bit `c` is set when some static child starts with character code `c` (0 for the empty
   * segment). Route text is ASCII, so 128 bits cover it; most misses stop here without hashing.
   */
  firsts: Uint32Array | null;
  /** The child for a whole-segment parameter, which any non-empty segment takes. */
  param: TrieNode | null;
  /** Routes whose shape ends here: they match a path that ends here (or one trailing slash later). */
  readonly ends: number[];
  /** Routes whose shape stops keying here: candidates for every path that reaches this node. */
  readonly below: number[];
}

function node(): TrieNode {
  return { statics: null, firsts: null, param: null, ends: [], below: [] };
}

/**
 * Where a lookup collects route lists, each sorted by route index. Reused across lookups: `reset()`
 * only zeroes the counts (setting an array's length costs more than the whole walk of a miss).
 */
export class Candidates {
  /** Routes whose path certainly matches: whole segments of static text and parameters only. */
  readonly sure: (readonly number[])[] = [];
  sureCount = 0;
  /** Routes whose path may match: their own regexp decides. */
  readonly maybe: (readonly number[])[] = [];
  maybeCount = 0;

  /** Forgets the lists of the previous lookup. */
  reset(): void {
    this.sureCount = 0;
    this.maybeCount = 0;
  }
}

/**
 * A trie over path segments that narrows a route table to the few routes a path can match, so a
 * lookup walks one node per segment whatever the number of routes. Routes made of whole static
 * segments and whole-segment parameters are matched exactly by the walk itself, with path-to-regexp
 * 8's semantics (a parameter takes one non-empty segment, one optional trailing slash unless
 * strict). Any other route is kept as a candidate at the deepest segment the trie can key on, and
 * the caller confirms it with the route's own regexp: the trie never leaves out a route that matches.
 */
export class RouteTrie {
  private readonly root = node();
  private readonly caseSensitive: boolean;
  private readonly trailingSlash: boolean;

  constructor(settings: PathSettings) {
    this.caseSensitive = settings.caseSensitive;
    this.trailingSlash = !settings.strictTrailingSlash;
  }

  /** Adds route number `index` under each of its shapes. Add routes in ascending index order. */
  add(index: number, shapes: readonly RouteShape[]): void {
    for (const shape of shapes) {
      let at = this.root;
      for (const segment of shape.segments) at = segment === null ? (at.param ??= node()) : staticChild(at, segment);
      const list = shape.exact ? at.ends : at.below;
      // Lists stay sorted and free of duplicates because routes are added in index order.
      if (list[list.length - 1] !== index) list.push(index);
    }
  }

  /**
   * Appends to `into` the candidate lists for the still-encoded path `text[start, end)` (a request
   * target is walked where it lies, without slicing out its path). Allocates nothing.
   */
  collect(text: string, start: number, end: number, into: Candidates): void {
    if (start >= end || text.charCodeAt(start) !== 0x2f) {
      // Every route starts with '/', so no keyed route can match; keep the unkeyable ones.
      if (this.root.below.length > 0) into.maybe[into.maybeCount++] = this.root.below;
      return;
    }
    this.walk(this.root, text, start + 1, end, into);
  }

  /** `start` is where the next segment begins, or -1 when the path (ending at `pathEnd`) has no segment left. */
  private walk(at: TrieNode, path: string, start: number, pathEnd: number, into: Candidates): void {
    if (at.below.length > 0) into.maybe[into.maybeCount++] = at.below;
    if (start === -1) {
      if (at.ends.length > 0) into.sure[into.sureCount++] = at.ends;
      return;
    }
    // Whether a static child can take this segment is known from its first character; most misses
    // stop here, before the segment is read to its end.
    const fold = !this.caseSensitive;
    const first = start < pathEnd ? path.charCodeAt(start) : 0x2f;
    const keyed = at.statics !== null && this.startsSomeChild(at.firsts as Uint32Array, first === 0x2f ? 0 : folded(first, fold));
    if (!keyed && at.param === null && !(start === pathEnd && this.trailingSlash)) return;
    // One pass finds the segment's end and, when a static child may match, hashes it: segments are
    // short, and a native indexOf('/') per segment cost more to call than this loop takes.
    let end = start;
    let hash = 0;
    for (; end < pathEnd; end++) {
      const c = path.charCodeAt(end);
      if (c === 0x2f) break;
      if (keyed) hash = step(hash, folded(c, fold));
    }
    const next = end < pathEnd ? end + 1 : -1;
    // A path ending in '/' has an empty last segment: routes ending here match it as a trailing slash.
    if (end === start && next === -1 && this.trailingSlash && at.ends.length > 0) into.sure[into.sureCount++] = at.ends;
    if (keyed) {
      const child = staticChildAt(at.statics as Map<number, StaticEdge>, finish(hash, end - start), path, start, end, fold);
      if (child !== null) this.walk(child, path, next, pathEnd, into);
    }
    if (at.param !== null && end > start) this.walk(at.param, path, next, pathEnd, into);
  }

  /** Whether some static child starts with character code `c` (already case-folded; 0 for an empty segment). */
  private startsSomeChild(firsts: Uint32Array, c: number): boolean {
    // Static route text is ASCII (anything else is percent-encoded), so no child starts with c >= 128.
    return c < 128 && ((firsts[c >> 5] as number) & (1 << (c & 31))) !== 0;
  }
}

function staticChild(at: TrieNode, segment: string): TrieNode {
  const statics = (at.statics ??= new Map());
  const firsts = (at.firsts ??= new Uint32Array(4));
  const c = segment.length === 0 ? 0 : segment.charCodeAt(0);
  firsts[c >> 5] = (firsts[c >> 5] as number) | (1 << (c & 31));
  const hash = segmentHash(segment, 0, segment.length, false);
  const first = statics.get(hash) ?? null;
  for (let edge = first; edge !== null; edge = edge.next) if (edge.key === segment) return edge.node;
  const child = node();
  statics.set(hash, { key: segment, node: child, next: first });
  return child;
}

/** ASCII upper-case letters to lower case when `fold`, as route-shape's `foldCase` does. */
function folded(c: number, fold: boolean): number {
  return fold && c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** One character into a segment hash (kept within small-integer range). */
function step(hash: number, c: number): number {
  return (Math.imul(hash, 31) + c) & 0x3fffffff;
}

/** The segment hash from its characters' hash and its length. */
function finish(hash: number, length: number): number {
  return step(hash, length);
}

/** A hash of `text[start, end)` (case-folded when `fold`), as the walk computes it. */
function segmentHash(text: string, start: number, end: number, fold: boolean): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = step(hash, folded(text.charCodeAt(i), fold));
  return finish(hash, end - start);
}

/** The static child of `statics` whose text is the segment `path[start, end)` of hash `hash`, or null. */
function staticChildAt(statics: Map<number, StaticEdge>, hash: number, path: string, start: number, end: number, fold: boolean): TrieNode | null {
  for (let edge = statics.get(hash) ?? null; edge !== null; edge = edge.next) {
    if (sameSegment(edge.key, path, start, end, fold)) return edge.node;
  }
  return null;
}

/** Whether `path[start, end)`, case-folded when `fold`, is `key` (already folded when `fold`). */
function sameSegment(key: string, path: string, start: number, end: number, fold: boolean): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== folded(path.charCodeAt(start + i), fold)) return false;
  return true;
}

