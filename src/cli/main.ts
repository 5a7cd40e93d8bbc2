#!/usr/bin/env node
/**
 * The `hangup` command. Each subcommand lives in its own module and is loaded only when used.
 * A subcommand module exports `run(argv: string[]): Promise<number>` returning the exit code.
 */

interface Subcommand {
  readonly summary: string;
  readonly load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

const subcommands: Record<string, Subcommand> = {};

/** Registers a subcommand; called below for each one the package ships. */
function register(name: string, summary: string, load: Subcommand['load']): void {
  subcommands[name] = { summary, load };
}

// Subcommands (one module each under src/cli/):
register('probe', 'replay scanner and attack requests against a URL and report what leaks', () => import('./probe.js'));
register('explain', 'show what a policy decides for a request, and why', () => import('./explain.js'));
register('bans', 'list, lift and make bans in the store the guards share (Redis)', () => import('./bans.js'));

function usage(): string {
  const lines = Object.entries(subcommands).map(([name, s]) => `  hangup ${name.padEnd(8)} ${s.summary}`);
  return [
    'usage: hangup <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'hangup <command> --help for its options; hangup --version (-v) for the version.',
  ].join('\n');
}

/**
 * The version of the package this command belongs to, read from its package.json (two levels up
 * from both `src/cli/main.ts` and `dist/cli/main.js`), so it can never disagree with what npm installed.
 */
async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
  if (manifest.name !== 'hangup' || typeof manifest.version !== 'string') throw new Error('cannot read the version: package.json of hangup not found');
  return manifest.version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = subcommands[name];
  if (command === undefined) {
    process.stderr.write(`hangup: unknown command '${name}'.\n${usage()}\n`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

/**
 * Ends the process with `code` once stdout and stderr are flushed. A command is done when its
 * promise settles: whatever else is still running (a server a policy module started when
 * `explain` loaded it, a timer) must not keep the process alive, nor decide the exit code.
 */
function exit(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.exitCode = code;
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  process.stderr.write(`hangup: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(1);
});
