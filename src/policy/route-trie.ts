import { foldCase, type RouteShape } from './route-shape.js';

/** One node per path segment: routes that end here, routes that may match anything below. */
interface TrieNode {
  /** Children by static segment text (case-folded when matching is case-insensitive). */
  statics: Map<string, TrieNode> | null;
  /** The child for a whole-segment parameter, which any segment may take. */
  param: TrieNode | null;
  /** Routes whose shape ends here: candidates when the path ends here (or one slash later). */
  readonly ends: number[];
  /** Routes whose shape stops keying here: candidates for every path that reaches this node. */
  readonly below: number[];
}

function node(): TrieNode {
  return { statics: null, param: null, ends: [], below: [] };
}

/**
 * A trie over path segments that narrows a route table to the few routes a path can match. It
 * only narrows: it never leaves out a route whose regexp would match, and may keep some that
 * do not, so the caller confirms each candidate with the route's own regexp. Lookups walk one
 * node per segment, whatever the number of routes.
 */
export class RouteTrie {
  private readonly root = node();

  constructor(private readonly caseSensitive: boolean) {}

  /** Adds route number `index` under each of its shapes. Add routes in ascending index order. */
  add(index: number, shapes: readonly RouteShape[]): void {
    for (const shape of shapes) {
      let at = this.root;
      for (const segment of shape.segments) {
        if (segment === null) {
          at = at.param ??= node();
        } else {
          const statics = (at.statics ??= new Map());
          let next = statics.get(segment);
          if (next === undefined) statics.set(segment, (next = node()));
          at = next;
        }
      }
      const list = shape.exact ? at.ends : at.below;
      // Lists stay sorted and free of duplicates because routes are added in index order.
      if (list[list.length - 1] !== index) list.push(index);
    }
  }

  /**
   * Appends to `out` the candidate lists for the still-encoded `path`: each list is sorted by
   * route index, and together they hold every route that can match. Allocates only segment strings.
   */
  collect(path: string, out: (readonly number[])[]): void {
    if (path.charCodeAt(0) !== 0x2f) {
      // Every route starts with '/', so no keyed route can match; keep the unkeyable ones.
      if (this.root.below.length > 0) out.push(this.root.below);
      return;
    }
    this.walk(this.root, this.caseSensitive ? path : foldCase(path), 1, out);
  }

  /** `start` is where the next segment begins, or -1 when the path has no segment left. */
  private walk(at: TrieNode, path: string, start: number, out: (readonly number[])[]): void {
    if (at.below.length > 0) out.push(at.below);
    if (start === -1) {
      if (at.ends.length > 0) out.push(at.ends);
      return;
    }
    const slash = path.indexOf('/', start);
    const next = slash === -1 ? -1 : slash + 1;
    // A path ending in '/' has an empty last segment: routes ending here match it as a trailing slash.
    if (next === -1 && start === path.length && at.ends.length > 0) out.push(at.ends);
    if (at.statics !== null) {
      const child = at.statics.get(path.slice(start, slash === -1 ? path.length : slash));
      if (child !== undefined) this.walk(child, path, next, out);
    }
    if (at.param !== null) this.walk(at.param, path, next, out);
  }
}
