/**
 * The route tables the benchmarks use: `n` routes in a mix of static paths, parameters, nested
 * parameters and several methods, written once in path-to-regexp 8 syntax (hangup) and registered
 * the same way in find-my-way, whose syntax agrees for static text and `:param`.
 */

export interface BenchRoute {
  readonly method: string;
  readonly path: string;
}

/** `n` routes; route `i` has one of five shapes, so every table holds the same mix. */
export function benchRoutes(n: number): BenchRoute[] {
  return Array.from({ length: n }, (_, i) => {
    switch (i % 5) {
      case 0:
        return { method: 'GET', path: `/r${i}` };
      case 1:
        return { method: 'GET', path: `/r${i}/:id` };
      case 2:
        return { method: 'POST', path: `/r${i}/items` };
      case 3:
        return { method: 'GET', path: `/r${i}/:id/items/:item` };
      default:
        return { method: 'DELETE', path: `/api/v1/r${i}/:id` };
    }
  });
}

/** The routes as hangup route specs, e.g. `GET /r1/:id`. */
export function hangupSpecs(routes: readonly BenchRoute[]): string[] {
  return routes.map((r) => `${r.method} ${r.path}`);
}

/** Paths to look up in a table of `n` routes: hits on the last routes written (worst case for a loop) and misses. */
export function benchPaths(n: number): { hitStatic: string; hitParam: string; miss: string; missDeep: string } {
  const last = (shape: number): number => {
    let i = n - 1;
    while (i % 5 !== shape) i--;
    return i;
  };
  return {
    hitStatic: `/r${last(0)}`,
    hitParam: `/r${last(3)}/42/items/7`,
    miss: '/wp-login.php',
    missDeep: `/r${last(1)}/42/edit`,
  };
}
