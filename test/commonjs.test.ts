import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test("CommonJS: require('hangup') works from a .cjs file (the built package, through require(esm))", () => {
  const fixture = fileURLToPath(new URL('./fixtures/require-hangup.cjs', import.meta.url));
  const output = execFileSync(process.execPath, [fixture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.deepEqual(JSON.parse(output), {
    defaultExport: 'function',
    allow: 'allow',
    notFound: 'notFound',
    drop: 'drop',
    errorClass: 'HANGUP_UNKNOWN_OPTION',
  });
});
