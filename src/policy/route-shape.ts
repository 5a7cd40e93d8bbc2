import type { Token } from 'path-to-regexp';

/**
 * The shape of one route alternative as the route index sees it: the path segments it pins down,
 * from the left, up to the first segment the index cannot key on. Every path the route's regexp
 * matches has these segments first, so the index may skip a route whose shape the path lacks and
 * still find every match; the route's own regexp then decides.
 */
export interface RouteShape {
  /**
   * Leading segments: a string is static text (already case-folded when matching is
   * case-insensitive), `null` is one whole-segment parameter (`/:id/`), which matches any segment.
   */
  readonly segments: readonly (string | null)[];
  /**
   * True when the route ends after these segments (plus an optional trailing slash); false when
   * more follows that the index does not key on (a wildcard, or text and parameters mixed in one
   * segment such as `/:name.json`), so any longer path may match.
   */
  readonly exact: boolean;
}

const PARAM = '\u0000';
const WILDCARD = '\u0001';

/**
 * The shapes of a parsed route, one per alternative its optional groups expand to (as
 * path-to-regexp expands them, so at most 256), without duplicates.
 */
export function routeShapes(tokens: readonly Token[], caseSensitive: boolean): RouteShape[] {
  const seen = new Set<string>();
  const shapes: RouteShape[] = [];
  for (const template of templates(tokens)) {
    const shape = shapeOf(template, caseSensitive);
    const key = `${shape.exact ? 'e' : 'p'}${shape.segments.map((s) => `/${s ?? PARAM}`).join('')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    shapes.push(shape);
  }
  return shapes;
}

/**
 * Each alternative as a string: text as written (encoded), a parameter as `\u0000`, a wildcard as
 * `\u0001`. Route text never holds these characters: everything outside `!`..`~` is percent-encoded.
 */
function templates(tokens: readonly Token[]): string[] {
  let results = [''];
  for (const token of tokens) {
    if (token.type === 'text') results = results.map((r) => r + token.value);
    else if (token.type === 'param') results = results.map((r) => r + PARAM);
    else if (token.type === 'wildcard') results = results.map((r) => r + WILDCARD);
    else {
      const inner = templates(token.tokens);
      results = results.flatMap((r) => [...inner.map((i) => r + i), r]);
    }
  }
  return results;
}

function shapeOf(template: string, caseSensitive: boolean): RouteShape {
  const pieces = template.split('/');
  // The template starts with '/', so pieces[0] is ''. Anything else cannot be keyed: test it always.
  if (pieces[0] !== '') return { segments: [], exact: false };
  const segments: (string | null)[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    if (piece === PARAM) segments.push(null);
    else if (piece.includes(PARAM) || piece.includes(WILDCARD)) return { segments, exact: false };
    else segments.push(caseSensitive ? piece : foldCase(piece));
  }
  return { segments, exact: true };
}

/**
 * Lower-cases ASCII letters only, keeping the length. This is exactly what a case-insensitive
 * (non-unicode) RegExp compares: `toLowerCase()` would also fold `K` (Kelvin) to `k` and change the
 * length of `İ`, neither of which the route's regexp does.
 */
export function foldCase(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return lowerFrom(text, i);
  }
  return text;
}

function lowerFrom(text: string, start: number): string {
  let out = text.slice(0, start);
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x41 && c <= 0x5a ? String.fromCharCode(c + 0x20) : text[i];
  }
  return out;
}
