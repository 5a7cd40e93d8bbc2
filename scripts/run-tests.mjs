#!/usr/bin/env node
// Runs every test/**/*.test.ts file with node:test and tsx. Node 20's --test does not look for
// .ts files by itself, so they are listed here. Extra arguments are passed on to node --test
// (e.g. `npm test -- --test-name-pattern=pipelin`); a path argument limits the run to those files.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : find(path);
    return /\.test\.(ts|mts|cts)$/.test(name) ? [path] : [];
  });
}

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = (paths.length > 0 ? paths : find('test')).sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...flags, ...files],
  // Servers under test refuse thousands of requests: their first-refusal hints (see src/first-refusal.ts)
  // would only be noise here. test/first-refusal.test.ts turns them on where it checks them.
  { stdio: 'inherit', env: { ...process.env, HANGUP_HINTS: process.env.HANGUP_HINTS ?? '0' } },
);
process.exit(result.status ?? 1);
