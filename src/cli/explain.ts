/**
 * `hangup explain --config <file> 'GET /x'`: what a policy decides for requests, and why, before
 * the policy is deployed. It loads the same policy file the app and its adapters use.
 */
import { parseArgs } from 'node:util';
import { Guard } from '../guard.js';
import { HangupConfigError } from '../errors.js';
import type { ExplainOptions, Explanation } from '../types.js';
import { DEFAULT_LOAD_TIMEOUT_MS, loadPolicy, PolicyFileError } from './load-policy.js';

/** The `--help` text. */
export const EXPLAIN_HELP = `usage: hangup explain --config <file> [options] <request>...

Says what a policy does with each request (allow, the fixed 404, or a drop), what would go on the
wire, and which route, rule or detector decided. Nothing is sent anywhere.

  <request>                 a request line: 'GET /wp-login.php', '/health' (GET), 'POST /orders HTTP/1.0'
  --config <file>           the policy: a .js/.mjs/.cjs/.ts module exporting the options as 'policy'
                            or as the default export, or a .json file holding the options
                            (rules as { "notFound": "GET /favicon.ico" }, { "drop": ["/.env"] })
  --export <name>           take the options from this named export of the module instead
  --load-timeout <ms>       how long loading the module may take (default ${DEFAULT_LOAD_TIMEOUT_MS})
  --host <name>             the Host header (default: the first name in the policy's hosts, with
                            '*.' replaced by 'www.', or 'localhost' when it has none)
  --header '<Name: value>'  another request header; repeat for more
  --remote-address <ip>     the peer address, for trustedProxies
  --json                    print a JSON array: one { request, decision, enforced, wire, reportOnly, text } per request
  -h, --help                show this help

The module is run to be read: keep the policy in a module of its own that starts nothing. If
loading it starts a server, the command says so and still exits once done; if loading does not
finish in time, fails, or ends the process, the command exits with 2 and says why.

exit codes: 0 every request is allowed, 1 at least one is refused (404 or drop; in report mode
too), 2 bad arguments or a bad policy file
`;

class UsageError extends Error {
  readonly exitCode = 2;
}

interface ExplainArgs {
  readonly help: boolean;
  readonly config: string;
  readonly exportName: string | undefined;
  readonly loadTimeoutMs: number;
  readonly requests: readonly string[];
  readonly options: ExplainOptions;
  readonly json: boolean;
}

function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header ${JSON.stringify(line)}: write it as 'Name: value'`);
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}

function parse(argv: readonly string[]): ExplainArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string', short: 'c' },
        export: { type: 'string' },
        'load-timeout': { type: 'string' },
        host: { type: 'string' },
        header: { type: 'string', multiple: true },
        'remote-address': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && values.config === undefined) throw new UsageError('give the policy file with --config <file>');
  if (!help && positionals.length === 0) throw new UsageError("give at least one request, e.g. 'GET /wp-login.php'");
  const headers = Object.fromEntries((values.header ?? []).map(parseHeader));
  const timeout = values['load-timeout'];
  if (timeout !== undefined && (!/^\d+$/.test(timeout) || Number(timeout) < 100 || Number(timeout) > 600_000)) {
    throw new UsageError(`--load-timeout: ${JSON.stringify(timeout)} is not a whole number of milliseconds from 100 to 600000`);
  }
  return {
    help,
    config: values.config ?? '',
    exportName: values.export,
    loadTimeoutMs: timeout === undefined ? DEFAULT_LOAD_TIMEOUT_MS : Number(timeout),
    requests: positionals,
    options: {
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values['remote-address'] === undefined ? {} : { remoteAddress: values['remote-address'] }),
      headers,
    },
    json: values.json === true,
  };
}

/**
 * The Host to assume when `--host` is not given: a request without one is dropped by every
 * HTTP/1.1 policy, which is never what someone trying a route wants to see. The first allowed name
 * (a wildcard's `www.` subdomain), or `localhost` when the policy allows any host.
 */
function defaultHost(hosts: readonly string[] | undefined): string {
  const first = hosts?.[0];
  if (first === undefined) return 'localhost';
  return first.startsWith('*.') ? `www.${first.slice(2)}` : first;
}

/** Where the command writes. */
export interface ExplainIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Runs the subcommand and returns its exit code: 0 all allowed, 1 some refused, 2 bad arguments or policy. */
export async function run(argv: string[], io: ExplainIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const args = parse(argv);
    if (args.help) {
      io.stdout.write(EXPLAIN_HELP);
      return 0;
    }
    const loaded = await loadPolicy(args.config, {
      exportName: args.exportName,
      timeoutMs: args.loadTimeoutMs,
      onAsyncError: (message) => io.stderr.write(`hangup explain: note: ${message}\n`),
    });
    for (const note of loaded.sideEffects) io.stderr.write(`hangup explain: note: ${note}\n`);
    const policy = loaded.options;
    const guard = new Guard(policy);
    const assumedHost = args.options.host === undefined ? defaultHost(policy.hosts) : undefined;
    const options = assumedHost === undefined ? args.options : { ...args.options, host: assumedHost };
    const results: (Explanation & { request: string })[] = [];
    for (const request of args.requests) {
      try {
        results.push({ request, ...guard.explain(request, options) });
      } catch (error) {
        throw new UsageError((error as Error).message.replace(/^hangup: /, ''));
      }
    }
    if (assumedHost !== undefined && !args.json) io.stdout.write(`(no --host given: assuming Host: ${assumedHost})\n\n`);
    io.stdout.write(args.json ? `${JSON.stringify(results, null, 2)}\n` : `${results.map((r) => r.text).join('\n\n')}\n`);
    return results.every((r) => r.decision.action === 'allow') ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hangup explain: ${error.message}\nRun 'hangup explain --help' for the options.\n`);
      return error.exitCode;
    }
    if (error instanceof PolicyFileError || error instanceof HangupConfigError) {
      io.stderr.write(`hangup explain: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
