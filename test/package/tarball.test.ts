/**
 * The package as users get it: packs the tarball (`npm pack`, from the built dist), installs it
 * into a temporary consumer project (extracted into its node_modules; TypeScript and @types/node
 * linked from this repository, so no network), and checks that:
 *
 * - the types of `hangup`, `hangup/express`, `hangup/fastify` and `hangup/nest` resolve, and are the real types
 *   (a wrong call is an error), under moduleResolution node16, nodenext (ESM and CommonJS),
 *   bundler and the legacy node (node10);
 * - every source map in the package points at a file the package contains;
 * - it carries its LICENSE, and no script that npm would run when it is installed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const consumerSource = `
import { hangup, notFound, type Guard, type HangupOptions } from 'hangup';
import { hangupExpress, routesFrom } from 'hangup/express';
import hangupExpressDefault from 'hangup/express';
import { hangupFastify, collectRoutes } from 'hangup/fastify';
import { hangupNest } from 'hangup/nest';

const options: HangupOptions = { routes: ['GET /'], rules: [notFound('GET /favicon.ico')] };
const guard: Guard = hangup(options);
const middleware = hangupExpress(guard);
const unrouted: (...args: never[]) => unknown = middleware.unrouted;
const same: typeof hangupExpress = hangupExpressDefault;
const decision: 'allow' | 'notFound' | 'drop' = guard.decide({ method: 'GET', url: '/', httpVersion: '1.1', headers: {}, rawHeaders: [] }).action;

// The types are real, not \`any\`: wrong calls are errors.
// @ts-expect-error 'routez' is not an option
hangup({ routez: [] });
// @ts-expect-error a guard or hangup options
hangupExpress(42);
// @ts-expect-error collectRoutes returns an object
const wrong: string = collectRoutes({});
// @ts-expect-error hangupNest takes a Nest application
void hangupNest(42, guard);
// Adapter-only methods are not part of the public Guard type (stripInternal).
// @ts-expect-error decisionOf is internal
guard.decisionOf;
// @ts-expect-error apply is internal
guard.apply;

export { guard, middleware, unrouted, same, decision, hangupFastify, routesFrom, wrong };
`;

/** [name, compiler options, files]: one consumer tsconfig per module resolution. */
const modes: [string, Record<string, unknown>, string[]][] = [
  ['node16', { module: 'node16', moduleResolution: 'node16' }, ['esm/index.ts']],
  ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['esm/index.ts', 'esm/require.cts']],
  ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['esm/index.ts']],
  ['node (node10)', { module: 'commonjs', moduleResolution: 'node' }, ['cjs/index.ts']],
];

test('the packed tarball: types resolve under every moduleResolution, source maps resolve, LICENSE, no install scripts', async (t) => {
  assert.ok(existsSync(join(root, 'dist', 'index.d.ts')), 'dist/ is built (npm test builds it first)');
  const work = mkdtempSync(join(tmpdir(), 'hangup-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  // Pack exactly what `npm publish` would (dist is already built; prepack would rebuild it).
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' }),
  ) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, (packed[0] as { filename: string }).filename);
  const files = new Set((packed[0] as { files: { path: string }[] }).files.map((f) => f.path));

  await t.test('LICENSE, README and no install-time scripts', () => {
    assert.ok(files.has('LICENSE'), 'LICENSE is packed');
    assert.ok(files.has('README.md'), 'README.md is packed');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; license?: string };
    assert.equal(manifest.license, 'MIT');
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => manifest.scripts?.[name] !== undefined);
    assert.deepEqual(installScripts, [], 'npm runs none of these when the package or the repository is installed');
  });

  // Install: the tarball's contents become node_modules/hangup of a fresh consumer project.
  const consumer = join(work, 'consumer');
  const modules = join(consumer, 'node_modules');
  mkdirSync(join(modules, 'hangup'), { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', join(modules, 'hangup'), '--strip-components=1']);
  // The runtime dependencies, as npm would install them, and the compiler with Node's types.
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of [...Object.keys(dependencies), 'typescript', '@types', 'undici-types']) {
    if (existsSync(join(root, 'node_modules', name))) symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }

  await t.test('every source map points at files the package contains', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 0, 'source maps are shipped');
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(modules, 'hangup', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const target = relative(join(modules, 'hangup'), resolve(join(modules, 'hangup', dirname(map)), source));
        if (!files.has(target.split('\\').join('/'))) missing.push(`${map} -> ${source}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  mkdirSync(join(consumer, 'esm'));
  mkdirSync(join(consumer, 'cjs'));
  writeFileSync(join(consumer, 'esm', 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(consumer, 'esm', 'index.ts'), consumerSource);
  writeFileSync(join(consumer, 'cjs', 'index.ts'), consumerSource);
  // CommonJS under nodenext: require(esm), which Node 20.19+, 22.12+ and 24 do without a flag.
  writeFileSync(
    join(consumer, 'esm', 'require.cts'),
    "import { hangup } from 'hangup';\nimport { hangupExpress } from 'hangup/express';\nimport { hangupFastify } from 'hangup/fastify';\n" +
      'export const guard = hangup({});\nexport const both = [hangupExpress(guard), hangupFastify];\n',
  );
  const tsc = join(modules, 'typescript', 'bin', 'tsc');

  for (const [name, options, entries] of modes) {
    await t.test(`types resolve with moduleResolution ${name}`, () => {
      const config = join(consumer, `tsconfig.${name.split(' ')[0]}.json`);
      const compilerOptions = { ...options, target: 'es2022', strict: true, noEmit: true, esModuleInterop: true, skipLibCheck: false, types: ['node'] };
      writeFileSync(config, JSON.stringify({ compilerOptions, files: entries }, null, 2));
      const result = spawnSync(process.execPath, [tsc, '-p', config, '--traceResolution'], { cwd: consumer, encoding: 'utf8' });
      const errors = result.stdout.split('\n').filter((line) => /error TS/.test(line));
      assert.deepEqual(errors, [], `tsc under ${name}`);
      assert.equal(result.status, 0, result.stdout.slice(-2000));
      // Each entry point resolved to the package's own declaration files.
      for (const specifier of ['hangup', 'hangup/express', 'hangup/fastify', 'hangup/nest']) {
        const line = new RegExp(`Module name '${specifier}' was successfully resolved to '([^']+)'`).exec(result.stdout);
        assert.ok(line, `${specifier} resolved under ${name}`);
        assert.match(line[1] as string, /node_modules\/hangup\/dist\/.*\.d\.ts$/, `${specifier} under ${name}`);
      }
    });
  }
});
