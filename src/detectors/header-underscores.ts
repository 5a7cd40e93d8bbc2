import type { DetectorSpec } from './types.js';
import { hasUnderscoreName } from './scan-headers.js';

/**
 * `_` in a header name. CGI-style back ends map `X-Api-Key` and `X_Api_Key` to the same variable,
 * so an underscore spelling can smuggle a header past a proxy that filters the dash spelling
 * (nginx ignores such headers by default: `underscores_in_headers off`). Off by default.
 */
export const headerUnderscores: DetectorSpec = {
  name: 'headerUnderscores',
  check: (head) => (hasUnderscoreName(head) ? 'malformed:header-underscore' : undefined),
};
