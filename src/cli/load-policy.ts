/**
 * Loads the policy file the `hangup` commands are given, so a command tries the very policy the
 * app runs: a JS or TS module exporting the options (`export const policy = {...}`, a default
 * export, or `--export <name>`), or a JSON file of the options (rules as `{ "notFound": "GET /x" }`).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HangupOptions } from '../types.js';

/** The policy file could not be read or holds no options. Exit code 2. */
export class PolicyFileError extends Error {
  readonly exitCode = 2;
  override readonly name = 'PolicyFileError';
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

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

async function importModule(file: string): Promise<Record<string, unknown>> {
  const registered = TS_EXTENSIONS.has(extname(file)) && (await registerTypeScript());
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION' && !registered) {
      throw new PolicyFileError(
        `${file}: Node cannot load TypeScript by itself and tsx was not found. Install tsx (npm i -D tsx), run with node --import tsx, or write the policy as .js or .json.`,
      );
    }
    throw error;
  }
}

/** Reads the options from `file`; `exportName` picks a named export of a module. */
export async function loadPolicy(path: string, exportName?: string): Promise<HangupOptions> {
  const file = resolve(path);
  if (extname(file) === '.json') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new PolicyFileError(`${path}: cannot read it (${(error as Error).message}).`);
    }
    try {
      return JSON.parse(text) as HangupOptions;
    } catch (error) {
      throw new PolicyFileError(`${path}: not valid JSON (${(error as Error).message}).`);
    }
  }
  let module: Record<string, unknown>;
  try {
    module = await importModule(file);
  } catch (error) {
    if (error instanceof PolicyFileError) throw error;
    throw new PolicyFileError(`${path}: cannot load it (${error instanceof Error ? error.message : String(error)}).`);
  }
  const names = exportName === undefined ? ['policy', 'default'] : [exportName];
  for (const name of names) {
    const value = module[name];
    if (typeof value === 'object' && value !== null) return value as HangupOptions;
  }
  const exported = Object.keys(module).join(', ') || 'nothing';
  throw new PolicyFileError(
    `${path}: no policy found in ${names.map((n) => `'${n}'`).join(' or ')} (it exports ${exported}). ` +
      `Export the options as 'policy' or as the default export, or name the export with --export.`,
  );
}
