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

function usage(): string {
  const lines = Object.entries(subcommands).map(([name, s]) => `  hangup ${name.padEnd(8)} ${s.summary}`);
  return ['usage: hangup <command> [options]', '', 'commands:', ...lines, '', 'hangup <command> --help for its options.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hangup: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
