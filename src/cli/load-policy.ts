/**
 * Loads the policy file the `hangup` commands are given, so a command tries the very policy the
 * app runs: a JS or TS module exporting the options (`export const policy = {...}`, a default
 * export, or `--export <name>`), or a JSON file of the options (rules as `{ "notFound": "GET /x" }`).
 *
 * A module is run to be read, and an app module does more than define a policy: it may start a
 * server, wait at top level, fail later, or end the process. Loading is therefore watched: it has a
 * time bound, `listen()` calls are recorded (and reported: the command still exits once done), an
 * error the module throws asynchronously is reported instead of crashing the command, and a
 * `process.exit()` from the module is reported and never exits with 0.
 */
import { writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HangupOptions } from '../types.js';

/** The policy file could not be read or holds no options. Exit code 2. */
export class PolicyFileError extends Error {
  readonly exitCode = 2;
  override readonly name = 'PolicyFileError';
}

/** How long loading a module may take by default, in milliseconds. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/** What was loaded. */
export interface LoadedPolicy {
  readonly options: HangupOptions;
  /**
   * What loading the module did besides defining the policy, one sentence each (e.g. it started
   * a server). Empty for a JSON file and for a module that only defines its exports.
   */
  readonly sideEffects: readonly string[];
}

/** How to load. */
export interface LoadOptions {
  /** A named export to read instead of `policy` or the default export. */
  readonly exportName?: string | undefined;
  /** The time bound of loading a module; default `DEFAULT_LOAD_TIMEOUT_MS`. */
  readonly timeoutMs?: number | undefined;
  /** Called with each error the module throws asynchronously, while loading or after (the command goes on). */
  readonly onAsyncError?: ((message: string) => void) | undefined;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** What a module should look like, for the messages. */
const KEEP_APART =
  "keep the policy in a module of its own that starts nothing (e.g. policy.ts: export const policy = { ... }) and import it in the app";

/**
 * Node 20 cannot import TypeScript by itself: register tsx (the project's, found the way Node finds
 * hangup's own dependencies) for the rest of this process. Returns false when there is none.
 */
async function registerTypeScript(): Promise<boolean> {
  const specifier = 'tsx/esm/api';
  try {
    const api = (await import(specifier)) as { register: () => unknown };
    api.register();
    return true;
  } catch {
    return false;
  }
}

/** `listen(3000)`, `listen(3000, '127.0.0.1')`, `listen({ port: 3000 })`: what a module asked for, for the messages. */
function describeListen(args: readonly unknown[]): string {
  const shown = args
    .filter((arg) => typeof arg !== 'function')
    .map((arg) => (typeof arg === 'object' && arg !== null ? safeJson(arg) : typeof arg === 'string' ? JSON.stringify(arg) : String(arg)));
  return `listen(${shown.join(', ')})`;
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? '{}';
  } catch {
    return '{...}';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Imports `file` under watch (see the module comment). Resolves with the module and the servers it
 * started; rejects with `PolicyFileError` when the import fails or does not finish in time.
 */
async function importWatched(
  file: string,
  path: string,
  options: LoadOptions,
): Promise<{ module: Record<string, unknown>; listens: string[] }> {
  const registered = TS_EXTENSIONS.has(extname(file)) && (await registerTypeScript());
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const listens: string[] = [];
  let loading = true;

  // Servers the module starts: recorded, and left to start (a module may await its own listen()).
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
    if (loading) listens.push(describeListen(args));
    return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof originalListen;

  // The module ending the process: say so, and never with exit code 0.
  const onExit = (code: number): void => {
    if (!loading) return;
    writeSync(
      2,
      `hangup explain: ${path}: loading it ended the process (exit code ${code}) before its policy could be read: ${KEEP_APART}.\n`,
    );
    process.exitCode = code === 0 ? 2 : code;
  };
  process.on('exit', onExit);

  // Errors the module throws asynchronously (a server's 'error' nobody handles, EADDRINUSE...):
  // reported, never a crash; a load that depended on it fails or times out by itself.
  const asyncErrors: string[] = [];
  const onAsyncError = (error: unknown): void => {
    asyncErrors.push(messageOf(error));
    options.onAsyncError?.(`${path}: code started by loading it failed (${messageOf(error)}); ignored.`);
  };
  process.on('uncaughtException', onAsyncError);
  process.on('unhandledRejection', onAsyncError);

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const started = listens.length === 0 ? '' : ` It started a server (${listens.join(', ')}) and is still waiting at top level.`;
      const failures = asyncErrors.length === 0 ? '' : ` Meanwhile it failed: ${asyncErrors.join('; ')}.`;
      reject(
        new PolicyFileError(
          `${path}: loading it did not finish within ${timeoutMs} ms.${started} A module that waits at top level (for a server, a database...) cannot be read as a policy.${failures} To fix it, ${KEEP_APART}, or raise --load-timeout.`,
        ),
      );
    }, timeoutMs);
  });

  try {
    const module = (await Promise.race([import(pathToFileURL(file).href), timedOut])) as Record<string, unknown>;
    // What the module started at once (a listen() on an address in use...) reports before the policy is read.
    await new Promise((settled) => setImmediate(settled));
    return { module, listens };
  } catch (error) {
    if (error instanceof PolicyFileError) throw error;
    if ((error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION' && !registered) {
      throw new PolicyFileError(
        `${file}: Node cannot load TypeScript by itself and tsx was not found. Install tsx (npm i -D tsx), run with node --import tsx, or write the policy as .js or .json.`,
      );
    }
    const started = listens.length === 0 ? '' : ` It started a server (${listens.join(', ')}): ${KEEP_APART}.`;
    throw new PolicyFileError(`${path}: cannot load it (${messageOf(error)}).${started}`);
  } finally {
    loading = false;
    clearTimeout(timer);
    net.Server.prototype.listen = originalListen;
    process.off('exit', onExit);
    // The error listeners stay: what the module started may still fail until the command exits.
  }
}

/** Whether `value` is a guard (`hangup(...)`), not the options it was made from. */
function isGuard(value: object): boolean {
  const candidate = value as { explain?: unknown; wrap?: unknown; protect?: unknown };
  return typeof candidate.explain === 'function' && typeof candidate.wrap === 'function' && typeof candidate.protect === 'function';
}

/** Reads the options from `path`. */
export async function loadPolicy(path: string, options: LoadOptions = {}): Promise<LoadedPolicy> {
  const file = resolve(path);
  if (extname(file) === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new PolicyFileError(`${path}: cannot read it (${messageOf(error)}).`);
    }
    try {
      return { options: JSON.parse(text) as HangupOptions, sideEffects: [] };
    } catch (error) {
      throw new PolicyFileError(`${path}: not valid JSON (${messageOf(error)}).`);
    }
  }
  const { module, listens } = await importWatched(file, path, options);
  const sideEffects = listens.length === 0 ? [] : [`loading ${path} started a server (${listens.join(', ')}); hangup explain does not need it and exits once done; ${KEEP_APART}.`];
  const names = options.exportName === undefined ? ['policy', 'default'] : [options.exportName];
  for (const name of names) {
    const value = module[name];
    if (typeof value !== 'object' || value === null) continue;
    if (isGuard(value)) {
      throw new PolicyFileError(
        `${path}: '${name}' is a guard (the result of hangup(...)), not the options it was made from. ` +
          `Export the options object (export const policy = { ... }), and call hangup(policy) in the app.`,
      );
    }
    return { options: value as HangupOptions, sideEffects };
  }
  const exported = Object.keys(module).join(', ') || 'nothing';
  const started = listens.length === 0 ? '' : ` Loading it also started a server (${listens.join(', ')}): ${KEEP_APART}.`;
  throw new PolicyFileError(
    `${path}: no policy found in ${names.map((n) => `'${n}'`).join(' or ')} (it exports ${exported}). ` +
      `Export the options as 'policy' or as the default export, or name the export with --export.${started}`,
  );
}
